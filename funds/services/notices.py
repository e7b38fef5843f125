"""Daily work: notices that close themselves, reminders for applications waiting too long and for
emergencies whose branch meeting is still to be recorded; and notices moved when the working-day
calendar changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import formats
from core.calendars import WorkCalendar
from funds import permissions
from funds.models import COMMITTED_STATUSES, NOTICE_RUNNING, AssistanceApplication, Status
from funds.services.common import RoleHolders, _applicant_users, _move_many, _note, _title
from members.models import Role, User
from notifications.services import Message, notify_many

RELATED = ("member", "organization", "fund", "submitted_by", "member__user", "partner_unit")


def close_notices(*, day: dt.date) -> dict[str, int]:
    """Notices whose last day is before `day` pass; a run after downtime closes everything overdue.

    All in one transaction, the due applications locked in id order: a parallel run waits, then finds
    them no longer in notice (PostgreSQL re-checks the condition on the locked rows) and does nothing."""
    with transaction.atomic():
        due = list(
            AssistanceApplication.objects.select_for_update(of=("self",))
            .select_related(*RELATED)
            .filter(status=Status.IN_NOTICE, notice_ends_on__lt=day)
            .order_by("pk")
        )
        if not due:
            return {"closed": 0}
        _move_many(
            due,
            to=Status.NOTICE_PASSED,
            comments=[
                f"公示期满（{application.notice_starts_on:%Y-%m-%d} 至 {application.notice_ends_on:%Y-%m-%d}）无异议"
                for application in due
            ],
        )
        roles = RoleHolders()
        notify_many(
            Message(
                recipient=user,
                about=application,
                body=f"批准金额 {formats.money(application.amount_approved)} 元。",
                title=_title(application, "公示无异议，待发放"),
                todo=True,
                group="{n} 份申请公示无异议，待发放",
                dedupe_key=f"funds:notice-passed:{application.pk}:u{user.pk}",
            )
            for application in due
            for user in roles.fund_officers(application.fund)
        )
    return {"closed": len(due)}


# ---------------------------------------------------------------- reminders


def _who_must_act(application: AssistanceApplication, roles: RoleHolders) -> tuple[list[User], str]:
    status = application.status
    if status in (Status.DRAFT, Status.RETURNED):
        return _applicant_users(application), "请修改完善后提交"
    if status == Status.SUBMITTED and application.meeting_awaiting_confirmation:
        branch = roles.at(Role.SECRETARY, [application.organization_id]) + roles.at(
            Role.COMMITTEE, [application.organization_id]
        )
        users = [u for u in branch if permissions.may_confirm_meeting(u, application)] or [
            u
            for u in roles.over(application.organization, Role.ORG_DEPT)
            if permissions.may_confirm_meeting(u, application)
        ]
        return users, "请核对并确认支部大会记录"
    if status == Status.SUBMITTED and not application.is_emergency:
        return roles.at(Role.SECRETARY, [application.organization_id]), "请召开支部党员大会评议并记录"
    if status in (Status.SUBMITTED, Status.BRANCH_REVIEWED, Status.OBJECTION):
        return roles.over(application.organization, Role.ORG_DEPT), "请审批或处理异议"
    if status == Status.RECONSIDERATION:
        return roles.over(application.organization, Role.ORG_DEPT), "请提请党委复议并记录决定"
    if status == Status.NOTICE_PASSED:
        return roles.fund_officers(application.fund), "请发放帮扶资金"
    if status == Status.RECOVERY_DUE:
        return roles.fund_officers(application.fund), "请追回资金并登记入账"
    return [], ""


WAITING = (
    Status.DRAFT,
    Status.RETURNED,
    Status.SUBMITTED,
    Status.BRANCH_REVIEWED,
    Status.OBJECTION,
    Status.NOTICE_PASSED,
    Status.RECONSIDERATION,
    Status.RECOVERY_DUE,
)


def remind_stale(*, day: dt.date) -> dict[str, int]:
    """Remind whoever must act after N days on one step; escalate to the organization department after 2N.

    The dedupe key names the step (the event that entered it), so each step reminds once and escalates once,
    and a run after downtime sends what is due without repeating what was sent.
    """
    stale_days = settings.CARE["APPLICATION_STALE_DAYS"]
    cutoff = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=stale_days), dt.time.max))
    waiting = AssistanceApplication.objects.filter(status__in=WAITING, status_changed_at__lte=cutoff).select_related(
        *RELATED
    )
    roles = RoleHolders()
    kinds: list[str] = []
    messages: list[Message] = []
    for application in waiting:
        waited = (day - timezone.localtime(application.status_changed_at).date()).days
        step = f"{application.status}:{int(application.status_changed_at.timestamp())}"
        users, action = _who_must_act(application, roles)
        title = _title(application, f"申请已在“{application.get_status_display()}”停留 {waited} 天")
        for user in users:
            kinds.append("reminded")
            messages.append(
                Message(
                    recipient=user,
                    title=title,
                    body=action,
                    about=application,
                    todo=True,
                    dedupe_key=f"funds:stale:{application.pk}:{step}:u{user.pk}",
                )
            )
        if waited >= 2 * stale_days:
            for user in roles.over(application.organization, Role.ORG_DEPT):
                kinds.append("escalated")
                messages.append(
                    Message(
                        recipient=user,
                        title=f"督办：{title}",
                        about=application,
                        todo=True,
                        body=f"已超过 {2 * stale_days} 天未处理。{action}",
                        dedupe_key=f"funds:escalated:{application.pk}:{step}:u{user.pk}",
                    )
                )
    counts = {"reminded": 0, "escalated": 0}
    for kind, sent in zip(kinds, notify_many(messages), strict=True):
        counts[kind] += sent is not None
    return counts


def remind_emergency_meetings(*, day: dt.date) -> dict[str, int]:
    """An emergency approved before its branch meeting: N days after approval without the meeting
    recorded, the branch secretary is reminded; after 2N, the organization department is told. Each
    once (the dedupe key names the approval), and a run after downtime catches up."""
    due_days = settings.CARE["EMERGENCY_MEETING_DAYS"]
    cutoff = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=due_days), dt.time.max))
    waiting = AssistanceApplication.objects.filter(
        is_emergency=True, meeting_on__isnull=True, status__in=COMMITTED_STATUSES, approved_at__lte=cutoff
    ).select_related(*RELATED)
    roles = RoleHolders()
    kinds: list[str] = []
    messages: list[Message] = []
    for application in waiting:
        waited = (day - timezone.localtime(application.approved_at).date()).days
        title = _title(application, f"紧急救助已审批 {waited} 天，支部党员大会尚未补录")
        body = (
            f"紧急救助先审批、后补开支部党员大会：请在 {due_days} 天内召开支部党员大会评议并在系统中记录。"
            "会议未通过的，申请将提请党委复议。"
        )
        for user in roles.at(Role.SECRETARY, [application.organization_id]):
            kinds.append("reminded")
            messages.append(
                Message(
                    recipient=user,
                    title=title,
                    body=body,
                    about=application,
                    todo=True,
                    dedupe_key=f"funds:emergency-meeting:{application.pk}:u{user.pk}",
                )
            )
        if waited >= 2 * due_days:
            for user in roles.over(application.organization, Role.ORG_DEPT):
                kinds.append("escalated")
                messages.append(
                    Message(
                        recipient=user,
                        title=f"督办：{title}",
                        body=body,
                        about=application,
                        todo=True,
                        dedupe_key=f"funds:emergency-meeting-escalated:{application.pk}:u{user.pk}",
                    )
                )
    counts = {"reminded": 0, "escalated": 0}
    for kind, sent in zip(kinds, notify_many(messages), strict=True):
        counts[kind] += sent is not None
    return counts


def recompute_notices(*, by: User | None, year: int, **_) -> int:
    """The working-day calendar changed (a year's schedule entered or edited): every running 公示 gets the
    end its working days now give. A moved end is recorded in the application's timeline and told to the
    applicant, the organization department and the fund officers. Called inside the calendar's
    transaction; returns how many moved."""
    calendar = WorkCalendar.load()
    running = list(
        AssistanceApplication.objects.select_for_update(of=("self",))
        .select_related(*RELATED)
        .filter(status__in=NOTICE_RUNNING, notice_starts_on__isnull=False)
        .order_by("pk")
    )
    roles = RoleHolders()
    messages: list[Message] = []
    moved = 0
    for application in running:
        days = application.notice_working_days or settings.CARE["NOTICE_WORKING_DAYS"]
        period = calendar.period(application.notice_starts_on, days)
        if period.end == application.notice_ends_on:
            continue
        old, application.notice_ends_on = application.notice_ends_on, period.end
        application.save(update_fields=["notice_ends_on"])
        provisional = "（仍为暂定）" if period.provisional else ""
        comment = f"{year} 年节假日安排录入或调整，公示截止日由 {old:%Y-%m-%d} 改为 {period.end:%Y-%m-%d}{provisional}"
        _note(application, by=by, comment=comment)
        users = {
            u.pk: u
            for u in [
                *_applicant_users(application),
                *roles.over(application.organization, Role.ORG_DEPT),
                *roles.fund_officers(application.fund),
            ]
        }
        messages.extend(
            Message(
                recipient=user,
                title=_title(application, "公示截止日调整"),
                body=comment,
                about=application,
                dedupe_key=f"funds:notice-moved:{application.pk}:{period.end:%Y%m%d}:u{user.pk}",
            )
            for user in users.values()
        )
        moved += 1
    notify_many(messages)
    return moved
