"""Reads with joins and aggregates, always scoped."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core import cache, clock
from funds import services
from funds.models import (
    COMMITTED_STATUSES,
    NOTICE_RUNNING,
    AmountBound,
    AssistanceApplication,
    Fund,
    FundEntry,
    FundTarget,
    Kind,
    Source,
    Status,
    Use,
)
from members import access
from members.models import Member, Role
from members.scoping import covers_everything, has_role, org_ids, scope_key

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def ledger(fund: Fund) -> QuerySet:
    """The fund's lines, newest first, each with the balance right after it (in the order recorded)."""
    balance_after = (
        FundEntry.objects.filter(fund_id=fund.pk, pk__lte=OuterRef("pk"))
        .order_by()
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        FundEntry.objects.filter(fund=fund)
        .select_related(
            "application",
            "application__member",
            "application__partner_unit",
            "recorded_by",
            "recorded_by__member",
            "reverses",
            "reverses__application",
            "visit",
            "pairing_progress",
        )
        .annotate(balance_after=Subquery(balance_after, output_field=MONEY_FIELD))
        .annotate(reversal_id=Subquery(FundEntry.objects.filter(reverses=OuterRef("pk")).values("pk")[:1]))
        .order_by("-pk")
    )


def ledger_sum(fund: Fund) -> Decimal:
    return FundEntry.objects.filter(fund=fund).aggregate(total=Coalesce(Sum("amount"), Value(ZERO)))["total"]


def _spending_by_use(entries) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Money out by use (the kinds of application, 走访慰问, 结对帮扶), net of recoveries: an expense is
    negative, the reversal that recovers it positive."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[str, int] = defaultdict(int)
    uses = (
        ("application__kind", "reverses__application__kind", None),
        ("visit_id", "reverses__visit_id", Use.VISIT),
        ("pairing_progress_id", "reverses__pairing_progress_id", Use.PAIRING),
    )
    for own, recovered, use in uses:
        rows = (
            entries.filter(kind=FundEntry.Kind.EXPENSE, **{f"{own}__isnull": False})
            .values_list(own)
            .annotate(total=Sum("amount"), n=Count("pk"))
            .values_list(own, "total", "n")
        )
        for key, total, n in rows:
            amounts[use or key] -= total
            counts[use or key] += n
        back = (
            entries.filter(kind=FundEntry.Kind.REVERSAL, **{f"{recovered}__isnull": False})
            .values_list(recovered)
            .annotate(total=Sum("amount"), n=Count("pk"))
            .values_list(recovered, "total", "n")
        )
        for key, total, n in back:
            amounts[use or key] -= total
            counts[use or key] -= n
    return amounts, counts


SPENDING_USES = [*Kind.choices, *Use.choices]


def year_summary(fund: Fund, year: int) -> dict:
    """Income by source (net of corrections) and spending by use (net of recoveries), for one calendar
    year, and the year's fund-raising target with what has been raised against it."""
    entries = FundEntry.objects.filter(fund=fund, occurred_on__year=year)
    income = dict(
        entries.exclude(source="").values_list("source").annotate(total=Sum("amount")).values_list("source", "total")
    )
    spending, counts = _spending_by_use(entries)
    opening = FundEntry.objects.filter(fund=fund, occurred_on__year__lt=year).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO))
    )["total"]
    income_rows = [(label, income.get(code, ZERO)) for code, label in Source.choices]
    spending_rows = [(label, counts.get(code, 0), spending.get(code, ZERO)) for code, label in SPENDING_USES]
    total_income = sum((amount for _, amount in income_rows), ZERO)
    total_spending = sum((amount for _, _, amount in spending_rows), ZERO)
    target = FundTarget.objects.filter(fund=fund, year=year).first()
    return {
        "year": year,
        "opening": opening,
        "income_rows": income_rows,
        "spending_rows": spending_rows,
        "total_income": total_income,
        "total_spending": total_spending,
        "closing": opening + total_income - total_spending,
        "target": target,
        "raised": total_income,
        "target_percent": int(total_income * 100 / target.amount) if target else None,
    }


def fund_years(fund: Fund) -> list[int]:
    years = {d.year for d in FundEntry.objects.filter(fund=fund).dates("occurred_on", "year")}
    return sorted(years, reverse=True)


