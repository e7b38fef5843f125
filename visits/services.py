"""Writes with rules: logging a visit (ticking its plan item and closing its prompt), logging a talk,
assigning visitors to a plan item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from core import audit, clock
from core.errors import DomainError
from hardship.services import check_money_source
from members import access
from members.models import Appointment, Member, Organization, Role
from notifications.services import Message, notify, notify_many, settle
from visits import permissions, selectors
from visits.models import (
    CollectiveBirthday,
    Concern,
    LifeEvent,
    Occasion,
    Talk,
    Visit,
    VisitPlan,
    VisitPlanItem,
    VisitPrompt,
)

PROMPT_OCCASIONS = (
    Occasion.ILLNESS,
    Occasion.BEREAVEMENT,
    Occasion.DISASTER,
    Occasion.ACCIDENT,
    Occasion.RELATIVE_DEATH,
    Occasion.SERIOUS_ILLNESS,
    Occasion.HARDSHIP,
    Occasion.FOLLOW_UP,
    Occasion.CONCERN,
    Occasion.ELDER_BIRTHDAY,
)


@transaction.atomic
def log_visit(
    *,
    by,
    member: Member,
    visited_on: dt.date,
    occasion: str,
    visitors: Iterable[Member],
    goods: str = "",
    amount: Decimal | None = None,
    money_source: str = "",
    money_source_note: str = "",
    notes: str = "",
    follow_up: str = "",
    plan_item: VisitPlanItem | None = None,
) -> Visit:
    """Record a visit. It ticks off the member's open plan item for that holiday and closes an open
    prompt for the same occasion. 慰问金 names its source: from the care fund, the fund officer books it
    as the fund's expense (funds.services.pay_visit); from elsewhere, the source is written down."""
    if not permissions.can_log_visit(by, member):
        raise PermissionDenied
    visitors = list(visitors)
    if not visitors:
        raise DomainError("请至少选择一名走访人", field="visitors")
    if visited_on > timezone.localdate():
        raise DomainError("走访日期不能晚于今天", field="visited_on")
    if amount is not None and amount < 0:
        raise DomainError("慰问金不能为负数", field="amount")
    money_source, money_source_note = check_money_source(amount, money_source, money_source_note)
    if member.transferred_out_on is not None:
        raise DomainError("该党员已转出，不能登记走访", field="member")
    if member.deceased_on is not None and occasion != Occasion.BEREAVEMENT:
        raise DomainError("该党员已故，只能登记“病故吊唁”", field="occasion")
    if plan_item is not None:
        plan_item = VisitPlanItem.objects.select_for_update().select_related("plan").get(pk=plan_item.pk)
        if plan_item.member_id != member.pk:
            raise DomainError("计划中的走访对象与所选党员不一致", field="member")
        if plan_item.visit_id is not None:
            raise DomainError("该计划对象已经走访过了")
        if occasion != plan_item.plan.occasion:
            raise DomainError(f"按计划走访的事由应为“{plan_item.plan.get_occasion_display()}”", field="occasion")
    visit = Visit.objects.create(
        member=member,
        visited_on=visited_on,
        occasion=occasion,
        goods=goods.strip(),
        amount=amount,
        money_source=money_source,
        money_source_note=money_source_note,
        notes=notes.strip(),
        follow_up=follow_up.strip(),
        created_by=by,
    )
    visit.visitors.set(visitors)
    if plan_item is None and occasion in (Occasion.SPRING_FESTIVAL, Occasion.JULY_FIRST):
        plan_item = _open_item_for(member=member, occasion=occasion, visited_on=visited_on)
    if plan_item is not None:
        plan_item.visit = visit
        plan_item.save(update_fields=["visit"])
    if occasion in PROMPT_OCCASIONS:
        prompts = VisitPrompt.objects.open().filter(member=member, occasion=occasion)
        settle(about=list(prompts), note=f"已走访（{visited_on:%m月%d日}）")
        prompts.update(closed_on=visited_on, visit=visit)
    return visit


