"""The one door through which every view, export, report and task asks what a user may see.

A user sees the organizations under those they hold a role in (an Appointment), plus their own
rows. Superusers see everything. Which of their roles count for a kind of object and an action is
the role table's answer (members.access); this module turns it into querysets.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, Self, cast

from django.db import models
from django.db.models import Count, Q, QuerySet, Subquery

from core.cache import digest
from members.roles import Role

if TYPE_CHECKING:
    from members.models import Organization

MANAGER_ROLES = (Role.SECRETARY, Role.COMMITTEE, Role.ORG_DEPT)
ALL_ROLES = tuple(Role.values)


class _Appointments:
    """A user's appointments, read once per request and kept on the user object: every question
    below is answered from them, and from the organizations under them (read at most once per
    request), without another query."""

    ATTR = "_care_appointments"

    def __init__(self, user):
        from members.models import Appointment, Organization

        # The same query counts the root organizations, so whether a role set covers the whole
        # database costs no query of its own.
        roots = (
            Organization.objects.filter(parent__isnull=True)
            .order_by()
            .values("parent")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = list(
            Appointment.objects.filter(user=user, organization__is_active=True)
            .annotate(root_count=Subquery(roots))
            .values_list("organization__path", "role", "organization__parent_id", "root_count")
        )
        self.pairs: list[tuple[str, str]] = [(path, role) for path, role, _, _ in rows]
        self.root_count: int = rows[0][3] if rows else 0
        self.roots_by_role: dict[str, set[str]] = {}
        for path, role, parent, _ in rows:
            if parent is None:
                self.roots_by_role.setdefault(role, set()).add(path)
        self.org_ids: dict[tuple[str, ...], list[int]] = {}
        self.org_id_sets: dict[tuple[str, ...], frozenset[int]] = {}
        self._subtrees: list[tuple[int, str]] | None = None

    def subtrees(self) -> list[tuple[int, str]]:
        """(id, path) of every organization under any of the user's appointments, in one query: the
        ids of each role set are then picked from it by path."""
        if self._subtrees is None:
            from members.models import Organization

            condition = Q(pk__in=[])
            for path in {path for path, _ in self.pairs}:
                condition |= Q(path__startswith=path)
            self._subtrees = list(Organization.objects.filter(condition).order_by("pk").values_list("pk", "path"))
        return self._subtrees

    @classmethod
    def of(cls, user) -> _Appointments:
        cached = getattr(user, cls.ATTR, None)
        if cached is None:
            cached = cls(user)
            setattr(user, cls.ATTR, cached)
        return cached


def _key(roles: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(roles))) if roles else ALL_ROLES


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return any(role in roles for _, role in _Appointments.of(user).pairs)


def covers_everything(user, *roles: str) -> bool:
    """Whether the user's subtrees for `roles` (any role if none) hold every organization there is:
    the 组织部 of a one-党委 install, a superuser. Their scope filter would keep every row, so
    `scoped` leaves it out: at county scale the filter forced a join and sort of whole tables on
    every list page of the organization department."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    appointments = _Appointments.of(user)
    held = set().union(*(appointments.roots_by_role.get(role, set()) for role in _key(roles)))
    return bool(held) and len(held) == appointments.root_count


def org_paths(user, *roles: str) -> set[str]:
    """The paths of the organizations where the user holds one of `roles` (for filters on stored
    paths, such as the audit trail's)."""
    if not user.is_authenticated:
        return set()
    return {path for path, role in _Appointments.of(user).pairs if role in _key(roles)}


def org_ids(user, *roles: str) -> list[int]:
    """Ids of the organizations in the subtrees under those where the user holds one of `roles` (any
    role if none). Read once per role set and request, and handed to the database as literal values:
    the planner then walks the organization index even where the condition is OR-ed with the user's
    own rows (as a subquery under an OR it filtered every row of the table)."""
    if not user.is_authenticated:
        return []
    from members.models import Organization

    key = _key(roles)
    appointments = _Appointments.of(user)
    if key not in appointments.org_ids:
        if user.is_superuser:
            appointments.org_ids[key] = sorted(Organization.objects.values_list("pk", flat=True))
        else:
            paths = tuple({path for path, role in appointments.pairs if role in key})
            appointments.org_ids[key] = (
                [pk for pk, path in appointments.subtrees() if path.startswith(paths)] if paths else []
            )
    return appointments.org_ids[key]


def holds_role_over(user, organization: Organization | int, *roles: str) -> bool:
    """Whether the user holds one of `roles` over the organization (it lies in such a subtree). Given
    the Organization its path is compared with the appointments' (no query); given an id, the role
    set's organization ids are read once per request."""
    from members.models import Organization as OrganizationModel

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if isinstance(organization, OrganizationModel):
        return any(
            organization.path.startswith(path) for path, role in _Appointments.of(user).pairs if role in _key(roles)
        )
    appointments = _Appointments.of(user)
    key = _key(roles)
    if key not in appointments.org_id_sets:
        appointments.org_id_sets[key] = frozenset(org_ids(user, *roles))
    return organization in appointments.org_id_sets[key]


def ancestor_org_ids(user) -> set[int]:
    """The organizations above (and including) those where the user holds a role or is a member: what
    they run concerns the user (a 党委's campaign concerns every member of its branches)."""
    from members.models import Appointment, Member, Organization

    if not user.is_authenticated:
        return set()
    # Two semi-joins, not an OR over two LEFT JOINs (one of them through the 20,000 members).
    paths = Organization.objects.filter(
        Q(pk__in=Appointment.objects.filter(user=user).values("organization_id"))
        | Q(pk__in=Member.objects.filter(user=user).values("organization_id"))
    ).values_list("path", flat=True)
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def scope_key(user) -> str:
    """A short key for what the user sees (their appointments and, through `own`, their own rows):
    figures computed through the user's scope are cached under it (core.cache)."""
    if user.is_superuser:
        return f"u{user.pk}-all"
    return f"u{user.pk}-{digest(sorted(_Appointments.of(user).pairs))}"


