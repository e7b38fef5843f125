"""Reads for the roster's home-page panels, always scoped."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core import cache
from members.models import Member
from members.scoping import scope_key
from members.validators import add_years

ON_ROLL = Q(deceased_on__isnull=True, transferred_out_on__isnull=True)


# v2: the summary, not every branch row (an entry of the earlier shape is never read).
HOME_CACHE = "members:home:v2"
HOME_WATCHES = ("members.Member", "members.Organization")


def open_import_conflicts(user) -> list:
    """Conflicts the user may resolve: both the member on file and the importing branch lie where they
    hold the table's roles (the 组织部 over both)."""
    from members import access
    from members.models import ImportConflict
    from members.scoping import covers_everything, org_ids

    roles = access.real_roles("roster_conflict", access.LIST)
    conflicts = ImportConflict.objects.filter(resolved_at__isnull=True)
    if not user.is_superuser and not covers_everything(user, *roles):
        ids = org_ids(user, *roles)
        conflicts = conflicts.filter(branch__in=ids, existing_member__organization__in=ids)
    return list(conflicts.select_related("existing_member__organization", "branch", "imported_by__member")[:50])


# Above this many branches, the home page sums the unit up and lists the branches needing attention.
SHOWN_BRANCHES = 12
ROSTER_TOTALS = ("total", "probationary", "old", "without_phone")


def home_summary(user) -> dict:
    """The home page's roster panel, cached per viewer's scope and day (over a county it counts 20,000
    members): `branch_summary` per branch and `probation_due`. Over more than SHOWN_BRANCHES branches
    (the organization department of a county has 500) it holds the unit's totals and the branches with
    the most members lacking a phone number (the roster's own to-do) instead of every branch: reduced
    before it is cached, as a city's 5,000 branch rows were unpickled and added up on every home page.
    Any saved or deleted member or organization (or a roster import) bumps it (core.cache)."""

    def compute() -> dict:
        branches = list(branch_summary(user))
        summary = {"branches": branches, "summarised": False, "probation_due": probation_due(user)}
        if len(branches) > SHOWN_BRANCHES:
            lacking = sorted((row for row in branches if row["without_phone"]), key=lambda row: -row["without_phone"])
            summary.update(
                summarised=True,
                branch_count=len(branches),
                totals={key: sum(row[key] for row in branches) for key in ROSTER_TOTALS},
                branches=lacking[:SHOWN_BRANCHES],
            )
        return summary

    return cache.cached(HOME_CACHE, [scope_key(user), f"{timezone.localdate():%Y%m%d}"], compute)


def branch_summary(user) -> QuerySet:
    """Per branch in the user's scope: members on roll, probationary members, old members."""
    today = timezone.localdate()
    old = Q(join_date__lte=add_years(today, -50)) | Q(birth_date__lte=add_years(today, -80))
    return (
        Member.objects.for_user(user)
        .values("organization_id", "organization__name")
        .annotate(
            total=Count("id", filter=ON_ROLL),
            probationary=Count("id", filter=ON_ROLL & Q(party_status=Member.PartyStatus.PROBATIONARY)),
            old=Count("id", filter=ON_ROLL & old),
            without_phone=Count("id", filter=ON_ROLL & Q(phone="")),
        )
        .order_by("organization__path")
    )


def probation_due(user, *, limit: int = 20) -> list[Member]:
    """Probationary members whose year is up: the branch must discuss their 转正."""
    cutoff = add_years(timezone.localdate(), -1)
    return list(
        Member.objects.for_user(user)
        .on_roll()
        .filter(party_status=Member.PartyStatus.PROBATIONARY, join_date__lte=cutoff)
        .select_related("organization")
        .order_by("join_date")[:limit]
    )


def voting_members_on(organization_id: int, day) -> QuerySet:
    """Members of a branch with a vote at a 支部党员大会 on `day`: full members (预备党员 attend but do not
    vote) on the roll that day. Read from the roster as it stands: a member transferred in after `day`
    is counted, one transferred out before it is not. `is_under_discipline` does not say whether the
    discipline is 留党察看 (which suspends the vote) or a lesser one (which does not), so it excludes
    nobody: the count errs towards the stricter quorum."""
    return Member.objects.filter(
        Q(full_member_date__isnull=True) | Q(full_member_date__lte=day),
        Q(deceased_on__isnull=True) | Q(deceased_on__gt=day),
        Q(transferred_out_on__isnull=True) | Q(transferred_out_on__gt=day),
        organization_id=organization_id,
        party_status=Member.PartyStatus.FULL,
        join_date__lte=day,
    )
