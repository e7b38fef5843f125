"""Applications from request to approval: submission, branch meeting, approval, objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core import audit
from core.calendars import add_working_days
from core.errors import DomainError
from funds import permissions
from funds.attachments import check_attachment
from funds.models import (
    COMMITTED_STATUSES,
    WORKFLOW,
    ApplicationEvent,
    ApplicationVersion,
    AssistanceApplication,
    Attachment,
    Kind,
    Objection,
    Status,
)
from funds.services.common import (
    _applicant_users,
    _link,
    _locked,
    _move,
    _note,
    _tell,
    check_bounds,
    committed_in_year,
    fund_for,
    money,
    users_with_role_over,
    yearly_cap,
)
from members.models import Member, Role, User

# ---------------------------------------------------------------- applications


@contextmanager
def _files_removed_on_failure():
    """Files are written before the transaction commits; if it rolls back, remove what was written."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _store_files(application: AssistanceApplication, files: Sequence, by: User, written: list[str]) -> None:
    checked = [(upload.name, *check_attachment(upload)) for upload in files]  # refuse all before storing any
    for name, data, content_type in checked:
        attachment = Attachment(
            application=application, original_name=name[:200], content_type=content_type, size=len(data),
            uploaded_by=by,
        )
        attachment.file.save("upload", ContentFile(data), save=False)
        written.append(attachment.file.name)
        attachment.save()


def _validate_request(*, kind: str, amount: Decimal, reason: str) -> None:
    if kind not in Kind.values:
        raise DomainError("请选择申请类别")
    check_bounds(kind, amount)
    if not reason.strip():
        raise DomainError("请填写申请理由")


def create_application(
    *, by: User, member: Member, kind: str, amount_requested, reason: str, is_emergency: bool = False,
    files: Sequence = (), submit: bool = False,
) -> AssistanceApplication:
    with _files_removed_on_failure() as written, transaction.atomic():
        return _create_application(by=by, member=member, kind=kind, amount_requested=amount_requested, reason=reason,
                                   is_emergency=is_emergency, files=files, submit=submit, written=written)


def _create_application(*, by, member, kind, amount_requested, reason, is_emergency, files, submit, written):
    if not permissions.can_apply_for(by, member):
        raise DomainError("您只能为本人或本支部的在册党员提出申请")
    amount = money(amount_requested)
    _validate_request(kind=kind, amount=amount, reason=reason)
    fund = fund_for(member.organization)
    if fund is None:
        raise DomainError("上级党组织尚未设立关怀基金专户，暂不能申请")
    now = timezone.now()
    application = AssistanceApplication.objects.create(
        fund=fund, member=member, organization=member.organization, kind=kind, year=timezone.localdate().year,
        amount_requested=amount, reason=reason.strip(), is_emergency=is_emergency, status=Status.DRAFT,
        status_changed_at=now, submitted_by=by,
    )
    ApplicationEvent.objects.create(application=application, actor=by, to_status=Status.DRAFT, comment="创建申请")
    _store_files(application, files, by, written)
    if submit:
        _submit(application, by=by)
    return application


def update_application(
    *, application_id: int, by: User, kind: str, amount_requested, reason: str, is_emergency: bool,
    files: Sequence = (),
) -> AssistanceApplication:
    with _files_removed_on_failure() as written, transaction.atomic():
        return _update_application(application_id=application_id, by=by, kind=kind,
                                   amount_requested=amount_requested, reason=reason, is_emergency=is_emergency,
                                   files=files, written=written)


def _update_application(*, application_id, by, kind, amount_requested, reason, is_emergency, files, written):
    application = _locked(application_id)
    if not permissions.can_edit(by, application):
        raise DomainError("只有草稿或退回修改的申请可以由申请人修改")
    amount = money(amount_requested)
    _validate_request(kind=kind, amount=amount, reason=reason)
    application.kind, application.amount_requested = kind, amount
    application.reason, application.is_emergency = reason.strip(), is_emergency
    application.save(update_fields=["kind", "amount_requested", "reason", "is_emergency"])
    _store_files(application, files, by, written)
    return application


