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
    if access.may(user, "filing", "receive"):
        # The 组织部 sees the tally; each unit's row is on the 上级报送 page.
        sections = [{"period": t.period, "tally": t, "rows": []} for t in selectors.tallies(user, periods, today=today)]
        return _panel(sections, receiving=True, submitter_of=set()) if sections else None
    sections, submitter_of = selectors.own_sections(user, periods, today=today)
    return _panel(sections, receiving=False, submitter_of=submitter_of) if sections else None


def _panel(sections: list[dict], *, receiving: bool, submitter_of: set[int]) -> Panel:
    return Panel(
        title="上级报送",
        template="filings/_home.html",
        context={"sections": sections, "receiving": receiving, "submitter_of": submitter_of},
    )
