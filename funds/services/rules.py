"""The fund's rules the 党委 sets through its organization department: amount bounds per kind (with
their history), the yearly fund-raising target, and the 互联共建单位 the fund may help."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import clock, formats
from core.errors import DomainError
from funds import permissions
from funds.models import AmountBound, AmountBoundChange, Fund, FundTarget, Kind, PartnerUnit
from funds.services.common import bound_for, money
from members.models import Organization, User


def _fund(fund_id: int, by: User) -> Fund:
    fund = Fund.objects.select_related("organization").get(pk=fund_id)
    if not permissions.can_set_rules(by, fund):
        raise PermissionDenied("基金的金额标准、筹集目标和互联共建单位由党委组织部设定")
    return fund


@transaction.atomic
def set_amount_bound(*, fund_id: int, kind: str, minimum, maximum, reason: str, by: User) -> AmountBound:
    """Change what a kind of application may ask and be granted. Takes the bound's row lock, which
    approvals take too: an approval decided meanwhile is checked against one bound or the other, whole."""
    fund = _fund(fund_id, by)
    if kind not in Kind.values:
        raise DomainError("请选择申请类别")
    minimum, maximum = money(minimum), money(maximum)
    if minimum <= 0:
        raise DomainError("最低金额应大于 0")
    if maximum < minimum:
        raise DomainError("最高金额不能低于最低金额")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("请写明调整依据，如：党委会议纪要〔2027〕2号")
    if len(reason) > 200:
        raise DomainError("调整依据不能超过 200 个字")
    bound = bound_for(fund.pk, kind, lock=True)
    if (bound.minimum, bound.maximum) == (minimum, maximum):
        raise DomainError(
            f"{Kind(kind).label}的金额标准已是 {formats.money(minimum)}–{formats.money(maximum)} 元，未作调整"
        )
    AmountBoundChange.objects.create(
        bound=bound,
        old_minimum=bound.minimum,
        old_maximum=bound.maximum,
        new_minimum=minimum,
        new_maximum=maximum,
        reason=reason,
        changed_by=by,
    )
    bound.minimum, bound.maximum, bound.updated_by, bound.updated_at = minimum, maximum, by, clock.now()
    bound.save(update_fields=["minimum", "maximum", "updated_by", "updated_at"])
    return bound


@transaction.atomic
def set_target(*, fund_id: int, year: int, amount, decision_ref: str, by: User) -> FundTarget:
    fund = _fund(fund_id, by)
    amount = money(amount)
    if amount <= 0:
        raise DomainError("筹集目标应大于 0")
    today = clock.today()
    if not today.year - 1 <= year <= today.year + 1:
        raise DomainError(f"只能设定 {today.year - 1}—{today.year + 1} 年的筹集目标")
    decision_ref = " ".join(decision_ref.split())
    if not decision_ref:
        raise DomainError("请填写党委决定依据，如：党委会议纪要〔2027〕1号")
    if len(decision_ref) > 100:
        raise DomainError("党委决定依据不能超过 100 个字")
    target, _ = FundTarget.objects.select_for_update().update_or_create(
        fund=fund,
        year=year,
        defaults={"amount": amount, "decision_ref": decision_ref, "set_by": by, "set_at": clock.now()},
    )
    return target


@transaction.atomic
def add_partner_unit(*, fund_id: int, name: str, liaison: Organization, contact: str, by: User) -> PartnerUnit:
    fund = _fund(fund_id, by)
    name = " ".join(name.split())
    if not name:
        raise DomainError("请填写互联共建单位的名称")
    if len(name) > 100:
        raise DomainError("单位名称不能超过 100 个字")
    if liaison.kind != Organization.Kind.BRANCH or not liaison.path.startswith(fund.organization.path):
        raise DomainError("联系支部应为本基金所属组织下的党支部")
    if PartnerUnit.objects.filter(fund=fund, name=name).exists():
        raise DomainError(f"“{name}”已登记为本基金的互联共建单位")
    return PartnerUnit.objects.create(
        fund=fund, name=name, liaison=liaison, contact=" ".join(contact.split())[:100], added_by=by
    )


@transaction.atomic
def set_partner_active(*, partner_id: int, active: bool, by: User) -> PartnerUnit:
    partner = PartnerUnit.objects.select_for_update().get(pk=partner_id)
    _fund(partner.fund_id, by)
    if partner.is_active == active:
        raise DomainError("该单位已是" + ("共建中" if active else "已结束共建"))
    partner.is_active = active
    partner.save(update_fields=["is_active"])
    return partner
