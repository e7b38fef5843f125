"""Dashboard sections: each is a chart with its numbers in a table beside it, per branch.

A section builder takes a ReportScope and returns a Section (or None when it has nothing to show
for this scope). Domains add builders to `SECTIONS`; the order of the list is the page order.
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


def branch_rows(
    rows: list[dict], keys: list[str], totals: dict, *, link: Callable[[Any], str] | None = None
) -> list[Row]:
    """Table rows for per-branch metrics, with the totals row last."""
    body = [
        Row([r.get("label", r["branch"].name), *(r[k] for k in keys)],
            link(r["branch"]) if link and not r.get("own_level") else None)
        for r in rows
    ]
    return [*body, Row(["合计", *(totals[k] for k in keys)], total=True)]


def members_section(scope: ReportScope) -> Section:
    rows, totals = metrics.table(scope, [m for m in metrics.METRICS if m.key == "members"])
    return Section(
        title="党员队伍",
        chart=charts.bar_chart([(r["branch"].name, r["members"]) for r in rows], title="各支部党员人数", unit="人"),
        headers=["支部", "党员人数"],
        rows=branch_rows(rows, ["members"], totals,
                         link=lambda b: f"{reverse('members:list')}?organization={b.pk}&state=active"),
        note=f"截至{scope.year}年底在册党员",
    )


SECTIONS: list[Callable[[ReportScope], Section | None]] = [members_section]


def build(scope: ReportScope) -> list[Section]:
    return [section for builder in SECTIONS if (section := builder(scope)) is not None]
