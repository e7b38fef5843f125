"""走访慰问 and 谈心谈话 in the reports: how many visits and talks, talk coverage of the current cycle,
holiday plan completion. The talk sheet never carries the confidential notes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.xlsx import Column
from reports import cache as report_cache
from reports import charts, metrics
from reports.dashboard import Row, Section, branch_rows, rollup, unit_link
from reports.domains import CHUNK, NamesInOrder, percent_text
from visits.models import Occasion, Talk, Visit, VisitPlanItem
from visits.selectors import cycle_start, last_holiday, talked_in_cycle


def _visits(scope) -> dict[int, int]:
    rows = (
        Visit.objects.filter(
            member__organization_id__in=scope.branch_ids, visited_on__gte=scope.start, visited_on__lte=scope.end
        )
        .values("member__organization_id")
        .annotate(n=Count("id"))
    )
    return {row["member__organization_id"]: row["n"] for row in rows}


def _talks(scope) -> dict[int, int]:
    rows = (
        Talk.objects.filter(organization_id__in=scope.branch_ids, talked_on__gte=scope.start, talked_on__lte=scope.end)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {row["organization_id"]: row["n"] for row in rows}


def _talked(scope) -> dict[int, int]:
    """Members on the roll at the year's end who took part in a talk in the cycle ending on the report day."""
    rows = (
        metrics.members_on_roll(scope)
        .filter(talked_in_cycle(scope.day, scope.branch_ids))
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {row["organization_id"]: row["n"] for row in rows}


TALKED = metrics.Metric("talked", "本轮已谈话党员", "int", _talked, access_kind="talk")
TALK_COVERAGE = metrics.Metric(
    "talk_coverage", "谈心谈话覆盖率", "percent", ratio_of=("talked", "members"), access_kind="talk"
)
METRICS = [
    metrics.Metric("visits", "走访慰问（次）", "int", _visits, access_kind="visit"),
    metrics.Metric("talks", "谈心谈话（次）", "int", _talks, access_kind="talk"),
    TALKED,
    TALK_COVERAGE,
]


# --- dashboard -----------------------------------------------------------------------------------


def talk_section(scope) -> Section:
    rows, totals = metrics.table(scope, [metrics.MEMBERS, TALKED, TALK_COVERAGE])
    chart = charts.bar_chart(
        [(r["label"], r["talk_coverage"] or 0) for r in rows],
        title="各支部本轮谈心谈话覆盖率",
        unit="%",
        color=charts.PALETTE[4],
    )
    link = reverse("visits:coverage")
    table = branch_rows(
        rows, ["members", "talked"], totals, link=lambda b: f"{link}?organization={b.pk}", year=scope.year
    )
    for row, data in zip(table, [*rows, totals], strict=True):
        row.cells.append(percent_text(data["talked"], data["members"]))
    start = cycle_start(scope.day) + dt.timedelta(days=1)
    return Section(
        title="谈心谈话覆盖",
        chart=chart,
        headers=["支部", "党员", "本轮已谈话", "覆盖率"],
        rows=table,
        note=f"本轮周期 {start:%Y-%m-%d} 至 {scope.day:%Y-%m-%d}",
    )


def holiday_completion(scope) -> list[tuple[str, dt.date, dict[int, tuple[int, int]]]]:
    """For the last 春节 and 七一 on or before the report day: per branch (planned, visited) — one query."""

    def compute():
        holidays = _holidays(scope.day)
        condition = Q()
        for occasion, day in holidays:
            condition |= Q(plan__occasion=occasion, plan__year=day.year)
        counts: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
        for row in (
            VisitPlanItem.objects.filter(condition, plan__organization_id__in=scope.branch_ids)
            .values("plan__occasion", "plan__organization_id")
            .annotate(total=Count("id"), done=Count("id", filter=Q(visit__isnull=False)))
        ):
            counts[row["plan__occasion"]][row["plan__organization_id"]] = (row["total"], row["done"])
        return [(Occasion(occasion).label, day, counts.get(occasion, {})) for occasion, day in holidays]

    return scope.once("visits.holiday_completion", compute)


def _holidays(day: dt.date) -> list[tuple[str, dt.date]]:
    return [(occasion, last_holiday(occasion, day)) for occasion in (Occasion.SPRING_FESTIVAL, Occasion.JULY_FIRST)]


def _holiday_parts(part) -> dict[int, tuple[tuple[int, int], ...]]:
    """Per organization, (planned, visited) for each holiday of `_holidays`."""
    completion = holiday_completion(part)
    orgs = {org_id for _, _, counts in completion for org_id in counts}
    return {org_id: tuple(counts.get(org_id, (0, 0)) for _, _, counts in completion) for org_id in orgs}


def holiday_section(scope) -> Section:
    # Each organization's part cached apart (reports.cache.by_organization): a visit recomputes its own.
    by_org = report_cache.by_organization(scope, "holiday", _holiday_parts)
    completion = []
    for index, (occasion, day) in enumerate(_holidays(scope.day)):
        counts = {org_id: _Pair(*pairs[index]) for org_id, pairs in by_org.items()}
        rolled = {unit.organization.pk: value for unit, value in rollup(scope, counts, zero=_Pair)}
        completion.append((Occasion(occasion).label, day, rolled))
    units = scope.units
    parts = []
    for label, day, counts in completion:
        bars = [(u.label, _rate(*counts[u.organization.pk])) for u in units]
        parts.append(
            format_html(
                '<div class="small text-secondary mt-1">{}年{}（{}）计划完成率</div>',
                day.year,
                label,
                f"{day:%m月%d日}",
            )
        )
        parts.append(
            charts.bar_chart(bars, title=f"{day.year}年{label}走访计划完成率", unit="%", color=charts.PALETTE[1])
        )
    link = reverse("visits:plan_list")
    table = []
    totals = [[0, 0] for _ in completion]
    for unit in units:
        cells = [unit.label]
        for index, (_, _, counts) in enumerate(completion):
            total, done = counts[unit.organization.pk]
            totals[index][0] += total
            totals[index][1] += done
            cells.append(_cell(total, done))
        table.append(Row(cells, link=unit_link(scope, unit, lambda b: f"{link}?organization={b.pk}")))
    table.append(Row(["合计", *(_cell(total, done) for total, done in totals)], total=True))
    return Section(
        title="节日走访慰问完成情况",
        chart=format_html_join("", "{}", ((part,) for part in parts)),
        headers=["支部", *(f"{day.year}年{label}" for label, day, _ in completion)],
        rows=table,
        note="已走访/计划走访（完成率）",
    )


class _Pair(tuple):
    """(planned, visited) that add up: _Pair() is (0, 0), and + adds element-wise."""

    def __new__(cls, total: int = 0, done: int = 0):
        return super().__new__(cls, (total, done))

    def __add__(self, other):
        return _Pair(self[0] + other[0], self[1] + other[1])

    __radd__ = __add__


def _rate(total: int, done: int) -> float:
    return round(100 * done / total, 1) if total else 0


def _cell(total: int, done: int) -> str:
    return f"{done}/{total} ({round(100 * done / total)}%)" if total else "未制定计划"


def _monthly_parts(part) -> dict[int, tuple[dict[int, int], dict[int, int]]]:
    """Per branch, ({month: visits}, {month: talks}) of the year."""
    found: dict[int, tuple[dict[int, int], dict[int, int]]] = defaultdict(lambda: ({}, {}))
    for org_id, month, n in (
        Visit.objects.filter(member__organization_id__in=part.branch_ids, visited_on__year=part.year)
        .annotate(month=ExtractMonth("visited_on"))
        .values_list("member__organization_id", "month")
        .annotate(n=Count("id"))
    ):
        found[org_id][0][month] = n
    for org_id, month, n in (
        Talk.objects.filter(organization_id__in=part.branch_ids, talked_on__year=part.year)
        .annotate(month=ExtractMonth("talked_on"))
        .values_list("organization_id", "month")
        .annotate(n=Count("id"))
    ):
        found[org_id][1][month] = n
    return dict(found)


def monthly_section(scope) -> Section:
    # Each branch's months cached apart (reports.cache.by_organization): a visit recomputes its own.
    visits: dict[int, int] = defaultdict(int)
    talks: dict[int, int] = defaultdict(int)
    for visit_months, talk_months in report_cache.by_organization(scope, "monthly", _monthly_parts).values():
        for month, n in visit_months.items():
            visits[month] += n
        for month, n in talk_months.items():
            talks[month] += n
    months = range(1, 13)
    chart = charts.line_chart(
        [f"{m}月" for m in months],
        {"走访慰问": [visits.get(m, 0) for m in months], "谈心谈话": [talks.get(m, 0) for m in months]},
        title=f"{scope.year}年每月走访和谈话次数",
    )
    table = [Row([f"{m}月", visits.get(m, 0), talks.get(m, 0)]) for m in months if visits.get(m) or talks.get(m)]
    table.append(Row(["合计", sum(visits.values()), sum(talks.values())], total=True))
    return Section(
        title="每月走访与谈话",
        chart=chart,
        headers=["月份", "走访慰问", "谈心谈话"],
        rows=table,
        note="只列有记录的月份",
    )


# --- workbook ------------------------------------------------------------------------------------

VISIT_COLUMNS = [
    Column("走访日期", 12, "date"),
    Column("走访对象", 10),
    Column("所在支部", 20),
    Column("走访事由", 10),
    Column("走访人", 20),
    Column("慰问物品", 20),
    Column("慰问金（元）", 12, "money"),
    Column("走访情况", 40),
    Column("需跟进的诉求", 30),
]


def visit_sheet(scope, book) -> None:
    """Read as plain values, streamed, with the visitors' names streamed beside them in the same order
    (NamesInOrder): constant memory, and no model instances for thousands of rows."""
    sheet = book.sheet("走访慰问", f"{scope.title}走访慰问记录", VISIT_COLUMNS)
    occasions = dict(Occasion.choices)
    of_year = Visit.objects.filter(
        member__organization_id__in=scope.branch_ids, visited_on__gte=scope.start, visited_on__lte=scope.end
    )
    ordering = ("visited_on", "id")
    visitors = NamesInOrder(Visit.visitors.through.objects, "visit", of_year, ordering)
    visits = of_year.order_by(*ordering).values_list(
        "id",
        "visited_on",
        "member__name",
        "member__organization__name",
        "occasion",
        "goods",
        "amount",
        "notes",
        "follow_up",
    )
    for pk, day, name, branch, occasion, goods, amount, notes, follow_up in visits.iterator(chunk_size=CHUNK):
        sheet.append(
            [
                day,
                name,
                branch,
                occasions.get(occasion, occasion),
                visitors.of((day, pk)),
                goods,
                amount,
                notes,
                follow_up,
            ]
        )
    sheet.add_totals()


TALK_COLUMNS = [
    Column("谈话日期", 12, "date"),
    Column("所在支部", 20),
    Column("谈话形式", 10),
    Column("谈话事由", 10),
    Column("谈话人", 16),
    Column("谈话对象", 24),
    Column("三个先谈", 16),
    Column("谈话内容摘要", 40),
    Column("本人意见和诉求", 30),
    Column("跟进措施", 30),
]


def talk_sheet(scope, book) -> None:
    """The talks of the year, without the 内部记录 (confidential notes): the column is never read."""
    sheet = book.sheet("谈心谈话", f"{scope.title}谈心谈话记录", TALK_COLUMNS)
    kinds, reasons = dict(Talk.Kind.choices), dict(Talk.Reason.choices)
    flags = [
        (field, str(Talk._meta.get_field(field).verbose_name))
        for field in ("priority_hardship", "priority_weak_awareness", "priority_grievance")
    ]
    of_year = Talk.objects.filter(
        organization_id__in=scope.branch_ids, talked_on__gte=scope.start, talked_on__lte=scope.end
    )
    ordering = ("talked_on", "id")
    interviewers = NamesInOrder(Talk.interviewers.through.objects, "talk", of_year, ordering)
    participants = NamesInOrder(Talk.participants.through.objects, "talk", of_year, ordering)
    talks = of_year.order_by(*ordering).values(
        "id",
        "talked_on",
        "organization__name",
        "kind",
        "reason",
        "summary",
        "opinions",
        "follow_up",
        *(field for field, _ in flags),
    )
    for row in talks.iterator(chunk_size=CHUNK):
        key = (row["talked_on"], row["id"])
        sheet.append(
            [
                row["talked_on"],
                row["organization__name"],
                kinds.get(row["kind"], row["kind"]),
                reasons.get(row["reason"], row["reason"]),
                interviewers.of(key),
                participants.of(key),
                "、".join(label for field, label in flags if row[field]),
                row["summary"],
                row["opinions"],
                row["follow_up"],
            ]
        )
