"""Reads of the ledger and pairings with their joins and aggregates, always scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import cache
from hardship.models import HardshipRecord, Pairing, PairingProgress
from members.scoping import scope_key


def review_cutoff(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=settings.CARE["LEDGER_REVIEW_DAYS"])


def progress_cutoff(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=settings.CARE["PAIRING_REPORT_DAYS"])


def not_reviewed_since(cutoff: dt.date) -> Q:
    """Lines whose last 复核 (or registration, if never reviewed) is older than the cutoff."""
    return Q(last_reviewed_on__lt=cutoff) | Q(last_reviewed_on__isnull=True, registered_on__lt=cutoff)


def needs_review(cutoff: dt.date) -> Q:
    """Lines due for their 复核: not reviewed for a year, or marked for review since (a change found)."""
    return not_reviewed_since(cutoff) | Q(review_requested_on__isnull=False)


def with_active_helper(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(has_active_helper=Exists(Pairing.objects.active().filter(record=OuterRef("pk"))))


def ledger(user, action: str = "list") -> QuerySet:
    """The visible ledger for lists and exports: one query plus two prefetches, whatever the size."""
    return with_active_helper(
        HardshipRecord.objects.for_user(user, action)
        .select_related("member__organization")
        .prefetch_related(
            "categories",
            Prefetch("pairings", queryset=Pairing.objects.active().select_related("helper"), to_attr="active_pairings"),
        )
    ).order_by("member__organization__path", "-registered_on", "-id")


def needing_review(user, *, today: dt.date | None = None) -> QuerySet:
    return HardshipRecord.objects.for_user(user).active().filter(not_reviewed_since(review_cutoff(today)))


def without_helper(user) -> QuerySet:
    return with_active_helper(HardshipRecord.objects.for_user(user).active()).filter(has_active_helper=False)


def pairings(user, action: str = "list") -> QuerySet:
    return (
        Pairing.objects.for_user(user, action)
        .select_related("helper__organization", "record__member__organization")
        .prefetch_related("help_types")
        .annotate(last_progress_on=_last_progress(), progress_count=_progress_count())
        .order_by("-started_on", "-id")
    )


def _last_progress() -> Subquery:
    """Per-row subqueries rather than a join and GROUP BY over every pairing: a page of the list
    (walking pairing_recent_idx) computes them for its own rows only."""
    return Subquery(PairingProgress.objects.filter(pairing=OuterRef("pk")).order_by("-date").values("date")[:1])


def _progress_count() -> Coalesce:
    counted = (
        PairingProgress.objects.filter(pairing=OuterRef("pk"))
        .order_by()
        .values("pairing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def stale_pairings(user, *, today: dt.date | None = None) -> QuerySet:
    """Active pairings with no progress entry in the last half year (and older than half a year)."""
    cutoff = progress_cutoff(today)
    recent = PairingProgress.objects.filter(pairing=OuterRef("pk"), date__gte=cutoff)
    return (
        Pairing.objects.for_user(user)
        .active()
        .filter(started_on__lt=cutoff)
        .exclude(Exists(recent))
        .select_related("helper", "record__member__organization")
        .annotate(last_progress_on=Max("progress__date"))
        .order_by("started_on")
    )


@dataclass
class Coverage:
    active: int
    without_helper: list
    without_helper_count: int
    needing_review: list
    needing_review_count: int
    stale: list
    stale_count: int


COVERAGE_CACHE = "hardship:coverage"
COVERAGE_WATCHES = (
    "members.Member",
    "members.Organization",
    "hardship.HardshipRecord",
    "hardship.Pairing",
    "hardship.PairingProgress",
)


def coverage(user, *, limit: int = 8, today: dt.date | None = None) -> Coverage:
    """The home page's block, cached per viewer's scope and day (over a county, seven queries on the
    ledger and the pairings); any saved or deleted line, pairing, progress entry, member or
    organization bumps it (core.cache)."""
    today = today or timezone.localdate()
    return cache.cached(
        COVERAGE_CACHE, [scope_key(user), f"{today:%Y%m%d}", limit], lambda: _coverage(user, limit=limit, today=today)
    )


def _coverage(user, *, limit: int, today: dt.date) -> Coverage:
    no_helper = without_helper(user).select_related("member__organization").order_by("registered_on")
    review = (
        needing_review(user, today=today)
        .select_related("member__organization")
        .order_by(Coalesce("last_reviewed_on", "registered_on"))
    )
    stale = stale_pairings(user, today=today)
    return Coverage(
        active=HardshipRecord.objects.for_user(user).active().count(),
        without_helper=list(no_helper[:limit]),
        without_helper_count=no_helper.count(),
        needing_review=list(review[:limit]),
        needing_review_count=review.count(),
        stale=list(stale[:limit]),
        stale_count=stale.count(),
    )


# --- the half-year pairing report (每半年报告) -------------------------------------------------------


def half_year_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def current_half(today: dt.date | None = None) -> tuple[int, int]:
    """The half-year just finished is the one to report; in its first weeks, the one before."""
    today = today or timezone.localdate()
    return (today.year - 1, 2) if today.month <= 6 else (today.year, 1)


@dataclass
class ReportRow:
    pairing: Pairing
    entries: int
    money: Decimal
    state: str


def half_year_report(user, *, organization, year: int, half: int) -> list[ReportRow]:
    """Every pairing of the organization's subtree that ran during the half-year, with the help given
    in that half (entries, money) and its state at the end of the half."""
    start, end = half_year_bounds(year, half)
    in_half = Q(progress__date__gte=start, progress__date__lte=end)
    queryset = (
        Pairing.objects.for_user(user)
        .filter(record__member__organization__path__startswith=organization.path)
        .filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .select_related("helper", "record__member__organization")
        .prefetch_related("help_types")
        .annotate(
            entries=Count("progress", filter=in_half),
            money=Coalesce(Sum("progress__money", filter=in_half), Decimal("0")),
        )
        .order_by("record__member__organization__path", "record__member__name", "id")
    )
    rows = []
    for pairing in queryset:
        if pairing.ended_on is not None and pairing.ended_on <= end:
            state = f"已结束（{pairing.ended_on:%Y-%m-%d}）"
        else:
            state = "帮扶中"
        rows.append(ReportRow(pairing=pairing, entries=pairing.entries, money=pairing.money, state=state))
    return rows
