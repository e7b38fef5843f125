"""Money in and out of a fund: income, reversing entries, and disbursements (single or in a batch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import clock, formats
from core.errors import DomainError
from funds import permissions
from funds.models import (
    DEFAULT_AMOUNT_BOUNDS,
    AmountBound,
    AssistanceApplication,
    DisbursementBatch,
    Fund,
    FundEntry,
    Source,
    Status,
)
from funds.services.common import (
    _applicant_users,
    _locked,
    _move,
    _tell,
    _title,
    ancestor_ids,
    fund_for,
    money,
)
from members.models import Organization, User

# ---------------------------------------------------------------- the fund


@transaction.atomic
def open_fund(*, organization: Organization, by: User, name: str = "党内关怀基金专户") -> Fund:
    if not permissions.can_open_fund(by, organization):
        raise PermissionDenied("只有该组织的基金管理员可以设立基金专户")
    fund, created = Fund.objects.get_or_create(organization=organization, defaults={"name": name})
    if created:
        AmountBound.objects.bulk_create(
            AmountBound(fund=fund, kind=kind, minimum=Decimal(low), maximum=Decimal(high))
            for kind, (low, high) in DEFAULT_AMOUNT_BOUNDS.items()
        )
    return fund


@transaction.atomic
def record_income(
    *, fund_id: int, by: User, source: str, amount, occurred_on: dt.date, donor: str = "", note: str = ""
) -> FundEntry:
    fund = Fund.objects.select_for_update().select_related("organization").get(pk=fund_id)
    if not permissions.can_manage_fund(by, fund):
        raise PermissionDenied("只有本基金的基金管理员可以登记收入")
    amount = money(amount)
    if amount <= 0:
        raise DomainError("收入金额应大于 0")
    if source not in Source.values:
        raise DomainError("请选择收入来源")
    donor = donor.strip()
    if source == Source.DONATION and not donor:
        raise DomainError("党员捐助须填写捐助人")
    if occurred_on > clock.today():
        raise DomainError("发生日期不能晚于今天")
    entry = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.INCOME,
        source=source,
        donor=donor,
        amount=amount,
        occurred_on=occurred_on,
        note=note.strip(),
        recorded_by=by,
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
        raise PermissionDenied("只有本基金的基金管理员可以登记冲正")
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写冲正原因")
    if len(reason) > 150:  # the entry's 摘要 holds 200 characters, "冲正：" and the reason
        raise DomainError("冲正原因不能超过150个字")
    if entry.kind != FundEntry.Kind.INCOME:
        raise DomainError("只能冲正收入分录；发放支出与申请一一对应，撤销须经党委复议后追回")
    if FundEntry.objects.filter(reverses=entry).exists():
        raise DomainError("该分录已经冲正过")
    if fund.balance < entry.amount:
        raise DomainError(f"基金余额 {formats.money(fund.balance)} 元，不足以冲正 {formats.money(entry.amount)} 元")
    reversal = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.REVERSAL,
        source=entry.source,
        donor=entry.donor,
        amount=-entry.amount,
        occurred_on=clock.today(),
        reverses=entry,
        note=f"冲正：{reason}",
        recorded_by=by,
    )
    fund.balance -= entry.amount
    fund.save(update_fields=["balance"])
    return reversal


def _pay(application: AssistanceApplication, fund: Fund, by: User, batch: DisbursementBatch | None) -> FundEntry:
    if not permissions.may_disburse(by, application):
        if application.approved_by_id == by.pk:
            raise PermissionDenied("审批人不能经办发放，请由其他基金管理员发放")
        raise PermissionDenied("只有本基金的基金管理员可以发放（不能发放本人的申请）")
    if application.status == Status.DISBURSED:
        raise DomainError(f"{application.recipient_label}的申请已发放，不能重复发放")
    if application.status != Status.NOTICE_PASSED:
        raise DomainError(f"{application.recipient_label}的申请尚未公示期满，不能发放")
    amount = application.amount_approved
    if fund.balance < amount:
        raise DomainError(
            f"基金余额 {formats.money(fund.balance)} 元，"
            f"不足以发放 {application.recipient_label}的 {formats.money(amount)} 元"
        )
    entry = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.EXPENSE,
        amount=-amount,
        occurred_on=clock.today(),
        application=application,
        note=f"{application.recipient_label} {application.get_kind_display()}",
        recorded_by=by,
    )
    fund.balance -= amount
    fund.save(update_fields=["balance"])
    application.disbursed_by, application.disbursed_at, application.batch = by, clock.now(), batch
    application.save(update_fields=["disbursed_by", "disbursed_at", "batch"])
    _move(
        application,
        to=Status.DISBURSED,
        by=by,
        comment=f"发放 {formats.money(amount)} 元" + (f"（{batch.title}）" if batch else ""),
    )
    _tell(
        _applicant_users(application),
        title=_title(application, f" {formats.money(amount)} 元已发放"),
        group="{n} 笔帮扶资金已发放",
        body="请注意查收。",
        about=application,
        key=f"funds:disbursed:{application.pk}",
    )
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
    title = " ".join(title.split()) or f"{clock.today():%Y年%m月%d日}批量发放"
    if len(title) > 100:
        raise DomainError("批次名称不能超过 100 个字")
    # Same lock order as `disburse`: applications (by id), then the fund.
    applications = list(
        AssistanceApplication.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "fund", "partner_unit")
        .filter(pk__in=ids, fund_id=fund_id)
        .order_by("pk")
    )
    if len(applications) != len(ids):
        raise DomainError("所选申请中有不属于本基金的申请")
    fund = Fund.objects.select_for_update().select_related("organization").get(pk=fund_id)
    total = sum((a.amount_approved or Decimal("0")) for a in applications)
    if fund.balance < total:
        raise DomainError(
            f"基金余额 {formats.money(fund.balance)} 元，不足以发放所选 {len(ids)} 项合计 {formats.money(total)} 元"
        )
    batch = DisbursementBatch.objects.create(fund=fund, title=title, total=total, created_by=by)
    for application in applications:
        _pay(application, fund, by, batch)
    return batch


@transaction.atomic
def record_recovery(*, application_id: int, by: User, note: str = "") -> FundEntry:
    """The money of an emergency the 党委 revoked after payment is back: a reversing entry of the payment,
    the fund's balance restored, the application 已追回."""
    application = _locked(application_id)
    if not permissions.may_record_recovery(by, application):
        raise PermissionDenied("只有本基金的基金管理员可以登记追回的资金")
    if application.status != Status.RECOVERY_DUE:
        raise DomainError(f"当前状态为“{application.get_status_display()}”，没有待追回的资金")
    fund = Fund.objects.select_for_update().get(pk=application.fund_id)
    payment = FundEntry.objects.get(application=application)
    if FundEntry.objects.filter(reverses=payment).exists():
        raise DomainError("该笔发放已经追回入账")
    recovery = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.REVERSAL,
        amount=-payment.amount,
        occurred_on=clock.today(),
        reverses=payment,
        note=f"追回：{application.recipient_label} {application.get_kind_display()}（党委复议撤销）"
        + (f"；{note.strip()}" if note.strip() else ""),
        recorded_by=by,
    )
    fund.balance -= payment.amount
    fund.save(update_fields=["balance"])
    _move(
        application, to=Status.RECOVERED, by=by, comment=f"已追回 {formats.money(-payment.amount)} 元，冲正原发放分录"
    )
    _tell(
        _applicant_users(application),
        title=_title(application, "申请的资金已追回入账"),
        body=f"追回 {formats.money(-payment.amount)} 元。",
        about=application,
        key=f"funds:recovered:{application.pk}",
    )
    return recovery


