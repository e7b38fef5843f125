"""Daily work: notices that close themselves, and reminders for applications waiting too long."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from funds.models import AssistanceApplication, Status
from funds.services.common import RoleHolders, _applicant_users, _link, _move_many
from members.models import Role, User
from notifications.services import Message, notify_many


def close_notices(*, day: dt.date) -> dict[str, int]:
    """Notices whose last day is before `day` pass; a run after downtime closes everything overdue.

    All in one transaction, the due applications locked in id order: a parallel run waits, then finds
    them no longer in notice (PostgreSQL re-checks the condition on the locked rows) and does nothing."""
    with transaction.atomic():
        due = list(
            AssistanceApplication.objects.select_for_update(of=("self",))
            .select_related("member", "organization", "fund", "submitted_by", "member__user")
            .filter(status=Status.IN_NOTICE, notice_ends_on__lt=day)
            .order_by("pk")
        )
        if not due:
            return {"closed": 0}
        _move_many(due, to=Status.NOTICE_PASSED, comments=[
            f"公示期满（{application.notice_starts_on:%Y-%m-%d} 至 {application.notice_ends_on:%Y-%m-%d}）无异议"
            for application in due
        ])
        roles = RoleHolders()
        notify_many(
            Message(recipient=user, body=f"批准金额 {application.amount_approved} 元。", link=_link(application),
                    title=f"{application.member.name}的{application.get_kind_display()}公示无异议，待发放",
                    dedupe_key=f"funds:notice-passed:{application.pk}:u{user.pk}")
            for application in due for user in roles.fund_officers(application.fund)
        )
    return {"closed": len(due)}


# ---------------------------------------------------------------- reminders


def _who_must_act(application: AssistanceApplication, roles: RoleHolders) -> tuple[list[User], str]:
    status = application.status
    if status in (Status.DRAFT, Status.RETURNED):
        return _applicant_users(application), "请修改完善后提交"
    if status == Status.SUBMITTED and not application.is_emergency:
        return roles.at(Role.SECRETARY, [application.organization_id]), "请召开支部党员大会评议并记录"
    if status in (Status.SUBMITTED, Status.BRANCH_REVIEWED, Status.OBJECTION):
        return roles.over(application.organization, Role.ORG_DEPT), "请审批或处理异议"
    if status == Status.NOTICE_PASSED:
        return roles.fund_officers(application.fund), "请发放帮扶资金"
    return [], ""


WAITING = (Status.DRAFT, Status.RETURNED, Status.SUBMITTED, Status.BRANCH_REVIEWED, Status.OBJECTION,
           Status.NOTICE_PASSED)


def remind_stale(*, day: dt.date) -> dict[str, int]:
    """Remind whoever must act after N days on one step; escalate to the organization department after 2N.

    The dedupe key names the step (the event that entered it), so each step reminds once and escalates once,
    and a run after downtime sends what is due without repeating what was sent.
    """
    stale_days = settings.CARE["APPLICATION_STALE_DAYS"]
    cutoff = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=stale_days), dt.time.max))
    waiting = (
        AssistanceApplication.objects.filter(status__in=WAITING, status_changed_at__lte=cutoff)
        .select_related("member", "member__user", "organization", "fund", "submitted_by")
    )
    roles = RoleHolders()
    kinds: list[str] = []
    messages: list[Message] = []
    for application in waiting:
        waited = (day - timezone.localtime(application.status_changed_at).date()).days
        step = f"{application.status}:{int(application.status_changed_at.timestamp())}"
        users, action = _who_must_act(application, roles)
        title = (f"{application.member.name}的{application.get_kind_display()}申请"
                 f"已在“{application.get_status_display()}”停留 {waited} 天")
        link = _link(application)
        for user in users:
            kinds.append("reminded")
            messages.append(Message(recipient=user, title=title, body=action, link=link,
                                    dedupe_key=f"funds:stale:{application.pk}:{step}:u{user.pk}"))
        if waited >= 2 * stale_days:
            for user in roles.over(application.organization, Role.ORG_DEPT):
                kinds.append("escalated")
                messages.append(Message(recipient=user, title=f"督办：{title}",
                                        body=f"已超过 {2 * stale_days} 天未处理。{action}", link=link,
                                        dedupe_key=f"funds:escalated:{application.pk}:{step}:u{user.pk}"))
    counts = {"reminded": 0, "escalated": 0}
    for kind, sent in zip(kinds, notify_many(messages), strict=True):
        counts[kind] += sent is not None
    return counts

