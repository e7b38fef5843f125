"""Demo reports submitted upward, for the periods due now: some accepted, one waiting to be received,
one returned with a comment (its first workbook still readable), the rest missing and overdue; the
annual report's due date moved by the 组织部."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password

from core import clock
from filings import services
from filings.periods import Period, current_periods
from members.models import Appointment, Organization, Role, User
from members.seed import DEMO_PASSWORD, SeedContext


def _on(period: Period, due: dt.date, days_before_due: int, today: dt.date) -> dt.date:
    """A day after the period ended, `days_before_due` before its due date (negative: late), and not
    after today."""
    return max(period.end, min(due - dt.timedelta(days=days_before_due), today))


def _secretary_of_retired_branch(ctx: SeedContext) -> User | None:
    """离退休干部党支部's secretary (an account of its own: the demo's third branch reports too)."""
    branch = next((b for b in ctx.branches if b.name == "离退休干部党支部"), None)
    if branch is None:
        return None
    member = next(
        (
            m
            for m in ctx.members_of(branch)
            if m.user_id is None and m.deceased_on is None and m.transferred_out_on is None
        ),
        None,
    )
    if member is None:
        return None
    user = User.objects.create(username="shuji3", password=make_password(DEMO_PASSWORD), email="shuji3@example.com")
    member.user = user
    member.save(update_fields=["user"])
    Appointment.objects.create(user=user, organization=branch, role=Role.SECRETARY)
    ctx.users["shuji3"] = user
    return user


def seed_filings(ctx: SeedContext) -> None:
    today = ctx.today
    zzb, shuji1, shuji2 = ctx.users["zzb"], ctx.users["shuji1"], ctx.users["shuji2"]
    shuji3 = _secretary_of_retired_branch(ctx)
    branch1, branch2 = ctx.branches[0], ctx.branches[1]
    retired = Organization.objects.get(appointments__user=shuji3) if shuji3 else None
    half, annual = current_periods(today)

    # The 组织部 gave the branches a month more for last year's workbook.
    with clock.at(max(annual.end, today - dt.timedelta(days=300))):
        services.set_deadline(
            by=zzb, organization=ctx.committee, period=annual, due_on=annual.default_due.replace(day=28, month=2)
        )
    annual_due = annual.default_due.replace(day=28, month=2)
    half_due = half.default_due

    # Half-year: branch 2 on time and accepted; the retired cadres' branch late, waiting to be received;
    # branch 1 returned with a comment, to submit again.
    with clock.at(_on(half, half_due, 5, today), hour=10):
        services.submit(by=shuji2, organization=branch2, period=half, note="本半年结对帮扶情况已经支委会审核。")
    with clock.at(_on(half, half_due, 3, today), hour=15):
        services.accept(by=zzb, filing_id=_filing(branch2, half))
    if shuji3 is not None and retired is not None:
        with clock.at(_on(half, half_due, -4, today), hour=11):
            services.submit(by=shuji3, organization=retired, period=half)
    with clock.at(_on(half, half_due, 6, today), hour=9):
        services.submit(by=shuji1, organization=branch1, period=half)
    with clock.at(_on(half, half_due, 4, today), hour=16):
        services.return_filing(
            by=zzb,
            filing_id=_filing(branch1, half),
            comment="结对帮扶进展登记不全：请补登帮就业的推荐和结果，并写明未见进展的结对原因后重新报送。",
        )

    # Annual: branch 1 accepted, branch 2 waiting to be received; the others not yet in.
    with clock.at(_on(annual, annual_due, 20, today), hour=10):
        services.submit(by=shuji1, organization=branch1, period=annual)
    _build_now(_filing(branch1, annual))  # a large unit's workbook is the worker's; the demo needs it now
    with clock.at(_on(annual, annual_due, 15, today), hour=10):
        services.accept(by=zzb, filing_id=_filing(branch1, annual))
    with clock.at(_on(annual, annual_due, 2, today), hour=17):
        services.submit(
            by=shuji2, organization=branch2, period=annual, note="附：本支部关怀基金收支已与基金管理员核对。"
        )


def _build_now(filing_id: int) -> None:
    """Build, in this process, a snapshot left to the worker (an annual workbook of many members): the
    seed then accepts it whether or not a worker runs (the worker's run finds it built and stops)."""
    from filings.models import FilingVersion

    for version_id in FilingVersion.objects.filter(filing_id=filing_id, state=FilingVersion.State.BUILDING).values_list(
        "pk", flat=True
    ):
        services.build_snapshot(version_id=version_id)


def _filing(unit: Organization, period: Period) -> int:
    from filings.models import Filing

    return Filing.objects.of(period).get(organization=unit).pk