def _open_item_for(*, member: Member, occasion: str, visited_on: dt.date) -> VisitPlanItem | None:
    """The unfinished plan item this holiday visit belongs to: a plan whose run-up contains the day."""
    lead = dt.timedelta(days=settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"] + 30)
    return (
        VisitPlanItem.objects.select_for_update()
        .filter(
            member=member,
            plan__occasion=occasion,
            visit__isnull=True,
            plan__holiday__gte=visited_on - dt.timedelta(days=30),
            plan__holiday__lte=visited_on + lead,
        )
        .order_by("plan__holiday")
        .first()
    )


@transaction.atomic
def assign_visitors(*, by, item: VisitPlanItem, visitors: Iterable[Member]) -> VisitPlanItem:
    item = VisitPlanItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    if not permissions.can_manage_plan(by, item.plan):
        raise PermissionDenied
    if item.visit_id is not None:
        raise DomainError("该对象已走访，不能再调整走访人")
    item.visitors.set(list(visitors))
    return item


@transaction.atomic
def log_talk(
    *,
    by,
    kind: str,
    talked_on: dt.date,
    interviewers: Iterable[Member],
    participants: Iterable[Member],
    reason: str,
    summary: str,
    opinions: str = "",
    follow_up: str = "",
    confidential_notes: str = "",
    priority_hardship: bool = False,
    priority_weak_awareness: bool = False,
    priority_grievance: bool = False,
) -> Talk:
    interviewers, participants = list(interviewers), list(participants)
    if not interviewers:
        raise DomainError("请至少选择一名谈话人", field="interviewers")
    if not participants:
        raise DomainError("请选择谈话对象", field="participants")
    if kind == Talk.Kind.INDIVIDUAL and len(participants) != 1:
        raise DomainError("个别谈话只能有一名谈话对象；多人请选择“集体谈话”", field="participants")
    if kind == Talk.Kind.COLLECTIVE and len(participants) < 2:
        raise DomainError("集体谈话至少需要两名谈话对象", field="participants")
    branches = {p.organization_id for p in participants}
    if len(branches) != 1:
        raise DomainError("谈话对象应属于同一个支部，不同支部请分别登记", field="participants")
    if any(not p.is_on_roll for p in participants):
        raise DomainError("谈话对象中有已故或已转出的党员", field="participants")
    if talked_on > timezone.localdate():
        raise DomainError("谈话日期不能晚于今天", field="talked_on")
    if not summary.strip():
        raise DomainError("请填写谈话内容摘要", field="summary")
    organization = participants[0].organization
    if not permissions.can_log_talk(by, organization):
        raise PermissionDenied
    talk = Talk.objects.create(
        organization=organization,
        kind=kind,
        talked_on=talked_on,
        reason=reason,
        summary=summary.strip(),
        opinions=opinions.strip(),
        follow_up=follow_up.strip(),
        confidential_notes=confidential_notes.strip(),
        priority_hardship=priority_hardship,
        priority_weak_awareness=priority_weak_awareness,
        priority_grievance=priority_grievance,
        created_by=by,
    )
    talk.interviewers.set(interviewers)
    talk.participants.set(participants)
    # A talk after one that found 思想波动 is its follow-up; a talk that finds it asks for one.
    followed_up = VisitPrompt.objects.open().filter(
        member__in=participants, occasion=Occasion.FOLLOW_UP, raised_on__lte=talked_on
    )
    settle(about=list(followed_up), note=f"已跟进谈心（{talked_on:%m月%d日}）")
    followed_up.update(closed_on=talked_on)
    if reason == Talk.Reason.WAVERING:
        due = talked_on + dt.timedelta(days=settings.CARE["FOLLOW_UP_DAYS"])
        for member in participants:
            raise_prompt(
                member=member,
                occasion=Occasion.FOLLOW_UP,
                event_key=f"talk:{talk.pk}",
                reason="谈话中发现有较大思想波动，请再次谈心或上门走访",
                day=clock.today(),
                due_on=due,
            )
    return talk


# --- 必访 prompts: raised, sent to whoever answers for the branch, escalated when nobody acts -----


def _path_ids(organization: Organization) -> list[int]:
    """The organization's own id and those above it, nearest first."""
    return [int(pk) for pk in reversed(organization.path.strip("/").split("/")) if pk]


class Responsibles:
    """Who answers for prompts of members of some organizations, read in two queries however many:
    at level 0 the branch's secretaries, at 1 the 党总支's (the nearest organization above, below the
    党委, with a secretary), at 2 the 组织部 over it. A level with nobody on it passes to the next."""

    def __init__(self, organizations: Iterable[Organization]):
        ids = {pk for org in organizations for pk in _path_ids(org)}
        self.kinds = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "kind"))
        self.users: dict[tuple[int, str], list] = {}
        appointments = (
            Appointment.objects.filter(
                organization_id__in=ids, role__in=[Role.SECRETARY, Role.ORG_DEPT], user__is_active=True
            )
            .select_related("user")
            .order_by("pk")
        )
        for appointment in appointments:
            self.users.setdefault((appointment.organization_id, appointment.role), []).append(appointment.user)

    def at(self, organization: Organization, level: int) -> tuple[int, list]:
        own, *above = _path_ids(organization)
        if level <= 0 and (users := self.users.get((own, Role.SECRETARY))):
            return 0, users
        if level <= 1:
            for pk in above:
                if self.kinds.get(pk) == Organization.Kind.COMMITTEE:
                    break
                if users := self.users.get((pk, Role.SECRETARY)):
                    return 1, users
        found = {user.pk: user for pk in (own, *above) for user in self.users.get((pk, Role.ORG_DEPT), [])}
        return 2, list(found.values())


