"""Several fund officers press 发放 at the same moment: one payment, never a negative balance."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from core.errors import DomainError
from funds import services
from funds.models import Fund, FundEntry, Status
from members.models import Role
from tests.factories import AppointmentFactory, MemberFactory, UserFactory
from tests.funds.factories import application_in, fund_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls):
    """Run the calls in real threads released together; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except DomainError as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _officers(unit, count):
    officers = [unit.jijin]
    for i in range(count - 1):
        user = UserFactory(username=f"jijin{i + 2}")
        AppointmentFactory(user=user, organization=unit.committee, role=Role.FUND_OFFICER)
        officers.append(user)
    return officers


def _ledger_is_exact(fund):
    fund.refresh_from_db()
    total = FundEntry.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"]
    assert fund.balance == total
    assert fund.balance >= 0


def test_the_same_application_is_paid_once(unit):
    fund = fund_with(unit, amount="10000.00")
    app = application_in(unit, Status.NOTICE_PASSED, amount="3000.00")
    officers = _officers(unit, 6)
    results, errors = _race([lambda o=o: services.disburse(application_id=app.pk, by=o) for o in officers])
    assert len(results) == 1 and len(errors) == 5
    assert all("不能重复发放" in e.message for e in errors)
    assert FundEntry.objects.filter(application=app).count() == 1
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("7000.00")
    _ledger_is_exact(fund)


def test_different_applications_never_overdraw_the_fund(unit):
    fund = fund_with(unit, amount="10000.00")
    members = [MemberFactory(organization=unit.branch1, name=f"困难党员{i}") for i in range(6)]
    apps = [application_in(unit, Status.NOTICE_PASSED, member=m, by=unit.shuji1, amount="3000.00") for m in members]
    officers = _officers(unit, len(apps))
    calls = [lambda a=a, o=o: services.disburse(application_id=a.pk, by=o) for a, o in zip(apps, officers, strict=True)]
    # Two rounds at once: every application twice, from different officers.
    calls += [
        lambda a=a, o=o: services.disburse(application_id=a.pk, by=o)
        for a, o in zip(apps, reversed(officers), strict=True)
    ]
    results, errors = _race(calls)
    assert len(results) == 3  # 10,000 pays three 3,000s and no fourth
    assert len(errors) == len(calls) - 3
    fund.refresh_from_db()
    assert fund.balance == Decimal("1000.00")
    assert FundEntry.objects.filter(fund=fund, kind="expense").count() == 3
    _ledger_is_exact(fund)


def test_batch_and_single_disbursements_racing(unit):
    fund = fund_with(unit, amount="10000.00")
    first = application_in(unit, Status.NOTICE_PASSED, amount="4000.00")
    second = application_in(unit, Status.NOTICE_PASSED, member=unit.member1, by=unit.shuji1, amount="4000.00")
    officers = _officers(unit, 3)
    calls = [
        lambda: services.disburse_batch(
            fund_id=fund.pk, application_ids=[first.pk, second.pk], by=officers[0], title="春节前"
        ),
        lambda: services.disburse(application_id=second.pk, by=officers[1]),
        lambda: services.disburse(application_id=first.pk, by=officers[2]),
    ]
    _race(calls)
    assert FundEntry.objects.filter(fund=fund, kind="expense").count() == 2
    fund.refresh_from_db()
    assert fund.balance == Decimal("2000.00")
    _ledger_is_exact(fund)


def test_two_annual_subsidies_for_the_same_member_at_once(unit):
    """Two secretaries' clicks (or a double submission) for the same member's 年度生活困难补助 in one year:
    the member's row lock lets one through and the other is told why; the unique index stands behind it."""
    from funds.models import AssistanceApplication, Kind
    from hardship.models import HardshipCategory
    from tests.hardship.factories import RecordFactory

    fund_with(unit)
    RecordFactory(member=unit.member1, categories=[HardshipCategory.objects.get(code="old_no_income")])
    second_secretary = UserFactory(username="shuji1b")
    AppointmentFactory(user=second_secretary, organization=unit.branch1, role=Role.SECRETARY)
    calls = [
        lambda by=by: services.create_application(
            by=by, member=unit.member1, kind=Kind.ANNUAL, amount_requested="300.00", reason="年老体弱", submit=True
        )
        for by in (unit.shuji1, second_secretary, unit.shuji1, second_secretary)
    ]
    results, errors = _race(calls)
    assert len(results) == 1 and len(errors) == 3
    assert all("每人每年只能安排一次" in e.message for e in errors)
    assert AssistanceApplication.objects.filter(member=unit.member1, kind=Kind.ANNUAL).count() == 1
