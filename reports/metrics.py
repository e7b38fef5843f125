"""Per-branch figures shared by the dashboards and the 汇总 sheet, so both always agree.

A metric maps a ReportScope to {branch_id: value}. Each domain adds its own in this module's
registry (`METRICS`); the dashboard and the workbook read the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from members.models import Member


@dataclass(frozen=True)
class Metric:
    key: str
    header: str
    kind: str  # int | money | percent
    compute: Callable[[Any], dict[int, Any]] | None = None
    # A percent metric is numerator/denominator of two other metrics, also in the totals row.
    ratio_of: tuple[str, str] | None = None

    def ratio(self, numerator, denominator) -> float | None:
        return round(100 * numerator / denominator, 1) if denominator else None


def _on_roll_members(scope) -> dict[int, int]:
    rows = (
        Member.objects.filter(organization_id__in=scope.branch_ids)
        .filter(Q(deceased_on__isnull=True) | Q(deceased_on__gt=scope.end))
        .filter(Q(transferred_out_on__isnull=True) | Q(transferred_out_on__gt=scope.end))
        .filter(join_date__lte=scope.end)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {row["organization_id"]: row["n"] for row in rows}


METRICS: list[Metric] = [
    Metric("members", "党员人数", "int", _on_roll_members),
]


def register(metric: Metric) -> None:
    if all(existing.key != metric.key for existing in METRICS):
        METRICS.append(metric)


def table(scope, metrics: list[Metric] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per branch with every metric (and the branch itself), and the totals row."""
    metrics = metrics if metrics is not None else METRICS
    values = {m.key: m.compute(scope) for m in metrics if m.compute is not None}
    rows = []
    for branch in scope.branches:
        row: dict[str, Any] = {"branch": branch}
        for metric in metrics:
            if metric.compute is not None:
                row[metric.key] = values[metric.key].get(branch.pk, 0)
        rows.append(row)
    totals: dict[str, Any] = {m.key: sum(row[m.key] for row in rows) for m in metrics if m.compute is not None}
    for metric in metrics:
        if metric.ratio_of:
            numerator, denominator = metric.ratio_of
            for row in rows:
                row[metric.key] = metric.ratio(row[numerator], row[denominator])
            totals[metric.key] = metric.ratio(totals[numerator], totals[denominator])
    return rows, totals
