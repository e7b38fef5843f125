"""Who is expected to report, by when, and where each report stands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from core import cache
from filings.models import Filing, FilingDeadline, FilingVersion, Status
from filings.periods import Period
from members import access
from members.access import LIST
from members.models import Appointment, Organization, Role
from members.scoping import organizations_for, scope_key

REPORTING_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH)


def reporting_units(user=None) -> QuerySet:
    """Active 党支部 and 党总支 (each reports for itself; a 党总支's workbook covers its branches), those
    the user may list if a user is given, in tree order."""
    if user is None:
        units = Organization.objects.filter(is_active=True)
    else:
        units = organizations_for(user, *access.real_roles("filing", LIST))
    return units.filter(kind__in=REPORTING_KINDS).order_by("path")


def deadlines(period: Period) -> dict[str, dt.date]:
    """{organization path: due date} the 组织部 set for the period (a handful of rows)."""
    rows = FilingDeadline.objects.filter(kind=period.kind, year=period.year, half=period.half)
    return dict(rows.values_list("organization__path", "due_on"))


def due_on(unit: Organization, period: Period, set_dates: dict[str, dt.date] | None = None) -> dt.date:
    """The date set by the nearest organization above (or at) the unit, else the default."""
    set_dates = deadlines(period) if set_dates is None else set_dates
    nearest = max((path for path in set_dates if unit.path.startswith(path)), key=len, default=None)
    return set_dates[nearest] if nearest is not None else period.default_due


@dataclass
class Row:
    """One expected unit of a period: its filing (None: nothing asked yet) and its due date."""

    unit: Organization
    filing: Filing | None
    due_on: dt.date
    today: dt.date

    @property
    def status(self) -> str:
        return self.filing.status if self.filing else Status.PENDING

    @property
    def is_in(self) -> bool:
        return self.filing is not None and self.filing.is_in

    @property
    def is_overdue(self) -> bool:
        """Not in, and the due date has passed."""
        return not self.is_in and self.today > self.due_on

    @property
    def latest(self) -> FilingVersion | None:
        versions = list(self.filing.versions.all()) if self.filing else []
        return versions[0] if versions else None

    @property
    def was_late(self) -> bool:
        """In, but the first submission came after the due date."""
        versions = list(self.filing.versions.all()) if self.filing else []
        return bool(versions) and versions[-1].is_late

    @property
    def label(self) -> str:
        if self.status == Status.PENDING:
            return "逾期未报送" if self.is_overdue else "未报送"
        if self.status == Status.RETURNED:
            return "已退回，逾期未重报" if self.is_overdue else "已退回，待重新报送"
        text = Status(self.status).label
        return f"{text}（逾期报送）" if self.was_late else text

    @property
    def badge(self) -> str:
        if self.status == Status.ACCEPTED:
            return "text-bg-success"
        if self.status == Status.SUBMITTED:
            return "text-bg-primary"
        return "text-bg-danger" if self.is_overdue else "text-bg-warning"


def versions_newest_first() -> Prefetch:
    return Prefetch(
        "versions", queryset=FilingVersion.objects.select_related("submitted_by__member").order_by("-number")
    )


def overview(units: Iterable[Organization], period: Period, *, today: dt.date, versions: bool = True) -> list[Row]:
    """Every unit given for the period, in their order: submitted or not, late, returned (`versions`:
    with who submitted and when, as the lists show them; a tally needs only the statuses)."""
    units = list(units)
    set_dates = deadlines(period)
    filings = Filing.objects.of(period).filter(organization__in=[u.pk for u in units])
    if versions:
        filings = filings.select_related("submitted_by__member", "reviewed_by").prefetch_related(
            versions_newest_first()
        )
    filings = {f.organization_id: f for f in filings}
    return [Row(unit, filings.get(unit.pk), due_on(unit, period, set_dates), today) for unit in units]


@dataclass
class Tally:
    period: Period
    expected: int
    submitted: int  # waiting to be accepted
    accepted: int
    returned: int
    overdue: int

    @property
    def missing(self) -> int:
        return self.expected - self.submitted - self.accepted


def tally(period: Period, rows: list[Row]) -> Tally:
    return Tally(
        period=period,
        expected=len(rows),
        submitted=sum(1 for r in rows if r.status == Status.SUBMITTED),
        accepted=sum(1 for r in rows if r.status == Status.ACCEPTED),
        returned=sum(1 for r in rows if r.status == Status.RETURNED),
        overdue=sum(1 for r in rows if r.is_overdue),
    )


# The 组织部's tally on its home page, per period: over a city (5,000 units) building every unit's row
# costs more than the rest of the page, and the figures move only when a report is submitted, decided
# or its due date set.
TALLY_CACHE = "filings:tally"
TALLY_WATCHES = ("filings.Filing", "filings.FilingVersion", "filings.FilingDeadline", "members.Organization")


def tallies(user, periods: Iterable[Period], *, today: dt.date) -> list[Tally]:
    """`tally` of each period over the reporting units the user may list (those with any expected),
    cached per viewer's scope and day; a saved filing, version, due date or organization bumps it."""
    periods = list(periods)

    def compute() -> list[Tally]:
        units = list(reporting_units(user))
        found = [tally(period, overview(units, period, today=today, versions=False)) for period in periods]
        return [t for t in found if t.expected]

    return cache.cached(TALLY_CACHE, [scope_key(user), f"{today:%Y%m%d}", *(p.key for p in periods)], compute)


def own_sections(user, periods: Iterable[Period], *, today: dt.date) -> tuple[list[dict], set[int]]:
    """The home page's rows of a unit's secretary (or anyone who lists units without receiving them):
    per period due now, the units' rows and tally; and the units the user submits for. Cached per
    viewer's scope and day with the tally (a saved filing, version, due date or organization bumps it)."""
    periods = list(periods)

    def compute() -> tuple[list[dict], set[int]]:
        own = secretary_units(user) if access.may(user, "filing", "submit") else []
        units = reporting_units(user)
        if own:
            units = units.filter(pk__in=[u.pk for u in own])
        units = list(units[:50])
        sections = []
        for period in periods:
            rows = overview(units, period, today=today, versions=False)
            # Only whether there is a version and whether the first came late: no submitters to pickle.
            prefetch_related_objects(
                [row.filing for row in rows if row.filing],
                Prefetch("versions", queryset=FilingVersion.objects.order_by("-number")),
            )
            if rows:
                sections.append({"period": period, "tally": tally(period, rows), "rows": rows})
        return sections, {u.pk for u in own}

    return cache.cached(TALLY_CACHE, ["own", scope_key(user), f"{today:%Y%m%d}", *(p.key for p in periods)], compute)


def secretary_units(user) -> list[Organization]:
    """The reporting units where the user is the secretary: those they submit for."""
    return list(
        Organization.objects.filter(
            is_active=True,
            kind__in=REPORTING_KINDS,
            appointments__user=user,
            appointments__role=Role.SECRETARY,
        ).order_by("path")
    )


def may_submit(user, unit: Organization) -> bool:
    """The unit's own secretary (a 党总支's for the 党总支): not a secretary of the 党总支 above a branch."""
    if not access.may_at(user, "filing", "submit", unit):
        return False
    return user.is_superuser or Appointment.objects.filter(user=user, organization=unit, role=Role.SECRETARY).exists()


def secretaries(unit_ids: Iterable[int]) -> dict[int, list]:
    result: dict[int, list] = {}
    for appointment in Appointment.objects.filter(
        organization_id__in=list(unit_ids), role=Role.SECRETARY, user__is_active=True
    ).select_related("user"):
        result.setdefault(appointment.organization_id, []).append(appointment.user)
    return result


def receivers(unit: Organization) -> list:
    """The 组织部 over the unit: those who receive its reports."""
    return receivers_by_unit([unit])[unit.pk]


def receivers_by_unit(units: Iterable[Organization]) -> dict[int, list]:
    """`receivers` of many units in one query."""
    units = list(units)
    above = {int(part) for unit in units for part in unit.path.strip("/").split("/") if part}
    by_org: dict[int, list] = {}
    for appointment in Appointment.objects.filter(
        organization_id__in=above, role=Role.ORG_DEPT, user__is_active=True
    ).select_related("user"):
        by_org.setdefault(appointment.organization_id, []).append(appointment.user)
    result = {}
    for unit in units:
        users = {}
        for part in unit.path.strip("/").split("/"):
            for user in by_org.get(int(part), []) if part else []:
                users[user.pk] = user
        result[unit.pk] = list(users.values())
    return result
