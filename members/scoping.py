"""The one door through which every view, export, report and task asks what a user may see.

A user sees the organizations under those they hold a role in (an Appointment), plus their own
member record. Superusers see everything. Nothing else grants sight of a row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from members.models import Appointment, Organization, Role

MANAGER_ROLES = (Role.SECRETARY, Role.COMMITTEE, Role.ORG_DEPT)
_CACHE_ATTR = "_care_appointments"


def _appointments(user) -> list[tuple[str, str]]:
    """(organization path, role) pairs of the user, read once per request (cached on the user)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Appointment.objects.filter(user=user, organization__is_active=True).values_list(
                "organization__path", "role"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached appointments (after a role changes within a request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _subtrees(paths: Iterable[str]) -> QuerySet:
    condition = Q(pk__in=[])
    for path in set(paths):
        condition |= Q(path__startswith=path)
    return Organization.objects.filter(condition)


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return any(role in roles for _, role in _appointments(user))


def org_paths_with_role(user, *roles: str) -> set[str]:
    """The paths of the organizations where the user holds one of `roles` (for JSON/path filters)."""
    if not user.is_authenticated:
        return set()
    return {path for path, role in _appointments(user) if role in roles}


def ancestor_org_ids(user) -> set[int]:
    """The organizations above (and including) those where the user holds a role or is a member: what
    they run concerns the user (a 党委's campaign concerns every member of its branches)."""
    if not user.is_authenticated:
        return set()
    paths = Organization.objects.filter(Q(appointments__user=user) | Q(members__user=user)).values_list(
        "path", flat=True
    )
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def visible_org_ids(user) -> QuerySet:
    """Organizations a user may see: the subtrees under the ones they hold any role in."""
    if not user.is_authenticated:
        return Organization.objects.none().values("pk")
    if user.is_superuser:
        return Organization.objects.values("pk")
    return _subtrees(path for path, _ in _appointments(user)).values("pk")


def org_ids_with_role(user, *roles: str) -> QuerySet:
    """The subtrees under the organizations where the user holds one of `roles`."""
    if not user.is_authenticated:
        return Organization.objects.none().values("pk")
    if user.is_superuser:
        return Organization.objects.values("pk")
    return _subtrees(path for path, role in _appointments(user) if role in roles).values("pk")


def organizations_for(user, *roles: str) -> QuerySet:
    """Organizations for choice fields and filters: where the user holds `roles` (any role if none)."""
    ids = org_ids_with_role(user, *roles) if roles else visible_org_ids(user)
    return Organization.objects.filter(pk__in=ids, is_active=True).order_by("path")


def branches_for(user, *roles: str) -> QuerySet:
    return organizations_for(user, *roles).filter(kind=Organization.Kind.BRANCH)


def scoped(queryset: QuerySet, user, *, org_field: str = "organization", own_field: str | None = None) -> QuerySet:
    """Scope any queryset by the organization it hangs off; `own_field` also admits the user's own rows
    (e.g. "member__user" for a member reading their own records)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(**{f"{org_field}__in": visible_org_ids(user)})
    if own_field:
        condition |= Q(**{own_field: user})
    return queryset.filter(condition)
