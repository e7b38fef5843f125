"""What a report covers: an organization subtree the viewer may see, and a year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from core.params import id_param, year_param
from members import access
from members.models import Organization
from members.scoping import OrganizationRows, organization_rows, organizations_for

# Every kind a dashboard section, a 汇总 column or a workbook sheet can be of.
REPORTED_KINDS = (
    "report",
    "member",
    "ledger",
    "pairing",
    "visit",
    "talk",
    "plan",
    "prompt",
    "life_event",
    "concern",
    "collective_birthday",
    "fund",
    "fund_public",
    "application",
    "campaign",
)


def can_view_reports(user) -> bool:
    return access.may(user, "report", access.VIEW)


def report_organizations(user):
    """The organizations whose reports the user may open: under those where they hold a report role."""
    return organizations_for(user, *access.real_roles("report", access.VIEW))


def picker_organizations(user, organization: Organization) -> list[Organization]:
    """The organizations the report pages offer to switch to: those above the one shown, itself and
    those right under it, as far as the user may see them. A city 组织部 oversees 5,500 organizations:
    listing them all made the picker the heaviest part of the page; the rows' links go further down."""
    above = [int(part) for part in organization.path.strip("/").split("/") if part]
    found = list(report_organizations(user).filter(Q(pk__in=above) | Q(parent_id=organization.pk)).order_by("path"))
    for org in found:
        org.is_below = org.parent_id == organization.pk  # shown indented under the one shown
    return found


@dataclass(frozen=True)
class Unit:
    """One row of a dashboard: a branch, or an organization standing for every branch under it."""

    organization: Organization
    org_ids: frozenset[int]  # the organizations whose figures add up in this row
    is_branch: bool

    @property
    def label(self) -> str:
        return self.organization.name


@dataclass
class ReportScope:
    user: object
    organization: Organization
    year: int
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A figure several sections and metrics share is computed once per scope."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def _tree(self) -> OrganizationRows:
        """Every organization under (and including) the organization that the user may see, in tree
        order, as columns of plain values (ids, kinds, paths): a city's 5,500 model instances cost more
        than the figures read from the cache."""
        root = self.organization.path
        return organization_rows(self.user, *access.real_roles("report", access.VIEW)).under(root)

    @cached_property
    def branches(self) -> list[Organization]:
        """Branches under the organization that the user may see, in tree order."""
        return [org for org in self.subtree if org.kind == Organization.Kind.BRANCH]

    @cached_property
    def subtree(self) -> list[Organization]:
        """Every organization under (and including) the organization that the user may see."""
        return list(Organization.objects.filter(pk__in=self.subtree_ids).order_by("path"))

    def shows(self, kind: str, action: str = access.LIST) -> bool:
        """Whether the viewer may read figures of `kind` for the whole scope: they hold one of the role
        table's roles for it over the scope's organization. A fund officer's dashboard and workbook
        hold the fund's figures, not the ledger's or the talks'."""
        return access.may_at(self.user, kind, action, self.organization)

    @cached_property
    def visible_kinds(self) -> tuple[str, ...]:
        """What the viewer may read here, for cache keys: two viewers who see the same share entries."""
        return tuple(
            kind
            for kind in REPORTED_KINDS
            for action in (access.LIST, access.EXPORT)
            if access.TABLE[kind][1].get(action) and self.shows(kind, action)
        )

    @cached_property
    def subtree_ids(self) -> list[int]:
        return list(self._tree.ids)

    @property
    def day(self) -> dt.date:
        """The day the report speaks of: the year's end, or today for the year under way."""
        return min(self.end, timezone.localdate())

    @cached_property
    def branch_ids(self) -> list[int]:
        return self._tree.ids_of_kind(Organization.Kind.BRANCH)

    @cached_property
    def units(self) -> list[Unit]:
        """Dashboard rows, so that a 党委 with hundreds of branches still reads at a glance: the
        organization's children, each 党总支 adding up the branches under it (and its own figures);
        the organization itself when it is a branch."""
        if self.organization.kind == Organization.Kind.BRANCH:
            return [Unit(self.organization, frozenset({self.organization.pk}), True)]
        root = self.organization.path
        under: dict[int, set[int]] = {}  # child id: the organizations under it (itself included)
        with_branches: set[int] = set()
        for pk, kind, path in self._tree:
            if path == root:
                continue
            child = int(path[len(root) :].split("/", 1)[0])
            under.setdefault(child, set()).add(pk)
            if kind == Organization.Kind.BRANCH:
                with_branches.add(child)
        visible = set(self.subtree_ids)  # an inactive 党总支's branches belong to no row, as before
        children = Organization.objects.filter(pk__in=with_branches & visible).order_by("path")
        return [Unit(child, frozenset(under[child.pk]), child.kind == Organization.Kind.BRANCH) for child in children]

    def narrowed(self, ids: Iterable[int]) -> ScopePart:
        """The scope narrowed to some of its organizations, for computing their figures apart."""
        return ScopePart(self, ids)

    @cached_property
    def unit_of(self) -> dict[int, int]:
        """{organization id: the id of the dashboard unit (row) its figures add up in}."""
        return {org_id: unit.organization.pk for unit in self.units for org_id in unit.org_ids}

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def title(self) -> str:
        return f"{self.organization.name} {self.year}年"


class ScopePart:
    """A scope narrowed to some of its organizations, for computing their metrics (reports.metrics): its
    branch_ids and subtree_ids narrowed (in tree order), its own memo, everything else the scope's. A
    metric's value for an organization depends only on that organization being in the part, so parts
    can be computed (and cached) apart and added up."""

    def __init__(self, scope: ReportScope, ids: Iterable[int]) -> None:
        wanted = set(ids)
        self._scope = scope
        self._memo: dict = {}
        self.branch_ids = [pk for pk in scope.branch_ids if pk in wanted]
        self.subtree_ids = [pk for pk in scope.subtree_ids if pk in wanted]

    once = ReportScope.once  # on the part's own memo

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scope, name)


def resolve_scope(user, *, org_id=None, year=None) -> ReportScope:
    """The requested organization if the user may see it (else 404); by default their top one. A year
    that is not one (abc, 0, 99999) is refused with a message; none given means this year."""
    visible = report_organizations(user)
    if org_id not in (None, ""):
        organization = visible.filter(pk=id_param(org_id) or 0).first()
        if organization is None:
            raise Http404("组织不存在或不在您的管辖范围内")
    else:
        organization = visible.order_by("path").first()
        if organization is None:
            raise Http404("您没有可查看报表的组织")
    today = timezone.localdate()
    if year in (None, ""):
        chosen = today.year
    else:
        chosen = year_param(year)
        if chosen is None or chosen < EARLIEST_REPORT_YEAR:
            raise BadYear(f"年度应为{EARLIEST_REPORT_YEAR}年至{today.year + 1}年之间的四位数字")
    return ReportScope(user=user, organization=organization, year=chosen)


# The product keeps care records from this year on; earlier years have no data to report.
EARLIEST_REPORT_YEAR = 2000


class BadYear(ValueError):
    """A year parameter that is not a year the reports cover; the message is shown as-is."""
