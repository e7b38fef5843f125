"""Applications from request to submission: create, edit, submit, withdraw, return for revision."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from core import clock
from core.errors import DomainError
from funds import permissions
from funds.attachments import check_attachment
from funds.models import (
    COMMITTED_STATUSES,
    ApplicationEvent,
    ApplicationVersion,
    AssistanceApplication,
    Attachment,
    Kind,
    PartnerUnit,
    Status,
)
from funds.services.common import (
    _applicant_users,
    _locked,
    _move,
    _tell,
    _title,
    check_annual_subsidy,
    check_bounds,
    fund_for,
    money,
    users_with_role_over,
)
from members.models import Member, Role, User


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
            application=application,
            original_name=name[:200],
            content_type=content_type,
            size=len(data),
            uploaded_by=by,
        )
        attachment.file.save("upload", ContentFile(data), save=False)
        written.append(attachment.file.name)
        attachment.save()


def _validate_request(application: AssistanceApplication) -> None:
    """The request's own rules, the member (if any) locked by the caller: kind, bounds, reason, and for
    the 年度生活困难补助 the ledger condition and one a year."""
    if application.kind not in Kind.values:
        raise DomainError("请选择申请类别")
    check_bounds(application.fund_id, application.kind, application.amount_requested)
    if not application.reason.strip():
        raise DomainError("请填写申请理由")
    check_annual_subsidy(application)


def _lock_member(member_id: int | None) -> None:
    """Two requests for the same member (the one-a-year rule, the yearly cap) are decided one at a time."""
    if member_id:
        Member.objects.select_for_update().filter(pk=member_id).first()


def create_application(
    *,
    by: User,
    member: Member | None = None,
    partner: PartnerUnit | None = None,
    recipient_name: str = "",
    kind: str,
    amount_requested,
    reason: str,
    is_emergency: bool = False,
    files: Sequence = (),
    submit: bool = False,
) -> AssistanceApplication:
    """For a member of the roster, or (`partner`, `recipient_name`) a 困难党员 of a 互联共建单位."""
    with _files_removed_on_failure() as written, transaction.atomic():
        return _create_application(
            by=by,
            member=member,
            partner=partner,
            recipient_name=recipient_name,
            kind=kind,
            amount_requested=amount_requested,
            reason=reason,
            is_emergency=is_emergency,
            files=files,
            submit=submit,
            written=written,
        )


def _create_application(
    *, by, member, partner, recipient_name, kind, amount_requested, reason, is_emergency, files, submit, written
):
    if (member is None) == (partner is None):
        raise DomainError("请选择申请人")
    if member is not None:
        if not permissions.can_apply_for(by, member):
            raise PermissionDenied("您只能为本人或本支部的在册党员提出申请")
        fund, organization = fund_for(member.organization), member.organization
        if fund is None:
            raise DomainError("上级党组织尚未设立关怀基金专户，暂不能申请")
        recipient_name = ""
    else:
        partner = PartnerUnit.objects.select_related("fund", "liaison").get(pk=partner.pk)
        if not permissions.can_apply_for_partner(by, partner):
            raise PermissionDenied("互联共建单位困难党员的申请由负责联系该单位的支部书记填报")
        recipient_name = " ".join(recipient_name.split())
        if not recipient_name:
            raise DomainError("请填写互联共建单位困难党员的姓名")
        if len(recipient_name) > 50:
            raise DomainError("姓名不能超过 50 个字")
        fund, organization = partner.fund, partner.liaison
    _lock_member(member.pk if member else None)
    now = clock.now()
    application = AssistanceApplication(
        fund=fund,
        member=member,
        partner_unit=partner,
        recipient_name=recipient_name,
        organization=organization,
        kind=kind,
        year=clock.today().year,
        amount_requested=money(amount_requested),
        reason=reason.strip(),
        is_emergency=is_emergency,
        status=Status.DRAFT,
        status_changed_at=now,
        submitted_by=by,
        created_at=now,
    )
    _validate_request(application)
    application.save()
    ApplicationEvent.objects.create(application=application, actor=by, to_status=Status.DRAFT, comment="创建申请")
    _store_files(application, files, by, written)
    if submit:
        _submit(application, by=by)
    return application


def update_application(
    *,
    application_id: int,
    by: User,
    kind: str,
    amount_requested,
    reason: str,
    is_emergency: bool,
    files: Sequence = (),
) -> AssistanceApplication:
    with _files_removed_on_failure() as written, transaction.atomic():
        return _update_application(
            application_id=application_id,
            by=by,
            kind=kind,
            amount_requested=amount_requested,
            reason=reason,
            is_emergency=is_emergency,
            files=files,
            written=written,
        )


def _update_application(*, application_id, by, kind, amount_requested, reason, is_emergency, files, written):
    application = _locked(application_id)
    if not permissions.may_edit(by, application):
        raise PermissionDenied("只有申请人或代为填报的书记可以修改申请")
    if not permissions.can_edit(by, application):
        raise DomainError("只有草稿或退回修改的申请可以修改")
    _lock_member(application.member_id)
    application.kind, application.amount_requested = kind, money(amount_requested)
    application.reason, application.is_emergency = reason.strip(), is_emergency
    _validate_request(application)
    application.save(update_fields=["kind", "amount_requested", "reason", "is_emergency"])
    _store_files(application, files, by, written)
    return application


def _submit(application: AssistanceApplication, *, by: User, comment: str = "") -> None:
    if not permissions.may_edit(by, application):
        raise PermissionDenied("只有申请人或代为填报的书记可以提交")
    if not permissions.can_edit(by, application):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能提交")
    resubmission = application.status == Status.RETURNED
    comment = comment or ("修改后重新提交" if resubmission else "提交申请")
    _move(application, to=Status.SUBMITTED, by=by, comment=comment)
    application.submitted_at = clock.now()
    application.save(update_fields=["submitted_at"])
    number = application.versions.count() + 1
    ApplicationVersion.objects.create(
        application=application,
        number=number,
        kind=application.kind,
        amount_requested=application.amount_requested,
        reason=application.reason,
        is_emergency=application.is_emergency,
        attachment_names=list(application.attachments.values_list("original_name", flat=True)),
        submitted_by=by,
    )
    title = _title(application, "申请待处理")
    if application.is_emergency:
        recipients = users_with_role_over(application.organization, Role.ORG_DEPT)
        body = "紧急救助申请，可先审批，支部大会事后补录。"
    else:
        recipients = User.objects.filter(
            appointments__role=Role.SECRETARY, appointments__organization=application.organization
        ).distinct()
        body = "请召开支部党员大会评议，并在系统中记录会议情况。"
    _tell(
        recipients,
        title=title,
        body=body,
        about=application,
        key=f"funds:submitted:{application.pk}:{number}",
        todo=True,
        group="{n} 份帮扶申请待处理",
    )


@transaction.atomic
def submit(*, application_id: int, by: User) -> AssistanceApplication:
    application = _locked(application_id)
    _lock_member(application.member_id)
    _validate_request(application)
    _submit(application, by=by)
    return application


@transaction.atomic
def withdraw(*, application_id: int, by: User, comment: str = "") -> AssistanceApplication:
    application = _locked(application_id)
    if not permissions.may_edit(by, application):
        raise PermissionDenied("只有申请人或代为填报的书记可以撤回申请")
    if application.status in COMMITTED_STATUSES:
        raise DomainError("申请已经党委审批，不能撤回")
    if not permissions.can_withdraw(by, application):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能撤回")
    _move(application, to=Status.WITHDRAWN, by=by, comment=comment.strip() or "申请人撤回")
    return application


@transaction.atomic
def return_for_revision(*, application_id: int, by: User, reason: str) -> AssistanceApplication:
    application = _locked(application_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("退回修改须写明原因，申请人据此修改")
    if not permissions.may_return(by, application):
        raise PermissionDenied("您不是该申请当前环节的审核人，不能退回")
    if not permissions.can_return(by, application):
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能退回修改")
    _move(application, to=Status.RETURNED, by=by, comment=reason)
    if application.meeting_recorded and not application.meeting_confirmed_at:
        _clear_meeting(application)
    _tell(
        _applicant_users(application),
        title=_title(application, "申请被退回修改"),
        body=reason,
        todo=True,
        about=application,
        key=f"funds:returned:{application.pk}:{application.versions.count()}",
    )
    return application


MEETING_FIELDS = [
    "meeting_on",
    "meeting_attendees",
    "meeting_attendee_names",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "meeting_roster_count",
    "meeting_recorded_by",
    "meeting_confirmed_by",
    "meeting_confirmed_at",
]


def _clear_meeting(application: AssistanceApplication) -> None:
    """An unconfirmed record that will not count (returned application, record refused by the confirmer)."""
    for name in MEETING_FIELDS:
        setattr(application, name, "" if name == "meeting_attendee_names" else None)
    application.save(update_fields=MEETING_FIELDS)
