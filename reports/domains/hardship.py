"""困难党员台帐 and 结对帮扶 in the reports: who is in hardship at the year's end, of which kind, and
whether a helper stands by them."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from core.xlsx import Column
from hardship.models import HardshipCategory, HardshipRecord, HelpType, Pairing
from members.models import mask_id_number
from members.permissions import Disclosure
from reports import charts, metrics
from reports.dashboard import Row, Section, rollup, row_link
from reports.domains import in_chunks, percent_text

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


HARDSHIP = metrics.Metric("hardship", "困难党员", "int", _field("members"), access_kind="ledger")
HELPED = metrics.Metric("helped", "有帮扶人的困难党员", "int", _field("helped"), access_kind="ledger")
HELPED_SHARE = metrics.Metric(
    "helped_share", "帮扶人覆盖率", "percent", ratio_of=("helped", "hardship"), access_kind="ledger"
)
METRICS = [
    HARDSHIP,
    metrics.Metric(
        "hardship_categories",
        "困难类别",
        "text",
        _categories,
        zero=Counter,
        display=category_text,
        access_kind="ledger",
    ),
    HELPED,
    HELPED_SHARE,
    metrics.Metric("pairings", "结对帮扶（对）", "int", _pairings, access_kind="pairing"),
]


# --- dashboard -----------------------------------------------------------------------------------


def hardship_section(scope) -> Section:
    figures = _figures(scope)
    rows, totals = metrics.table(scope, [HARDSHIP, HELPED])
    special_by_org = {org: row["special"] for org, row in figures["per_branch"].items()}
    special = {unit.organization.pk: value for unit, value in rollup(scope, special_by_org)}
    overall = sum(figures["categories"].values(), Counter())
    order = {name: index for index, name in enumerate(HardshipCategory.objects.values_list("name", flat=True))}
    donut = charts.donut_chart(
        sorted(overall.items(), key=lambda item: order.get(item[0], 99)),
        title="困难党员类别",
        center=f"{totals['hardship']}人",
    )
    stacked = charts.stacked_bar_chart(
        [(r["label"], [r["hardship"] - special.get(r["branch"].pk, 0), special.get(r["branch"].pk, 0)]) for r in rows],
        series=[LEVELS.GENERAL.label, LEVELS.SPECIAL.label],
        title="各支部困难党员（按困难程度）",
    )
    link = reverse("hardship:list")
    table = [
        Row(
            [r["label"], r["hardship"], r["hardship"] - special.get(r["branch"].pk, 0), special.get(r["branch"].pk, 0)],
            link=row_link(r, lambda b: f"{link}?branch={b.pk}&status=active", scope.year),
        )
        for r in rows
    ]
    all_special = sum(special_by_org.values())
    table.append(Row(["合计", totals["hardship"], totals["hardship"] - all_special, all_special], total=True))
    return Section(
        title="困难党员类别与困难程度",
        chart=donut + stacked,  # two SafeStrings: their sum is one
        headers=["支部", "困难党员", "一般困难", "特别困难"],
        rows=table,
        note=f"截至{scope.year}年底在册的困难党员台帐；一人可有多个类别",
    )


def helper_section(scope) -> Section:
    rows, totals = metrics.table(scope, [HARDSHIP, HELPED, HELPED_SHARE])
    chart = charts.bar_chart(
        [(r["label"], r["helped_share"] or 0) for r in rows],
        title="各支部困难党员有帮扶人的比例",
        unit="%",
        color=charts.PALETTE[3],
    )
    link = reverse("hardship:list")
    table = [
        Row(
            [r["label"], r["hardship"], r["helped"], percent_text(r["helped"], r["hardship"])],
            link=row_link(r, lambda b: f"{link}?branch={b.pk}&attention=no_helper", scope.year),
        )
        for r in rows
    ]
    table.append(
        Row(
            ["合计", totals["hardship"], totals["helped"], percent_text(totals["helped"], totals["hardship"])],
            total=True,
        )
    )
    return Section(
        title="结对帮扶覆盖",
        chart=chart,
        headers=["支部", "困难党员", "有帮扶人", "覆盖率"],
        rows=table,
        note="点支部名查看尚无帮扶人的困难党员",
    )


# --- workbook ------------------------------------------------------------------------------------

LEDGER_COLUMNS = [
    Column("姓名", 10),
    Column("所在支部", 20),
    Column("身份证号", 21),
    Column("困难类别", 24),
    Column("困难程度", 10),
    Column("家庭人口", 9, "int"),
    Column("家庭年收入（元）", 14, "money"),
    Column("人均年收入（元）", 14, "money"),
    Column("致困原因", 24),
    Column("主要困难", 24),
    Column("帮扶需求", 18),
    Column("帮扶人", 14),
    Column("状态", 8),
    Column("登记日期", 12, "date"),
    Column("最近复核日期", 12, "date"),
    Column("脱困/注销日期", 12, "date"),
]


def _names_per_owner(
    through, key: str, ids: list[int], names: dict[int, str], rank: dict[int, int], target: str
) -> dict[int, str]:
    """“因病致贫、低保” per owner from a many-to-many through table, in the target model's own order."""
    per_owner: dict[int, list[int]] = defaultdict(list)
    for owner, target_id in through.objects.filter(**{f"{key}__in": ids}).values_list(key, target):
        per_owner[owner].append(target_id)
    return {
        owner: "、".join(names[pk] for pk in sorted(targets, key=rank.__getitem__))
        for owner, targets in per_owner.items()
    }


