"""The decisions on an application: the branch meeting (支部党员大会评议, with its quorum and, for a record
made by whoever filled the application in, a second person's confirmation), the 党委's approval or
rejection, and the 党委's reconsideration of an emergency the branch meeting did not pass afterwards."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import clock, formats
from core.calendars import WorkCalendar
from core.errors import DomainError
from funds import permissions
from funds.models import (
    COMMITTED_STATUSES,
    RECONSIDERABLE,
    WORKFLOW,
    AssistanceApplication,
    CommitteeDecision,
    Objection,
    Status,
)
from funds.services.applications import _clear_meeting, _lock_member
from funds.services.common import (
    _applicant_users,
    _locked,
    _move,
    _note,
    _tell,
    _title,
    check_annual_subsidy,
    check_bounds,
    committed_in_year,
    fund_officers,
    money,
    users_with_role_over,
    yearly_cap,
)
from members import access
from members.models import Role, User
from members.selectors import voting_members_on
from notifications.services import settle

# ---------------------------------------------------------------- 支部党员大会


def _meeting_summary(application: AssistanceApplication) -> str:
    return (
        f"支部党员大会 {application.meeting_on:%Y-%m-%d}：应到（名册）{application.meeting_roster_count} 人，"
        f"到会 {application.meeting_attendees} 人，赞成 {application.votes_for}，反对 {application.votes_against}，"
        f"弃权 {application.votes_abstain}"
    )


def _check_quorum(application: AssistanceApplication, *, meeting_on: dt.date, attendees: int) -> int:
    """The roster's count of members with a vote that day; refuses a meeting without quorum
    (到会超过应到会人数的半数)."""
    branch = application.organization.name
    roster = voting_members_on(application.organization_id, meeting_on).count()
    if roster == 0:
        raise DomainError(
            f"名册中{branch}在 {meeting_on:%Y-%m-%d} 没有有表决权的正式党员，不能据此召开支部党员大会；请先核对党员名册"
        )
    if attendees > roster:
        raise DomainError(
            f"到会 {attendees} 人，多于名册中{branch}在 {meeting_on:%Y-%m-%d} 有表决权的正式党员 "
            f"{roster} 人。预备党员和列席人员不计入到会人数，请核对会议记录和党员名册"
        )
    if attendees * 2 <= roster:
        raise DomainError(
            f"到会 {attendees} 人，未超过应到会 {roster} 人的半数（至少应到 {roster // 2 + 1} 人），"
            "会议不能作出决定；请另行召开支部党员大会"
        )
    return roster


@transaction.atomic
def record_meeting(
    *,
    application_id: int,
    by: User,
    meeting_on: dt.date,
    attendees: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    attendee_names: str = "",
) -> AssistanceApplication:
    """支部党员大会评议. Before approval it moves the application; after an emergency approval it is 补录,
    and a meeting that does not pass sends the application to the 党委 for reconsideration."""
    application = _locked(application_id)
    if not permissions.may_record_meeting(by, application):
        raise PermissionDenied("只有本支部书记或支委可以记录支部党员大会评议情况（本人的申请由其他支委记录）")
    if application.meeting_recorded:
        raise DomainError("该申请已记录支部大会评议情况")
    if not permissions.meeting_is_due(application):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能记录支部大会评议")
    if meeting_on > clock.today():
        raise DomainError("会议日期不能晚于今天")
    if application.submitted_at and meeting_on < timezone.localtime(application.submitted_at).date():
        raise DomainError("会议日期不能早于申请提交日期")
    if min(attendees, votes_for, votes_against, votes_abstain) < 0 or attendees == 0:
        raise DomainError("请填写到会人数和表决票数")
    if votes_for + votes_against + votes_abstain > attendees:
        raise DomainError("赞成、反对、弃权票数之和不能超过到会人数")
    roster = _check_quorum(application, meeting_on=meeting_on, attendees=attendees)
    application.meeting_on, application.meeting_attendees = meeting_on, attendees
    application.meeting_attendee_names = attendee_names.strip()
    application.votes_for, application.votes_against = votes_for, votes_against
    application.votes_abstain, application.meeting_roster_count = votes_abstain, roster
    application.meeting_recorded_by = by
    waits = permissions.needs_confirmation(by, application)
    if not waits:
        application.meeting_confirmed_at = clock.now()
    application.save(
        update_fields=[
            "meeting_on",
            "meeting_attendees",
            "meeting_attendee_names",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "meeting_roster_count",
            "meeting_recorded_by",
            "meeting_confirmed_at",
        ]
    )
    if waits:
        _note(
            application,
            by=by,
            comment=f"记录{_meeting_summary(application)}；申请由记录人本人填报，待另一名支委或组织部确认后生效",
        )
        _tell(
            _confirmers(application, by),
            title=_title(application, "申请的支部大会记录待确认"),
            body=f"{by.display_name}记录了{_meeting_summary(application)}。该申请由其本人填报，请核对会议记录后确认。",
            about=application,
            key=f"funds:meeting-confirm:{application.pk}:{application.meeting_on:%Y%m%d}",
            todo=True,
            group="{n} 份申请的支部大会记录待确认",
        )
        return application
    _apply_meeting(application, by=by)
    return application


def _confirmers(application: AssistanceApplication, recorder: User) -> list[User]:
    """The branch committee but the recorder; where there is nobody else, the organization department."""
    branch = [
        user
        for user in User.objects.filter(
            appointments__role__in=access.real_roles("application", "meeting"),
            appointments__organization=application.organization,
            is_active=True,
        ).distinct()
        if permissions.may_confirm_meeting(user, application)
    ]
    if branch:
        return branch
    return [
        user
        for user in users_with_role_over(application.organization, Role.ORG_DEPT)
        if permissions.may_confirm_meeting(user, application)
    ]


@transaction.atomic
def confirm_meeting(*, application_id: int, by: User, confirm: bool, comment: str = "") -> AssistanceApplication:
    """A second committee member (or the organization department) confirms — or sends back — the branch
    meeting recorded by whoever filled the application in."""
    application = _locked(application_id)
    if not permissions.may_confirm_meeting(by, application):
        raise PermissionDenied("支部大会记录须由记录人和填报人以外的支委或组织部确认")
    if not application.meeting_awaiting_confirmation:
        raise DomainError("该申请没有待确认的支部大会记录")
    if application.status != Status.SUBMITTED and not (
        application.is_emergency and application.status in COMMITTED_STATUSES
    ):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能确认支部大会记录")
    comment = comment.strip()
    if not confirm:
        if not comment:
            raise DomainError("请写明支部大会记录哪里不符，记录人据此更正")
        recorder = application.meeting_recorded_by
        summary = _meeting_summary(application)
        _clear_meeting(application)
        _note(application, by=by, comment=f"{summary} 的记录未获确认：{comment}；请重新记录")
        settle(about=application, note="支部大会记录未获确认，已退回记录人")
        _tell(
            [recorder],
            todo=True,
            title=_title(application, "申请的支部大会记录未获确认"),
            body=comment,
            about=application,
            key=f"funds:meeting-refused:{application.pk}:{clock.now():%Y%m%d%H%M%S}",
        )
        return application
    application.meeting_confirmed_by, application.meeting_confirmed_at = by, clock.now()
    application.save(update_fields=["meeting_confirmed_by", "meeting_confirmed_at"])
    _note(application, by=by, comment="确认支部大会记录" + (f"：{comment}" if comment else ""))
    _apply_meeting(application, by=by)
    return application


def _apply_meeting(application: AssistanceApplication, *, by: User) -> None:
    summary = _meeting_summary(application)
    catching_up = application.is_emergency and application.status in COMMITTED_STATUSES
    if catching_up and application.meeting_passed:
        _note(application, by=by, comment=f"补录{summary}，过半数同意")
    elif catching_up:
        _send_to_reconsideration(application, by=by, summary=summary)
    elif application.meeting_passed:
        _move(application, to=Status.BRANCH_REVIEWED, by=by, comment=f"{summary}，过半数同意")
        _tell(
            users_with_role_over(application.organization, Role.ORG_DEPT),
            title=_title(application, "申请待审批"),
            body=summary,
            about=application,
            key=f"funds:reviewed:{application.pk}",
            todo=True,
            group="{n} 份帮扶申请待审批",
        )
    else:
        _move(application, to=Status.REJECTED, by=by, comment=f"{summary}，赞成票未过到会人数半数，不予推荐")
        _tell(
            _applicant_users(application),
            title=_title(application, "申请未获支部党员大会通过"),
            body=summary,
            about=application,
            key=f"funds:branch-rejected:{application.pk}",
        )


def _concerned(application: AssistanceApplication) -> list[User]:
    """Everyone an emergency's reconsideration concerns: the applicant and whoever filled it in, the branch
    secretary, the organization department and the fund officers."""
    users: dict[int, User] = {}
    for user in [
        *_applicant_users(application),
        *User.objects.filter(
            appointments__role=Role.SECRETARY, appointments__organization=application.organization, is_active=True
        ),
        *users_with_role_over(application.organization, Role.ORG_DEPT),
        *fund_officers(application.fund),
    ]:
        users.setdefault(user.pk, user)
    return list(users.values())


def _send_to_reconsideration(application: AssistanceApplication, *, by: User, summary: str) -> None:
    held = application.status
    application.held_status = held
    application.save(update_fields=["held_status"])
    _move(
        application,
        to=Status.RECONSIDERATION,
        by=by,
        comment=f"补录{summary}，赞成票未过到会人数半数；紧急救助提请党委复议",
    )
    paid = "资金已发放，" if held == Status.DISBURSED else "复议前暂停公示后的发放，"
    _tell(
        _concerned(application),
        title=_title(application, "紧急救助未获支部党员大会通过，提请党委复议"),
        body=f"{summary}。{paid}由党委研究决定维持批准或撤销（已发放的予以追回）。",
        about=application,
        key=f"funds:reconsideration:{application.pk}",
    )


# ---------------------------------------------------------------- 党委研究


def _check_committee_meeting(
    application: AssistanceApplication, *, meeting_on: dt.date | None, meeting_kind: str, reference: str
) -> str:
    if meeting_on is None:
        raise DomainError("请填写党委研究的会议日期")
    if meeting_on > clock.today():
        raise DomainError("党委会议日期不能晚于今天")
    if application.submitted_at and meeting_on < timezone.localtime(application.submitted_at).date():
        raise DomainError("党委会议日期不能早于申请提交日期")
    if application.meeting_on and not application.is_emergency and meeting_on < application.meeting_on:
        raise DomainError("党委会议日期不能早于支部党员大会日期")
    if meeting_kind not in CommitteeDecision.MeetingKind.values:
        raise DomainError("请选择党委会议类型")
    if meeting_kind == CommitteeDecision.MeetingKind.EMERGENCY and not application.is_emergency:
        raise DomainError("党委书记专题会议只用于紧急救助；其他申请由党委会议研究")
    reference = " ".join(reference.split())
    if not reference:
        raise DomainError("请填写党委会议纪要或决定文号，如：党委会议纪要〔2027〕3号")
    if len(reference) > 100:
        raise DomainError("会议纪要或决定文号不能超过 100 个字")
    return reference


@transaction.atomic
def approve(
    *,
    application_id: int,
    by: User,
    amount_approved,
    meeting_on: dt.date | None = None,
    meeting_kind: str = CommitteeDecision.MeetingKind.COMMITTEE,
    reference: str = "",
    comment: str = "",
) -> AssistanceApplication:
    """党委审批, recorded with the 党委 meeting that decided it: fix the amount, then the 公示 starts at once
    for N working days."""
    application = _locked(application_id)
    if application.submitted_by_id == by.pk:
        raise PermissionDenied("不能审批自己填报的申请")
    if application.member_id and application.member.user_id == by.pk:
        raise PermissionDenied("不能审批本人的申请")
    if not permissions.may_approve(by, application):
        raise PermissionDenied("只有党委组织部可以审批帮扶申请")
    if application.meeting_awaiting_confirmation:
        raise DomainError("支部大会记录尚待确认，确认后才能审批")
    if application.status == Status.SUBMITTED and not application.is_emergency:
        raise DomainError("该申请尚未经支部党员大会评议，不能审批（紧急救助除外）")
    WORKFLOW.check(application.status, Status.APPROVED)
    reference = _check_committee_meeting(
        application, meeting_on=meeting_on, meeting_kind=meeting_kind, reference=reference
    )
    amount = money(amount_approved)
    # One lock order everywhere: the application, the member, the fund's bound for the kind. Two approvals
    # for the same person cannot both fit under the cap, and a bound changed meanwhile waits or applies.
    _lock_member(application.member_id)
    check_bounds(application.fund_id, application.kind, amount, lock=True)
    if amount > application.amount_requested:
        raise DomainError("批准金额不能超过申请金额")
    check_annual_subsidy(application)
    used = committed_in_year(application)
    cap = yearly_cap()
    if used + amount > cap:
        raise DomainError(
            f"超过每人每年帮扶上限 {formats.money(cap)} 元：{application.year} 年已批准 {formats.money(used)} 元，"
            f"最多还可批准 {formats.money(cap - used)} 元"
        )
    comment = comment.strip()
    application.amount_approved, application.approved_by, application.approved_at = amount, by, clock.now()
    application.decision_note = comment
    application.save(update_fields=["amount_approved", "approved_by", "approved_at", "decision_note"])
    decision = CommitteeDecision.objects.create(
        application=application,
        purpose=CommitteeDecision.Purpose.APPROVAL,
        meeting_on=meeting_on,
        meeting_kind=meeting_kind,
        reference=reference,
        note=comment,
        recorded_by=by,
    )
    note = f"{decision}研究，批准 {formats.money(amount)} 元" + (f"：{comment}" if comment else "")
    _move(application, to=Status.APPROVED, by=by, comment=note)
    days = settings.CARE["NOTICE_WORKING_DAYS"]
    period = WorkCalendar.load().period(clock.today(), days)
    application.notice_starts_on, application.notice_ends_on = period.start, period.end
    application.notice_working_days = days
    application.save(update_fields=["notice_starts_on", "notice_ends_on", "notice_working_days"])
    provisional = "（暂定，节假日安排录入后自动重算）" if period.provisional else ""
    _move(
        application, to=Status.IN_NOTICE, by=by, comment=f"公示 {days} 个工作日，至 {period.end:%Y-%m-%d}{provisional}"
    )
    _tell(
        _applicant_users(application),
        title=_title(application, "申请已批准，正在公示"),
        group="{n} 份申请已批准，正在公示",
        body=f"批准金额 {formats.money(amount)} 元，公示至 {period.end:%Y年%m月%d日}{provisional}。",
        about=application,
        key=f"funds:approved:{application.pk}",
    )
    return application


@transaction.atomic
def reject(*, application_id: int, by: User, reason: str) -> AssistanceApplication:
    application = _locked(application_id)
    reason = reason.strip()
    if not permissions.may_approve(by, application):
        raise PermissionDenied("只有党委组织部可以驳回帮扶申请（不能处理本人或自己填报的申请）")
    if not reason:
        raise DomainError("驳回须写明理由")
    if not permissions.can_reject(by, application):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能驳回")
    application.decision_note = reason
    application.save(update_fields=["decision_note"])
    _move(application, to=Status.REJECTED, by=by, comment=reason)
    _tell(
        _applicant_users(application),
        title=_title(application, "申请未获批准"),
        body=reason,
        about=application,
        key=f"funds:rejected:{application.pk}",
    )
    return application


@transaction.atomic
def reconsider(
    *,
    application_id: int,
    by: User,
    keep: bool,
    reason: str,
    meeting_on: dt.date | None,
    meeting_kind: str = CommitteeDecision.MeetingKind.COMMITTEE,
    reference: str = "",
) -> AssistanceApplication:
    """党委复议 of an emergency the branch meeting did not pass afterwards: keep the approval (the
    application goes back where it stood), or revoke it (not yet paid: rejected; paid: the money is to be
    recovered, which the fund officer records as a reversing entry)."""
    application = _locked(application_id)
    if not permissions.may_reconsider(by, application):
        raise PermissionDenied("党委复议由党委组织部记录（不能处理本人或自己填报的申请）")
    if application.status != Status.RECONSIDERATION:
        raise DomainError(f"当前状态为“{application.get_status_display()}”，没有待复议的事项")
    reason = reason.strip()
    if not reason:
        raise DomainError("请写明党委复议的理由")
    reference = _check_committee_meeting(
        application, meeting_on=meeting_on, meeting_kind=meeting_kind, reference=reference
    )
    if meeting_on < application.meeting_on:
        raise DomainError("党委复议的会议日期不能早于支部党员大会日期")
    purpose = CommitteeDecision.Purpose.CONFIRM if keep else CommitteeDecision.Purpose.REVOKE
    decision = CommitteeDecision.objects.create(
        application=application,
        purpose=purpose,
        meeting_on=meeting_on,
        meeting_kind=meeting_kind,
        reference=reference,
        note=reason,
        recorded_by=by,
    )
    held = application.held_status
    application.held_status = ""
    application.save(update_fields=["held_status"])
    if keep:
        back = held if held in RECONSIDERABLE else Status.IN_NOTICE
        if back == Status.OBJECTION and not application.objections.filter(outcome=Objection.Outcome.OPEN).exists():
            back = Status.IN_NOTICE
        _move(application, to=back, by=by, comment=f"{decision}复议，维持批准：{reason}")
        title, body = _title(application, "申请经党委复议维持批准"), f"{reason}。申请回到“{Status(back).label}”。"
    elif held == Status.DISBURSED:
        _move(
            application,
            to=Status.RECOVERY_DUE,
            by=by,
            comment=f"{decision}复议，撤销批准并追回已发放的 {formats.money(application.amount_approved)} 元：{reason}",
        )
        title = _title(application, "申请经党委复议撤销，已发放资金待追回")
        body = f"{reason}。请基金管理员追回 {formats.money(application.amount_approved)} 元并登记入账。"
    else:
        _move(application, to=Status.REJECTED, by=by, comment=f"{decision}复议，撤销批准：{reason}")
        _close_open_objections(application, by=by, resolution="申请经党委复议撤销，一并办结")
        title, body = _title(application, "申请经党委复议撤销"), reason
    _tell(
        _concerned(application),
        title=title,
        body=body,
        about=application,
        key=f"funds:reconsidered:{application.pk}:{decision.pk}",
    )
    return application


def _close_open_objections(application: AssistanceApplication, *, by: User, resolution: str) -> list[int]:
    from core import audit

    others = application.objections.filter(outcome=Objection.Outcome.OPEN)
    ids = list(others.values_list("pk", flat=True))
    if ids:
        others.update(outcome=Objection.Outcome.UPHELD, resolution=resolution, resolved_by=by, resolved_at=clock.now())
        # A queryset update bypasses the audit signals: record it explicitly.
        audit.log_bulk(
            model=Objection,
            object_ids=ids,
            actor=by,
            org_path=application.audit_org_path(),
            changes={"outcome": [Objection.Outcome.OPEN.label, Objection.Outcome.UPHELD.label]},
        )
    return ids
