"""困难党员台帐 and 结对帮扶 in the reports: who is in hardship at the year's end, of which kind, and
whether a helper stands by them."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.xlsx import Column
from hardship.models import HardshipCategory, HardshipRecord, Pairing
from members.permissions import row_is_sensitive_visible, sensitive_org_ids
from reports import annual, charts, metrics
from reports.dashboard import Row, Section, rollup, row_link
from reports.domains import CHUNK, add_section, percent_text

LEVELS = HardshipRecord.Level


def _pairing_at(day):
    """Pairings running on `day`."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def records_at_year_end(scope):
    """Ledger lines in force at the end of the year (registered by then, not lifted or closed by then)."""
    return HardshipRecord.objects.filter(
        member__organization_id__in=scope.branch_ids, registered_on__lte=scope.end
    ).filter(Q(status=HardshipRecord.Status.ACTIVE) | Q(closed_on__gt=scope.end))


def _figures(scope) -> dict:
    """Per branch: hardship members, with a helper, by level, by category — three queries."""

    def compute():
        records = records_at_year_end(scope)
        helped = Pairing.objects.filter(_pairing_at(scope.end), record=OuterRef("pk"))
        per_branch = {
            row["member__organization_id"]: row
            for row in records.values("member__organization_id").annotate(
                members=Count("member", distinct=True),
                helped=Count("member", distinct=True, filter=Q(Exists(helped))),
                special=Count("member", distinct=True, filter=Q(level=LEVELS.SPECIAL)),
            )
        }
        categories: dict[int, Counter] = defaultdict(Counter)
        through = HardshipRecord.categories.through
        for row in (
            through.objects.filter(hardshiprecord__in=records)
            .values("hardshiprecord__member__organization_id", "hardshipcategory__name")
            .annotate(n=Count("hardshiprecord_id"))
        ):
            categories[row["hardshiprecord__member__organization_id"]][row["hardshipcategory__name"]] = row["n"]
        return {"per_branch": per_branch, "categories": dict(categories)}

    return scope.once("hardship.figures", compute)


def _field(name):
    def compute(scope) -> dict[int, int]:
        return {org: row[name] for org, row in _figures(scope)["per_branch"].items()}

    return compute


def _categories(scope) -> dict[int, Counter]:
    return _figures(scope)["categories"]


def category_text(counts: Counter) -> str:
    """“因病致贫3、年老无固定收入2”: the commonest first."""
    if not counts:
        return "—"
    return "、".join(f"{name}{n}" for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n)