def _ordered_names(model) -> tuple[dict[int, str], dict[int, int]]:
    """id → name and id → position in the model's default ordering (category and help-type lists)."""
    rows = list(model.objects.values_list("id", "name"))
    return dict(rows), {pk: index for index, (pk, _) in enumerate(rows)}


def ledger_sheet(scope, book) -> None:
    """Every line in force at some point of the year. Income, causes and the full 身份证号 only on rows
    the viewer may read in full (the branch's secretary, the organization department). Read as plain
    values a chunk at a time, with categories, needs and the helpers of the report day per chunk."""
    sheet = book.sheet("困难党员台帐", f"{scope.title}困难党员台帐", LEDGER_COLUMNS)
    numbers, confidential = Disclosure(scope.user), Disclosure(scope.user, "ledger_confidential", own=False)
    levels, statuses = dict(LEVELS.choices), dict(HardshipRecord.Status.choices)
    category_names, category_rank = _ordered_names(HardshipCategory)
    need_names, need_rank = _ordered_names(HelpType)
    hidden = "（不可见）"
    cent = Decimal("0.01")
    records = (
        HardshipRecord.objects.filter(member__organization_id__in=scope.branch_ids, registered_on__lte=scope.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start))
        .order_by("member__organization__path", "member__name", "id")
        .values_list(
            "id",
            "member__name",
            "member__organization__name",
            "member__organization_id",
            "member__user_id",
            "member__id_number",
            "level",
            "household_size",
            "annual_household_income",
            "causes",
            "main_difficulties",
            "status",
            "registered_on",
            "last_reviewed_on",
            "closed_on",
        )
    )
    append = sheet.append
    for chunk in in_chunks(records):
        ids = [row[0] for row in chunk]
        categories = _names_per_owner(
            HardshipRecord.categories.through,
            "hardshiprecord_id",
            ids,
            category_names,
            category_rank,
            "hardshipcategory_id",
        )
        needs = _names_per_owner(
            HardshipRecord.needs.through, "hardshiprecord_id", ids, need_names, need_rank, "helptype_id"
        )
        helpers: dict[int, list[str]] = defaultdict(list)
        for record_id, helper in (
            Pairing.objects.filter(_pairing_at(scope.day), record_id__in=ids)
            .order_by("-started_on", "-id")
            .values_list("record_id", "helper__name")
        ):
            helpers[record_id].append(helper)
        for (
            pk,
            name,
            branch,
            org_id,
            user_id,
            id_number,
            level,
            household,
            income,
            causes,
            difficulties,
            status,
            registered_on,
            reviewed_on,
            closed_on,
        ) in chunk:
            if not numbers.full_for(org_id, user_id):
                id_number = mask_id_number(id_number)
            if confidential.full_for(org_id, user_id):
                per_capita = (
                    None if income is None or not household else (income / household).quantize(cent, ROUND_HALF_UP)
                )
            else:
                income = per_capita = None
                causes = difficulties = hidden
            append(
                (
                    name,
                    branch,
                    id_number,
                    categories.get(pk, ""),
                    levels.get(level, level),
                    household,
                    income,
                    per_capita,
                    causes,
                    difficulties,
                    needs.get(pk, ""),
                    "、".join(helpers.get(pk, ())),
                    statuses.get(status, status),
                    registered_on,
                    reviewed_on,
                    closed_on,
                )
            )


PAIRING_COLUMNS = [
    Column("所在支部", 18),
    Column("帮扶对象", 10),
    Column("困难程度", 10),
    Column("帮扶人", 10),
    Column("帮扶人所在支部", 18),
    Column("帮扶内容", 24),
    Column("开始日期", 12, "date"),
    Column("结束日期", 12, "date"),
    Column("年内帮扶次数", 10, "int"),
    Column("年内帮扶资金（元）", 14, "money"),
    Column("状态", 10),
    Column("帮扶成效", 30),
]


def pairing_sheet(scope, book) -> None:
    sheet = book.sheet("结对帮扶", f"{scope.title}结对帮扶情况", PAIRING_COLUMNS)
    in_year = Q(progress__date__gte=scope.start, progress__date__lte=scope.end)
    levels, statuses = dict(LEVELS.choices), dict(Pairing.Status.choices)
    type_names, type_rank = _ordered_names(HelpType)
    pairings = (
        Pairing.objects.filter(record__member__organization_id__in=scope.branch_ids, started_on__lte=scope.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
        .annotate(
            entries=Count("progress", filter=in_year),
            money=Coalesce(Sum("progress__money", filter=in_year), Decimal("0")),
        )
        .order_by("record__member__organization__path", "record__member__name", "id")
        .values_list(
            "id",
            "record__member__organization__name",
            "record__member__name",
            "record__level",
            "helper__name",
            "helper__organization__name",
            "started_on",
            "ended_on",
            "entries",
            "money",
            "status",
            "outcome",
        )
    )
    append = sheet.append
    for chunk in in_chunks(pairings):
        help_types = _names_per_owner(
            Pairing.help_types.through, "pairing_id", [row[0] for row in chunk], type_names, type_rank, "helptype_id"
        )
        for pk, branch, name, level, helper, helper_branch, started, ended, entries, money, status, outcome in chunk:
            append(
                (
                    branch,
                    name,
                    levels.get(level, level),
                    helper,
                    helper_branch,
                    help_types.get(pk, ""),
                    started,
                    ended,
                    entries,
                    money,
                    statuses.get(status, status),
                    outcome,
                )
            )
    sheet.add_totals()
