"""Daily work: notices that close themselves, and reminders for applications waiting too long."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from funds.models import (
    AssistanceApplication,
    Status,
)
from funds.services.common import (
    _applicant_users,
    _link,
    _locked,
    _move,
    _tell,
    fund_officers,
    users_with_role_over,
)
from members.models import Role, User


def _close_notice(application_id: int, day: dt.date) -> bool:
    with transaction.atomic():
        application = _locked(application_id)
        if application.status != Status.IN_NOTICE or application.notice_ends_on >= day:
            return False  # closed by an earlier run, or an objection is open
        _move(application, to=Status.NOTICE_PASSED, by=None,
              comment=f"公示期满（{application.notice_starts_on:%Y-%m-%d} 至 "
                      f"{application.notice_ends_on:%Y-%m-%d}）无异议")
        _tell(fund_officers(application.fund),
              title=f"{application.member.name}的{application.get_kind_display()}公示无异议，待发放",
              body=f"批准金额 {application.amount_approved} 元。", link=_link(application),
              key=f"funds:notice-passed:{application.pk}")
    return True


def close_notices(*, day: dt.date) -> dict[str, int]:
    """Notices whose last day is before `day` pass; a run after downtime closes everything overdue."""
    due = AssistanceApplication.objects.filter(status=Status.IN_NOTICE, notice_ends_on__lt=day).values_list(
        "pk", flat=True
    )
    return {"closed": sum(_close_notice(pk, day) for pk in list(due))}



# ---------------------------------------------------------------- reminders


def _who_must_act(application: AssistanceApplication) -> tuple[list[User], str]:
    status = application.status
    if status in (Status.DRAFT, Status.RETURNED):
        return _applicant_users(application), "请修改完善后提交"
    if status == Status.SUBMITTED and not application.is_emergency:
        secretaries = User.objects.filter(appointments__role=Role.SECRETARY,
                                          appointments__organization=application.organization).distinct()
        return list(secretaries), "请召开支部党员大会评议并记录"
    if status in (Status.SUBMITTED, Status.BRANCH_REVIEWED, Status.OBJECTION):
        return list(users_with_role_over(application.organization, Role.ORG_DEPT)), "请审批或处理异议"
    if status == Status.NOTICE_PASSED:
        return list(fund_officers(application.fund)), "请发放帮扶资金"
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
    reminded = escalated = 0
    waiting = (
        AssistanceApplication.objects.filter(status__in=WAITING, status_changed_at__lte=cutoff)
        .select_related("member", "member__user", "organization", "fund", "submitted_by")
    )
    for application in waiting:
        waited = (day - timezone.localtime(application.status_changed_at).date()).days
        step = f"{application.status}:{int(application.status_changed_at.timestamp())}"
        users, action = _who_must_act(application)
        title = (f"{application.member.name}的{application.get_kind_display()}申请"
                 f"已在“{application.get_status_display()}”停留 {waited} 天")
        reminded += _tell(users, title=title, body=action, link=_link(application),
                          key=f"funds:stale:{application.pk}:{step}")
        if waited >= 2 * stale_days:
            escalated += _tell(users_with_role_over(application.organization, Role.ORG_DEPT),
                               title=f"督办：{title}", body=f"已超过 {2 * stale_days} 天未处理。{action}",
                               link=_link(application), key=f"funds:escalated:{application.pk}:{step}")
    return {"reminded": reminded, "escalated": escalated}

