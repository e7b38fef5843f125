"""Dashboard figures cached per scope and year, on `core.cache`.

Each section of the 统计报表 page is an entry of its own (`sections`), in a namespace of its own
that only the models the section reads bump (reports.contents.SECTIONS): a logged visit makes the
monthly figures stale, not the ledger's or the fund's. The entry holds the section's figures and
its rendered table and chart. The key holds the organization, the year, the report day, the exact
set of organizations the viewer sees under it and the kinds the viewer may read (two viewers with
the same view share an entry). With the cache unreachable the figures are computed per request and
saves never fail (core.cache).

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


def _scope_parts(scope: ReportScope) -> list[Any]:
    return [
        scope.organization.pk,
        scope.year,
        f"{scope.day:%Y%m%d}",
        scope.once("subtree_digest", lambda: figures.digest(scope.subtree_ids)),  # 5,500 ids at city
        figures.digest(scope.visible_kinds),
    ]


def sections(scope: ReportScope, specs: Iterable[Any]) -> list[Any]:
    """The dashboard sections of `specs` (reports.contents.SectionSpec) for the scope, each cached
    under its own namespace and rendered once when computed (`Section.html`)."""
    from django.template.loader import render_to_string

    def build(spec) -> Any:
        section = spec.build(scope)
        if section is None:
            return False  # nothing to show (cached too: None would mean "not cached")
        section.html = render_to_string("reports/_section.html", {"section": section})
        return section

    found = []
    for spec in specs:
        section = figures.cached(spec.namespace, _scope_parts(scope), lambda spec=spec: build(spec))
        if section:
            found.append(section)
    return found


def watch_sections(specs: Iterable[Any], models_of: Callable[[Any], Iterable]) -> None:
    """Bump each section's namespace when a model it reads changes (connected in ready())."""
    for spec in specs:
        figures.watch(spec.namespace, models_of(spec))


# The home page's headline figures per organization, in two namespaces: the visits and talks a
# branch logs all day (bumped per branch, reports.apps) and the rest (the roster, the ledger, the fund,
# the commendations: bumped as a whole). A logged visit recomputes the branch's visit and talk figures
# only.
PARTS = "reports:parts"
CARE_PARTS = "reports:parts:care"
CARE_KINDS = frozenset({"visit", "talk"})


def metric_totals(scope: ReportScope, shown: list[metrics.Metric]) -> dict[str, Any]:
    """The totals row of the 汇总 (`metrics.streamed_table(scope, shown)`), from values cached per organization."""
    keys = [scope.organization.pk, scope.year, f"{scope.day:%Y%m%d}", figures.digest(m.key for m in shown)]
    totals: dict[str, Any] = {}
    for namespace, group in (
        (CARE_PARTS, [m for m in shown if m.compute is not None and m.access_kind in CARE_KINDS]),
        (PARTS, [m for m in shown if m.compute is not None and m.access_kind not in CARE_KINDS]),
    ):
        if group:
            totals |= _group_totals(scope, namespace, keys, group)
    for metric in shown:
        if metric.ratio_of:
            numerator, denominator = metric.ratio_of
            totals[metric.key] = metric.ratio(totals[numerator], totals[denominator])
    return totals


def _group_totals(scope: ReportScope, namespace: str, keys: list, group: list[metrics.Metric]) -> dict[str, Any]:
    def compute(ids: list[int]) -> dict[int, dict[str, Any]]:
        part = scope.narrowed(ids)
        per_org: dict[int, dict[str, Any]] = {}
        for metric in group:
            for org_id, value in metric.compute(part).items():
                per_org.setdefault(org_id, {})[metric.key] = value
        return per_org

    def combine(parts: dict[int, dict[str, Any]]) -> dict[str, Any]:
        # The 汇总's totals row: every organization's figure added up (the table's rows,
        # branches and the levels' own figures, partition them), without the rows' model instances.
        return {m.key: sum((part[m.key] for part in parts.values() if m.key in part), m.zero()) for m in group}

    return figures.cached_by_organization(namespace, keys, scope.subtree_ids, compute, combine)


# The 统计报表's sections that follow visits and talks (each month's count, the holiday plans' completion,
# the spending per branch: reports.contents.SECTION_PARTS) keep each organization's figures apart too, a
# namespace per section: a visit recomputes its branch's part, and the section is put together from the
# others' cached parts — over a city a section's query alone took 150–500 ms.
SECTION_PARTS = "reports:parts:section"


def by_organization(scope: ReportScope, name: str, compute: Callable[[Any], dict[int, Any]]) -> dict[int, Any]:
    """{organization id: value} over the scope's organizations, where `compute(part)` gives the values of
    the organizations of a narrowed scope (its branch_ids and subtree_ids), each cached under the
    organization's own generation in the section's namespace."""

    def part(ids: list[int]) -> dict[int, Any]:
        return compute(scope.narrowed(ids))

    keys = [scope.year, f"{scope.day:%Y%m%d}"]
    return figures.cached_by_organization(f"{SECTION_PARTS}:{name}", keys, scope.subtree_ids, part, dict)


def watch_section_parts(name: str, care_models: dict, whole: Iterable) -> None:
    """A section's parts: bumped per branch by visits and talks, whole by `whole` (with the roster)."""
    figures.watch_by_organization(f"{SECTION_PARTS}:{name}", care_models, whole)


def watch_parts(care_models: dict, roster: Iterable, others: Iterable) -> None:
    """Visits and talks bump the care figures of their branches; the roster and the organization tree
    bump both namespaces whole; the other models the headline figures read bump the rest whole."""
    roster = list(roster)
    figures.watch_by_organization(CARE_PARTS, care_models, roster)
    figures.watch(PARTS, [*roster, *others])
