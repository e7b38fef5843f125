"""Dashboard sections: each is a chart with its numbers in a table beside it, per branch.

A section builder takes a ReportScope and returns a Section (or None when it has nothing to show
for this scope). The page's list, in order, is `reports.contents.SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from reports import charts, metrics
from reports.scope import ReportScope


@dataclass
class Row:
    cells: list[Any]
    link: str | None = None  # the branch's filtered list
    total: bool = False


@dataclass
class Section:
    title: str
    chart: SafeString
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    # The section as the page shows it, rendered when its figures are computed (reports.cache.sections).
    html: str = ""


def drill_down(organization, year: int) -> str:
    """The dashboard of an organization under this one (a 党总支's branches)."""
    return f"{reverse('reports:dashboard')}?org={organization.pk}&year={year}"


def unit_link(scope: ReportScope, unit, link: Callable[[Any], str] | None) -> str | None:
    """A branch row links to the app's filtered list; a 党总支 row to its own dashboard."""
    if unit.is_branch:
        return link(unit.organization) if link else None
    return drill_down(unit.organization, scope.year)


def rollup(scope: ReportScope, by_org: dict[int, Any], zero: Callable[[], Any] = int) -> list[tuple[Any, Any]]:
    """Per-organization figures added up per dashboard unit: [(unit, value)]."""
    totals = {unit.organization.pk: zero() for unit in scope.units}
    for org_id, value in by_org.items():  # each organization's figure once, into the row it belongs to
        unit_id = scope.unit_of.get(org_id)
        if unit_id is not None:
            totals[unit_id] = totals[unit_id] + value
    return [(unit, totals[unit.organization.pk]) for unit in scope.units]


def row_link(r: dict, link: Callable[[Any], str] | None, year: int | None) -> str | None:
    """For a row of metrics.table: a branch links to the filtered list, a 党总支 to its dashboard."""
    if r.get("own_level"):
        return None
    if r.get("is_branch", True):
        return link(r["branch"]) if link else None
    return drill_down(r["branch"], year) if year else None


def branch_rows(
    rows: list[dict],
    keys: list[str],
    totals: dict,
    *,
    link: Callable[[Any], str] | None = None,
    year: int | None = None,
) -> list[Row]:
    """Table rows for per-branch metrics (from metrics.table), with the totals row last."""
    body = [Row([r.get("label", r["branch"].name), *(r[k] for k in keys)], row_link(r, link, year)) for r in rows]
    return [*body, Row(["合计", *(totals[k] for k in keys)], total=True)]


def members_section(scope: ReportScope) -> Section:
    rows, totals = metrics.table(scope, [metrics.MEMBERS])
    return Section(
        title="党员队伍",
        chart=charts.bar_chart([(r["label"], r["members"]) for r in rows], title="各支部党员人数", unit="人"),
        headers=["支部", "党员人数"],
        rows=branch_rows(
            rows,
            ["members"],
            totals,
            link=lambda b: f"{reverse('members:list')}?organization={b.pk}&state=active",
            year=scope.year,
        ),
        note=f"截至{scope.year}年底在册党员",
    )
