"""Every write to the fund and to applications. Rules are checked here even when a view checked them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

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
    DisbursementBatch,
    Fund,
    FundEntry,
    Kind,
    Objection,
    Source,
    Status,
)
from members.models import Member, Organization, Role, User
from notifications.services import notify

CENT = Decimal("0.01")


# ---------------------------------------------------------------- helpers


def money(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError("金额格式不正确") from exc
    if amount != Decimal(str(value)):
        raise DomainError("金额最多保留两位小数（到分）")
    return amount


def ancestor_ids(organization: Organization) -> list[int]:
    return [int(part) for part in organization.path.strip("/").split("/") if part]


def fund_for(organization: Organization) -> Fund | None:
    """The fund that pays for a branch: the nearest organization above it (or itself) that keeps one."""
    ids = ancestor_ids(organization)
    funds = {f.organization_id: f for f in Fund.objects.filter(organization_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in funds:
            return funds[org_id]
    return None


def users_with_role_over(organization: Organization, role: str):
    return User.objects.filter(
        appointments__role=role, appointments__organization_id__in=ancestor_ids(organization), is_active=True
    ).distinct()


def fund_officers(fund: Fund):
    return User.objects.filter(
        appointments__role=Role.FUND_OFFICER, appointments__organization_id=fund.organization_id, is_active=True
    ).distinct()


def _link(application: AssistanceApplication) -> str:
    return application.get_absolute_url()


def _tell(users: Iterable[User], *, title: str, body: str, link: str, key: str) -> int:
    sent = 0
    for user in users:
        if notify(recipient=user, title=title, body=body, link=link, dedupe_key=f"{key}:u{user.pk}"):
            sent += 1
    return sent


def _applicant_users(application: AssistanceApplication) -> list[User]:
    users = {application.submitted_by_id: application.submitted_by}
    if application.member.user_id:
        users[application.member.user_id] = application.member.user
    return list(users.values())


def _move(application: AssistanceApplication, *, to: str, by: User | None, comment: str = "") -> ApplicationEvent:
    """The only way a status changes: checked against the table, recorded as an event."""
    WORKFLOW.check(application.status, to)
    event = ApplicationEvent.objects.create(
        application=application, actor=by, from_status=application.status, to_status=to, comment=comment
    )
    application.status = to
    application.status_changed_at = event.created_at
    application.save(update_fields=["status", "status_changed_at"])
    return event


def _note(application: AssistanceApplication, *, by: User, comment: str) -> ApplicationEvent:
    """A recorded step that does not move the status (补录支部大会, 上传附件)."""
    return ApplicationEvent.objects.create(
        application=application, actor=by, from_status=application.status, to_status=application.status,
        comment=comment,
    )


def _locked(application_id: int) -> AssistanceApplication:
    try:
        return (
            AssistanceApplication.objects.select_for_update(of=("self",))
            .select_related("member", "organization", "fund", "submitted_by", "member__user")
            .get(pk=application_id)
        )
    except AssistanceApplication.DoesNotExist as exc:
        raise DomainError("申请不存在或已被删除") from exc


def check_bounds(kind: str, amount: Decimal) -> None:
    low, high = (Decimal(v) for v in settings.CARE["APPLICATION_AMOUNT_BOUNDS"][kind])
    if not (low <= amount <= high):
        raise DomainError(f"{Kind(kind).label}的金额应在 {low} 元至 {high} 元之间")


def committed_in_year(member_id: int, year: int, *, excluding: int | None = None) -> Decimal:
    qs = AssistanceApplication.objects.filter(member_id=member_id, year=year, status__in=COMMITTED_STATUSES)
    if excluding:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("amount_approved"))["total"] or Decimal("0.00")


def yearly_cap() -> Decimal:
    return Decimal(settings.CARE["MEMBER_YEARLY_CAP"])


# ---------------------------------------------------------------- the fund


@transaction.atomic
def open_fund(*, organization: Organization, by: User, name: str = "党内关怀基金专户") -> Fund:
    if not by.is_superuser and not permissions._holds(by, Role.FUND_OFFICER, organization.pk):
        raise DomainError("只有该组织的基金管理员可以设立基金专户")
    fund, _ = Fund.objects.get_or_create(organization=organization, defaults={"name": name})
    return fund


@transaction.atomic
def record_income(
    *, fund_id: int, by: User, source: str, amount, occurred_on: dt.date, donor: str = "", note: str = ""
) -> FundEntry:
    fund = Fund.objects.select_for_update().select_related("organization").get(pk=fund_id)
    if not permissions.can_manage_fund(by, fund):
        raise DomainError("只有本基金的基金管理员可以登记收入")
    amount = money(amount)
    if amount <= 0:
        raise DomainError("收入金额应大于 0")
    if source not in Source.values:
        raise DomainError("请选择收入来源")
    donor = donor.strip()
    if source == Source.DONATION and not donor:
        raise DomainError("党员捐助须填写捐助人")
    if occurred_on > timezone.localdate():
        raise DomainError("发生日期不能晚于今天")
    entry = FundEntry.objects.create(
        fund=fund, kind=FundEntry.Kind.INCOME, source=source, donor=donor, amount=amount,
        occurred_on=occurred_on, note=note.strip(), recorded_by=by,
    )
    fund.balance += amount
    fund.save(update_fields=["balance"])
    return entry


@transaction.atomic
def reverse_entry(*, entry_id: int, by: User, reason: str) -> FundEntry:
    """A correction: a new line with the opposite amount. The original stays as it was."""
    entry = FundEntry.objects.select_related("fund").get(pk=entry_id)
    fund = Fund.objects.select_for_update().select_related("organization").get(pk=entry.fund_id)
    if not permissions.can_manage_fund(by, fund):
        raise DomainError("只有本基金的基金管理员可以登记冲正")
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写冲正原因")
    if entry.kind != FundEntry.Kind.INCOME:
        raise DomainError("只能冲正收入分录；发放支出与申请一一对应，不能冲正")
    if FundEntry.objects.filter(reverses=entry).exists():
        raise DomainError("该分录已经冲正过")
    if fund.balance < entry.amount:
        raise DomainError(f"基金余额 {fund.balance} 元，不足以冲正 {entry.amount} 元")
    reversal = FundEntry.objects.create(
        fund=fund, kind=FundEntry.Kind.REVERSAL, source=entry.source, donor=entry.donor, amount=-entry.amount,
        occurred_on=timezone.localdate(), reverses=entry, note=f"冲正：{reason}", recorded_by=by,
    )
    fund.balance -= entry.amount
    fund.save(update_fields=["balance"])
    return reversal


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
        application.objections.filter(outcome=Objection.Outcome.OPEN).update(
            outcome=Objection.Outcome.UPHELD, resolution="同一申请的其他异议已成立，一并办结", resolved_by=by,
            resolved_at=timezone.now(),
        )
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


def _pay(application: AssistanceApplication, fund: Fund, by: User, batch: DisbursementBatch | None) -> FundEntry:
    if not permissions.can_disburse(by, application):
        if application.approved_by_id == by.pk:
            raise DomainError("审批人不能经办发放，请由其他基金管理员发放")
        raise DomainError("只有本基金的基金管理员可以发放（不能发放本人的申请）")
    if application.status == Status.DISBURSED:
        raise DomainError(f"{application.member.name}的申请已发放，不能重复发放")
    if application.status != Status.NOTICE_PASSED:
        raise DomainError(f"{application.member.name}的申请尚未公示期满，不能发放")
    amount = application.amount_approved
    if fund.balance < amount:
        raise DomainError(f"基金余额 {fund.balance} 元，不足以发放 {application.member.name}的 {amount} 元")
    entry = FundEntry.objects.create(
        fund=fund, kind=FundEntry.Kind.EXPENSE, amount=-amount, occurred_on=timezone.localdate(),
        application=application, note=f"{application.member.name} {application.get_kind_display()}", recorded_by=by,
    )
    fund.balance -= amount
    fund.save(update_fields=["balance"])
    application.disbursed_by, application.disbursed_at, application.batch = by, timezone.now(), batch
    application.save(update_fields=["disbursed_by", "disbursed_at", "batch"])
    _move(application, to=Status.DISBURSED, by=by,
          comment=f"发放 {amount} 元" + (f"（{batch.title}）" if batch else ""))
    _tell(_applicant_users(application), title=f"{application.get_kind_display()} {amount} 元已发放",
          body="请注意查收。", link=_link(application), key=f"funds:disbursed:{application.pk}")
    return entry


@transaction.atomic
def disburse(*, application_id: int, by: User) -> FundEntry:
    """Pay one application whose notice has passed: exactly once, never overdrawing the fund."""
    application = _locked(application_id)
    fund = Fund.objects.select_for_update().get(pk=application.fund_id)
    return _pay(application, fund, by, None)


@transaction.atomic
def disburse_batch(*, fund_id: int, application_ids: Sequence[int], by: User, title: str) -> DisbursementBatch:
    """Pay a selection in one action: all of it or, if any one is refused, none of it."""
    ids = sorted({int(pk) for pk in application_ids})
    if not ids:
        raise DomainError("请至少选择一项申请")
    title = title.strip() or f"{timezone.localdate():%Y年%m月%d日}批量发放"
    # Same lock order as `disburse`: applications (by id), then the fund.
    applications = list(
        AssistanceApplication.objects.select_for_update(of=("self",)).select_related("member", "member__user", "fund")
        .filter(pk__in=ids, fund_id=fund_id).order_by("pk")
    )
    if len(applications) != len(ids):
        raise DomainError("所选申请中有不属于本基金的申请")
    fund = Fund.objects.select_for_update().select_related("organization").get(pk=fund_id)
    total = sum((a.amount_approved or Decimal("0")) for a in applications)
    if fund.balance < total:
        raise DomainError(f"基金余额 {fund.balance} 元，不足以发放所选 {len(ids)} 项合计 {total} 元")
    batch = DisbursementBatch.objects.create(fund=fund, title=title, total=total, created_by=by)
    for application in applications:
        _pay(application, fund, by, batch)
    return batch


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
