"""What the 全面排查 adds to the home page: the open period's progress, for the branch or the department."""

from __future__ import annotations

from core import clock
from core.panels import Panel
from members import access
from members.access import LIST
from surveys import selectors
from surveys.models import BranchSurvey, SurveyPeriod


def home_panel(request):
    user = request.user
    if not access.may(user, "survey", LIST):
        return None
    today = clock.today()
    summaries, branch_surveys = [], []
    if access.may(user, "survey", "overview"):
        # The department follows the whole period; its branches' rows are on the progress page.
        periods = SurveyPeriod.objects.for_user(user, "overview").filter(starts_on__lte=today, ends_on__gte=today)
        for period in periods.select_related("organization")[:3]:
            summaries.append((period, selectors.period_totals(period)))
    else:
        branch_surveys = list(
            selectors.with_progress(
                BranchSurvey.objects.for_user(user, LIST).filter(
                    period__starts_on__lte=today, period__ends_on__gte=today, done_on__isnull=True
                )
            )
            .select_related("period", "branch")
            .order_by("period__ends_on", "branch__path")[:6]
        )
    if not summaries and not branch_surveys:
        return None
    return Panel(
        title="主题教育全面排查",
        template="surveys/_home_panel.html",
        context={"summaries": summaries, "branch_surveys": branch_surveys, "today": today},
    )
