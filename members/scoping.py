"""The one door through which every view, export, report and task asks what a user may see.

A user sees the organizations under those they hold a role in (an Appointment), plus their own
member record. Superusers see everything. Nothing else grants sight of a row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet, Subquery

from core.cache import digest
from members.models import Appointment, Member, Organization, Role

MANAGER_ROLES = (Role.SECRETARY, Role.COMMITTEE, Role.ORG_DEPT)
_CACHE_ATTR = "_care_appointments"
_WHOLE_ATTR = "_care_sees_whole_unit"
_ROLE_IDS_ATTR = "_care_role_org_ids"
_VISIBLE_IDS_ATTR = "_care_visible_org_ids"


def _appointments(user) -> list[tuple[str, str]]:
    """(organization path, role) pairs of the user, read once per request (cached on the user)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        # The same query tells whether the user's subtrees hold the whole database (a role at every
        # root organization): `sees_every_organization` then costs no query of its own.
        roots = Organization.objects.filter(parent__isnull=True).order_by().values("parent").annotate(
            n=Count("pk")).values("n")
        rows = list(
            Appointment.objects.filter(user=user, organization__is_active=True)
            .annotate(root_count=Subquery(roots))
            .values_list("organization__path", "role", "organization__parent_id", "root_count")
        )
        cached = [(path, role) for path, role, _, _ in rows]
        held_roots = {path for path, _, parent, _ in rows if parent is None}
        setattr(user, _WHOLE_ATTR, bool(rows) and len(held_roots) == rows[0][3])
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached appointments (after a role changes within a request or test)."""
    for attr in (_CACHE_ATTR, _WHOLE_ATTR, _ROLE_IDS_ATTR, _VISIBLE_IDS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def sees_every_organization(user) -> bool:
    """True when the user's subtrees hold every organization there is (the 组织部 of a one-党委 install,
    a superuser): their scope filter would keep every row, so `scoped` leaves it out. At county scale
    the filter (a subquery OR the user's own rows) forces a join and a sort of whole tables on every
    list page of the organization department. Read with the appointments (no query of its own) and
    cached on the user for the request."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, _WHOLE_ATTR):
        _appointments(user)
    return getattr(user, _WHOLE_ATTR)


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
    # Two semi-joins, not an OR over two LEFT JOINs (one of them through the 20,000 members).
    paths = Organization.objects.filter(
        Q(pk__in=Appointment.objects.filter(user=user).values("organization_id"))
        | Q(pk__in=Member.objects.filter(user=user).values("organization_id"))
    ).values_list("path", flat=True)
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def scope_key(user) -> str:
    """A short key for what the user sees (their appointments and, through `own`, their own
    rows): figures computed through the user's scope are cached under it (core.cache). A changed role
    makes a new key; a changed organization tree bumps the watching namespaces."""
    if user.is_superuser:
        return f"u{user.pk}-all"
    return f"u{user.pk}-{digest(sorted(_appointments(user)))}"


def visible_org_ids(user) -> list[int]:
    """Ids of the organizations a user may see: the subtrees under the ones they hold any role in.

    Read once per request (cached on the user) and handed to the database as literal values: the
    planner can then walk an index on the organization column even where the condition is OR-ed
    with the user's own rows. As a subquery under an OR it became a filter over every row of the
    table (a branch secretary's talks page counted 40,000 talks to show 20)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _VISIBLE_IDS_ATTR, None)
    if cached is None:
        organizations = Organization.objects.all() if user.is_superuser else _subtrees(
            path for path, _ in _appointments(user))
        cached = sorted(organizations.values_list("pk", flat=True))
        setattr(user, _VISIBLE_IDS_ATTR, cached)
    return cached


def org_ids_with_role(user, *roles: str) -> QuerySet:
    """The subtrees under the organizations where the user holds one of `roles`."""
    if not user.is_authenticated:
        return Organization.objects.none().values("pk")
    if user.is_superuser:
        return Organization.objects.values("pk")
    return _subtrees(path for path, role in _appointments(user) if role in roles).values("pk")


def holds_role_over(user, organization: Organization | int, *roles: str) -> bool:
    """Whether the user holds one of `roles` over the organization (it lies in such a subtree).

    Given the Organization, its path is compared with the user's (cached) appointment paths: no query.
    Given an id, the ids of each role set's subtrees are read once per request and kept on the user.
    A detail page asks several `can_*` predicates about the same organization; each used to be a query."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if isinstance(organization, Organization):
        return any(organization.path.startswith(path) for path, role in _appointments(user) if role in roles)
    organization_id = organization
    cache = getattr(user, _ROLE_IDS_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _ROLE_IDS_ATTR, cache)
    key = tuple(sorted(roles))
    if key not in cache:
        cache[key] = frozenset(org_ids_with_role(user, *roles).values_list("pk", flat=True))
    return organization_id in cache[key]


def organizations_for(user, *roles: str) -> QuerySet:
    """Organizations for choice fields and filters: where the user holds `roles` (any role if none)."""
    if not roles and sees_every_organization(user):
        return Organization.objects.filter(is_active=True).order_by("path")
    ids = org_ids_with_role(user, *roles) if roles else visible_org_ids(user)
    return Organization.objects.filter(pk__in=ids, is_active=True).order_by("path")


def branches_for(user, *roles: str) -> QuerySet:
    return organizations_for(user, *roles).filter(kind=Organization.Kind.BRANCH)


def scoped(queryset: QuerySet, user, *, org_field: str = "organization",
           own: str | Q | tuple = ()) -> QuerySet:
    """Scope any queryset by the organization it hangs off; `own` also admits the user's own rows:
    a lookup to the user ("member__user" for a member reading their own records), a Q, or a tuple
    of them (each a way a row can be the user's own).

    The organizations are literal ids, and the user's own rows are added as a UNION of primary keys
    rather than an OR: an OR between a condition through a join (the member's branch) and another
    (the member's user) made the planner hash-join whole tables — 150 ms to count a secretary's
    visits at county scale, against under 1 ms for the union of index scans."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    mine = [_own_condition(each, user) for each in (own if isinstance(own, tuple) else (own,)) if each]
    if sees_every_organization(user):
        if _never_null(queryset.model, org_field):
            return queryset
        condition = Q(**{f"{org_field}__isnull": False})
        for each in mine:
            condition |= each
        return queryset.filter(condition)
    organizations = visible_org_ids(user)
    parts = [Q(**{f"{org_field}__in": organizations})] if organizations else []
    parts += mine
    if not parts:
        return queryset.none()
    if len(parts) == 1:
        return queryset.filter(parts[0])
    rows = queryset.model._default_manager.order_by()
    keys = [rows.filter(part).values("pk") for part in parts]
    return queryset.filter(pk__in=keys[0].union(*keys[1:], all=True))


def _own_condition(own: str | Q, user) -> Q:
    return own if isinstance(own, Q) else Q(**{own: user})