def _submit(application: AssistanceApplication, *, by: User, comment: str = "") -> None:
    if not (permissions.can_edit(by, application)):
        raise DomainError("只有申请人或代为填报的书记可以提交")
    resubmission = application.status == Status.RETURNED
    comment = comment or ("修改后重新提交" if resubmission else "提交申请")
    _move(application, to=Status.SUBMITTED, by=by, comment=comment)
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    number = application.versions.count() + 1
    ApplicationVersion.objects.create(
        application=application, number=number, kind=application.kind, amount_requested=application.amount_requested,
        reason=application.reason, is_emergency=application.is_emergency,
        attachment_names=list(application.attachments.values_list("original_name", flat=True)), submitted_by=by,
    )
    title = f"{application.member.name}的{application.get_kind_display()}申请待处理"
    if application.is_emergency:
        recipients = users_with_role_over(application.organization, Role.ORG_DEPT)
        body = "紧急救助申请，可先审批，支部大会事后补录。"
    else:
        recipients = User.objects.filter(
            appointments__role=Role.SECRETARY, appointments__organization=application.organization
        ).distinct()
        body = "请召开支部党员大会评议，并在系统中记录会议情况。"
    _tell(recipients, title=title, body=body, link=_link(application), key=f"funds:submitted:{application.pk}:{number}")


@transaction.atomic
def submit(*, application_id: int, by: User) -> AssistanceApplication:
    application = _locked(application_id)
    _validate_request(kind=application.kind, amount=application.amount_requested, reason=application.reason)
    _submit(application, by=by)
    return application


@transaction.atomic
def withdraw(*, application_id: int, by: User, comment: str = "") -> AssistanceApplication:
    application = _locked(application_id)
    if not permissions.can_withdraw(by, application):
        raise DomainError("只有申请人或代为填报的书记可以撤回申请")
    if application.status in COMMITTED_STATUSES:
        raise DomainError("申请已经党委审批，不能撤回")
    _move(application, to=Status.WITHDRAWN, by=by, comment=comment.strip() or "申请人撤回")
    return application


