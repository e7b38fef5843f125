"""Dashboard figures cached per scope and year, on `core.cache` (namespace "reports").

The key holds the organization, the year, the report day and the exact set of organizations the
viewer sees under it (two viewers with the same view share an entry); the namespace's generation,
which any saved or deleted care record bumps, makes a change show at once. With the cache
unreachable the figures are computed per request and saves never fail (core.cache)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from core import cache as figures
from reports.scope import ReportScope

NAMESPACE = "reports"


def cached(kind: str, scope: ReportScope, compute: Callable[[], Any]) -> Any:
    """The cached figures of `kind` for the scope, or freshly computed ones."""
    parts = [kind, scope.organization.pk, scope.year, f"{scope.day:%Y%m%d}", figures.digest(scope.subtree_ids),
             figures.digest(scope.visible_kinds)]
    return figures.cached(NAMESPACE, parts, compute)


def watch(models: Iterable) -> None:
    """Bump the dashboard's generation when any of these models changes (connected in ready())."""
    figures.watch(NAMESPACE, models)