def responsible_users(organization: Organization, level: int) -> tuple[int, list]:
    return Responsibles([organization]).at(organization, level)


def escalate(prompts: Iterable[VisitPrompt], day: dt.date, *, overdue: bool) -> int:
    """Send each prompt to whoever answers for it: the branch (a new prompt) or one level up (an
    overdue one); a level with nobody on it passes to the next. Returns the notices sent."""
    prompts = list(prompts)
    if not prompts:
        return 0
    who = Responsibles({p.member.organization_id: p.member.organization for p in prompts}.values())
    moved: dict[int, list[int]] = {}
    messages: list[Message] = []
    for prompt in prompts:
        level, users = who.at(prompt.member.organization, prompt.escalation + 1 if overdue else prompt.escalation)
        if level != prompt.escalation:
            moved.setdefault(level, []).append(prompt.pk)
            prompt.escalation, prompt.escalated_on = level, day
        messages.extend(prompt_message(prompt, user, level) for user in users)
    for level, pks in moved.items():
        VisitPrompt.objects.filter(pk__in=pks).update(escalation=level, escalated_on=day)
    return sum(sent is not None for sent in notify_many(messages))


def prompt_message(prompt: VisitPrompt, user, level: int) -> Message:
    member = prompt.member
    link = f"{reverse('visits:create')}?member={member.pk}&occasion={prompt.occasion}"
    due = f"，请于{prompt.due_on:%m月%d日}前走访" if prompt.due_on else ""
    if level == 0:
        title = f"请安排{prompt.get_occasion_display()}：{member.name}"
        body = f"{member.organization.name}党员{member.name}{prompt.reason}{due}。"
    else:
        why = "逾期未走访" if prompt.due_on and prompt.due_on < clock.today() else "所在支部无书记"
        title = f"{why}，请督促或安排{prompt.get_occasion_display()}：{member.name}"
        body = (
            f"{member.organization.name}党员{member.name}{prompt.reason}"
            f"（{prompt.raised_on:%m月%d日}提示{due}）。{why}，现报上级党组织。"
        )
        link = reverse("visits:prompts")
    return Message(
        recipient=user,
        title=title,
        body=body,
        link=link,
        dedupe_key=f"visits:prompt:{prompt.pk}:{level}:{user.pk}",
        about=prompt,
        todo=True,
        group=f"{{n}} 名党员待安排{prompt.get_occasion_display()}" if level == 0 else "",
    )


def notify_prompts(prompts: Iterable[VisitPrompt], day: dt.date) -> int:
    """Tell whoever answers for each new prompt. A branch with no secretary sends it up at once."""
    return escalate(prompts, day, overdue=False)


def raise_prompt(
    *, member: Member, occasion: str, event_key: str, reason: str, day: dt.date, due_on: dt.date | None = None
) -> VisitPrompt:
    """Raise the prompt of one event now (inside the caller's transaction) and send it. An open prompt of
    the same occasion for the member stands for both: one visit answers them."""
    existing = VisitPrompt.objects.select_for_update().open().filter(member=member, occasion=occasion).first()
    if existing is not None:
        if due_on is not None and (existing.due_on is None or due_on < existing.due_on):
            existing.due_on = due_on
            existing.save(update_fields=["due_on"])
        return existing
    prompt, created = VisitPrompt.objects.get_or_create(
        member=member,
        occasion=occasion,
        event_key=event_key,
        defaults={
            "reason": reason,
            "raised_on": day,
            "due_on": due_on or day + dt.timedelta(days=settings.CARE["PROMPT_DUE_DAYS"]),
        },
    )
    if created:
        prompt.member = member
        notify_prompts([prompt], day)
    return prompt


