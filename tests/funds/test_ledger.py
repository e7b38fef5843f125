"""The fund ledger: income, corrections, immutability, the balance constraint, verify_funds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from funds import selectors, services
from funds.models import Fund, FundEntry, ImmutableError, Source, Status
from tests.funds.factories import application_in, refreshed

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_income_by_source_raises_the_balance(unit, fund):
    services.record_income(
        fund_id=fund.pk, by=unit.jijin, source=Source.DONATION, amount="200.50", occurred_on=TODAY(), donor="王建国"
    )
    assert refreshed(fund).balance == Decimal("10200.50")
    assert selectors.ledger_sum(fund) == Decimal("10200.50")


def test_donation_needs_a_donor_and_amounts_are_cents(unit, fund):
    with pytest.raises(DomainError, match="捐助人"):
        services.record_income(
            fund_id=fund.pk, by=unit.jijin, source=Source.DONATION, amount="100", occurred_on=TODAY()
        )
    with pytest.raises(DomainError, match="两位小数"):
        services.record_income(
            fund_id=fund.pk, by=unit.jijin, source=Source.FISCAL, amount="0.001", occurred_on=TODAY()
        )
    with pytest.raises(DomainError, match="大于 0"):
        services.record_income(fund_id=fund.pk, by=unit.jijin, source=Source.FISCAL, amount="-5", occurred_on=TODAY())
    assert refreshed(fund).balance == Decimal("10000.00")


def test_only_the_fund_officer_records_income(unit, fund):
    for user in (unit.zzb, unit.shuji1, unit.dangyuan1):
        with pytest.raises(PermissionDenied, match="基金管理员"):
            services.record_income(fund_id=fund.pk, by=user, source=Source.FISCAL, amount="1", occurred_on=TODAY())


def test_correction_is_a_reversing_entry(unit, fund):
    wrong = services.record_income(
        fund_id=fund.pk, by=unit.jijin, source=Source.DUES, amount="800", occurred_on=TODAY()
    )
    reversal = services.reverse_entry(entry_id=wrong.pk, by=unit.jijin, reason="重复登记")
    assert reversal.amount == Decimal("-800.00") and reversal.reverses_id == wrong.pk
    assert FundEntry.objects.get(pk=wrong.pk).amount == Decimal("800.00")  # the original stays
    assert refreshed(fund).balance == Decimal("10000.00")
    with pytest.raises(DomainError, match="已经冲正过"):
        services.reverse_entry(entry_id=wrong.pk, by=unit.jijin, reason="再来一次")
    summary = selectors.year_summary(fund, TODAY().year)
    assert dict(summary["income_rows"])["党费划拨"] == Decimal("0.00")


def test_a_reversal_cannot_overdraw(unit, fund):
    income = FundEntry.objects.get(fund=fund)
    app = application_in(unit, Status.NOTICE_PASSED, amount="4000.00")
    services.disburse(application_id=app.pk, by=unit.jijin)
    with pytest.raises(DomainError, match="不足以冲正"):
        services.reverse_entry(entry_id=income.pk, by=unit.jijin, reason="错误")
    assert refreshed(fund).balance == Decimal("6000.00")


def test_entries_refuse_updates_deletes_and_bulk_writes(unit, fund):
    entry = FundEntry.objects.get(fund=fund)
    entry.amount = Decimal("1")
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        FundEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(ImmutableError):
        FundEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableError):
        FundEntry.objects.bulk_create(
            [
                FundEntry(
                    fund=fund, kind="income", source="fiscal", amount=1, occurred_on=TODAY(), recorded_by=unit.jijin
                )
            ]
        )
    assert FundEntry.objects.get(pk=entry.pk).amount == Decimal("10000.00")


@pytest.mark.postgres
def test_the_database_itself_refuses_to_change_a_ledger_line(unit, fund):
    from django.db import connection

    entry = FundEntry.objects.get(fund=fund)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_fundentry SET amount = 1 WHERE id = %s", [entry.pk])


def test_balance_can_never_go_negative_in_the_database(unit, fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=Decimal("-0.01"))


def test_an_expense_must_belong_to_an_application(unit, fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundEntry.objects.create(
            fund=fund, kind="expense", amount=Decimal("-5"), occurred_on=TODAY(), recorded_by=unit.jijin
        )


def test_verify_funds_reports_a_difference(unit, fund, capsys):
    call_command("verify_funds")
    assert "一致" in capsys.readouterr().out
    Fund.objects.filter(pk=fund.pk).update(balance=Decimal("9999.00"))
    with pytest.raises(CommandError, match="1 处不符"):
        call_command("verify_funds")
    assert "相差 -1.00 元" in capsys.readouterr().err


def test_ledger_running_balance_and_year_summary(unit, fund):
    services.record_income(
        fund_id=fund.pk, by=unit.jijin, source=Source.SUPERIOR, amount="500", occurred_on=TODAY() - dt.timedelta(days=1)
    )
    app = application_in(unit, Status.NOTICE_PASSED, kind="education", amount="3000.00")
    services.disburse(application_id=app.pk, by=unit.jijin)
    rows = list(selectors.ledger(fund))
    assert [r.balance_after for r in rows] == [Decimal("7500.00"), Decimal("10500.00"), Decimal("10000.00")]
    summary = selectors.year_summary(fund, TODAY().year)
    assert summary["total_income"] == Decimal("10500.00")
    assert summary["total_spending"] == Decimal("3000.00")
    assert ("子女助学", 1, Decimal("3000.00")) in summary["spending_rows"]
    assert summary["closing"] == refreshed(fund).balance
