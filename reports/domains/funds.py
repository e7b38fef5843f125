"""关怀基金 and 帮扶申请 in the reports. Income belongs to the fund's organization (often the 党委
itself: a “（本级）” row); spending to the branch of whoever it was for — the applicant (a partner unit's
member: the liaison branch), the member visited (走访慰问), the member helped (结对帮扶) — net of money
recovered after the 党委 revoked an emergency."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from core.xlsx import Column
from funds.models import AssistanceApplication, Fund, FundEntry, Kind, Source, Status, Use
from members.permissions import Disclosure
from reports import cache as report_cache
from reports import charts, metrics
from reports.dashboard import Row, Section, unit_link
from reports.domains import CHUNK, display_names, local_date

ZERO = Decimal("0.00")

STATE_GROUPS = [
    (
        "办理中",
        (Status.SUBMITTED, Status.RETURNED, Status.BRANCH_REVIEWED, Status.RECONSIDERATION, Status.RECOVERY_DUE),
    ),
    ("已批准待发放", (Status.APPROVED, Status.IN_NOTICE, Status.OBJECTION, Status.NOTICE_PASSED)),
    ("已发放", (Status.DISBURSED,)),
    ("未通过或撤回", (Status.REJECTED, Status.WITHDRAWN, Status.RECOVERED)),
]
COMMITTED = (
    Status.APPROVED,
    Status.IN_NOTICE,
    Status.OBJECTION,
    Status.NOTICE_PASSED,
    Status.DISBURSED,
    Status.RECONSIDERATION,
    Status.RECOVERY_DUE,
)


def entries_of_year(scope):
    """Lines of the funds kept by organizations in the scope, dated in the year."""
    return FundEntry.objects.filter(
        fund__organization_id__in=scope.subtree_ids, occurred_on__gte=scope.start, occurred_on__lte=scope.end
    )


def _income(scope) -> dict[int, Decimal]:
    """Income net of corrections (a reversal keeps the source of the line it corrects)."""
    rows = entries_of_year(scope).exclude(source="").values("fund__organization_id").annotate(total=Sum("amount"))
    return {row["fund__organization_id"]: row["total"] for row in rows}


USES = [*Kind.choices, *Use.choices]
# (path from an entry to the branch, to what it paid for — or the use itself, entry kind, counted as)
_SPENDING_PATHS = (
    ("application__organization_id", "application__kind", FundEntry.Kind.EXPENSE, 1),
    ("visit__member__organization_id", Use.VISIT, FundEntry.Kind.EXPENSE, 1),
    ("pairing_progress__pairing__record__member__organization_id", Use.PAIRING, FundEntry.Kind.EXPENSE, 1),
    ("reverses__application__organization_id", "reverses__application__kind", FundEntry.Kind.REVERSAL, -1),
)


def _spending_rows(scope) -> list[dict]:
    """{"branch", "use", "total" (negative: money out), "n"} per branch and use; a recovery counts back."""

    def compute():
        rows = []
        for branch, use, kind, sign in _SPENDING_PATHS:
            entries = FundEntry.objects.filter(
                kind=kind,
                occurred_on__gte=scope.start,
                occurred_on__lte=scope.end,
                **{f"{branch}__in": scope.branch_ids},
            )
            fixed = use in Use.values
            for row in entries.values(branch, *([] if fixed else [use])).annotate(total=Sum("amount"), n=Count("id")):
                rows.append(
                    {
                        "branch": row[branch],
                        "use": use if fixed else row[use],
                        "total": row["total"],
                        "n": sign * row["n"],
                    }
                )
        return rows

    return scope.once("funds.spending", compute)


def _spending(scope) -> dict[int, Decimal]:
    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in _spending_rows(scope):
        result[row["branch"]] += -row["total"]
    return dict(result)


def applications_of_year(scope):
    return AssistanceApplication.objects.filter(organization_id__in=scope.branch_ids, year=scope.year).exclude(
        status=Status.DRAFT
    )


def _application_counts(scope) -> dict[int, dict]:
    def compute():
        rows = (
            applications_of_year(scope)
            .values("organization_id")
            .annotate(
                total=Count("id"),
                approved=Count("id", filter=Q(status__in=COMMITTED)),
                paid=Count("id", filter=Q(status=Status.DISBURSED)),
                **{
                    f"group{index}": Count("id", filter=Q(status__in=statuses))
                    for index, (_, statuses) in enumerate(STATE_GROUPS)
                },
            )
        )
        return {row["organization_id"]: row for row in rows}

    return scope.once("funds.applications", compute)


def _count(name):
    def compute(scope) -> dict[int, int]:
        return {org: row[name] for org, row in _application_counts(scope).items()}

    return compute


FUND_INCOME = metrics.Metric(
    "fund_income", "基金收入（元）", "money", _income, zero=lambda: ZERO, access_kind="fund_public"
)
METRICS = [
    FUND_INCOME,
    metrics.Metric("fund_spending", "帮扶支出（元）", "money", _spending, zero=lambda: ZERO, access_kind="fund_public"),
    metrics.Metric("applications_approved", "帮扶申请批准（件）", "int", _count("approved"), access_kind="application"),
    metrics.Metric("applications_paid", "帮扶申请发放（件）", "int", _count("paid"), access_kind="application"),
]


# --- dashboard -----------------------------------------------------------------------------------


def income_section(scope) -> Section | None:
    """None where no organization of the scope keeps a fund (a branch paid from the 党委's fund)."""
    if not Fund.objects.filter(organization_id__in=scope.subtree_ids).exists():
        return None
    by_source = dict(entries_of_year(scope).exclude(source="").values_list("source").annotate(total=Sum("amount")))
    rows, totals = metrics.table(scope, [FUND_INCOME])
    owners = [r for r in rows if r["fund_income"]]
    chart = charts.donut_chart(
        [(label, by_source.get(code, ZERO)) for code, label in Source.choices if by_source.get(code)],
        title=f"{scope.year}年关怀基金收入来源",
        center=f"¥{totals['fund_income']:,.0f}",
    )
    table = [Row([label, f"{by_source.get(code, ZERO):,.2f}"]) for code, label in Source.choices if by_source.get(code)]
    table += [Row([f"其中：{r['label']}", f"{r['fund_income']:,.2f}"]) for r in owners if len(owners) > 1]
    table.append(Row(["合计", f"{totals['fund_income']:,.2f}"], total=True))
    return Section(
        title="关怀基金收入", chart=chart, headers=["来源", "金额（元）"], rows=table, note="按基金所属组织；冲正已抵减"
    )


def _spending_parts(part) -> dict[int, tuple[dict[str, Decimal], int]]:
    """Per branch: ({use: amount paid out}, how many payments)."""
    found: dict[int, tuple[dict[str, Decimal], list[int]]] = {}
    for row in _spending_rows(part):
        amounts, count = found.setdefault(row["branch"], ({}, [0]))
        amounts[row["use"]] = amounts.get(row["use"], ZERO) - row["total"]
        count[0] += row["n"]
    return {branch: (amounts, count[0]) for branch, (amounts, count) in found.items()}


def spending_section(scope) -> Section:
    # Each branch's part cached apart (reports.cache.by_organization): a visit recomputes its own.
    per_branch: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    counts: dict[int, int] = defaultdict(int)
    for branch, (amounts, count) in report_cache.by_organization(scope, "spending", _spending_parts).items():
        for use, amount in amounts.items():
            per_branch[branch][use] += amount
        counts[branch] += count
    used = [(code, label) for code, label in USES if any(code in v for v in per_branch.values())]
    units = scope.units
    # Each branch's amounts added once into its unit's (a city's units hold 5,500 organizations).
    per_unit: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    all_units: dict[str, Decimal] = defaultdict(lambda: ZERO)  # the totals row: every branch, in a row or not
    for branch, amounts in per_branch.items():
        unit_id = scope.unit_of.get(branch)
        for code, amount in amounts.items():
            all_units[code] += amount
            if unit_id is not None:
                per_unit[unit_id][code] += amount

    def unit_amount(unit, code):
        return per_unit[unit.organization.pk][code]

    chart = charts.stacked_bar_chart(
        [(u.label, [unit_amount(u, code) for code, _ in used]) for u in units],
        series=[label for _, label in used],
        title=f"{scope.year}年各支部帮扶支出（按类别）",
    )
    link = reverse("funds:applications")
    table = [
        Row(
            [
                u.label,
                sum(counts.get(pk, 0) for pk in u.org_ids),
                f"{sum((unit_amount(u, code) for code, _ in used), ZERO):,.2f}",
            ],
            link=unit_link(scope, u, lambda b: f"{link}?organization={b.pk}&year={scope.year}&status=disbursed"),
        )
        for u in units
    ]
    by_kind = {code: all_units[code] for code, _ in used}
    table += [Row([f"其中：{label}", "", f"{by_kind[code]:,.2f}"]) for code, label in used]
    table.append(Row(["合计", sum(counts.values()), f"{sum(by_kind.values(), ZERO):,.2f}"], total=True))
    return Section(
        title="帮扶支出",
        chart=chart,
        headers=["支部", "发放笔数", "金额（元）"],
        rows=table,
        note="按申请人（走访、帮扶对象）所在支部，以发放日期计；追回的资金已抵减",
    )


def application_section(scope) -> Section:
    by_org = _application_counts(scope)
    units = scope.units
    keys = ["total", "approved", "paid", *(f"group{i}" for i in range(len(STATE_GROUPS)))]
    counts = {
        u.organization.pk: {k: sum(by_org[pk][k] for pk in u.org_ids if pk in by_org) for k in keys} for u in units
    }
    chart = charts.stacked_bar_chart(
        [(u.label, [counts[u.organization.pk][f"group{i}"] for i in range(len(STATE_GROUPS))]) for u in units],
        series=[label for label, _ in STATE_GROUPS],
        title=f"{scope.year}年帮扶申请办理状态",
        colors=[charts.IN_PROGRESS, charts.APPROVED, charts.SUCCEEDED, charts.DID_NOT_PROCEED],
    )
    days_by_org: dict[int, list[float]] = defaultdict(list)
    for org_id, submitted, disbursed in (
        applications_of_year(scope)
        .filter(status=Status.DISBURSED, submitted_at__isnull=False, disbursed_at__isnull=False)
        .values_list("organization_id", "submitted_at", "disbursed_at")
    ):
        days_by_org[org_id].append((disbursed - submitted).total_seconds() / 86400)
    days = {u.organization.pk: [d for pk in u.org_ids for d in days_by_org.get(pk, [])] for u in units}

    def average(values):
        return f"{sum(values) / len(values):.1f}" if values else "—"

    link = reverse("funds:applications")
    table = []
    for u in units:
        row = counts[u.organization.pk]
        table.append(
            Row(
                [u.label, row["total"], row["approved"], row["paid"], average(days[u.organization.pk])],
                link=unit_link(scope, u, lambda b: f"{link}?organization={b.pk}&year={scope.year}"),
            )
        )
    table.append(
        Row(
            [
                "合计",
                sum(r["total"] for r in counts.values()),
                sum(r["approved"] for r in counts.values()),
                sum(r["paid"] for r in counts.values()),
                average([d for values in days.values() for d in values]),
            ],
            total=True,
        )
    )
    return Section(
        title="帮扶申请",
        chart=chart,
        headers=["支部", "申请", "批准", "已发放", "平均办理天数"],
        rows=table,
        note="平均办理天数：从提交申请到发放",
    )


# --- workbook ------------------------------------------------------------------------------------

FUND_COLUMNS = [
    Column("日期", 12, "date"),
    Column("基金", 24),
    Column("类型", 8),
    Column("来源/类别", 14),
    Column("捐助人", 12),
    Column("收入（元）", 14, "money"),
    Column("支出（元）", 14, "money"),
    Column("申请人", 10),
    Column("摘要", 30),
    Column("经办人", 10),
]


def fund_sheet(scope, book) -> None:
    """Every line of the year; a correction of income shows as negative income, so the column adds up.
    Read as plain values: the funds' names and the clerks' names are looked up once, not per row."""
    sheet = book.sheet("关怀基金收支", f"{scope.title}关怀基金收支明细", FUND_COLUMNS)
    entries = entries_of_year(scope)
    funds = {
        pk: f"{organization}{name}"
        for pk, organization, name in Fund.objects.filter(organization_id__in=scope.subtree_ids).values_list(
            "id", "organization__name", "name"
        )
    }
    clerks = display_names(entries.values("recorded_by_id"))
    entry_kinds, sources, uses = dict(FundEntry.Kind.choices), dict(Source.choices), dict(USES)
    expense_kind = FundEntry.Kind.EXPENSE
    rows = (
        entries.order_by("fund__organization__path", "occurred_on", "id")
        .values_list(
            "occurred_on",
            "fund_id",
            "kind",
            "source",
            "application__kind",
            "donor",
            "amount",
            "application__member__name",
            "note",
            "recorded_by_id",
            "application__recipient_name",
            "visit__member__name",
            "pairing_progress__pairing__record__member__name",
            "reverses__application__kind",
            "reverses__application__member__name",
        )
        .iterator(chunk_size=CHUNK)
    )
    append = sheet.append
    for (
        day,
        fund,
        kind,
        source,
        application_kind,
        donor,
        amount,
        applicant,
        note,
        clerk,
        partner_member,
        visited,
        helped,
        recovered_kind,
        recovered_from,
    ) in rows:
        expense = kind == expense_kind
        if expense:
            label = uses.get(application_kind) if application_kind else uses[Use.VISIT if visited else Use.PAIRING]
        elif recovered_kind:
            label = f"追回：{uses.get(recovered_kind, recovered_kind)}"
        else:
            label = sources.get(source, source)
        append(
            (
                day,
                funds[fund],
                entry_kinds.get(kind, kind),
                label,
                donor,
                None if expense else amount,
                -amount if expense else None,
                applicant or partner_member or visited or helped or recovered_from or "",
                note,
                clerks.get(clerk, ""),
            )
        )
    sheet.add_totals()


APPLICATION_COLUMNS = [
    Column("申请人", 10),
    Column("所在支部", 20),
    Column("申请类别", 12),
    Column("紧急救助", 8),
    Column("申请金额（元）", 14, "money"),
    Column("批准金额（元）", 14, "money"),
    Column("状态", 10),
    Column("提交日期", 12, "date"),
    Column("支部大会日期", 12, "date"),
    Column("审批日期", 12, "date"),
    Column("公示截止", 12, "date"),
    Column("发放日期", 12, "date"),
    Column("申请理由", 40),
]


def application_sheet(scope, book) -> None:
    """The year's applications; the reason (often health or family) only where the viewer may read it."""
    sheet = book.sheet("帮扶申请", f"{scope.title}帮扶申请", APPLICATION_COLUMNS)
    details = Disclosure(scope.user, "application_details")
    kinds, statuses = dict(Kind.choices), dict(Status.choices)
    applications = (
        applications_of_year(scope)
        .order_by("organization__path", "submitted_at", "id")
        .values_list(
            "member__name",
            "organization__name",
            "kind",
            "is_emergency",
            "amount_requested",
            "amount_approved",
            "status",
            "submitted_at",
            "meeting_on",
            "approved_at",
            "notice_ends_on",
            "disbursed_at",
            "reason",
            "organization_id",
            "member__user_id",
            "recipient_name",
            "partner_unit__name",
        )
        .iterator(chunk_size=CHUNK)
    )
    append = sheet.append
    by_status: dict[str, list] = {}
    paid = [0, Decimal("0")]
    for (
        name,
        branch,
        kind,
        emergency,
        requested,
        approved,
        status,
        submitted_at,
        meeting_on,
        approved_at,
        notice_ends_on,
        disbursed_at,
        reason,
        org_id,
        user_id,
        partner_member,
        partner_unit,
    ) in applications:
        full = details.full_for(org_id, user_id)
        counts = by_status.setdefault(status, [0, Decimal("0"), Decimal("0")])
        counts[0] += 1
        counts[1] += requested or 0
        counts[2] += approved or 0
        if disbursed_at is not None and status != Status.RECOVERED:
            paid[0] += 1
            paid[1] += approved or 0
        append(
            (
                name or f"{partner_member}（{partner_unit}）",
                branch,
                kinds.get(kind, kind),
                "是" if emergency else "",
                requested,
                approved,
                statuses.get(status, status),
                local_date(submitted_at),
                meeting_on,
                local_date(approved_at),
                notice_ends_on,
                local_date(disbursed_at),
                reason if full else "（不可见）",
            )
        )
    # Totals by status: money asked for in a withdrawn or rejected application was never going to be paid.
    for status in Status:
        if status in by_status:
            count, requested, approved = by_status[status]
            sheet.append([f"合计：{status.label}", "", f"{count} 件", "", requested, approved or ""], bold=True)
    if by_status:
        sheet.append(["实际发放（不含已追回）", "", f"{paid[0]} 件", "", "", paid[1]], bold=True)
