"""表彰奖励 in the reports: honours conferred in the year (approved nominations of published campaigns)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse

from awards.models import Nomination
from core.xlsx import Column
from reports import charts, metrics
from reports.dashboard import Row, Section, drill_down
from reports.domains import CHUNK
from reports.scope import ReportScope


def honours(scope: ReportScope):
    return Nomination.objects.honours().filter(branch_id__in=scope.branch_ids, campaign__year=scope.year)


def _by_branch_and_category(scope) -> list[dict]:
    return scope.once(
        "awards.counts",
        lambda: list(
            honours(scope).values("branch_id", "category__name", "category__sort_order").annotate(n=Count("id"))
        ),
    )


def _awards(scope) -> dict[int, int]:
    result: dict[int, int] = defaultdict(int)
    for row in _by_branch_and_category(scope):
        result[row["branch_id"]] += row["n"]
    return dict(result)


METRICS = [metrics.Metric("awards", "受表彰（人次）", "int", _awards, access_kind="campaign")]


def awards_section(scope) -> Section:
    rows = _by_branch_and_category(scope)
    order: dict[str, int] = {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        name = row["category__name"]
        order[name] = min(order.get(name, 99), row["category__sort_order"])
        counts[row["branch_id"]][name] += row["n"]
    categories = sorted(order, key=lambda name: (order[name], name))
    units = scope.units

    def count(unit, name):
        return sum(counts[pk][name] for pk in unit.org_ids if pk in counts)

    chart = charts.stacked_bar_chart(
        [(u.label, [count(u, c) for c in categories]) for u in units],
        series=categories,
        title=f"{scope.year}年各支部受表彰人次（按类别）",
    )
    link = f"{reverse('awards:stats')}?year={scope.year}"
    can_link = scope.user.is_superuser or _is_org_dept(scope.user)
    table = [
        Row(
            [u.label, *(count(u, c) for c in categories), sum(count(u, c) for c in categories)],
            link=(link if can_link else None) if u.is_branch else drill_down(u.organization, scope.year),
        )
        for u in units
    ]
    table.append(
        Row(
            [
                "合计",
                *(sum(counts[b][c] for b in counts) for c in categories),
                sum(sum(v.values()) for v in counts.values()),
            ],
            total=True,
        )
    )
    return Section(
        title="表彰奖励",
        chart=chart,
        headers=["支部", *categories, "合计"],
        rows=table,
        note=f"{scope.year}年度已发布的表彰",
    )


def _is_org_dept(user) -> bool:
    from members.models import Role
    from members.scoping import has_role

    return has_role(user, Role.ORG_DEPT)


HONOUR_COLUMNS = [
    Column("表彰类别", 18),
    Column("姓名", 10),
    Column("推荐支部", 20),
    Column("评选活动", 28),
    Column("表彰日期", 12, "date"),
    Column("支部大会日期", 12, "date"),
    Column("赞成票", 8, "int"),
    Column("主要事迹", 50),
]


def honour_sheet(scope, book) -> None:
    sheet = book.sheet("表彰名单", f"{scope.title}表彰名单", HONOUR_COLUMNS)
    nominations = (
        honours(scope)
        .order_by("category__sort_order", "branch__path", "member__name", "id")
        .values_list(
            "category__name",
            "member__name",
            "branch__name",
            "campaign__title",
            "campaign__published_on",
            "meeting_date",
            "votes_for",
            "deeds",
        )
        .iterator(chunk_size=CHUNK)
    )
    append = sheet.append
    for row in nominations:
        append(row)
