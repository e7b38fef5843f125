"""Applications brought to a given state the way users do it: through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from funds import services
from funds.models import Fund, Source, Status


def fund_with(unit, amount="10000.00") -> Fund:
    fund = Fund.objects.create(organization=unit.committee)
    if Decimal(amount):
        services.record_income(fund_id=fund.pk, by=unit.jijin, source=Source.FISCAL, amount=amount,
                               occurred_on=timezone.localdate())
    fund.refresh_from_db()
    return fund


def application_in(unit, status: str, *, member=None, kind="living", amount="1000.00", approved=None,
                   by=None, emergency=False):
    """An application of `member` (default 张党员, dangyuan1's record) in `status`."""
    member = member or unit.dangyuan1.member
    by = by or (member.user if member.user_id else unit.shuji1)
    app = services.create_application(by=by, member=member, kind=kind, amount_requested=amount,
                                      reason="家庭困难，申请帮扶", is_emergency=emergency,
                                      submit=status != Status.DRAFT)
    if status in (Status.DRAFT, Status.SUBMITTED):
        return refreshed(app)
    if status == Status.RETURNED:
        services.return_for_revision(application_id=app.pk, by=unit.shuji1 if by != unit.shuji1 else unit.zzb,
                                     reason="请补充证明材料")
        return refreshed(app)
    if status == Status.WITHDRAWN:
        services.withdraw(application_id=app.pk, by=by)
        return refreshed(app)
    secretary = unit.shuji1 if member.organization_id == unit.branch1.pk else unit.shuji2
    if not emergency:
        services.record_meeting(application_id=app.pk, by=secretary, meeting_on=timezone.localdate(), attendees=20,
                                votes_for=15, votes_against=3, votes_abstain=2)
    if status == Status.BRANCH_REVIEWED:
        return refreshed(app)
    if status == Status.REJECTED:
        services.reject(application_id=app.pk, by=unit.zzb, reason="不符合条件")
        return refreshed(app)
    services.approve(application_id=app.pk, by=unit.zzb, amount_approved=approved or amount)
    if status == Status.IN_NOTICE:
        return refreshed(app)
    if status == Status.OBJECTION:
        services.raise_objection(application_id=app.pk, by=unit.zhiwei1, reason="情况不实")
        return refreshed(app)
    app = refreshed(app)
    services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1))
    if status == Status.NOTICE_PASSED:
        return refreshed(app)
    services.disburse(application_id=app.pk, by=unit.jijin)
    return refreshed(app)


def refreshed(app):
    app.refresh_from_db()
    return app
