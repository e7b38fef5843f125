"""The role table: which role may do what to which kind of object.

This is the one place that says it. Every view declares the rule it serves (`requires`), every
queryset is scoped by a rule (`Model.objects.for_user(user, action)`), and every predicate, export,
report sheet and service asks `may` / `may_at` here. `tests/security/test_url_access.py` walks the
URLconf and checks each route, for every role, against this table.

Scope (members.scoping) answers *which unit*: the subtrees under the organizations where a user
holds a role. This table answers *which role*: a user may do `action` to an object of `kind` when
they hold one of the table's roles over the object's organization. Two entries are not roles:

- `SELF`: the object is the user's own (their member record, a visit to them, their application);
- `MEMBER`: any Party member under the organization (公示栏, 党务公开, campaigns and honour rolls).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from members.roles import Role

SELF = "self"
MEMBER = "member"

SEC, COM, ORG, FUND = Role.SECRETARY.value, Role.COMMITTEE.value, Role.ORG_DEPT.value, Role.FUND_OFFICER.value
MANAGERS = frozenset({SEC, COM, ORG})

# Actions. A kind may have its own (the workflow steps of an application), named in the table.
LIST, VIEW, CREATE, EDIT, EXPORT, IMPORT = "list", "view", "create", "edit", "export", "import"

ROLE_LABELS = {SEC: "支部书记", COM: "支委委员", ORG: "组织部", FUND: "基金管理员", SELF: "本人", MEMBER: "党员"}


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# kind: (Chinese name, {action: roles}).
TABLE: dict[str, tuple[str, dict[str, frozenset[str]]]] = {
    # The roster. A committee member keeps it but never reads or edits the sensitive fields
    # (member_sensitive); registering a member means typing their 身份证号, so only those who may read it.
    "member": (
        "党员名册",
        {
            LIST: MANAGERS,
            VIEW: MANAGERS | {SELF},
            CREATE: _roles(SEC, ORG),
            EDIT: MANAGERS,
            EXPORT: MANAGERS,
            IMPORT: _roles(SEC, ORG),
        },
    ),
    # A roster import that met a number registered in another branch: for whoever oversees both.
    "roster_conflict": ("名册导入冲突", {LIST: _roles(ORG), EDIT: _roles(ORG)}),
    # The full 身份证号, full birth date, address and health of a member.
    "member_sensitive": ("党员身份证号、住址和健康情况", {VIEW: _roles(SEC, ORG, SELF), EDIT: _roles(SEC, ORG)}),
    "ledger": (
        "困难党员台帐",
        {
            LIST: MANAGERS,
            VIEW: MANAGERS,
            CREATE: _roles(SEC, ORG),
            EDIT: _roles(SEC, ORG),
            "review": MANAGERS,
            EXPORT: MANAGERS,
            IMPORT: _roles(SEC, ORG),
            # The line's categories, level and helpers on the member's own page (never its detail page,
            # whose history holds the family's income: that data is not only the member's).
            "summary": MANAGERS | {SELF},
        },
    ),
    # Income, causes, family members and their health on a ledger line.
    "ledger_confidential": ("台帐家庭收入和家庭成员情况", {VIEW: _roles(SEC, ORG)}),
    # Who read a ledger line or a member's page, and the exports of personal data.
    "access_log": ("个人信息查看记录", {VIEW: _roles(ORG)}),
    "pairing": (
        "结对帮扶",
        {
            LIST: MANAGERS,
            VIEW: MANAGERS | {SELF},
            CREATE: MANAGERS,
            EDIT: MANAGERS,
            # The helper logs their own progress.
            "progress": MANAGERS | {SELF},
            EXPORT: MANAGERS,
        },
    ),
    "visit": ("走访慰问", {LIST: MANAGERS, VIEW: MANAGERS | {SELF}, CREATE: MANAGERS, EXPORT: MANAGERS}),
    "talk": ("谈心谈话", {LIST: MANAGERS, VIEW: MANAGERS | {SELF}, CREATE: MANAGERS, EXPORT: MANAGERS}),
    # 内部记录 of a talk: never the member talked with (checked in visits.permissions).
    "talk_confidential": ("谈话内部记录", {VIEW: MANAGERS}),
    "plan": ("春节、七一走访计划", {LIST: MANAGERS, VIEW: MANAGERS, EDIT: MANAGERS, EXPORT: MANAGERS}),
    "prompt": ("走访提示", {LIST: MANAGERS, VIEW: MANAGERS, EXPORT: MANAGERS}),
    # 家庭发生意外、灾害、直系亲属病逝、病重、特殊困难: recorded from the member's page, each raises a prompt.
    "life_event": ("党员家庭重大事件", {LIST: MANAGERS, CREATE: MANAGERS, EXPORT: MANAGERS}),
    # 集体过政治生日 around 七一: the branch records the day, who came and what was done.
    "collective_birthday": ("集体过政治生日", {LIST: MANAGERS, CREATE: MANAGERS, EXPORT: MANAGERS}),
    # 反映情况: a member writes from /me/ and reads the answer; the branch assigns someone and answers.
    "concern": (
        "反映情况",
        {LIST: MANAGERS, VIEW: MANAGERS | {SELF}, CREATE: _roles(SELF), "answer": MANAGERS, EXPORT: MANAGERS},
    ),
    "coverage": ("谈心走访覆盖情况", {VIEW: MANAGERS}),
    # 主题教育期间全面排查 (seed 000 六): the 组织部 opens the year's period and follows each branch; the branch
    # sees who is checked and its secretary confirms the branch done. A 支委 sees the statuses only.
    "survey": (
        "全面排查",
        {LIST: MANAGERS, VIEW: MANAGERS, CREATE: _roles(ORG), "overview": _roles(ORG), "confirm": _roles(SEC, ORG)},
    ),
    # A member's checklist holds health, income and family: those who may read member_sensitive.
    "survey_checklist": ("全面排查登记表（健康、生活、家庭和需求）", {VIEW: _roles(SEC, ORG), EDIT: _roles(SEC, ORG)}),
    # The fund's ledger: its officer keeps it, the organization department oversees it.
    "fund": (
        "关怀基金账目",
        {
            LIST: _roles(FUND, ORG),
            VIEW: _roles(FUND, ORG),
            CREATE: _roles(FUND),
            EDIT: _roles(FUND),
            "disburse": _roles(FUND),
            # Amount bounds, the yearly target, 互联共建单位: the 党委's decisions, entered by its 组织部.
            "rules": _roles(ORG),
            # The annual workbook's 关怀基金收支 sheet: a branch's own fund goes into its secretary's report.
            EXPORT: _roles(FUND, ORG, SEC),
        },
    ),
    # The fund's income by source and spending by use, without any person: published to members.
    "fund_public": (
        "党务公开",
        {
            LIST: MANAGERS | {FUND, MEMBER},
            VIEW: MANAGERS | {FUND, MEMBER},
            EXPORT: MANAGERS | {FUND, MEMBER},
        },
    ),
    # Applications: the money side (who, what kind, how much, where it stands) ...
    "application": (
        "帮扶申请",
        {
            LIST: MANAGERS | {FUND, SELF},
            VIEW: MANAGERS | {FUND, SELF},
            CREATE: _roles(SEC, SELF),
            EDIT: _roles(SEC, SELF),
            # The branch committee records the 支部党员大会 (a second member, or the 组织部, confirms a record
            # made by whoever filled the application in); it returns while it reviews, the 组织部 after.
            "meeting": _roles(SEC, COM),
            "confirm_meeting": MANAGERS,
            "return": MANAGERS,
            "approve": _roles(ORG),
            "object": MANAGERS | {MEMBER},
            "resolve": _roles(ORG),
            "disburse": _roles(FUND),
            EXPORT: MANAGERS | {FUND},
        },
    ),
    # ... and the person's side: the reason, attachments, assistance history and ledger line. A fund
    # officer pays; they need the name and the money, not the illness.
    "application_details": ("帮扶申请理由、附件和帮扶记录", {VIEW: MANAGERS | {SELF}}),
    "notice": ("公示栏", {VIEW: MANAGERS | {FUND, MEMBER}}),
    "campaign": (
        "表彰评选",
        {
            LIST: MANAGERS | {MEMBER},
            VIEW: MANAGERS | {MEMBER},
            CREATE: _roles(ORG),
            "manage": _roles(ORG),
            # The honour roll as a workbook, for the branches' and the department's records.
            EXPORT: _roles(SEC, ORG),
        },
    ),
    # Nomination files (deeds, votes, review): the nominating branch's secretary and the organization
    # department. The nominee reads their honour on their own page once it is conferred.
    "nomination": (
        "表彰推荐材料",
        {
            LIST: _roles(SEC, ORG),
            VIEW: _roles(SEC, ORG),
            CREATE: _roles(SEC),
            "withdraw": _roles(SEC),
            EXPORT: _roles(SEC, ORG),
            "review": _roles(ORG),
            "object": _roles(MEMBER),
            "resolve": _roles(ORG),
        },
    ),
    "honours": ("表彰统计", {VIEW: _roles(ORG)}),
    # Dashboards and the annual workbook: open to every role that keeps something; each section and
    # sheet is then shown only to those who may read its kind (`reports`).
    "report": ("统计报表", {VIEW: MANAGERS | {FUND}, EXPORT: MANAGERS | {FUND}}),
    # The half-year pairing report and the annual workbook submitted to the organization above: the
    # unit's secretary submits, its 支委 follow where it stands; the 组织部 receives or returns them and
    # sets the due dates. The workbook itself holds what the secretary's report holds (the branch's own
    # fund, which a 支委 does not export), so only the secretary and the 组织部 download it.
    "filing": (
        "上级报送",
        {
            LIST: MANAGERS,
            VIEW: MANAGERS,
            "submit": _roles(SEC),
            "download": _roles(SEC, ORG),
            "receive": _roles(ORG),
            "deadline": _roles(ORG),
        },
    ),
    "audit": ("操作日志", {VIEW: _roles(ORG)}),
    # Holiday-schedule days (国务院放假安排) that decide every 公示 end.
    "calendar": ("节假日安排", {VIEW: _roles(ORG), EDIT: _roles(ORG)}),
    # Keys other systems call the API with (api.models.ApiToken): issued for an organization under the
    # department's own, each with a subset of the entries above; revoking one is EDIT.
    "api_token": ("接口令牌", {LIST: _roles(ORG), VIEW: _roles(ORG), CREATE: _roles(ORG), EDIT: _roles(ORG)}),
}


ACTION_LABELS = {
    LIST: "查看列表",
    VIEW: "查看详情",
    CREATE: "新建",
    EDIT: "修改",
    EXPORT: "导出",
    IMPORT: "导入",
    "review": "复核、注销",
    "summary": "本人页面摘要",
    "progress": "登记帮扶进展",
    "disburse": "发放",
    "meeting": "记录支部大会",
    "confirm_meeting": "确认支部大会记录",
    "return": "退回修改",
    "approve": "审批、驳回、复议",
    "object": "提出异议",
    "resolve": "处理异议",
    "rules": "设定金额标准、筹集目标、共建单位",
    "manage": "截止、公示、发布、取消",
    "withdraw": "撤回推荐",
    "answer": "安排专人、答复",
    "submit": "报送、退回后重新报送",
    "download": "下载报送的工作簿",
    "receive": "接收、退回",
    "deadline": "设定报送截止日期",
    "overview": "查看各支部进度",
    "confirm": "确认支部完成",
}


def markdown_table() -> str:
    """The table as the README's 安全 section shows it (a test keeps the two the same)."""
    columns = (SEC, COM, ORG, FUND, SELF, MEMBER)
    lines = [
        "| 对象 | 操作 | " + " | ".join(ROLE_LABELS[role] for role in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for label_, actions in TABLE.values():
        for action, roles in actions.items():
            marks = " | ".join("✓" if role in roles else "" for role in columns)
            lines.append(f"| {label_} | {ACTION_LABELS[action]} | {marks} |")
    return "\n".join(lines)


def roles_for(kind: str, action: str) -> frozenset[str]:
    """The roles the table gives for `action` on `kind`. A missing entry is a programming error."""
    try:
        return TABLE[kind][1][action]
    except KeyError:
        raise LookupError(f"角色权限表中没有 {kind}.{action}") from None


def label(kind: str) -> str:
    return TABLE[kind][0]


def real_roles(kind: str, action: str) -> tuple[str, ...]:
    """The appointment roles among the table's entry (without SELF and MEMBER), in a stable order."""
    return tuple(sorted(roles_for(kind, action) - {SELF, MEMBER}))


def refusal(kind: str, action: str) -> str:
    """The Chinese sentence a user reads on a 403: what is closed and to whom it is open."""
    roles = roles_for(kind, action)
    names = "、".join(ROLE_LABELS[role] for role in (SEC, COM, ORG, FUND, MEMBER, SELF) if role in roles)
    return f"{label(kind)}仅对{names}开放" if names else f"{label(kind)}仅对系统管理员开放"


def is_member(user) -> bool:
    """Whether the user is on the roster themself (cached on the user for the request)."""
    from members.models import Member

    cached = getattr(user, "_care_is_member", None)
    if cached is None:
        cached = Member.objects.filter(user=user).exists()
        user._care_is_member = cached
    return cached


# --- API tokens: a service user narrowed to the entries its token grants --------------------------

# An API token (api.models.ApiToken) acts as a service user of its own: an inactive User (it never
# signs in to the pages or receives reminders) whose Appointments at the token's organization give it
# the table's roles there, so scoping works unchanged. The token then narrows it further to the
# entries it grants: every answer below about a service user first asks `granted`. Their usernames
# start with a character Django's username validator refuses, so no person's account has one.
SERVICE_USER_PREFIX = "api:"


def is_service_user(user) -> bool:
    # getattr: the annual-report command asks as a stand-in with no username.
    return bool(user.is_authenticated and getattr(user, "username", "").startswith(SERVICE_USER_PREFIX))


def entry(kind: str, action: str) -> str:
    """The name of a table entry in a token's grants: "visit.create"."""
    return f"{kind}.{action}"


def granted(user, kind: str, action: str) -> bool:
    """False only for a service user whose token does not grant the entry. The grants are put on the
    user object by the token's authentication (api.authentication); a service user loaded any other
    way has none, and may do nothing."""
    if not is_service_user(user):
        return True
    return entry(kind, action) in getattr(user, "care_api_grants", frozenset())


def may(user, kind: str, action: str) -> bool:
    """Whether the user may do `action` to some object of `kind`: holds one of its roles anywhere, or
    the entry admits their own objects (SELF) or Party members (MEMBER) and they are one."""
    from members.scoping import has_role

    if not user.is_authenticated or not granted(user, kind, action):
        return False
    if user.is_superuser:
        return True
    roles = roles_for(kind, action)
    if has_role(user, *(roles - {SELF, MEMBER})):
        return True
    return bool(roles & {SELF, MEMBER}) and is_member(user)


def may_at(user, kind: str, action: str, organization) -> bool:
    """Whether the user holds one of the entry's roles over `organization` (an Organization or its
    id). SELF and MEMBER are for the caller to decide with the object at hand."""
    from members.scoping import holds_role_over

    if not user.is_authenticated or not granted(user, kind, action):
        return False
    if user.is_superuser:
        return True
    roles = real_roles(kind, action)
    return bool(roles) and holds_role_over(user, organization, *roles)


def scope(queryset, user, kind: str, action: str, *, org_field: str = "organization"):
    """Any queryset kept to the organizations where the user holds the table's roles for `action` on
    `kind` (for rows of another model than the kind's own: the members a ledger line may be
    registered for, the lines a pairing may be arranged for)."""
    from members.scoping import scoped

    if not granted(user, kind, action):
        return queryset.none()
    return scoped(queryset, user, roles=real_roles(kind, action), org_field=org_field)


def admits_self(kind: str, action: str) -> bool:
    return SELF in roles_for(kind, action)


def admits_members(kind: str, action: str) -> bool:
    return MEMBER in roles_for(kind, action)


# --- views declare their rule -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What a route serves: an entry of the table, or one of the two kinds of route outside it."""

    kind: str  # a key of TABLE, or PUBLIC / SIGNED_IN
    action: str = ""

    @property
    def in_table(self) -> bool:
        return self.kind in TABLE


PUBLIC = Rule("public")  # sign-in, health check: anyone, signed in or not
SIGNED_IN = Rule("signed_in")  # the user's own pages (home, /me/, inbox, 2FA): any signed-in user


def check(request, rule: Rule):
    """None when the request may go on; otherwise the response or exception that refuses it."""
    if rule == PUBLIC:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if rule.in_table and not may(request.user, rule.kind, rule.action):
        raise PermissionDenied(refusal(rule.kind, rule.action))
    return None


def requires(kind: str, action: str = ""):
    """Decorator for a function view: sign-in, then the table's roles for `action` on `kind` anywhere
    (403 otherwise). The object itself is then read through `for_user(user, action)` (404 outside)."""
    rule = Rule(kind, action) if kind in TABLE else Rule(kind)
    if rule.in_table:
        roles_for(kind, action)  # fail at import for a rule the table does not have

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = check(request, rule)
            if refused is not None:
                return refused
            return view(request, *args, **kwargs)

        cast(Any, wrapped).access_rule = rule
        return wrapped

    return decorator


def public(view):
    return requires(PUBLIC.kind)(view)


def signed_in(view):
    return requires(SIGNED_IN.kind)(view)


if TYPE_CHECKING:
    from django.views import View

    _View = View
else:
    _View = object


def _as_rule(access: tuple[str, str] | Rule) -> Rule:
    return access if isinstance(access, Rule) else Rule(*access)


class DeclaresRule:
    """A view class's rule: `access = ("member", LIST)` for every method, or one per method, as an API
    route that lists on GET and creates on POST declares: `access = {"GET": ("visit", LIST), "POST":
    ("visit", CREATE)}` (a method it does not name is under its GET rule, and then refused with 405)."""

    access: tuple[str, str] | Rule | dict[str, tuple[str, str] | Rule]

    @classmethod
    def access_rule(cls, method: str = "GET") -> Rule:
        access = cls.access
        if isinstance(access, dict):
            access = access.get(method.upper()) or access["GET"]
        return _as_rule(access)


class RuleMixin(DeclaresRule, _View):
    """The class-based views' form of `requires`: set `access = ("member", LIST)`."""

    def dispatch(self, request, *args, **kwargs):
        refused = check(request, self.access_rule(request.method))
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)


def rule_of(view, method: str = "GET") -> Rule | None:
    """The rule a URL pattern's callback declares for `method` (function or class-based, a page or an
    API view), for the access test."""
    rule = getattr(view, "access_rule", None)
    if isinstance(rule, Rule):
        return rule
    # Django's class-based views name their class `view_class`; Django REST framework's `cls`.
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None and hasattr(view_class, "access"):
        return view_class.access_rule(method)
    return None
