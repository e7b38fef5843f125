"""What the roster contributes to the home page."""

from core import calendars, clock
from core.panels import Panel
from members import access, permissions, selectors


def roster_panel(request):
    user = request.user
    if not permissions.can_view_roster(user):
        return None
    return Panel(title="党员队伍", template="members/_home_roster.html", context=selectors.home_summary(user))


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
