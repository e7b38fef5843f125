"""Applications brought to a given state the way users do it: through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from funds import services
from funds.models import CommitteeDecision, Fund, Source, Status
from members.selectors import voting_members_on


def fund_with(unit, amount="10000.00") -> Fund:
    fund = services.open_fund(organization=unit.committee, by=unit.jijin)
    if Decimal(amount):
        services.record_income(
            fund_id=fund.pk, by=unit.jijin, source=Source.FISCAL, amount=amount, occurred_on=clock.today()
        )
    fund.refresh_from_db()
    return fund


def hold_meeting(app, *, by, passed: bool = True, on: dt.date | None = None):
    """Record a branch meeting every full member attended (a quorum by construction)."""
    on = on or clock.today()
    present = voting_members_on(app.organization_id, on).count()
    votes_for = present if passed else 0
    return services.record_meeting(
        application_id=app.pk,
        by=by,
        meeting_on=on,
        attendees=present,
        votes_for=votes_for,
        votes_against=present - votes_for,
        votes_abstain=0,
    )


def approve(app, *, by, amount, on: dt.date | None = None, **kwargs):
    """党委审批 with the 党委 meeting that decided it."""
    kwargs.setdefault(
        "meeting_kind",
        CommitteeDecision.MeetingKind.EMERGENCY if app.is_emergency else CommitteeDecision.MeetingKind.COMMITTEE,
    )
    kwargs.setdefault("reference", "党委会议纪要〔2026〕1号")
    return services.approve(
        application_id=app.pk, by=by, amount_approved=amount, meeting_on=on or clock.today(), **kwargs
    )


def secretary_of(unit, member):
    return unit.shuji1 if member.organization_id == unit.branch1.pk else unit.shuji2


def branch_meeting(unit, app, *, passed: bool = True):
    """The secretary records the meeting; when they filled the application in themself, a second person
    confirms it (王支委 in branch 1, the organization department elsewhere)."""
    secretary = secretary_of(unit, app.member)
    hold_meeting(app, by=secretary, passed=passed)
    app = refreshed(app)
    if app.meeting_awaiting_confirmation:
        confirmer = unit.zhiwei1 if app.organization_id == unit.branch1.pk else unit.zzb
        services.confirm_meeting(application_id=app.pk, by=confirmer, confirm=True)
    return refreshed(app)


def application_in(
    unit, status: str, *, member=None, kind="living", amount="1000.00", approved=None, by=None, emergency=False
):
    """An application of `member` (default 张党员, dangyuan1's record) in `status`."""
    member = member or unit.dangyuan1.member
    by = by or (member.user if member.user_id else unit.shuji1)
    app = services.create_application(
        by=by,
        member=member,
        kind=kind,
        amount_requested=amount,
        reason="家庭困难，申请帮扶",
        is_emergency=emergency,
        submit=status != Status.DRAFT,
    )
    if status in (Status.DRAFT, Status.SUBMITTED):
        return refreshed(app)
    if status == Status.RETURNED:
        services.return_for_revision(
            application_id=app.pk, by=unit.shuji1 if by != unit.shuji1 else unit.zzb, reason="请补充证明材料"
        )
        return refreshed(app)
    if status == Status.WITHDRAWN:
        services.withdraw(application_id=app.pk, by=by)
        return refreshed(app)
    if not emergency:
        app = branch_meeting(unit, app)
    if status == Status.BRANCH_REVIEWED:
        return refreshed(app)
    if status == Status.REJECTED:
        services.reject(application_id=app.pk, by=unit.zzb, reason="不符合条件")
        return refreshed(app)
    approve(app, by=unit.zzb, amount=approved or amount)
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
