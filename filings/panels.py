"""What 上级报送 adds to the home page: the secretary's reports due, the 组织部's tally."""

from __future__ import annotations

from core import clock
from core.panels import Panel
from filings import selectors
from filings.periods import current_periods
from members import access
from members.access import LIST


def home_panel(request):
    user = request.user
    if not access.may(user, "filing", LIST):
        return None
    today = clock.today()
    periods = current_periods(today)
    receiving = access.may(user, "filing", "receive")
    units = selectors.reporting_units(user)
    own = selectors.secretary_units(user) if access.may(user, "filing", "submit") else []
    if not receiving and own:
        units = units.filter(pk__in=[u.pk for u in own])
    units = list(units[:50]) if not receiving else list(units)
    sections = []
    for period in periods:
        rows = selectors.overview(units, period, today=today)
        if not rows:
            continue
        sections.append({"period": period, "tally": selectors.tally(period, rows), "rows": [] if receiving else rows})
    if not sections:
        return None
    submitter_of = {u.pk for u in own}
    return Panel(
        title="上级报送",
        template="filings/_home.html",
        context={"sections": sections, "receiving": receiving, "submitter_of": submitter_of},
    )