@transaction.atomic
def return_for_revision(*, application_id: int, by: User, reason: str) -> AssistanceApplication:
    application = _locked(application_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("退回修改须写明原因，申请人据此修改")
    if not permissions.can_return(by, application):
        raise DomainError("您不是该申请当前环节的审核人，不能退回")
    _move(application, to=Status.RETURNED, by=by, comment=reason)
    _tell(_applicant_users(application), title=f"{application.get_kind_display()}申请被退回修改", body=reason,
          link=_link(application), key=f"funds:returned:{application.pk}:{application.versions.count()}")
    return application


@transaction.atomic
def record_meeting(
    *, application_id: int, by: User, meeting_on: dt.date, attendees: int, votes_for: int, votes_against: int,
    votes_abstain: int, attendee_names: str = "",
) -> AssistanceApplication:
    """支部党员大会评议. Before approval it moves the application; after an emergency approval it is 补录."""
    application = _locked(application_id)
    if not permissions.can_record_meeting(by, application):
        raise DomainError("只有本支部书记可以记录支部党员大会评议情况")
    if application.meeting_recorded:
        raise DomainError("该申请已记录支部大会评议情况")
    catching_up = application.is_emergency and application.status in COMMITTED_STATUSES
    if application.status != Status.SUBMITTED and not catching_up:
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能记录支部大会评议")
    if meeting_on > timezone.localdate():
        raise DomainError("会议日期不能晚于今天")
    if application.submitted_at and meeting_on < timezone.localtime(application.submitted_at).date() \
            and not catching_up:
        raise DomainError("会议日期不能早于申请提交日期")
    if min(attendees, votes_for, votes_against, votes_abstain) < 0 or attendees == 0:
        raise DomainError("请填写到会人数和表决票数")
    if votes_for + votes_against + votes_abstain > attendees:
        raise DomainError("赞成、反对、弃权票数之和不能超过到会人数")
    application.meeting_on, application.meeting_attendees = meeting_on, attendees
    application.meeting_attendee_names = attendee_names.strip()
    application.votes_for, application.votes_against = votes_for, votes_against
    application.votes_abstain = votes_abstain
    application.meeting_recorded_by = by
    application.save(update_fields=[
        "meeting_on", "meeting_attendees", "meeting_attendee_names", "votes_for", "votes_against", "votes_abstain",
        "meeting_recorded_by",
    ])
    summary = (f"支部党员大会 {meeting_on:%Y-%m-%d}：到会 {attendees} 人，"
               f"赞成 {votes_for}，反对 {votes_against}，弃权 {votes_abstain}")
    if catching_up:
        _note(application, by=by, comment=f"补录{summary}")
        return application
    if application.meeting_passed:
        _move(application, to=Status.BRANCH_REVIEWED, by=by, comment=f"{summary}，过半数同意")
        _tell(users_with_role_over(application.organization, Role.ORG_DEPT),
              title=f"{application.member.name}的{application.get_kind_display()}申请待审批",
              body=summary, link=_link(application), key=f"funds:reviewed:{application.pk}")
    else:
        _move(application, to=Status.REJECTED, by=by, comment=f"{summary}，未过半数，不予推荐")
    return application


@transaction.atomic
def approve(*, application_id: int, by: User, amount_approved, comment: str = "") -> AssistanceApplication:
    """党委审批: fix the amount, then the 公示 starts at once for N working days."""
    application = _locked(application_id)
    if application.submitted_by_id == by.pk:
        raise DomainError("不能审批自己填报的申请")
    if application.member.user_id == by.pk:
        raise DomainError("不能审批本人的申请")
    if not permissions.can_approve(by, application):
        raise DomainError("只有党委组织部可以审批帮扶申请")
    if application.status == Status.SUBMITTED and not application.is_emergency:
        raise DomainError("该申请尚未经支部党员大会评议，不能审批（紧急救助除外）")
    WORKFLOW.check(application.status, Status.APPROVED)
    amount = money(amount_approved)
    check_bounds(application.kind, amount)
    if amount > application.amount_requested:
        raise DomainError("批准金额不能超过申请金额")
    # Lock the member so two approvals for the same person cannot both fit under the cap.
    Member.objects.select_for_update().filter(pk=application.member_id).first()
    used = committed_in_year(application.member_id, application.year, excluding=application.pk)
    cap = yearly_cap()
    if used + amount > cap:
        raise DomainError(
            f"超过每人每年帮扶上限 {cap} 元：{application.year} 年已批准 {used} 元，最多还可批准 {cap - used} 元"
        )
    application.amount_approved, application.approved_by, application.approved_at = amount, by, timezone.now()
    application.decision_note = comment.strip()
    application.save(update_fields=["amount_approved", "approved_by", "approved_at", "decision_note"])
    note = f"批准 {amount} 元" + (f"：{comment.strip()}" if comment.strip() else "")
    _move(application, to=Status.APPROVED, by=by, comment=note)
    today = timezone.localdate()
    application.notice_starts_on = today
    application.notice_ends_on = add_working_days(today, settings.CARE["NOTICE_WORKING_DAYS"])
    application.save(update_fields=["notice_starts_on", "notice_ends_on"])
    _move(application, to=Status.IN_NOTICE, by=by,
          comment=f"公示 {settings.CARE['NOTICE_WORKING_DAYS']} 个工作日，至 {application.notice_ends_on:%Y-%m-%d}")
    _tell(_applicant_users(application), title=f"{application.get_kind_display()}申请已批准，正在公示",
          body=f"批准金额 {amount} 元，公示至 {application.notice_ends_on:%Y年%m月%d日}。", link=_link(application),
          key=f"funds:approved:{application.pk}")
    return application


@transaction.atomic
def reject(*, application_id: int, by: User, reason: str) -> AssistanceApplication:
    application = _locked(application_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("驳回须写明理由")
    if not permissions.can_approve(by, application):
        raise DomainError("只有党委组织部可以驳回帮扶申请（不能处理本人或自己填报的申请）")
    if application.status not in (Status.SUBMITTED, Status.BRANCH_REVIEWED):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能驳回")
    application.decision_note = reason
    application.save(update_fields=["decision_note"])
    _move(application, to=Status.REJECTED, by=by, comment=reason)
    _tell(_applicant_users(application), title=f"{application.get_kind_display()}申请未获批准", body=reason,
          link=_link(application), key=f"funds:rejected:{application.pk}")
    return application


@transaction.atomic
def raise_objection(*, application_id: int, by: User, reason: str) -> Objection:
    application = _locked(application_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("请写明异议的具体内容")
    if not permissions.can_object(by, application):
        raise DomainError("只有本组织的党员可以对公示提出异议")
    if application.status not in (Status.IN_NOTICE, Status.OBJECTION):
        raise DomainError("该申请不在公示期内，不能提出异议")
    if application.notice_ends_on and timezone.localdate() > application.notice_ends_on:
        raise DomainError("公示期已结束，不能再提出异议")
    if application.objections.filter(raised_by=by, outcome=Objection.Outcome.OPEN).exists():
        raise DomainError("您对该申请提出的异议正在处理中")
    objection = Objection.objects.create(application=application, raised_by=by, reason=reason)
    if application.status == Status.IN_NOTICE:
        _move(application, to=Status.OBJECTION, by=by, comment="公示期间有党员提出异议")
    else:
        _note(application, by=by, comment="公示期间又有党员提出异议")
    _tell(users_with_role_over(application.organization, Role.ORG_DEPT),
          title=f"{application.member.name}的{application.get_kind_display()}公示收到异议", body=reason,
          link=_link(application), key=f"funds:objection:{objection.pk}")
    return objection


@transaction.atomic
def resolve_objection(*, objection_id: int, by: User, upheld: bool, resolution: str) -> Objection:
    objection = Objection.objects.select_related("application").get(pk=objection_id)
    application = _locked(objection.application_id)
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("请填写处理意见")
    if not permissions.can_resolve_objection(by, application):
        raise DomainError("只有党委组织部可以处理公示异议")
    if objection.outcome != Objection.Outcome.OPEN:
        raise DomainError("该异议已经处理过")
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, by, timezone.now()
    objection.save(update_fields=["outcome", "resolution", "resolved_by", "resolved_at"])
    if upheld:
        _move(application, to=Status.REJECTED, by=by, comment=f"异议成立：{resolution}")
        others = application.objections.filter(outcome=Objection.Outcome.OPEN)
        other_ids = list(others.values_list("pk", flat=True))
        others.update(
            outcome=Objection.Outcome.UPHELD, resolution="同一申请的其他异议已成立，一并办结", resolved_by=by,
            resolved_at=timezone.now(),
        )
        # A queryset update bypasses the audit signals: record it explicitly.
        audit.log_bulk(model=Objection, object_ids=other_ids, actor=by, org_path=application.audit_org_path(),
                       changes={"outcome": [Objection.Outcome.OPEN.label, Objection.Outcome.UPHELD.label]})
        _tell(_applicant_users(application), title=f"{application.get_kind_display()}申请因公示异议未获通过",
              body=resolution, link=_link(application), key=f"funds:upheld:{application.pk}")
    elif not application.objections.filter(outcome=Objection.Outcome.OPEN).exists():
        _move(application, to=Status.IN_NOTICE, by=by, comment=f"异议不成立：{resolution}；公示继续")
    else:
        _note(application, by=by, comment=f"一项异议不成立：{resolution}")
    _tell([objection.raised_by], title="您提出的公示异议已处理",
          body=f"{objection.get_outcome_display()}：{resolution}", link=_link(application),
          key=f"funds:objection-resolved:{objection.pk}")
    return objection