@transaction.atomic
def record_life_event(*, by, member: Member, kind: str, happened_on: dt.date, description: str) -> LifeEvent:
    """家庭发生意外、遭受重大灾害、直系亲属病逝、病重、生活遇到特殊困难: the event and its visit prompt, in one step."""
    if not access.may_at(by, "life_event", access.CREATE, member.organization_id):
        raise PermissionDenied
    today = clock.today()
    if kind not in LifeEvent.Kind.values:
        raise DomainError("请选择事件类型", field="kind")
    if happened_on > today:
        raise DomainError("发生日期不能晚于今天", field="happened_on")
    if not member.is_on_roll:
        raise DomainError("该党员已故或已转出", field="member")
    if not description.strip():
        raise DomainError("请简要写明情况", field="description")
    event = LifeEvent.objects.create(
        member=member, kind=kind, happened_on=happened_on, description=description.strip(), created_by=by
    )
    label = LifeEvent.Kind(kind).label
    prompt = raise_prompt(
        member=member,
        occasion=LifeEvent.OCCASIONS[LifeEvent.Kind(kind)],
        event_key=f"life:{event.pk}",
        reason=f"{happened_on:%m月%d日}{label}（{event.description[:40]}），请及时上门慰问",
        day=today,
        due_on=today + dt.timedelta(days=settings.CARE["LIFE_EVENT_VISIT_DAYS"]),
    )
    event.prompt = prompt
    event.save(update_fields=["prompt"])
    return event


# --- 反映情况 ---------------------------------------------------------------------------------------


@transaction.atomic
def submit_concern(*, by, message: str, wants_visit: bool = False) -> Concern:
    member = Member.objects.on_roll().select_related("organization").filter(user=by).first()
    if member is None:
        raise DomainError("只有在册党员可以反映情况")
    message = message.strip()
    if not message:
        raise DomainError("请写下要反映的情况", field="message")
    today = clock.today()
    concern = Concern.objects.create(member=member, message=message, wants_visit=wants_visit, created_on=today)
    if wants_visit:
        concern.prompt = raise_prompt(
            member=member,
            occasion=Occasion.CONCERN,
            event_key=f"concern:{concern.pk}",
            reason=f"反映情况并希望上门走访：{message[:40]}",
            day=today,
            due_on=today + dt.timedelta(days=settings.CARE["PROMPT_DUE_DAYS"]),
        )
        concern.save(update_fields=["prompt"])
    _, users = responsible_users(member.organization, 0)
    link = concern.get_absolute_url()
    notify_many(
        [
            Message(
                recipient=user,
                title=f"{member.name}反映情况{'，希望上门走访' if wants_visit else ''}",
                body=message[:200],
                link=link,
                dedupe_key=f"visits:concern:{concern.pk}:{user.pk}",
            )
            for user in users
            if user.pk != by.pk
        ]
    )
    return concern


def _concern_for_update(by, concern: Concern) -> Concern:
    concern = Concern.objects.select_for_update().select_related("member", "member__organization").get(pk=concern.pk)
    if not access.may_at(by, "concern", "answer", concern.member.organization_id):
        raise PermissionDenied
    return concern


@transaction.atomic
def assign_concern(*, by, concern: Concern, assignee: Member) -> Concern:
    """落实专人认真听取意见 (seed 000 三): the person who follows the concern up."""
    concern = _concern_for_update(by, concern)
    if concern.status == Concern.Status.ANSWERED:
        raise DomainError("已答复的反映不能再安排")
    concern.assignee, concern.status = assignee, Concern.Status.ASSIGNED
    concern.save(update_fields=["assignee", "status"])
    if assignee.user_id:
        notify(
            recipient=assignee.user,
            title=f"请跟进{concern.member.name}反映的情况",
            body=concern.message[:200],
            link=concern.get_absolute_url(),
            dedupe_key=f"visits:concern-assign:{concern.pk}:{assignee.pk}",
        )
    return concern


@transaction.atomic
def answer_concern(*, by, concern: Concern, answer: str) -> Concern:
    concern = _concern_for_update(by, concern)
    answer = answer.strip()
    if not answer:
        raise DomainError("请填写答复", field="answer")
    concern.answer, concern.status = answer, Concern.Status.ANSWERED
    concern.answered_on, concern.answered_by = clock.today(), by
    concern.save(update_fields=["answer", "status", "answered_on", "answered_by"])
    if concern.member.user_id:
        notify(
            recipient=concern.member.user,
            title="您反映的情况已有答复",
            body=answer[:200],
            link=reverse("me"),
            dedupe_key=f"visits:concern-answer:{concern.pk}",
        )
    return concern


# --- holiday plans (the daily job `visits.holiday_plans` opens them on the window's first day) -----


