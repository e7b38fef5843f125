"""What the roster contributes to the home page."""

from core import calendars, clock
from core.panels import Panel
from members import access, permissions, selectors

SHOWN_BRANCHES = 12  # above this, the home page sums the unit up and lists the branches needing attention


def roster_panel(request):
    user = request.user
    if not permissions.can_view_roster(user):
        return None
    branches, probation_due = selectors.home_summary(user)
    context = {"branches": branches, "probation_due": probation_due, "summarised": False}
    if len(branches) > SHOWN_BRANCHES:
        # The organization department of a county has 500 branches: one line for the unit, and the
        # branches with the most members lacking a phone number (the roster's own to-do).
        keys = ("total", "probationary", "old", "without_phone")
        context.update(
            summarised=True,
            branch_count=len(branches),
            totals={key: sum(row[key] for row in branches) for key in keys},
            branches=sorted((row for row in branches if row["without_phone"]), key=lambda row: -row["without_phone"])[
                :SHOWN_BRANCHES
            ],
        )
    return Panel(title="党员队伍", template="members/_home_roster.html", context=context)


def conflicts_panel(request):
    """Roster imports that met a number registered elsewhere: for the 组织部 over both branches."""
    if not access.may(request.user, "roster_conflict", access.LIST):
        return None
    conflicts = selectors.open_import_conflicts(request.user)
    if not conflicts:
        return None
    return Panel(
        title=f"名册导入冲突待核实（{len(conflicts)}）",
        template="members/_home_conflicts.html",
        context={"conflicts": conflicts},
    )


def calendar_panel(request):
    """From 1 November while next year's holiday schedule is not entered (and all year while this year's
    is not), the organization department is asked to enter it: notices are otherwise provisional."""
    if not permissions.can_manage_calendar(request.user):
        return None
    years = calendars.years_needing_schedule(clock.today())
    if not years:
        return None
    return Panel(title="节假日安排待录入", template="members/_home_calendar.html", context={"years": years})
