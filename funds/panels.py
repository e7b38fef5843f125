"""What the funds app adds to the home page, the member page and /me/."""

from django.db.models import Subquery, Sum
from django.urls import reverse

from core.panels import Panel
from funds import permissions, selectors
from funds.models import AssistanceApplication, Fund, Status
from members import access


def todo_panel(request):
    user = request.user
    listing = reverse("funds:applications")
    todo, notices = selectors.cached_todo(user)
    items = [(what, count, f"{listing}?{query}") for what, count, query in todo]
    if access.may(user, "fund", "disburse"):
        for fund in Fund.objects.for_user(user, "disburse"):
            waiting = selectors.uses_waiting(fund)
            count = waiting["visits"].count() + waiting["progress"].count()
            if count:
                items.append(("慰问金和帮扶资金待列支", count, reverse("funds:uses", args=[fund.pk])))
    if not items and not notices:
        return None
    return Panel(title="帮扶申请待办", template="funds/_home_todo.html", context={"items": items, "notices": notices})


def member_section(request, member, own_page):
    user = request.user
    if not own_page and not access.may(user, "application", access.LIST):
        return None
    # What the member has received in all (every application of theirs, not only those the viewer's
    # list shows), read with the list.
    disbursed = AssistanceApplication.objects.filter(member=member, status=Status.DISBURSED)
    total = disbursed.order_by().values("member").annotate(total=Sum("amount_approved")).values("total")
    applications = list(
        AssistanceApplication.objects.for_user(user, access.LIST)
        .filter(member=member)
        .annotate(member_received=Subquery(total[:1]))
        .order_by("-created_at")[:20]
    )
    if not applications and not own_page:
        return None
    if applications:
        received = applications[0].member_received
    else:
        received = disbursed.aggregate(total=Sum("amount_approved"))["total"]
    return Panel(
        title="帮扶申请与救助金" if not own_page else "我的帮扶申请",
        template="funds/_member_section.html",
        context={
            "applications": applications,
            "received": received,
            "own_page": own_page,
            "member": member,
            "can_apply": own_page or permissions.can_apply_for(user, member),
        },
    )