def member_history(application: AssistanceApplication) -> dict:
    """The recipient's assistance across years (a member's, or a partner unit member's by name): committed
    amounts per kind, the yearly cap and what is left."""
    cap = services.yearly_cap()
    if application.member_id:
        same = Q(member_id=application.member_id)
    else:
        same = Q(partner_unit_id=application.partner_unit_id, recipient_name=application.recipient_name)
    rows = AssistanceApplication.objects.filter(same).values_list(
        "year", "kind", "status", "amount_requested", "amount_approved"
    )
    years: dict[int, dict] = defaultdict(
        lambda: {"by_kind": defaultdict(lambda: ZERO), "committed": ZERO, "paid": ZERO, "pending": 0, "refused": 0}
    )
    for year, kind, status, _requested, approved in rows:
        line = years[year]
        if status in COMMITTED_STATUSES:
            line["by_kind"][kind] += approved
            line["committed"] += approved
            if status == Status.DISBURSED:
                line["paid"] += approved
        elif status in (Status.REJECTED, Status.WITHDRAWN, Status.RECOVERED):
            line["refused"] += 1
        else:
            line["pending"] += 1
    result = []
    for year in sorted(years, reverse=True):
        line = years[year]
        result.append(
            {
                "year": year,
                "kinds": [(label, line["by_kind"][code]) for code, label in Kind.choices if line["by_kind"][code]],
                "committed": line["committed"],
                "paid": line["paid"],
                "left": max(cap - line["committed"], ZERO),
                "pending": line["pending"],
                "refused": line["refused"],
            }
        )
    return {"cap": cap, "years": result}


def hardship_line(member: Member | None):
    from hardship.models import HardshipRecord

    if member is None:
        return None
    return (
        HardshipRecord.objects.filter(member=member)
        .prefetch_related("categories")
        .order_by("-status", "-registered_on")
        .first()
    )


def notices_for(user) -> QuerySet:
    """Applications in 公示 the user may see: their branch's, and those under organizations they serve."""
    if not user.is_authenticated:
        return AssistanceApplication.objects.none()
    if covers_everything(user):
        condition = Q()
    else:
        condition = Q(organization__in=org_ids(user))
        member = getattr(user, "member", None)
        if member is not None:
            condition |= Q(organization_id=member.organization_id)
    return (
        AssistanceApplication.objects.filter(condition, status__in=NOTICE_RUNNING)
        .select_related("member", "organization", "partner_unit")
        .only(
            "pk",
            "kind",
            "amount_approved",
            "notice_starts_on",
            "notice_ends_on",
            "status",
            "organization__name",
            "member__name",
            "member__user_id",
            "organization_id",
            "member_id",
            "partner_unit__name",
            "recipient_name",
            "approved_by_id",
        )
        .order_by("notice_ends_on", "pk")
    )


def public_funds_for(user) -> QuerySet:
    """Funds whose summary a member may read (党务公开): those over their branch and under their roles."""
    if not user.is_authenticated:
        return Fund.objects.none()
    ids = set()
    member = getattr(user, "member", None)
    if member is not None:
        ids.update(services.ancestor_ids(member.organization))
    condition = Q(organization_id__in=ids) | Q(organization__in=org_ids(user))
    if user.is_superuser:
        condition = Q()
    return Fund.objects.filter(condition).select_related("organization")


def todo_for(user) -> list[tuple[str, int, str]]:
    """(what, how many, list query) the user must act on. One aggregate over the user's scope (a
    filtered count per role's item) and one count of their own drafts, not a COUNT per item."""
    if not user.is_authenticated:
        return []
    wanted: list[tuple[str, str, Q]] = []  # (what, list query, condition on the scoped applications)
    # Each item goes to whoever the role table lets take its step.
    meeting, approve, disburse = (access.real_roles("application", step) for step in ("meeting", "approve", "disburse"))
    if user.is_superuser or has_role(user, *meeting):
        mine = Q(organization__in=org_ids(user, *meeting))
        wanted.append(
            (
                "待召开支部大会评议",
                "status=submitted",
                mine & Q(status=Status.SUBMITTED, is_emergency=False, meeting_on__isnull=True),
            )
        )
        wanted.append(
            (
                "紧急救助待补录支部大会",
                "emergency=true",
                mine & Q(is_emergency=True, meeting_on__isnull=True, status__in=COMMITTED_STATUSES),
            )
        )
        wanted.append(
            (
                "支部大会记录待确认",
                "meeting=unconfirmed",
                mine
                & Q(meeting_on__isnull=False, meeting_confirmed_at__isnull=True)
                & ~Q(meeting_recorded_by=user)
                & ~Q(submitted_by=user),
            )
        )
    if user.is_superuser or has_role(user, *approve):
        mine = Q(organization__in=org_ids(user, *approve)) & ~Q(submitted_by=user) & ~Q(member__user=user)
        wanted.append(
            (
                "待党委审批",
                "status=branch_reviewed",
                mine & (Q(status=Status.BRANCH_REVIEWED) | Q(status=Status.SUBMITTED, is_emergency=True)),
            )
        )
        wanted.append(("公示异议待处理", "status=objection", mine & Q(status=Status.OBJECTION) & ~Q(approved_by=user)))
        wanted.append(("紧急救助待党委复议", "status=reconsideration", mine & Q(status=Status.RECONSIDERATION)))
    if user.is_superuser or has_role(user, *disburse):
        officer_of = Q(fund__organization__in=org_ids(user, *disburse))
        wanted.append(
            (
                "公示无异议待发放",
                "status=notice_passed",
                officer_of & Q(status=Status.NOTICE_PASSED) & ~Q(approved_by=user),
            )
        )
        wanted.append(("复议撤销待追回资金", "status=recovery_due", officer_of & Q(status=Status.RECOVERY_DUE)))
    counts = {}
    if wanted:
        counts = AssistanceApplication.objects.for_user(user).aggregate(
            **{f"n{index}": Count("pk", filter=condition) for index, (_, _, condition) in enumerate(wanted)}
        )
    items = [(what, counts[f"n{index}"], query) for index, (what, query, _) in enumerate(wanted)]
    own = AssistanceApplication.objects.filter(Q(member__user=user) | Q(submitted_by=user))
    items.append(
        ("我的申请待修改或提交", own.filter(status__in=(Status.DRAFT, Status.RETURNED)).count(), "status=returned")
    )
    return [item for item in items if item[1]]


