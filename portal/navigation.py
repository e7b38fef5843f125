"""The menu: groups of pages, each item shown to whoever the role table lets open it.

An item is active when the current page is one of its own (its `pages`): exactly one item lights
up, also where several items live in one URL namespace (帮扶申请, 关怀基金 and 公示栏 under /funds/)."""

from __future__ import annotations

from dataclasses import dataclass

from members import access
from members.access import CREATE, EXPORT, LIST, VIEW


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    icon: str
    rule: tuple[str, str]  # the role table's entry that opens the page
    pages: tuple[str, ...] = ()  # view names that belong to this item besides `url_name`; "ns:*" for a namespace

    def visible(self, user) -> bool:
        return access.may(user, *self.rule)

    def covers(self, view_name: str) -> bool:
        if view_name == self.url_name:
            return True
        namespace = view_name.split(":")[0] + ":*"
        return view_name in self.pages or namespace in self.pages


@dataclass(frozen=True)
class Group:
    label: str
    icon: str
    items: tuple[Item, ...]


MENU = (
    Group(
        "党员",
        "bi-people",
        (
            Item("党员名册", "members:list", "bi-people", ("member", LIST), ("members:*",)),
            Item(
                "困难党员台帐",
                "hardship:list",
                "bi-house-heart",
                ("ledger", LIST),
                ("hardship:detail", "hardship:create", "hardship:edit", "hardship:import", "hardship:export"),
            ),
            Item(
                "结对帮扶",
                "hardship:pairings",
                "bi-people-fill",
                ("pairing", LIST),
                (
                    "hardship:pairing_detail",
                    "hardship:pairing_create",
                    "hardship:agreement_edit",
                    "hardship:agreement_print",
                ),
            ),
        ),
    ),
    Group(
        "关怀",
        "bi-heart",
        (
            Item("走访慰问", "visits:list", "bi-house-door", ("visit", LIST), ("visits:detail", "visits:create")),
            Item(
                "谈心谈话",
                "visits:talk_list",
                "bi-chat-heart",
                ("talk", LIST),
                ("visits:talk_detail", "visits:talk_create"),
            ),
            Item("节日走访计划", "visits:plan_list", "bi-calendar-heart", ("plan", LIST), ("visits:plan_detail",)),
            Item("走访提示", "visits:prompts", "bi-bell", ("prompt", LIST)),
            Item("谈心走访覆盖", "visits:coverage", "bi-pie-chart", ("coverage", VIEW)),
            Item("全面排查", "surveys:list", "bi-clipboard-check", ("survey", LIST), ("surveys:*",)),
            Item("离线登记（手机）", "field", "bi-phone", ("visit", CREATE)),
        ),
    ),
    Group(
        "资金",
        "bi-wallet2",
        (
            Item(
                "帮扶申请",
                "funds:applications",
                "bi-clipboard-heart",
                ("application", LIST),
                ("funds:application", "funds:application_new", "funds:application_edit"),
            ),
            Item(
                "关怀基金",
                "funds:index",
                "bi-wallet2",
                ("fund", LIST),
                ("funds:ledger", "funds:summary", "funds:batch_new", "funds:batch", "funds:rules", "funds:uses"),
            ),
            Item("公示栏", "funds:notices", "bi-megaphone", ("notice", VIEW)),
            Item("党务公开", "funds:public", "bi-journal-richtext", ("fund_public", VIEW)),
        ),
    ),
    Group(
        "表彰",
        "bi-award",
        (
            Item("表彰评选", "awards:list", "bi-award", ("campaign", LIST), ("awards:*",)),
            Item("表彰统计", "awards:stats", "bi-bar-chart-line", ("honours", VIEW)),
        ),
    ),
    Group(
        "报表",
        "bi-bar-chart",
        (
            Item("统计报表", "reports:dashboard", "bi-bar-chart", ("report", VIEW), ("reports:job",)),
            Item("节日走访汇总", "reports:holiday", "bi-calendar-check", ("plan", LIST)),
            Item("结对帮扶半年报告", "hardship:report", "bi-file-earmark-text", ("pairing", EXPORT)),
            Item("上级报送", "filings:index", "bi-send-check", ("filing", LIST), ("filings:*",)),
        ),
    ),
    Group(
        "管理",
        "bi-sliders",
        (
            Item("节假日安排", "calendar:index", "bi-calendar3", ("calendar", VIEW), ("calendar:*",)),
            Item("操作日志", "audit_log", "bi-journal-text", ("audit", VIEW)),
            Item("个人信息访问记录", "access_log", "bi-eye", ("access_log", VIEW)),
            Item("接口令牌", "integrations:tokens", "bi-key", ("api_token", LIST), ("integrations:*",)),
        ),
    ),
)


def menu_for(request) -> list[dict]:
    """The groups with the items this user may open; each marked active if the page is one of its own."""
    user = request.user
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    groups = []
    for group in MENU:
        items = [item for item in group.items if item.visible(user)]
        if not items:
            continue
        # The most specific item wins: one whose own page this is before one covering a whole namespace.
        active = next((item for item in items if view_name == item.url_name or view_name in item.pages), None) or next(
            (item for item in items if item.covers(view_name)), None
        )
        groups.append(
            {"group": group, "items": [(item, item is active) for item in items], "active": active is not None}
        )
    return groups
