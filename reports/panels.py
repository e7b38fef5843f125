"""The reports' block on the home page: this year's headline figures for the viewer's scope."""

from __future__ import annotations

from django.http import Http404

from core.panels import Panel
from reports import contents
from reports.scope import can_view_reports, resolve_scope

HEADLINES = [
    ("members", "党员"),
    ("hardship", "困难党员"),
    ("helped_share", "帮扶人覆盖"),
    ("talk_coverage", "谈话覆盖"),
    ("visits", "今年走访"),
    ("fund_spending", "帮扶支出（元）"),
]


def summary_totals(scope) -> dict:
    return contents.cached_totals(scope)


def headline_panel(request):
    user = request.user
    if not can_view_reports(user):
        return None
    try:
        scope = resolve_scope(user)
    except Http404:
        return None
    totals = summary_totals(scope)
    tiles = []
    for key, label in HEADLINES:
        if key not in totals:
            continue
        value = totals[key]
        metric = next(m for m in contents.METRICS if m.key == key)
        if metric.kind == "percent":
            text = "—" if value is None else f"{value:g}%"
        elif metric.kind == "money":
            text = f"{value:,.0f}"
        else:
            text = f"{value:,}"
        tiles.append((label, text))
    return Panel(
        title=f"{scope.title}关怀帮扶概况",
        template="reports/_home_headline.html",
        context={"scope": scope, "tiles": tiles},
    )