# The home page's to-dos: over a city's 100,000 applications the filtered counts cost more than the rest
# of the page, and they move only when an application (or the roster, or the tree) does.
TODO_CACHE = "funds:todo"
TODO_WATCHES = ("funds.AssistanceApplication", "funds.Fund", "members.Member", "members.Organization")


def cached_todo(user) -> tuple[list[tuple[str, int, str]], int]:
    """(`todo_for(user)`, how many applications in 公示 the user may see), cached per viewer's scope."""
    return cache.cached(TODO_CACHE, [scope_key(user)], lambda: (todo_for(user), notices_for(user).count()))


def organizations_without_fund(user) -> QuerySet:
    """Where the user is the fund officer (appointed there, not below) and no fund exists yet."""
    from members.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        appointments__user=user, appointments__role=Role.FUND_OFFICER, care_fund__isnull=True, is_active=True
    ).distinct()


def _paid_by(fund: Fund) -> Q:
    """Organizations whose money this fund pays: its subtree, less the subtrees of funds below it."""
    condition = Q(path__startswith=fund.organization.path)
    for path in (
        Fund.objects.filter(organization__path__startswith=fund.organization.path)
        .exclude(pk=fund.pk)
        .values_list("organization__path", flat=True)
    ):
        condition &= ~Q(path__startswith=path)
    return condition


def uses_waiting(fund: Fund) -> dict:
    """Visits and pairing help that handed over money from the care fund and are not yet booked: the fund
    officer's 待列支 list."""
    from hardship.models import MoneySource, PairingProgress
    from members.models import Organization
    from visits.models import Visit

    organizations = Organization.objects.filter(_paid_by(fund)).values("pk")
    visits = (
        Visit.objects.filter(
            member__organization__in=organizations,
            money_source=MoneySource.CARE_FUND,
            amount__gt=0,
            fund_payment__isnull=True,
        )
        .select_related("member", "member__organization", "created_by__member")
        .order_by("visited_on", "pk")
    )
    progress = (
        PairingProgress.objects.filter(
            pairing__record__member__organization__in=organizations,
            money_source=MoneySource.CARE_FUND,
            money__gt=0,
            fund_payment__isnull=True,
        )
        .select_related("pairing__helper", "pairing__record__member__organization", "help_type", "recorded_by__member")
        .order_by("date", "pk")
    )
    return {"visits": visits, "progress": progress}


def amount_bounds(fund: Fund) -> list[AmountBound]:
    """The fund's bounds in the order of the kinds (missing ones read as the defaults would be created)."""
    existing = {
        bound.kind: bound for bound in AmountBound.objects.filter(fund=fund).select_related("updated_by__member")
    }
    return [existing[code] if code in existing else services.bound_for(fund.pk, code) for code, _ in Kind.choices]


def bound_changes(fund: Fund):
    from funds.models import AmountBoundChange

    return AmountBoundChange.objects.filter(bound__fund=fund).select_related("bound", "changed_by__member")[:30]


def bounds_text(fund: Fund | None) -> str:
    """“生活救济补助 50–5000 元；……” for the application form's help."""
    if fund is None:
        return ""
    return "；".join(f"{b.get_kind_display()} {b.minimum:.0f}–{b.maximum:.0f} 元" for b in amount_bounds(fund))


def target_for(fund: Fund, year: int | None = None) -> dict:
    """The year's target and what has been raised (income net of corrections)."""
    year = year or clock.today().year
    target = FundTarget.objects.filter(fund=fund, year=year).select_related("set_by__member").first()
    raised = (
        FundEntry.objects.filter(fund=fund, occurred_on__year=year)
        .exclude(source="")
        .aggregate(total=Coalesce(Sum("amount"), Value(ZERO)))["total"]
    )
    percent = int(raised * 100 / target.amount) if target else None
    return {
        "year": year,
        "target": target,
        "raised": raised,
        "percent": percent,
        "bar": min(percent, 100) if percent is not None else None,
    }
