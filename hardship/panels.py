"""What the ledger adds to the home page and to the member pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max, prefetch_related_objects

from core.panels import Panel
from hardship import permissions, selectors
from hardship.models import HardshipRecord, Pairing
from members import access


def coverage_panel(request):
    user = request.user
    if not permissions.can_see_coverage(user):
        return None
    return Panel(
        title="困难党员帮扶覆盖",
        template="hardship/_home_coverage.html",
        context={"coverage": selectors.coverage(user)},
    )


def member_section(request, member, own_page: bool):
    """The member's ledger line and pairings. On /me/ only what the member may read about themself:
    no income, family or causes, no reviewers' notes; their helpers and what was done for them."""
    user = request.user
    records = list(
        HardshipRecord.objects.for_user(user, "summary")
        .filter(member=member)
        .prefetch_related("categories", "needs")
        .order_by("-registered_on")
    )
    # The households paired with the member and those the member helps, in one query: a UNION of the
    # two sets of keys (each an index scan; an OR of them was planned as joins of whole tables).
    keys = (
        Pairing.objects.filter(record__member=member)
        .order_by()  # no ordering inside a UNION (SQLite refuses it)
        .values("pk")
        .union(Pairing.objects.filter(helper=member, status=Pairing.Status.ACTIVE).order_by().values("pk"), all=True)
    )
    related = list(Pairing.objects.for_user(user).filter(pk__in=keys).select_related("helper", "record__member"))
    helping = [p for p in related if p.helper_id == member.pk and p.status == Pairing.Status.ACTIVE]
    if not records and not helping:
        return None
    pairings = [p for p in related if p.record.member_id == member.pk]
    prefetch_related_objects(pairings, "help_types", "progress__help_type")  # what the section shows of them
    show_confidential = bool(records) and not own_page and permissions.can_see_confidential(user, records[0])
    return Panel(
        title="困难帮扶" if records else "结对帮扶",
        template="hardship/_member_section.html",
        context={
            "records": records,
            "pairings": pairings,
            "helping": helping,
            "own_page": own_page,
            "show_confidential": show_confidential,
            "can_view_ledger": permissions.can_view_ledger(user),
        },
    )


def helper_panel(request):
    """A helper's own pairings (a 支委 or any member who carries households): whom they help, when they
    last logged progress, and which are overdue (no progress for PAIRING_REPORT_DAYS). One query."""
    user = request.user
    if not access.is_member(user):  # cached for the request by the menu's checks
        return None
    cutoff = selectors.progress_cutoff()
    pairings = list(
        Pairing.objects.active()
        .filter(helper__user=user)
        .select_related("record__member")
        .annotate(last_progress_on=Max("progress__date"))
        .order_by("started_on", "pk")[:20]
    )
    if not pairings:
        return None
    for pairing in pairings:
        pairing.is_overdue = (pairing.last_progress_on or pairing.started_on) < cutoff
    return Panel(
        title="我的结对帮扶",
        template="hardship/_home_helper.html",
        context={
            "pairings": pairings,
            "overdue": sum(p.is_overdue for p in pairings),
            "days": settings.CARE["PAIRING_REPORT_DAYS"],
        },
    )
