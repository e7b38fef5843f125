"""走访慰问总结: for one 春节 or 七一, who was visited (by branch and by target group), what was given,
and how much of the holiday plan was done — a printable page and a workbook from the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from core.calendars import july_first, spring_festival
from core.xlsx import Column, Workbook
from members.models import Member
from reports.domains import percent_text
from reports.scope import ReportScope
from visits.models import HOLIDAY_OCCASIONS, Occasion, Visit, VisitPlanItem
from visits.selectors import hardship_q, old_member_q

ZERO = Decimal("0.00")
# Visits of the occasion count from two months before the holiday to a month after it.
BEFORE = dt.timedelta(days=60)
AFTER = dt.timedelta(days=30)

OCCASIONS = [(o.value, o.label) for o in HOLIDAY_OCCASIONS]


def holiday_date(occasion: str, year: int) -> dt.date:
    return spring_festival(year) if occasion == Occasion.SPRING_FESTIVAL else july_first(year)


def groups(day: dt.date) -> list[tuple[str, Q]]:
    """The target groups of 定期走访制度 / 第十一条 走访慰问; a member may be in several."""
    return [
        ("老党员", old_member_q(day)),
        ("生活困难党员", hardship_q()),
        ("丧失或部分丧失劳动能力", ~Q(work_capacity=Member.WorkCapacity.NORMAL)),
        ("离退休干部", Q(is_retired_cadre=True)),
        ("老模范", Q(is_model_worker=True)),
    ]


@dataclass
class BranchLine:
    name: str
    organization_id: int | None
    members: int = 0
    visits: int = 0
    money: Decimal = ZERO
    with_goods: int = 0
    planned: int = 0
    planned_done: int = 0

    @property
    def money_text(self) -> str:
        return f"{self.money:,.2f}"

    @property
    def completion(self) -> str:
        return percent_text(self.planned_done, self.planned) if self.planned else "未制定计划"


@dataclass
class HolidaySummary:
    scope: ReportScope
    occasion: str
    holiday: dt.date
    window: tuple[dt.date, dt.date]
    lines: list[BranchLine]
    total: BranchLine
    groups: list[tuple[str, int]]
    other_members: int
    goods: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Occasion(self.occasion).label

    @property
    def title(self) -> str:
        return f"{self.scope.organization.name}{self.holiday.year}年{self.label}走访慰问总结"

    @property
    def narrative(self) -> str:
        t = self.total
        parts = [
            f"{self.holiday.year}年{self.label}（{self.holiday:%m月%d日}）前后，"
            f"{self.scope.organization.name}共走访慰问党员{t.members}名、{t.visits}人次"
        ]
        named = [f"{name}{n}名" for name, n in self.groups if n]
        if named:
            parts.append("，其中" + "、".join(named))
        parts.append(f"；发放慰问金{t.money:,.2f}元，送慰问品{t.with_goods}户次")
        if t.planned:
            parts.append(f"。节日走访计划列入{t.planned}名，已走访{t.planned_done}名，完成率{t.completion}")
        else:
            parts.append("。本次未制定节日走访计划")
        return "".join(parts) + "。"


def visits_of(scope: ReportScope, occasion: str, holiday: dt.date):
    start, end = holiday - BEFORE, holiday + AFTER
    return Visit.objects.filter(member__organization_id__in=scope.branch_ids).filter(
        Q(occasion=occasion, visited_on__gte=start, visited_on__lte=end)
        | Q(plan_item__plan__occasion=occasion, plan_item__plan__year=holiday.year)
    )


def build(scope: ReportScope, occasion: str) -> HolidaySummary:
    """Five queries whatever the size of the scope."""
    holiday = holiday_date(occasion, scope.year)
    visits = visits_of(scope, occasion, holiday)
    per_branch = {
        row["member__organization_id"]: row
        for row in visits.values("member__organization_id").annotate(
            visits=Count("id", distinct=True),
            members=Count("member", distinct=True),
            money=Coalesce(Sum("amount"), ZERO),
            with_goods=Count("id", filter=~Q(goods=""), distinct=True),
        )
    }
    plans = {
        row["plan__organization_id"]: row
        for row in VisitPlanItem.objects.filter(
            plan__organization_id__in=scope.branch_ids, plan__occasion=occasion, plan__year=holiday.year
        )
        .values("plan__organization_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(visit__isnull=False)))
    }
    lines = []
    for branch in scope.branches:
        row, plan = per_branch.get(branch.pk, {}), plans.get(branch.pk, {})
        lines.append(
            BranchLine(
                name=branch.name,
                organization_id=branch.pk,
                members=row.get("members", 0),
                visits=row.get("visits", 0),
                money=row.get("money", ZERO),
                with_goods=row.get("with_goods", 0),
                planned=plan.get("total", 0),
                planned_done=plan.get("done", 0),
            )
        )
    total = BranchLine(
        name="合计",
        organization_id=None,
        members=sum(x.members for x in lines),
        visits=sum(x.visits for x in lines),
        money=sum((x.money for x in lines), ZERO),
        with_goods=sum(x.with_goods for x in lines),
        planned=sum(x.planned for x in lines),
        planned_done=sum(x.planned_done for x in lines),
    )
    group_q = groups(holiday)
    visited = Member.objects.filter(pk__in=visits.values("member_id"))
    any_group = Q()
    for _, condition in group_q:
        any_group |= condition
    counts = visited.aggregate(
        **{f"g{index}": Count("id", filter=condition) for index, (_, condition) in enumerate(group_q)},
        other=Count("id", filter=~any_group),
    )
    goods = list(
        visits.exclude(goods="").values_list("goods").annotate(n=Count("id", distinct=True)).order_by("-n", "goods")[:8]
    )
    return HolidaySummary(
        scope=scope,
        occasion=occasion,
        holiday=holiday,
        window=(holiday - BEFORE, holiday + AFTER),
        lines=lines,
        total=total,
        groups=[(name, counts[f"g{i}"]) for i, (name, _) in enumerate(group_q)],
        other_members=counts["other"],
        goods=goods,
    )


BRANCH_COLUMNS = [
    Column("支部", 22),
    Column("走访党员（名）", 12, "int"),
    Column("走访人次", 10, "int"),
    Column("慰问金（元）", 14, "money"),
    Column("送慰问品（户次）", 14, "int"),
    Column("计划走访（名）", 12, "int"),
    Column("计划已走访（名）", 14, "int"),
    Column("计划完成率", 12),
]


def workbook(summary: HolidaySummary) -> BinaryIO:
    with Workbook() as book:
        sheet = book.sheet("按支部", summary.title, BRANCH_COLUMNS)
        for line in summary.lines:
            sheet.append(
                [
                    line.name,
                    line.members,
                    line.visits,
                    line.money,
                    line.with_goods,
                    line.planned,
                    line.planned_done,
                    line.completion,
                ]
            )
        t = summary.total
        sheet.append(
            ["合计", t.members, t.visits, t.money, t.with_goods, t.planned, t.planned_done, t.completion], bold=True
        )
        groups_sheet = book.sheet(
            "按走访对象", f"{summary.title}（按走访对象）", [Column("走访对象", 24), Column("人数", 10, "int")]
        )
        for name, n in summary.groups:
            groups_sheet.append([name, n])
        groups_sheet.append(["其他党员", summary.other_members])
        groups_sheet.append(["说明：一人可同时属于多个对象", ""])
        goods_sheet = book.sheet(
            "慰问品", f"{summary.title}（慰问品）", [Column("慰问品", 30), Column("户次", 10, "int")]
        )
        for name, n in summary.goods:
            goods_sheet.append([name, n])
        book.close()
        return book.detach()


def filename(summary: HolidaySummary) -> str:
    return f"{summary.title}.xlsx"
