"""Money in and out of a fund: income, reversing entries, and disbursements (single or in a batch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from funds import permissions
from funds.models import (
    AssistanceApplication,
    DisbursementBatch,
    Fund,
    FundEntry,
    Source,
    Status,
)
from funds.services.common import (
    _applicant_users,
    _link,
    _locked,
    _move,
    _tell,
    money,
)
from members.models import Organization, Role, User

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
    if len(reason) > 150:  # the entry's 摘要 holds 200 characters, "冲正：" and the reason
        raise DomainError("冲正原因不能超过150个字")
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
    if len(title) > DisbursementBatch._meta.get_field("title").max_length:
        raise DomainError("发放清单标题不能超过100个字")
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


