"""The daily jobs: reminders once per event, and catching up."""

import datetime as dt

from core.jobs import run_daily
from hardship.models import HardshipRecord
from notifications.models import Notification
from tests.factories import MemberFactory
from tests.hardship.factories import PairingFactory, RecordFactory


def test_ledger_freshness_reminded_once_a_month(unit):
    RecordFactory(member=unit.member1, registered_on=dt.date(2024, 1, 1), last_reviewed_on=dt.date(2025, 1, 1))
    run_daily(day=dt.date(2026, 3, 10))
    run_daily(day=dt.date(2026, 3, 11))
    notes = Notification.objects.filter(recipient=unit.shuji1, title="困难党员台帐需要更新")
    assert notes.count() == 1
    assert "1 条台帐超过一年未复核" in notes.get().body and "1 名困难党员还没有帮扶人" in notes.get().body
    # (the reports due upward remind every secretary: filings, not this job)
    assert not Notification.objects.filter(recipient=unit.shuji2).exclude(topic__startswith="filings.").exists()
    run_daily(day=dt.date(2026, 4, 2))
    assert notes.count() == 2


def test_half_year_report_reminder_in_the_month_after(unit):
    record = RecordFactory(member=unit.member1, registered_on=dt.date(2026, 1, 1), last_reviewed_on=dt.date(2026, 6, 1))
    PairingFactory(record=record, started_on=dt.date(2026, 2, 1))
    run_daily(day=dt.date(2026, 6, 20))
    assert not Notification.objects.filter(title__contains="结对帮扶情况").exists()
    run_daily(day=dt.date(2026, 7, 3))
    run_daily(day=dt.date(2026, 7, 4))
    notes = Notification.objects.filter(recipient=unit.shuji1, title="请报告2026年上半年结对帮扶情况")
    assert notes.count() == 1 and f"organization={unit.branch1.pk}" in notes.get().link


def test_departed_members_lines_closed_by_the_daily_run(unit):
    member = MemberFactory(organization=unit.branch1)
    record = RecordFactory(member=member)
    member.transferred_out_on = dt.date.today()
    member.save()
    run_daily(day=dt.date.today())
    record.refresh_from_db()
    assert record.status == HardshipRecord.Status.CLOSED and record.close_reason == "该党员已转出"
    # Departed members get no reminders.
    assert not Notification.objects.filter(body__contains="没有帮扶人").exists()