def plan_window(holiday: dt.date) -> tuple[dt.date, dt.date]:
    """The days on which a holiday's plans are opened and kept up to date."""
    return holiday - dt.timedelta(days=settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"]), holiday


def open_holiday_plans(*, branches, occasion: str, year: int, holiday: dt.date, day: dt.date) -> tuple[int, int]:
    """Give each branch its plan for the holiday with every target member and why, and keep the plans
    current (a member registered as a hardship member after the plan was made is added; an unvisited
    member who died or left is taken off). Returns (plans made, members added); a second run adds nothing."""
    branches = list(branches)
    planned = set(VisitPlan.objects.filter(occasion=occasion, year=year).values_list("organization_id", flat=True))
    new_plans = [
        VisitPlan(organization=branch, occasion=occasion, year=year, holiday=holiday)
        for branch in branches
        if branch.pk not in planned
    ]
    # ignore_conflicts: a parallel run that made the same plan first wins, nothing is doubled.
    VisitPlan.objects.bulk_create(new_plans, ignore_conflicts=True)
    added = _add_missing_items(VisitPlan.objects.filter(occasion=occasion, year=year, organization__in=branches), day)
    return len(new_plans), added


def _add_missing_items(plans, day: dt.date) -> int:
    plans = list(plans)
    if not plans:
        return 0
    plan_of = {plan.organization_id: plan for plan in plans}
    gone = VisitPlanItem.objects.filter(plan__in=plans, visit__isnull=True).filter(
        Q(member__deceased_on__isnull=False) | Q(member__transferred_out_on__isnull=False)
    )
    paths = _item_paths(gone)
    audit.log_bulk(
        model=VisitPlanItem,
        object_ids=list(paths),
        org_paths=paths,
        action=LogEntry.Action.DELETE,
        changes={"原因": ["", "党员已故或已转出，移出计划"]},
    )
    gone.delete()
    on_plan = VisitPlanItem.objects.filter(plan__in=plans, member=OuterRef("pk"))
    members = list(
        selectors.target_members(day)
        .filter(organization_id__in=list(plan_of))
        .filter(~Exists(on_plan))
        .order_by("organization_id", "name", "id")
    )
    if not members:
        return 0
    hardship_ids = selectors.active_hardship_member_ids([m.pk for m in members])
    created = VisitPlanItem.objects.bulk_create(
        [
            VisitPlanItem(
                plan=plan_of[m.organization_id],
                member=m,
                reasons="、".join(selectors.target_reasons(m, day, hardship_ids=hardship_ids)),
            )
            for m in members
        ],
        ignore_conflicts=True,
    )
    # Bulk writes pass the audit signals by: record the members put on each plan.
    paths = _item_paths(VisitPlanItem.objects.filter(plan__in=plans, member__in=members))
    audit.log_bulk(
        model=VisitPlanItem,
        object_ids=list(paths),
        org_paths=paths,
        action=LogEntry.Action.CREATE,
        changes={"来源": ["", "每日任务：列入节日走访计划"]},
    )
    return len(created)


def _item_paths(items) -> dict[int, str]:
    """Plan items' ids with their branch's path (for the audit trail), in one query."""
    return dict(items.values_list("pk", "plan__organization__path"))


# --- 集体过政治生日 ----------------------------------------------------------------------------------


@transaction.atomic
def record_collective_birthday(
    *,
    by,
    organization: Organization,
    held_on: dt.date,
    attendees: Iterable[Member],
    notes: str = "",
    opinions: str = "",
    reaffirmed_oath: bool = False,
    shared_reflections: bool = False,
    asked_opinions: bool = False,
) -> CollectiveBirthday:
    """The branch's collective 政治生日 around 七一: the day, who came, what was done, what was heard."""
    if not access.may_at(by, "collective_birthday", access.CREATE, organization.pk):
        raise PermissionDenied
    attendees = list(attendees)
    if held_on > clock.today():
        raise DomainError("活动日期不能晚于今天", field="held_on")
    if not attendees:
        raise DomainError("请选择参加的党员", field="attendees")
    if any(m.organization_id != organization.pk or not m.is_on_roll for m in attendees):
        raise DomainError("参加党员应是本支部在册党员", field="attendees")
    if not (reaffirmed_oath or shared_reflections or asked_opinions or notes.strip()):
        raise DomainError("请勾选或填写活动内容", field="notes")
    event = CollectiveBirthday.objects.create(
        organization=organization,
        held_on=held_on,
        notes=notes.strip(),
        opinions=opinions.strip(),
        reaffirmed_oath=reaffirmed_oath,
        shared_reflections=shared_reflections,
        asked_opinions=asked_opinions,
        created_by=by,
    )
    event.attendees.set(attendees)
    return event