def _pairings(scope) -> dict[int, int]:
    rows = (
        Pairing.objects.filter(record__member__organization_id__in=scope.branch_ids, started_on__lte=scope.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
        .values("record__member__organization_id")
        .annotate(n=Count("id"))
    )
    return {row["record__member__organization_id"]: row["n"] for row in rows}


METRICS = [
    metrics.Metric("hardship", "困难党员", "int", _field("members")),
    metrics.Metric("hardship_categories", "困难类别", "text", _categories, zero=Counter, display=category_text),
    metrics.Metric("helped", "有帮扶人的困难党员", "int", _field("helped")),
    metrics.Metric("helped_share", "帮扶人覆盖率", "percent", ratio_of=("helped", "hardship")),
    metrics.Metric("pairings", "结对帮扶（对）", "int", _pairings),
]


# --- dashboard -----------------------------------------------------------------------------------

def hardship_section(scope) -> Section:
    figures = _figures(scope)
    rows, totals = metrics.table(scope, [m for m in metrics.METRICS if m.key in ("hardship", "helped")], grouped=True)
    special_by_org = {org: row["special"] for org, row in figures["per_branch"].items()}
    special = {unit.organization.pk: value for unit, value in rollup(scope, special_by_org)}
    overall = sum(figures["categories"].values(), Counter())
    order = {name: index for index, name in enumerate(HardshipCategory.objects.values_list("name", flat=True))}
    donut = charts.donut_chart(
        sorted(overall.items(), key=lambda item: order.get(item[0], 99)),
        title="困难党员类别", center=f"{totals['hardship']}人",
    )
    stacked = charts.stacked_bar_chart(
        [(r["label"], [r["hardship"] - special.get(r["branch"].pk, 0), special.get(r["branch"].pk, 0)])
         for r in rows],
        series=[LEVELS.GENERAL.label, LEVELS.SPECIAL.label], title="各支部困难党员（按困难程度）",
    )
    link = reverse("hardship:list")
    table = [
        Row([r["label"], r["hardship"], r["hardship"] - special.get(r["branch"].pk, 0), special.get(r["branch"].pk, 0)],
            link=row_link(r, lambda b: f"{link}?branch={b.pk}&status=active", scope.year))
        for r in rows
    ]
    all_special = sum(special_by_org.values())
    table.append(Row(["合计", totals["hardship"], totals["hardship"] - all_special, all_special], total=True))
    return Section(
        title="困难党员类别与困难程度",
        chart=mark_safe(donut + stacked),
        headers=["支部", "困难党员", "一般困难", "特别困难"],
        rows=table,
        note=f"截至{scope.year}年底在册的困难党员台帐；一人可有多个类别",
    )


def helper_section(scope) -> Section:
    rows, totals = metrics.table(
        scope, [m for m in metrics.METRICS if m.key in ("hardship", "helped", "helped_share")], grouped=True
    )
    chart = charts.bar_chart(
        [(r["label"], r["helped_share"] or 0) for r in rows], title="各支部困难党员有帮扶人的比例", unit="%",
        color=charts.PALETTE[3],
    )
    link = reverse("hardship:list")
    table = [
        Row([r["label"], r["hardship"], r["helped"], percent_text(r["helped"], r["hardship"])],
            link=row_link(r, lambda b: f"{link}?branch={b.pk}&attention=no_helper", scope.year))
        for r in rows
    ]
    table.append(Row(["合计", totals["hardship"], totals["helped"], percent_text(totals["helped"], totals["hardship"])],
                     total=True))
    return Section(title="结对帮扶覆盖", chart=chart, headers=["支部", "困难党员", "有帮扶人", "覆盖率"], rows=table,
                   note="点支部名查看尚无帮扶人的困难党员")


# --- workbook ------------------------------------------------------------------------------------

LEDGER_COLUMNS = [
    Column("姓名", 10), Column("所在支部", 20), Column("身份证号", 21), Column("困难类别", 24), Column("困难程度", 10),
    Column("家庭人口", 9, "int"), Column("家庭年收入（元）", 14, "money"), Column("人均年收入（元）", 14, "money"),
    Column("致困原因", 24), Column("主要困难", 24), Column("帮扶需求", 18), Column("帮扶人", 14),
    Column("状态", 8), Column("登记日期", 12, "date"), Column("最近复核日期", 12, "date"),
    Column("脱困/注销日期", 12, "date"),
]


def ledger_sheet(scope, book) -> None:
    """Every line in force at some point of the year. Income, causes and the full 身份证号 only on rows
    the viewer may read in full (the branch's secretary, the organization department)."""
    sheet = book.sheet("困难党员台帐", f"{scope.title}困难党员台帐", LEDGER_COLUMNS)
    allowed = sensitive_org_ids(scope.user)
    records = (
        HardshipRecord.objects.filter(member__organization_id__in=scope.branch_ids, registered_on__lte=scope.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start))
        .select_related("member__organization")
        .prefetch_related(
            "categories", "needs",
            Prefetch("pairings", queryset=Pairing.objects.filter(_pairing_at(scope.day)).select_related("helper"),
                     to_attr="helpers_then"),
        )
        .order_by("member__organization__path", "member__name", "id")
    )
    for record in records.iterator(chunk_size=CHUNK):
        member = record.member
        full = row_is_sensitive_visible(scope.user, member, allowed)
        sheet.append([
            member.name, member.organization.name, member.id_number if full else member.masked_id_number,
            "、".join(c.name for c in record.categories.all()), record.get_level_display(), record.household_size,
            record.annual_household_income if full else None, record.per_capita_income if full else None,
            record.causes if full else "（不可见）", record.main_difficulties if full else "（不可见）",
            "、".join(n.name for n in record.needs.all()),
            "、".join(p.helper.name for p in record.helpers_then), record.get_status_display(),
            record.registered_on, record.last_reviewed_on, record.closed_on,
        ])


PAIRING_COLUMNS = [
    Column("所在支部", 18), Column("帮扶对象", 10), Column("困难程度", 10), Column("帮扶人", 10),
    Column("帮扶人所在支部", 18), Column("帮扶内容", 24), Column("开始日期", 12, "date"),
    Column("结束日期", 12, "date"),
    Column("年内帮扶次数", 10, "int"), Column("年内帮扶资金（元）", 14, "money"), Column("状态", 10),
    Column("帮扶成效", 30),
]


def pairing_sheet(scope, book) -> None:
    sheet = book.sheet("结对帮扶", f"{scope.title}结对帮扶情况", PAIRING_COLUMNS)
    in_year = Q(progress__date__gte=scope.start, progress__date__lte=scope.end)
    pairings = (
        Pairing.objects.filter(record__member__organization_id__in=scope.branch_ids, started_on__lte=scope.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
        .select_related("helper__organization", "record__member__organization")
        .prefetch_related("help_types")
        .annotate(entries=Count("progress", filter=in_year),
                  money=Coalesce(Sum("progress__money", filter=in_year), Decimal("0")))
        .order_by("record__member__organization__path", "record__member__name", "id")
    )
    for pairing in pairings.iterator(chunk_size=CHUNK):
        record = pairing.record
        sheet.append([
            record.member.organization.name, record.member.name, record.get_level_display(), pairing.helper.name,
            pairing.helper.organization.name, "、".join(h.name for h in pairing.help_types.all()),
            pairing.started_on, pairing.ended_on, pairing.entries, pairing.money, pairing.get_status_display(),
            pairing.outcome,
        ])
    sheet.add_totals()


def register() -> None:
    for metric in METRICS:
        metrics.register(metric)
    add_section(hardship_section)
    add_section(helper_section)
    annual.register(annual.SheetSpec("困难党员台帐", ledger_sheet, weight=3))
    annual.register(annual.SheetSpec("结对帮扶", pairing_sheet, weight=2))