# ---------------------------------------------------------------- 走访慰问 and 结对帮扶 paid from the fund


def _check_use(
    *,
    fund: Fund,
    organization: Organization,
    amount,
    by: User,
    recorded_by_id: int | None,
    occurred_on: dt.date,
    not_before: dt.date,
    what: str,
) -> Decimal:
    if not permissions.can_manage_fund(by, fund):
        raise PermissionDenied("只有本基金的基金管理员可以列支")
    if fund.organization_id not in ancestor_ids(organization):
        raise DomainError(f"该{what}不在本基金的支付范围内")
    if recorded_by_id == by.pk:
        raise PermissionDenied(f"登记{what}的人不能同时经办列支，请由其他基金管理员办理")
    if not amount or amount <= 0:
        raise DomainError(f"该{what}没有资金，无需列支")
    if occurred_on > clock.today():
        raise DomainError("列支日期不能晚于今天")
    if occurred_on < not_before:
        raise DomainError(f"列支日期不能早于{what}日期 {not_before:%Y-%m-%d}")
    if fund.balance < amount:
        raise DomainError(f"基金余额 {formats.money(fund.balance)} 元，不足以列支 {formats.money(amount)} 元")
    return amount


@transaction.atomic
def pay_visit(*, visit_id: int, by: User, occurred_on: dt.date | None = None) -> FundEntry:
    """A visit that handed over 慰问金 from the care fund becomes the fund's expense (走访慰问)."""
    from hardship.models import MoneySource
    from visits.models import Visit

    visit = Visit.objects.select_for_update(of=("self",)).select_related("member__organization").get(pk=visit_id)
    fund = fund_for(visit.member.organization)
    if fund is None:
        raise DomainError("上级党组织尚未设立关怀基金专户")
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if visit.money_source != MoneySource.CARE_FUND:
        raise DomainError("该走访的慰问金不是从关怀基金支出，不能列支")
    if FundEntry.objects.filter(visit=visit).exists():
        raise DomainError("该走访的慰问金已经列支，不能重复列支")
    occurred_on = occurred_on or visit.visited_on
    amount = _check_use(
        fund=fund,
        organization=visit.member.organization,
        amount=visit.amount,
        by=by,
        recorded_by_id=visit.created_by_id,
        occurred_on=occurred_on,
        not_before=visit.visited_on,
        what="走访",
    )
    entry = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.EXPENSE,
        amount=-amount,
        occurred_on=occurred_on,
        visit=visit,
        note=f"{visit.member.name} {visit.get_occasion_display()}走访慰问金",
        recorded_by=by,
    )
    fund.balance -= amount
    fund.save(update_fields=["balance"])
    return entry


