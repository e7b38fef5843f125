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
_WHOLE_ATTR = "_care_sees_whole_unit"


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
    for attr in (_CACHE_ATTR, _WHOLE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def sees_every_organization(user) -> bool:
    """True when the user's subtrees hold every organization there is (the 组织部 of a one-党委 install,
    a superuser): their scope filter would keep every row, so `scoped` leaves it out. At county scale
    the filter (a subquery OR the user's own rows) forces a join and a sort of whole tables on every
    list page of the organization department. One small query, cached on the user for the request."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, _WHOLE_ATTR, None)
    if cached is None:
        paths = {path for path, _ in _appointments(user)}
        cached = bool(paths) and not Organization.objects.exclude(pk__in=_subtrees(paths).values("pk")).exists()
        setattr(user, _WHOLE_ATTR, cached)
    return cached


def _never_null(model, path: str) -> bool:
    """Whether every step of a `a__b__c` foreign-key path is NOT NULL (so `c__in=all` keeps every row)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.null or not field.is_relation:
            return False
        model = field.related_model
    return True


def _subtrees(paths: Iterable[str]) -> QuerySet:
    condition = Q(pk__in=[])
    for path in set(paths):
        condition |= Q(path__startswith=path)
    return Organization.objects.filter(condition)


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return any(role in roles for _, role in _appointments(user))


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
    if sees_every_organization(user):
        if _never_null(queryset.model, org_field):
            return queryset
        return queryset.filter(**{f"{org_field}__isnull": False}) | (
            queryset.filter(**{own_field: user}) if own_field else queryset.none()
        )
    condition = Q(**{f"{org_field}__in": visible_org_ids(user)})
    if own_field:
        condition |= Q(**{own_field: user})
    return queryset.filter(condition)
