"""What awards adds to the home page and to the member pages."""

from django.utils import timezone

from awards import selectors
from core.panels import Panel


def home_panel(request):
    if not request.user.is_authenticated:
        return None
    items = selectors.cached_home_items(request.user, today=timezone.localdate())
    if not items:
        return None
    return Panel(title="表彰评选", template="awards/_home_panel.html", context={"items": items})


def honours_section(request, member, own_page):
    honours = list(selectors.member_honours(member))
    if not honours and not own_page:
        return None
    return Panel(
        title=f"表彰奖励（{len(honours)}）",
        template="awards/_member_honours.html",
        context={"honours": honours, "own_page": own_page},
    )
