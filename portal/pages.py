"""What the home page and a member's page show, domain by domain, in the order listed here."""

from __future__ import annotations

from awards import panels as awards_panels
from core.panels import Panel
from filings import panels as filings_panels
from funds import panels as funds_panels
from hardship import panels as hardship_panels
from members import panels as members_panels
from reports import panels as reports_panels
from surveys import panels as surveys_panels
from visits import panels as visits_panels

# Each takes the request and returns a Panel, or None when it has nothing for this user.
HOME = (
    members_panels.calendar_panel,
    members_panels.conflicts_panel,
    members_panels.roster_panel,
    hardship_panels.coverage_panel,
    hardship_panels.helper_panel,
    visits_panels.home_panel,
    surveys_panels.home_panel,
    funds_panels.todo_panel,
    awards_panels.home_panel,
    filings_panels.home_panel,
    reports_panels.headline_panel,
)

# Each takes (request, member, own_page): on /me/ (own_page) only what the member may read about
# themself — no confidential talk notes, reviewers' comments or the family's income.
MEMBER = (
    hardship_panels.member_section,
    visits_panels.member_section,
    funds_panels.member_section,
    awards_panels.honours_section,
)


def home_panels(request) -> list[Panel]:
    return [panel for provider in HOME if (panel := provider(request)) is not None]


def member_sections(request, member, *, own_page: bool) -> list[Panel]:
    return [section for provider in MEMBER if (section := provider(request, member, own_page)) is not None]
