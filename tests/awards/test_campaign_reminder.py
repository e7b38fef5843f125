"""表彰奖励制度: each year the 党委 is reminded to open the commendation campaign if it has not (issue 15, 5)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from notifications.models import Notification
from tests.awards.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def run_jobs(day: dt.date) -> None:
    call_command("run_daily_jobs", date=day.isoformat(), stdout=io.StringIO())


def reminders(user, year: int) -> int:
    return Notification.objects.filter(recipient=user, title=f"{year}年度表彰评选尚未开展").count()


def test_the_department_is_reminded_from_april_and_once_more_a_month_later(unit):
    run_jobs(dt.date(2027, 3, 31))
    assert reminders(unit.zzb, 2027) == 0
    run_jobs(dt.date(2027, 4, 1))
    assert reminders(unit.zzb, 2027) == reminders(unit.zzb2, 2027) == 1
    run_jobs(dt.date(2027, 4, 2))
    assert reminders(unit.zzb, 2027) == 1
    run_jobs(dt.date(2027, 5, 1))
    assert reminders(unit.zzb, 2027) == 2
    assert reminders(unit.shuji1, 2027) == 0


def test_no_reminder_once_the_campaign_is_open(unit):
    CampaignFactory(organizer=unit.committee, year=2027)
    run_jobs(dt.date(2027, 4, 1))
    assert reminders(unit.zzb, 2027) == 0