@transaction.atomic
def pay_pairing_progress(*, progress_id: int, by: User, occurred_on: dt.date | None = None) -> FundEntry:
    """Pairing help paid in money from the care fund becomes the fund's expense (结对帮扶)."""
    from hardship.models import MoneySource, PairingProgress

    progress = (
        PairingProgress.objects.select_for_update(of=("self",))
        .select_related("pairing__record__member__organization", "pairing__helper")
        .get(pk=progress_id)
    )
    member = progress.pairing.record.member
    fund = fund_for(member.organization)
    if fund is None:
        raise DomainError("上级党组织尚未设立关怀基金专户")
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if progress.money_source != MoneySource.CARE_FUND:
        raise DomainError("该帮扶资金不是从关怀基金支出，不能列支")
    if FundEntry.objects.filter(pairing_progress=progress).exists():
        raise DomainError("该帮扶资金已经列支，不能重复列支")
    occurred_on = occurred_on or progress.date
    amount = _check_use(
        fund=fund,
        organization=member.organization,
        amount=progress.money,
        by=by,
        recorded_by_id=progress.recorded_by_id,
        occurred_on=occurred_on,
        not_before=progress.date,
        what="帮扶进展",
    )
    entry = FundEntry.objects.create(
        fund=fund,
        kind=FundEntry.Kind.EXPENSE,
        amount=-amount,
        occurred_on=occurred_on,
        pairing_progress=progress,
        note=f"{progress.pairing.helper.name}帮扶{member.name}（{progress.help_type}）",
        recorded_by=by,
    )
    fund.balance -= amount
    fund.save(update_fields=["balance"])
    return entry
