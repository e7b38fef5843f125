"""What visits and talks add to the home page and to the member pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Value
from django.utils import timezone

from core.panels import Panel
from members import access
from members.access import CREATE, LIST
from members.models import Member, Organization
from members.scoping import MANAGER_ROLES, organization_rows
from visits import permissions, selectors
from visits.models import Concern, LifeEvent, Talk, Visit, VisitPlan, VisitPlanItem, VisitPrompt


def home_panel(request):
    """The secretary's to-do: unfinished plan items, visits the rules call for, talks due."""
    user = request.user
    if not permissions.is_care_manager(user):
        return None
    today = timezone.localdate()
    branch_ids = organization_rows(user, *MANAGER_ROLES).ids_of_kind(Organization.Kind.BRANCH)
    plans = list(
        selectors.plans_with_progress(
            VisitPlan.objects.for_user(user).filter(holiday__gte=today - dt.timedelta(days=30))
        ).order_by("holiday", "organization__path")[:6]
    )
    plan_ids = [p.pk for p in plans if p.holiday >= today]
    items = list(
        selectors.open_plan_items(VisitPlanItem.objects.filter(plan_id__in=plan_ids)).order_by(
            "plan__holiday", "member__name"
        )[:8]
    )
    open_prompts = list(
        VisitPrompt.objects.for_user(user)
        .open()
        .select_related("member", "member__organization")
        .order_by("-raised_on")[:8]
    )
    due_count, first_due = selectors.talks_due_head(branch_ids, today, first=5)
    due = selectors.with_due_figures(first_due, selectors.members_by_id(user, [row[0] for row in first_due]))
    # 反映情况 not answered yet: one indexed count.
    concerns = Concern.objects.for_user(user, LIST).exclude(status=Concern.Status.ANSWERED).count()
    return Panel(
        title="走访慰问与谈心谈话",
        template="visits/_home.html",
        context={
            "plans": plans,
            "items": items,
            "prompts": open_prompts,
            "due": due,
            "due_count": due_count,
            "today": today,
            "concerns": concerns,
        },
    )


def _with_names(visits: list[Visit], talks: list[Talk]) -> None:
    """`visitor_names` on each visit and `interviewer_names` on each talk, read in one query (a UNION
    of the two link tables) where two prefetches took two."""
    names: dict[tuple[str, int], list[str]] = {}
    parts = []
    for kind, records, through, key, attribute in (
        ("visit", visits, Visit.visitors.through, "visit", "visitor_names"),
        ("talk", talks, Talk.interviewers.through, "talk", "interviewer_names"),
    ):
        for record in records:
            names[(kind, record.pk)] = []
            setattr(record, attribute, names[(kind, record.pk)])
        if records:
            parts.append(
                through.objects.filter(**{f"{key}__in": records})
                .order_by()
                .annotate(kind=Value(kind, output_field=CharField()))
                .values_list("kind", f"{key}_id", "member__organization_id", "member__name", "member_id")
            )
    if not parts:
        return
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for kind, pk, _organization, name, _member in sorted(rows):  # in the members' own order
        names[(kind, pk)].append(name)


def member_section(request, member: Member, own_page: bool):
    """Talks and visits of one member. On /me/ the member reads them without the internal notes."""
    user = request.user
    visits = list(Visit.objects.for_user(user).filter(member=member).order_by("-visited_on", "-id")[:10])
    talks = list(Talk.objects.for_user(user).filter(participants=member).order_by("-talked_on", "-id")[:10])
    _with_names(visits, talks)
    can_log = not own_page and permissions.can_log_visit(user, member)
    context = {
        "visits": visits,
        "talks": talks,
        "member": member,
        "own_page": own_page,
        "can_log": can_log,
        "prompts": [],
        "events": [],
        "concerns": [],
    }
    if own_page:
        # 反映情况 and the branch's answers; the prompts and events are the branch's working notes.
        context["concerns"] = list(Concern.objects.filter(member=member).order_by("-created_at", "-id")[:10])
    else:
        context["prompts"] = list(VisitPrompt.objects.for_user(user).open().filter(member=member))
        context["events"] = list(LifeEvent.objects.for_user(user, LIST).filter(member=member)[:10])
        context["can_record_event"] = member.is_on_roll and access.may_at(
            user, "life_event", CREATE, member.organization
        )
    return Panel(title="谈心谈话与走访慰问", template="visits/_member_section.html", context=context)
