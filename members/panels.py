"""What the roster contributes to the home page."""

from core.registry import Panel
from members import permissions, selectors


def roster_panel(request):
    user = request.user
    if not permissions.can_view_roster(user):
        return None
    return Panel(
        title="党员队伍",
        template="members/_home_roster.html",
        context={
            "branches": list(selectors.branch_summary(user)),
            "probation_due": selectors.probation_due(user),
        },
        order=10,
    )
