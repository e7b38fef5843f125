"""What a report covers: an organization subtree the viewer may see, and a year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import Http404
from django.utils import timezone

from members.models import Organization, Role
from members.permissions import is_manager
from members.scoping import has_role, organizations_for


def can_view_reports(user) -> bool:
    return is_manager(user) or has_role(user, Role.FUND_OFFICER)


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
    def branches(self) -> list[Organization]:
        """Branches under the organization that the user may see, in tree order."""
        return [org for org in self.subtree if org.kind == Organization.Kind.BRANCH]

    @cached_property
    def subtree(self) -> list[Organization]:
        """Every organization under (and including) the organization that the user may see."""
        return list(organizations_for(self.user).filter(path__startswith=self.organization.path).order_by("path"))

    @property
    def subtree_ids(self) -> list[int]:
        return [organization.pk for organization in self.subtree]

    @property
    def day(self) -> dt.date:
        """The day the report speaks of: the year's end, or today for the year under way."""
        return min(self.end, timezone.localdate())

    @property
    def branch_ids(self) -> list[int]:
        return [branch.pk for branch in self.branches]

    @cached_property
    def units(self) -> list[Unit]:
        """Dashboard rows, so that a 党委 with hundreds of branches still reads at a glance: the
        organization's children, each 党总支 adding up the branches under it (and its own figures);
        the organization itself when it is a branch."""
        if self.organization.kind == Organization.Kind.BRANCH:
            return [Unit(self.organization, frozenset({self.organization.pk}), True)]
        children = [
            org for org in self.subtree
            if org.parent_id == self.organization.pk
        ]
        units = []
        for child in children:
            ids = frozenset(org.pk for org in self.subtree if org.path.startswith(child.path))
            if child.kind == Organization.Kind.BRANCH or any(
                org.kind == Organization.Kind.BRANCH for org in self.subtree if org.pk in ids
            ):
                units.append(Unit(child, ids, child.kind == Organization.Kind.BRANCH))
        return units

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def title(self) -> str:
        return f"{self.organization.name} {self.year}年"


def resolve_scope(user, *, org_id=None, year=None) -> ReportScope:
    """The requested organization if the user may see it (else 404); by default their top one."""
    visible = organizations_for(user)
    if org_id not in (None, ""):
        try:
            organization = visible.get(pk=int(org_id))
        except (ValueError, Organization.DoesNotExist) as exc:
            raise Http404("组织不存在或不在您的管辖范围内") from exc
    else:
        organization = visible.order_by("path").first()
        if organization is None:
            raise Http404("您没有可查看报表的组织")
    today = timezone.localdate()
    try:
        year = int(year) if year not in (None, "") else today.year
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    return ReportScope(user=user, organization=organization, year=year)
