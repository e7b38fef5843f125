"""Per-branch figures shared by the dashboards and the 汇总 sheet, so both always agree.

A metric maps a ReportScope to {branch_id: value}. Each domain module defines its own; the list the
汇总 sheet and the home page read is `reports.contents.METRICS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from members.models import Member, Organization


@dataclass(frozen=True)
class Metric:
    key: str
    header: str
    kind: str  # int | money | percent | text
    compute: Callable[[Any], dict[int, Any]] | None = None
    # A percent metric is numerator/denominator of two other metrics, also in the totals row.
    ratio_of: tuple[str, str] | None = None
    # A text metric adds up values of another kind (e.g. Counter per category) and shows them with
    # `display`; `zero` is the value of an organization the metric has nothing for.
    zero: Callable[[], Any] = int
    display: Callable[[Any], Any] | None = None
    # The row of the role table (members.access) whose figures these are: a fund officer's 汇总 has
    # the fund's columns, not the ledger's or the talks'.
    access_kind: str = "member"

    def shown(self, value):
        return self.display(value) if self.display is not None else value

    def ratio(self, numerator, denominator) -> float | None:
        return round(100 * numerator / denominator, 1) if denominator else None


def members_on_roll(scope):
    """Members of the scope's branches on the roll at the end of the year."""
    return (
        Member.objects.filter(organization_id__in=scope.branch_ids)
        .filter(Q(deceased_on__isnull=True) | Q(deceased_on__gt=scope.end))
        .filter(Q(transferred_out_on__isnull=True) | Q(transferred_out_on__gt=scope.end))
        .filter(join_date__lte=scope.end)
    )


def _on_roll_members(scope) -> dict[int, int]:
    rows = members_on_roll(scope).values("organization_id").annotate(n=Count("id"))
    return {row["organization_id"]: row["n"] for row in rows}


MEMBERS = Metric("members", "党员人数", "int", _on_roll_members)


def visible(scope, metrics: list[Metric], action: str = "list") -> list[Metric]:
    """The metrics whose kind the viewer may read over the scope's organization (a ratio only with
    both its parts)."""
    shown = [m for m in metrics if scope.shows(m.access_kind, action)]
    keys = {m.key for m in shown}
    return [m for m in shown if not m.ratio_of or set(m.ratio_of) <= keys]


def table(scope, metrics: list[Metric]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A dashboard's rows: one per unit of `scope.units` (a 党总支 adds up its branches) with every metric
    (and the unit's organization), and the totals row. The workbook's 汇总, a branch a row, is
    `streamed_table`.

    Figures that belong to an organization above the units (a 党委's own care fund) get a row of their
    own, labelled “（本级）”, after the units; `row["label"]` is what a page shows."""
    values = {m.key: m.compute(scope) for m in metrics if m.compute is not None}
    units = [(unit.organization, unit.org_ids, unit.is_branch) for unit in scope.units]
    covered = set().union(*(ids for _, ids, _ in units)) if units else set()
    own_level_ids = {
        org_id for by_org in values.values() for org_id, value in by_org.items() if org_id not in covered and value
    }
    # Only the few organizations with figures of their own are read (a city's tree has 5,500).
    levels = Organization.objects.filter(pk__in=own_level_ids & set(scope.subtree_ids)).order_by("path")
    units += [(org, frozenset({org.pk}), False) for org in levels]
    rows = []
    for organization, ids, is_branch in units:
        own_level = organization.pk in own_level_ids
        row: dict[str, Any] = {
            "branch": organization,
            "own_level": own_level,
            "is_branch": is_branch,
            "label": f"{organization.name}（本级）" if own_level else organization.name,
        }
        for metric in metrics:
            if metric.compute is not None:
                by_org = values[metric.key]
                row[metric.key] = sum((by_org.get(pk, metric.zero()) for pk in ids), metric.zero())
        rows.append(row)
    totals: dict[str, Any] = {
        m.key: sum((row[m.key] for row in rows), m.zero()) for m in metrics if m.compute is not None
    }
    for row in rows:
        _add_ratios(metrics, row)
    _add_ratios(metrics, totals)
    return rows, totals


# How many organizations' figures the workbook's 汇总 holds at once (about two counties'). A city's
# 5,500 organizations × 13 figures held together (dicts and Counters per branch) were the workbook's
# peak memory, +25 MB against a county's +8 MB; in parts of 1,000 it is a county's. Each part reads the
# year's rows again, so smaller parts cost time (city: 2.6 s whole, 4.7 s in parts of 1,000, 5.1 s of 600).
PART_SIZE = 1000


def streamed_table(scope, metrics: list[Metric]) -> Iterator[dict[str, Any]]:
    """The rows of `table(scope, metrics)` (a branch a row, the levels' own figures after them), then its
    totals row (`row["totals"]` true), computed a part of the tree at a time (ReportScope.narrowed):
    memory follows a part, not the scope. Only `row["label"]` and the metrics' keys are filled."""
    computed = [m for m in metrics if m.compute is not None]
    totals: dict[str, Any] = {m.key: m.zero() for m in computed}
    own_level: dict[int, dict[str, Any]] = {}  # the few organizations above the branches with figures
    branch_ids = set(scope.branch_ids)

    def finished(row: dict[str, Any]) -> dict[str, Any]:
        for metric in computed:
            totals[metric.key] = totals[metric.key] + row[metric.key]
        _add_ratios(metrics, row)
        return row

    for start in range(0, len(scope.subtree_ids), PART_SIZE):
        part = scope.narrowed(scope.subtree_ids[start : start + PART_SIZE])
        values = {m.key: m.compute(part) for m in computed}
        names = dict(Organization.objects.filter(pk__in=part.branch_ids).values_list("pk", "name"))
        for pk in part.branch_ids:
            yield finished({"label": names[pk], **{m.key: values[m.key].get(pk, m.zero()) for m in computed}})
        for pk in part.subtree_ids:
            if pk not in branch_ids and any(values[m.key].get(pk) for m in computed):
                own_level[pk] = {m.key: values[m.key].get(pk, m.zero()) for m in computed}
    names = dict(Organization.objects.filter(pk__in=own_level).values_list("pk", "name"))
    for pk, figures in own_level.items():  # in tree order, as the parts were
        yield finished({"label": f"{names[pk]}（本级）", **figures})
    _add_ratios(metrics, totals)
    yield {"label": "合计", "totals": True, **totals}


def _add_ratios(metrics: list[Metric], row: dict[str, Any]) -> None:
    for metric in metrics:
        if metric.ratio_of:
            numerator, denominator = metric.ratio_of
            row[metric.key] = metric.ratio(row[numerator], row[denominator])
