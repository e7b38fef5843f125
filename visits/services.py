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
from django.utils import timezone

from core import audit
from core.errors import DomainError
from hardship.services import check_money_source
from members.models import Member
from notifications.services import settle
from visits import permissions, selectors
from visits.models import Occasion, Talk, Visit, VisitPlan, VisitPlanItem, VisitPrompt

PROMPT_OCCASIONS = (Occasion.ILLNESS, Occasion.BEREAVEMENT, Occasion.DISASTER)


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
        member=member, visited_on=visited_on, occasion=occasion, goods=goods.strip(), amount=amount,
        money_source=money_source, money_source_note=money_source_note,
        notes=notes.strip(), follow_up=follow_up.strip(), created_by=by,
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
        .filter(member=member, plan__occasion=occasion, visit__isnull=True,
                plan__holiday__gte=visited_on - dt.timedelta(days=30), plan__holiday__lte=visited_on + lead)
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
        organization=organization, kind=kind, talked_on=talked_on, reason=reason, summary=summary.strip(),
        opinions=opinions.strip(), follow_up=follow_up.strip(), confidential_notes=confidential_notes.strip(),
        priority_hardship=priority_hardship, priority_weak_awareness=priority_weak_awareness,
        priority_grievance=priority_grievance, created_by=by,
    )
    talk.interviewers.set(interviewers)
    talk.participants.set(participants)
    return talk


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
    new_plans = [VisitPlan(organization=branch, occasion=occasion, year=year, holiday=holiday)
                 for branch in branches if branch.pk not in planned]
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
    audit.log_bulk(model=VisitPlanItem, object_ids=list(paths), org_paths=paths, action=LogEntry.Action.DELETE,
                   changes={"原因": ["", "党员已故或已转出，移出计划"]})
    gone.delete()
    on_plan = VisitPlanItem.objects.filter(plan__in=plans, member=OuterRef("pk"))
    members = list(
        selectors.target_members(day).filter(organization_id__in=list(plan_of)).filter(~Exists(on_plan))
        .order_by("organization_id", "name", "id")
    )
    if not members:
        return 0
    hardship_ids = selectors.active_hardship_member_ids([m.pk for m in members])
    created = VisitPlanItem.objects.bulk_create(
        [
            VisitPlanItem(
                plan=plan_of[m.organization_id], member=m,
                reasons="、".join(selectors.target_reasons(m, day, hardship_ids=hardship_ids)),
            )
            for m in members
        ],
        ignore_conflicts=True,
    )
    # Bulk writes pass the audit signals by: record the members put on each plan.
    paths = _item_paths(VisitPlanItem.objects.filter(plan__in=plans, member__in=members))
    audit.log_bulk(model=VisitPlanItem, object_ids=list(paths), org_paths=paths, action=LogEntry.Action.CREATE,
                   changes={"来源": ["", "每日任务：列入节日走访计划"]})
    return len(created)


def _item_paths(items) -> dict[int, str]:
    """Plan items' ids with their branch's path (for the audit trail), in one query."""
    return dict(items.values_list("pk", "plan__organization__path"))
