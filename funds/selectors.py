"""Reads with joins and aggregates, always scoped."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from funds import services
from funds.models import (
    COMMITTED_STATUSES,
    AssistanceApplication,
    Fund,
    FundEntry,
    Kind,
    Source,
    Status,
)
from members.models import Member, Role
from members.scoping import covers_everything, has_role, org_ids

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def ledger(fund: Fund) -> QuerySet:
    """The fund's lines, newest first, each with the balance right after it (in the order recorded)."""
    balance_after = (
        FundEntry.objects.filter(fund_id=fund.pk, pk__lte=OuterRef("pk"))
        .order_by().values("fund_id").annotate(total=Sum("amount")).values("total")
    )
    return (
        FundEntry.objects.filter(fund=fund)
        .select_related("application", "application__member", "recorded_by", "recorded_by__member", "reverses")
        .annotate(balance_after=Subquery(balance_after, output_field=MONEY_FIELD))
        .annotate(reversal_id=Subquery(FundEntry.objects.filter(reverses=OuterRef("pk")).values("pk")[:1]))
        .order_by("-pk")
    )


def ledger_sum(fund: Fund) -> Decimal:
    return FundEntry.objects.filter(fund=fund).aggregate(total=Coalesce(Sum("amount"), Value(ZERO)))["total"]


def year_summary(fund: Fund, year: int) -> dict:
    """Income by source (net of corrections) and spending by kind of assistance, for one calendar year."""
    entries = FundEntry.objects.filter(fund=fund, occurred_on__year=year)
    income = dict(
        entries.exclude(source="").values_list("source").annotate(total=Sum("amount")).values_list("source", "total")
    )
    spending_rows = (
        entries.filter(kind=FundEntry.Kind.EXPENSE).values_list("application__kind")
        .annotate(total=Sum("amount")).values_list("application__kind", "total")
    )
    spending = {kind: -total for kind, total in spending_rows}
    counts = dict(
        entries.filter(kind=FundEntry.Kind.EXPENSE).values_list("application__kind")
        .annotate(n=Count("pk")).values_list("application__kind", "n")
    )
    opening = FundEntry.objects.filter(fund=fund, occurred_on__year__lt=year).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO))
    )["total"]
    income_rows = [(label, income.get(code, ZERO)) for code, label in Source.choices]
    spending_rows = [(label, counts.get(code, 0), spending.get(code, ZERO)) for code, label in Kind.choices]
    total_income = sum((amount for _, amount in income_rows), ZERO)
    total_spending = sum((amount for _, _, amount in spending_rows), ZERO)
    return {
        "year": year, "opening": opening, "income_rows": income_rows, "spending_rows": spending_rows,
        "total_income": total_income, "total_spending": total_spending,
        "closing": opening + total_income - total_spending,
    }


def fund_years(fund: Fund) -> list[int]:
    years = {d.year for d in FundEntry.objects.filter(fund=fund).dates("occurred_on", "year")}
    return sorted(years, reverse=True)


def member_history(member: Member) -> dict:
    """The member's assistance across years: committed amounts per kind, the yearly cap and what is left."""
    cap = services.yearly_cap()
    rows = (
        AssistanceApplication.objects.filter(member=member)
        .values_list("year", "kind", "status", "amount_requested", "amount_approved")
    )
    years: dict[int, dict] = defaultdict(lambda: {"by_kind": defaultdict(lambda: ZERO), "committed": ZERO,
                                                  "paid": ZERO, "pending": 0, "refused": 0})
    for year, kind, status, _requested, approved in rows:
        line = years[year]
        if status in COMMITTED_STATUSES:
            line["by_kind"][kind] += approved
            line["committed"] += approved
            if status == Status.DISBURSED:
                line["paid"] += approved
        elif status in (Status.REJECTED, Status.WITHDRAWN):
            line["refused"] += 1
        else:
            line["pending"] += 1
    result = []
    for year in sorted(years, reverse=True):
        line = years[year]
        result.append({
            "year": year,
            "kinds": [(label, line["by_kind"][code]) for code, label in Kind.choices if line["by_kind"][code]],
            "committed": line["committed"], "paid": line["paid"], "left": max(cap - line["committed"], ZERO),
            "pending": line["pending"], "refused": line["refused"],
        })
    return {"cap": cap, "years": result}


def hardship_line(member: Member):
    from hardship.models import HardshipRecord

    return (
        HardshipRecord.objects.filter(member=member).prefetch_related("categories")
        .order_by("-status", "-registered_on").first()
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
        AssistanceApplication.objects.filter(condition, status__in=(Status.IN_NOTICE, Status.OBJECTION))
        .select_related("member", "organization")
        .only("pk", "kind", "amount_approved", "notice_starts_on", "notice_ends_on", "status", "organization__name",
              "member__name", "member__user_id", "organization_id", "member_id")
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
    if user.is_superuser or has_role(user, Role.SECRETARY):
        mine = Q(organization__in=org_ids(user, Role.SECRETARY))
        wanted.append(("待召开支部大会评议", "status=submitted", mine & Q(status=Status.SUBMITTED, is_emergency=False)))
        wanted.append(("紧急救助待补录支部大会", "emergency=true",
                       mine & Q(is_emergency=True, meeting_on__isnull=True, status__in=COMMITTED_STATUSES)))
    if user.is_superuser or has_role(user, Role.ORG_DEPT):
        mine = (Q(organization__in=org_ids(user, Role.ORG_DEPT))
                & ~Q(submitted_by=user) & ~Q(member__user=user))
        wanted.append(("待党委审批", "status=branch_reviewed",
                       mine & (Q(status=Status.BRANCH_REVIEWED) | Q(status=Status.SUBMITTED, is_emergency=True))))
        wanted.append(("公示异议待处理", "status=objection", mine & Q(status=Status.OBJECTION)))
    if user.is_superuser or has_role(user, Role.FUND_OFFICER):
        wanted.append(("公示无异议待发放", "status=notice_passed",
                       Q(fund__organization__in=org_ids(user, Role.FUND_OFFICER),
                         status=Status.NOTICE_PASSED) & ~Q(approved_by=user)))
    counts = {}
    if wanted:
        counts = AssistanceApplication.objects.for_user(user).aggregate(
            **{f"n{index}": Count("pk", filter=condition) for index, (_, _, condition) in enumerate(wanted)})
    items = [(what, counts[f"n{index}"], query) for index, (what, query, _) in enumerate(wanted)]
    own = AssistanceApplication.objects.filter(Q(member__user=user) | Q(submitted_by=user))
    items.append(("我的申请待修改或提交", own.filter(status__in=(Status.DRAFT, Status.RETURNED)).count(),
                  "status=returned"))
    return [item for item in items if item[1]]


def organizations_without_fund(user) -> QuerySet:
    """Where the user is the fund officer (appointed there, not below) and no fund exists yet."""
    from members.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        appointments__user=user, appointments__role=Role.FUND_OFFICER, care_fund__isnull=True, is_active=True
    ).distinct()