def organizations_for(user, *roles: str) -> QuerySet:
    """Active organizations for choice fields and filters, under those where the user holds one of
    `roles` (any role if none)."""
    from members.models import Organization

    organizations = Organization.objects.filter(is_active=True).order_by("path")
    if covers_everything(user, *roles):
        return organizations
    return organizations.filter(pk__in=org_ids(user, *roles))


# The organizations a viewer's roles reach follow the organization tree (and the viewer's appointments,
# which are in the key: scope_key).
TREE_CACHE = "members:tree"
TREE_WATCHES = ("members.Organization",)


@dataclass(frozen=True)
class OrganizationRows:
    """Organizations as three columns in tree order (id, kind, path): a city's 5,500 as three lists, not
    5,500 tuples. A page's request holds its rows in a reference cycle until the garbage collector
    frees it; as tuples, a city 组织部's every dashboard left 5,500 objects for it to trace (a gen-0
    collection every few pages, 10–30 ms each), where a county's left 500."""

    ids: list[int]
    kinds: list[str]
    paths: list[str]

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        return zip(self.ids, self.kinds, self.paths, strict=True)

    def under(self, path: str) -> OrganizationRows:
        """Those whose path starts with `path`: the organization there and everything below it."""
        keep = [found.startswith(path) for found in self.paths]
        return OrganizationRows(
            list(compress(self.ids, keep)), list(compress(self.kinds, keep)), list(compress(self.paths, keep))
        )

    def ids_of_kind(self, kind: str) -> list[int]:
        return [pk for pk, found in zip(self.ids, self.kinds, strict=True) if found == kind]


def organization_rows(user, *roles: str) -> OrganizationRows:
    """The rows of `organizations_for(user, *roles)`, in tree order, cached per viewer's scope: a city
    组织部's dashboards read 5,500 organizations on every request, the same until the tree or their
    appointments change. Kept as three lists (a few objects to unpickle, not 5,500 tuples)."""
    from core import cache

    def compute() -> tuple[list[int], list[str], list[str]]:
        rows = organizations_for(user, *roles).values_list("pk", "kind", "path")
        ids, kinds, paths = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [])
        # The three kinds as three strings, pickled once each: not 5,500 copies (300 KB at city) to unpickle.
        return ids, [sys.intern(kind) for kind in kinds], paths

    return OrganizationRows(*cache.cached(TREE_CACHE, [scope_key(user), "-".join(sorted(roles))], compute))


def branches_for(user, *roles: str) -> QuerySet:
    from members.models import Organization

    return organizations_for(user, *roles).filter(kind=Organization.Kind.BRANCH)


def _never_null(model, path: str) -> bool:
    """Whether every step of a `a__b__c` foreign-key path is NOT NULL (so `c__in=all` keeps every row)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.null or not field.is_relation:
            return False
        model = field.related_model
    return True


def scoped(
    queryset: QuerySet,
    user,
    *,
    roles: Iterable[str] | None = None,
    org_field: str = "organization",
    own: str | Q | tuple = (),
) -> QuerySet:
    """Rows hanging off an organization where the user holds one of `roles` (any role if None); `own`
    also admits the user's own rows: a lookup to the user ("member__user"), a Q, or a tuple of them.

    The user's own rows are added as a UNION of primary keys rather than an OR: an OR between a
    condition through a join (the member's branch) and another (the member's user) made the planner
    hash-join whole tables — 150 ms to count a secretary's visits at county scale, against under 1 ms
    for the union of index scans."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    roles = ALL_ROLES if roles is None else tuple(roles)
    mine = [
        each if isinstance(each, Q) else Q(**{each: user})
        for each in (own if isinstance(own, tuple) else (own,))
        if each
    ]
    organizations: list[int] | None
    if not has_role(user, *roles):
        organizations = []
    elif covers_everything(user, *roles):
        organizations = None
    else:
        organizations = org_ids(user, *roles)
    if organizations is None:
        if _never_null(queryset.model, org_field):
            return queryset
        condition = Q(**{f"{org_field}__isnull": False})
        for each in mine:
            condition |= each
        return queryset.filter(condition)
    parts = [Q(**{f"{org_field}__in": organizations})] if organizations else []
    parts += mine
    if not parts:
        return queryset.none()
    if len(parts) == 1:
        return queryset.filter(parts[0])
    rows = queryset.model._default_manager.order_by()
    keys = [rows.filter(part).values("pk") for part in parts]
    return queryset.filter(pk__in=keys[0].union(*keys[1:], all=True))


class ScopedQuerySet(models.QuerySet):
    """The base of every scoped model's queryset. A model states its row of the role table, its path
    to the organization and the lookups that make a row a user's own; `for_user(user, action)` then
    keeps what the table lets the user do: the rows under organizations where they hold one of the
    entry's roles, plus their own rows where the entry admits SELF."""

    access_kind: str = ""
    org_field: str = "organization"
    own_fields: tuple[str, ...] = ()

    def for_user(self, user, action: str = "view", *, kind: str = "") -> Self:
        """`kind` reads another row of the table about the same objects (an application's details)."""
        from members import access

        kind = kind or self.access_kind
        roles = access.roles_for(kind, action)
        if not access.granted(user, kind, action):
            return self.none()
        own = self.own_fields if access.SELF in roles else ()
        return cast(Self, scoped(self, user, roles=access.real_roles(kind, action), org_field=self.org_field, own=own))
