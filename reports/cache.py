"""Dashboard figures cached per scope and year, on `core.cache` (namespace "reports").

The key holds the organization, the year, the report day and the exact set of organizations the
viewer sees under it (two viewers with the same view share an entry); the namespace's generation,
which any saved or deleted care record bumps, makes a change show at once. With the cache
unreachable the figures are computed per request and saves never fail (core.cache).

The home page's headline figures are kept per organization instead (namespace "reports:parts",
`metric_totals`): each metric maps organizations to values, so each organization's values are cached
under its own generation and the totals row is added up from them. A visit or a talk bumps only the
branches it belongs to (visits.selectors.BY_ORGANIZATION), so after a visit logged in one branch the
next home page of the 组织部 computes that branch's figures, not the county's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from core import cache as figures
from reports import metrics
from reports.scope import ReportScope

NAMESPACE = "reports"


def cached(kind: str, scope: ReportScope, compute: Callable[[], Any]) -> Any:
    """The cached figures of `kind` for the scope, or freshly computed ones."""
    parts = [
        kind,
        scope.organization.pk,
        scope.year,
        f"{scope.day:%Y%m%d}",
        figures.digest(scope.subtree_ids),
        figures.digest(scope.visible_kinds),
    ]
    return figures.cached(NAMESPACE, parts, compute)


def watch(models: Iterable) -> None:
    """Bump the dashboard's generation when any of these models changes (connected in ready())."""
    figures.watch(NAMESPACE, models)


PARTS = "reports:parts"


class _Part:
    """The scope narrowed to some of its organizations, for computing their metrics: branch_ids and
    subtree_ids narrowed, its own memo, everything else the scope's."""

    def __init__(self, scope: ReportScope, ids: Iterable[int]) -> None:
        wanted = set(ids)
        self._scope = scope
        self._memo: dict = {}
        self.branch_ids = [pk for pk in scope.branch_ids if pk in wanted]
        self.subtree_ids = [pk for pk in scope.subtree_ids if pk in wanted]

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scope, name)


def metric_totals(scope: ReportScope, shown: list[metrics.Metric]) -> dict[str, Any]:
    """The totals row of `metrics.table(scope, shown)`, from values cached per organization."""
    computed = [m for m in shown if m.compute is not None]

    def compute(ids: list[int]) -> dict[int, dict[str, Any]]:
        part = _Part(scope, ids)
        per_org: dict[int, dict[str, Any]] = {}
        for metric in computed:
            for org_id, value in metric.compute(part).items():
                per_org.setdefault(org_id, {})[metric.key] = value
        return per_org

    def combine(parts: dict[int, dict[str, Any]]) -> dict[str, Any]:
        values = {m.key: {org_id: part[m.key] for org_id, part in parts.items() if m.key in part} for m in computed}
        return metrics.table(scope, shown, values=values)[1]

    keys = [scope.organization.pk, scope.year, f"{scope.day:%Y%m%d}", figures.digest(m.key for m in shown)]
    return figures.cached_by_organization(PARTS, keys, scope.subtree_ids, compute, combine)


def watch_by_organization(models: dict, everything: Iterable) -> None:
    figures.watch_by_organization(PARTS, models, everything)
