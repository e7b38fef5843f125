"""Every write to the ledger and to pairings, with its rules. Views, imports and jobs call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.workflow import Transitions
from hardship import permissions
from hardship.models import (
    PAIRING_TRANSITIONS_TABLE,
    RECORD_TRANSITIONS_TABLE,
    EmploymentOutcome,
    FamilyMember,
    HardshipCategory,
    HardshipRecord,
    HardshipReview,
    HelpType,
    MoneySource,
    Pairing,
    PairingProgress,
)
from members.models import Member

RECORD_TRANSITIONS = Transitions(RECORD_TRANSITIONS_TABLE, dict(HardshipRecord.Status.choices))
PAIRING_TRANSITIONS = Transitions(PAIRING_TRANSITIONS_TABLE, dict(Pairing.Status.choices))
EMPLOYMENT_HELP = "employment"  # the help type 帮就业


def check_money_source(amount: Decimal | None, source: str, note: str) -> tuple[str, str]:
    """Money handed over (at a visit, in pairing help) says where it came from: the care fund (booked
    by the fund officer as the fund's expense) or another source, named. No money, no source."""
    note = " ".join((note or "").split())
    if not amount:
        return "", ""
    if source not in MoneySource.values:
        raise DomainError("请选择资金来源：党内关怀基金或其他渠道", field="money_source")
    if source == MoneySource.OTHER and not note:
        raise DomainError("资金来自其他渠道的，请写明来源（如：单位工会慰问经费）", field="money_source_note")
    if len(note) > 100:
        raise DomainError("来源说明不能超过 100 个字", field="money_source_note")
    return source, note if source == MoneySource.OTHER else ""


def _departed_reason(member: Member) -> str | None:
    if member.deceased_on is not None:
        return "该党员已逝世"
    if member.transferred_out_on is not None:
        return "该党员已转出"
    return None


def _check_member_can_hold_line(member: Member) -> None:
    reason = _departed_reason(member)
    if reason:
        raise DomainError(f"{reason}，不能列入在册的困难党员台帐", field="member")


@transaction.atomic
def save_record(
    *,
    record: HardshipRecord,
    categories: Iterable[HardshipCategory],
    needs: Iterable[HelpType] = (),
    family: Iterable[FamilyMember] = (),
    remove_family: Iterable[FamilyMember] = (),
    by,
) -> HardshipRecord:
    """Register a new line or save an edited one, with its family members.

    知情同意: without the member's consent, income and family details are not kept.
    """
    # Lock the member: two secretaries registering the same member at once get one line.
    member = Member.objects.select_for_update().get(pk=record.member_id)
    record.member = member
    if not permissions.can_edit_record(by, record):
        raise PermissionDenied
    categories = list(categories)
    if not categories:
        raise DomainError("请至少选择一个困难类别", field="categories")
    family = list(family)
    remove_family = list(remove_family)
    if record.status == HardshipRecord.Status.ACTIVE:
        _check_member_can_hold_line(member)
        duplicate = HardshipRecord.objects.active().filter(member=member).exclude(pk=record.pk).first()
        if duplicate is not None:
            raise DomainError(
                f"{member.name}已在困难党员台帐中（登记于 {duplicate.registered_on:%Y-%m-%d}），请编辑原台帐",
                field="member",
            )
    if not record.has_consent:
        if record.annual_household_income is not None or family:
            raise DomainError(
                "未登记知情同意，不能保存家庭收入和家庭成员信息；请先登记党员本人的知情同意", field="consent_on"
            )
        record.consent_method = ""
        record.consent_recorded_by = None
    else:
        if not record.consent_method:
            raise DomainError("请选择知情同意的方式", field="consent_method")
        if record.consent_on > timezone.localdate():
            raise DomainError("知情同意日期不能晚于今天", field="consent_on")
        if record.consent_recorded_by_id is None:
            record.consent_recorded_by = by
    is_new = record.pk is None
    if is_new:
        record.created_by = by
        record.last_reviewed_on = record.last_reviewed_on or record.registered_on
    record.full_clean(exclude=["member", "categories", "needs", "consent_recorded_by", "created_by"])
    record.save()
    record.categories.set(categories)
    record.needs.set(list(needs))
    for person in remove_family:
        if person.pk and person.record_id == record.pk:
            person.delete()
    for person in family:
        person.record = record
        person.save()
    if not record.has_consent:
        # Consent withdrawn: what it covered goes with it.
        record.family.all().delete()
    registered = record.family.count()
    if record.household_size < 1 + registered:
        raise DomainError(
            f"家庭人口（{record.household_size} 人）少于本人加登记的 {registered} 名家庭成员", field="household_size"
        )
    return record


@transaction.atomic
def review_record(*, record_id: int, level: str, note: str, by, on: dt.date | None = None) -> HardshipReview:
    """The annual 复核: the line is confirmed (or its level updated) and last_reviewed_on moves."""
    record = HardshipRecord.objects.select_for_update().select_related("member").get(pk=record_id)
    if not permissions.can_review_record(by, record):
        raise PermissionDenied
    if record.status != HardshipRecord.Status.ACTIVE:
        raise DomainError("只有在册的台帐需要复核")
    _check_member_can_hold_line(record.member)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("复核日期不能晚于今天")
    if on < record.registered_on:
        raise DomainError("复核日期不能早于登记日期")
    if level not in HardshipRecord.Level.values:
        raise DomainError("请选择复核后的困难程度")
    review = HardshipReview.objects.create(
        record=record, reviewed_on=on, level=level, note=note.strip(), reviewed_by=by
    )
    record.level = level
    record.last_reviewed_on = max(on, record.last_reviewed_on or on)
    record.review_requested_on, record.review_request = None, ""
    record.save(update_fields=["level", "last_reviewed_on", "review_requested_on", "review_request", "updated_at"])
    return review


@transaction.atomic
def request_review(*, record_id: int, reason: str, by, on: dt.date | None = None) -> HardshipRecord:
    """Mark an active line for 复核: the household's situation was found changed (the yearly 全面排查).
    The line shows among those needing review until `review_record` is done; a second request while
    one is open adds its reason."""
    record = HardshipRecord.objects.select_for_update().select_related("member").get(pk=record_id)
    if not permissions.can_review_record(by, record):
        raise PermissionDenied
    if record.status != HardshipRecord.Status.ACTIVE:
        raise DomainError("只有在册的台帐需要复核")
    reason = reason.strip()
    if not reason:
        raise DomainError("请写明需要复核的原因", field="reason")
    if record.review_requested_on is None:
        record.review_requested_on = on or timezone.localdate()
        record.review_request = reason[:300]
    elif reason not in record.review_request:
        record.review_request = f"{record.review_request}；{reason}"[:300]
    record.save(update_fields=["review_requested_on", "review_request", "updated_at"])
    return record


def _close(record: HardshipRecord, *, status: str, reason: str, on: dt.date, by) -> HardshipRecord:
    RECORD_TRANSITIONS.check(record.status, status)
    record.status = status
    record.closed_on = on
    record.close_reason = reason[:200]
    record.save(update_fields=["status", "closed_on", "close_reason", "updated_at"])
    for pairing in Pairing.objects.select_for_update().active().filter(record=record):
        _end(pairing, outcome=f"台帐{record.get_status_display()}：{reason}", on=max(on, pairing.started_on))
    return record


@transaction.atomic
def close_record(*, record_id: int, status: str, reason: str, by, on: dt.date | None = None) -> HardshipRecord:
    """已脱困 or 已注销, with a reason; the line's active pairings end with it."""
    record = HardshipRecord.objects.select_for_update().select_related("member").get(pk=record_id)
    if not permissions.can_review_record(by, record):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写脱困或注销的原因", field="reason")
    if status not in (HardshipRecord.Status.LIFTED, HardshipRecord.Status.CLOSED):
        raise DomainError("请选择“已脱困”或“已注销”", field="status")
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < record.registered_on:
        raise DomainError("日期应在登记日期和今天之间", field="on")
    return _close(record, status=status, reason=reason, on=on, by=by)


def close_lines_of_departed(*, day: dt.date) -> dict[str, int]:
    """Members who died or transferred out cannot hold an active line: close theirs, and end the
    pairings in which they were the helper. Runs daily; a second run finds nothing left to do."""
    closed = ended = 0
    departed = HardshipRecord.objects.active().filter(
        member__deceased_on__isnull=False
    ) | HardshipRecord.objects.active().filter(member__transferred_out_on__isnull=False)
    for record_id in departed.values_list("pk", flat=True):
        with transaction.atomic():
            record = HardshipRecord.objects.select_for_update().select_related("member").get(pk=record_id)
            if record.status != HardshipRecord.Status.ACTIVE:
                continue
            member = record.member
            when = member.deceased_on or member.transferred_out_on
            _close(
                record,
                status=HardshipRecord.Status.CLOSED,
                reason=_departed_reason(member),
                on=max(min(when, day), record.registered_on),
                by=None,
            )
            closed += 1
    helpers_gone = Pairing.objects.active().filter(helper__deceased_on__isnull=False) | Pairing.objects.active().filter(
        helper__transferred_out_on__isnull=False
    )
    for pairing_id in helpers_gone.values_list("pk", flat=True):
        with transaction.atomic():
            pairing = Pairing.objects.select_for_update().select_related("helper").get(pk=pairing_id)
            if pairing.status != Pairing.Status.ACTIVE:
                continue
            helper = pairing.helper
            when = helper.deceased_on or helper.transferred_out_on
            _end(
                pairing,
                outcome=f"帮扶人{_departed_reason(helper)[3:]}，结对自动结束，请为该户另行安排帮扶人",
                on=max(min(when, day), pairing.started_on),
            )
            ended += 1
    return {"closed_lines": closed, "ended_pairings": ended}


# --- pairing ------------------------------------------------------------------------------------


def max_households() -> int:
    return int(settings.CARE["MAX_HOUSEHOLDS_PER_HELPER"])


@transaction.atomic
def create_pairing(
    *,
    record: HardshipRecord,
    helper: Member,
    help_types: Iterable[HelpType],
    started_on: dt.date,
    goals: str = "",
    measures: str = "",
    items: str = "",
    expected_results: str = "",
    by,
) -> Pairing:
    """Pair a helper with a household. Rules: the line is active; the helper is on the roll, is not
    the helped member, is not already paired with this household, and carries fewer than N."""
    # The helper row is the lock: two pairings for one helper at once cannot both pass the count.
    helper = Member.objects.select_for_update().get(pk=helper.pk)
    record = HardshipRecord.objects.select_for_update().select_related("member").get(pk=record.pk)
    if not permissions.can_pair(by, record):
        raise PermissionDenied
    if record.status != HardshipRecord.Status.ACTIVE:
        raise DomainError("该台帐已不在册，不能安排结对帮扶", field="record")
    if helper.pk == record.member_id:
        raise DomainError("帮扶人不能是被帮扶的党员本人", field="helper")
    reason = _departed_reason(helper)
    if reason:
        raise DomainError(f"{reason}，不能担任帮扶人", field="helper")
    if Pairing.objects.active().filter(helper=helper, record=record).exists():
        raise DomainError(f"{helper.name}已在帮扶{record.member.name}，不能重复结对", field="helper")
    limit = max_households()
    carried = Pairing.objects.active().filter(helper=helper).count()
    if carried >= limit:
        raise DomainError(f"{helper.name}已结对帮扶 {carried} 户，每名帮扶人最多帮扶 {limit} 户", field="helper")
    help_types = [h for h in help_types if h.is_pairing_help]
    if not help_types:
        raise DomainError("请至少选择一项帮扶内容（帮思想、帮生活、帮生产、帮就业、帮信息）", field="help_types")
    if started_on > timezone.localdate() + dt.timedelta(days=31):
        raise DomainError("开始日期不能晚于一个月以后", field="started_on")
    pairing = Pairing.objects.create(
        helper=helper,
        record=record,
        started_on=started_on,
        goals=goals.strip(),
        measures=measures.strip(),
        items=items.strip(),
        expected_results=expected_results.strip(),
        created_by=by,
    )
    pairing.help_types.set(help_types)
    return pairing


@transaction.atomic
def update_agreement(*, pairing: Pairing, help_types: Iterable[HelpType], by) -> Pairing:
    """Save an edited 帮扶责任书 (the form has set goals, measures, items and expected results)."""
    if not permissions.can_manage_pairing(by, pairing):
        raise PermissionDenied
    if pairing.status != Pairing.Status.ACTIVE:
        raise DomainError("结对已结束，责任书不能再修改")
    help_types = [h for h in help_types if h.is_pairing_help]
    if not help_types:
        raise DomainError("请至少选择一项帮扶内容", field="help_types")
    pairing.save(update_fields=["goals", "measures", "items", "expected_results", "updated_at"])
    pairing.help_types.set(help_types)
    return pairing


@transaction.atomic
def add_progress(
    *,
    pairing_id: int,
    date: dt.date,
    help_type: HelpType,
    description: str,
    money: Decimal = Decimal("0"),
    money_source: str = "",
    money_source_note: str = "",
    goods: str = "",
    employment_step: str = "",
    employment_outcome: str = "",
    by,
) -> PairingProgress:
    pairing = Pairing.objects.select_for_update().select_related("record__member").get(pk=pairing_id)
    if not permissions.can_log_progress(by, pairing):
        raise PermissionDenied
    if pairing.status != Pairing.Status.ACTIVE:
        raise DomainError("结对已结束，不能再登记帮扶进展")
    if date > timezone.localdate():
        raise DomainError("日期不能晚于今天", field="date")
    if date < pairing.started_on:
        raise DomainError(f"日期不能早于结对开始日期（{pairing.started_on:%Y-%m-%d}）", field="date")
    if not description.strip():
        raise DomainError("请填写帮扶内容", field="description")
    if money is None or money < 0:
        raise DomainError("金额不能为负数", field="money")
    money_source, money_source_note = check_money_source(money, money_source, money_source_note)
    if help_type.code == EMPLOYMENT_HELP and not employment_step:
        raise DomainError("帮就业请选择方式：职业技能培训或就业推荐", field="employment_step")
    if help_type.code != EMPLOYMENT_HELP and (employment_step or employment_outcome):
        raise DomainError("帮就业方式和结果只用于“帮就业”", field="employment_step")
    if employment_step and not employment_outcome:
        employment_outcome = EmploymentOutcome.PENDING
    return PairingProgress.objects.create(
        pairing=pairing,
        date=date,
        help_type=help_type,
        description=description.strip(),
        money=money,
        money_source=money_source,
        money_source_note=money_source_note,
        goods=goods.strip(),
        recorded_by=by,
        employment_step=employment_step,
        employment_outcome=employment_outcome,
        outcome_on=date if employment_outcome not in ("", EmploymentOutcome.PENDING) else None,
    )


@transaction.atomic
def record_employment_outcome(*, progress_id: int, outcome: str, note: str = "", by) -> PairingProgress:
    """What came of a training or a job referral (帮就业): completed, employed, not successful."""
    entry = PairingProgress.objects.select_for_update().select_related("pairing").get(pk=progress_id)
    if not permissions.can_log_progress(by, entry.pairing):
        raise PermissionDenied
    if not entry.employment_step:
        raise DomainError("这条进展不是帮就业记录")
    if outcome not in EmploymentOutcome.values:
        raise DomainError("请选择结果", field="outcome")
    entry.employment_outcome, entry.outcome_note = outcome, note.strip()
    entry.outcome_on = None if outcome == EmploymentOutcome.PENDING else timezone.localdate()
    entry.save(update_fields=["employment_outcome", "outcome_note", "outcome_on"])
    return entry


def _end(pairing: Pairing, *, outcome: str, on: dt.date) -> Pairing:
    PAIRING_TRANSITIONS.check(pairing.status, Pairing.Status.ENDED)
    pairing.status = Pairing.Status.ENDED
    pairing.ended_on = on
    pairing.outcome = outcome
    pairing.save(update_fields=["status", "ended_on", "outcome", "updated_at"])
    return pairing


@transaction.atomic
def end_pairing(*, pairing_id: int, outcome: str, by, on: dt.date | None = None) -> Pairing:
    pairing = Pairing.objects.select_for_update().select_related("record__member").get(pk=pairing_id)
    if not permissions.can_manage_pairing(by, pairing):
        raise PermissionDenied
    outcome = outcome.strip()
    if not outcome:
        raise DomainError("请填写帮扶成效", field="outcome")
    on = on or timezone.localdate()
    if on < pairing.started_on:
        raise DomainError("结束日期不能早于开始日期", field="on")
    if on > timezone.localdate():
        raise DomainError("结束日期不能晚于今天", field="on")
    return _end(pairing, outcome=outcome, on=on)
