"""Regression guard for the performance issue: `run_daily_jobs` on a busy day (春节 plans and their
reminders, political birthdays, care prompts, talk reminders, stale applications, notices ending) makes
the same number of queries when the members, branches and applications grow tenfold.

Counts, never timings: a job that notifies or looks up one row at a time is what took the county's
春节 day to 15 s and 9,000+ queries.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.calendars import spring_festival
from core.jobs import run_daily
from funds.models import ApplicationEvent, AssistanceApplication, Status
from hardship.models import HardshipCategory
from members.models import Role
from notifications.models import Notification
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory, UserFactory
from tests.funds.factories import fund_with
from tests.hardship.factories import RecordFactory
from visits.models import VisitPlanItem, VisitPrompt

pytestmark = pytest.mark.django_db

FESTIVAL = spring_festival(2027)
DAY = FESTIVAL - dt.timedelta(days=5)  # in the plan window and the reminder days; the first week of a month
_serial = itertools.count()


def grow(unit, fund, rows: int) -> None:
    """`rows` more of every kind of event the daily jobs act on, in a new branch with its own secretary."""
    branch = OrganizationFactory(name=f"新增第{next(_serial)}党支部", parent=unit.committee)
    AppointmentFactory(user=UserFactory(), organization=branch, role=Role.SECRETARY)
    disaster = HardshipCategory.objects.get(code="disaster")
    long_ago = dt.datetime.combine(DAY - dt.timedelta(days=40), dt.time(9), tzinfo=dt.UTC)
    for index in range(rows):
        where = [unit.branch1, unit.branch2, branch][index % 3]
        # An old member whose political birthday is today, with an account to be greeted on.
        MemberFactory(
            organization=where, user=UserFactory(), join_date=DAY.replace(year=1970), birth_date=dt.date(1945, 3, 1)
        )
        MemberFactory(organization=where, is_retired_cadre=True, is_hospitalized=True)
        MemberFactory(organization=where, deceased_on=DAY - dt.timedelta(days=3))
        RecordFactory(member=MemberFactory(organization=where), categories=[disaster])
        member = MemberFactory(organization=where)
        common = {
            "fund": fund,
            "member": member,
            "organization": where,
            "kind": "living",
            "year": DAY.year,
            "amount_requested": Decimal("500.00"),
            "reason": "家庭困难",
            "submitted_by": unit.shuji1,
            "status_changed_at": long_ago,
        }
        AssistanceApplication.objects.create(status=Status.SUBMITTED, **common)
        AssistanceApplication.objects.create(status=Status.BRANCH_REVIEWED, **common)
        AssistanceApplication.objects.create(
            status=Status.IN_NOTICE,
            amount_approved=Decimal("500.00"),
            approved_by=unit.zzb,
            notice_starts_on=DAY - dt.timedelta(days=10),
            notice_ends_on=DAY - dt.timedelta(days=2),
            **common,
        )


def run_and_roll_back() -> tuple[int, dict]:
    """Queries of one run of every daily job on DAY, and what it did; the database is left as it was."""
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                results = run_daily(day=DAY)
            made = {
                "notifications": Notification.objects.count(),
                "items": VisitPlanItem.objects.count(),
                "prompts": VisitPrompt.objects.count(),
                "events": ApplicationEvent.objects.filter(to_status=Status.NOTICE_PASSED).count(),
            }
            raise _RolledBack
    except _RolledBack:
        pass
    return len(captured.captured_queries), {**made, **results}


class _RolledBack(Exception):
    pass


def test_daily_jobs_query_count_does_not_grow_with_the_data(unit):
    fund = fund_with(unit)
    grow(unit, fund, 2)
    run_and_roll_back()  # warms the content-type cache the audit entries use
    small_queries, small = run_and_roll_back()
    grow(unit, fund, 20)
    large_queries, large = run_and_roll_back()
    # The jobs did about ten times the work...
    assert large["visits.political_birthdays"]["greetings"] == 22 > small["visits.political_birthdays"]["greetings"]
    assert large["visits.care_prompts"]["illness"] == large["visits.care_prompts"]["disaster"] == 22
    assert large["visits.care_prompts"]["bereavement"] == 22
    assert large["funds.close_notices"]["closed"] == large["events"] == 22
    assert large["funds.remind_stale"]["reminded"] > 5 * small["funds.remind_stale"]["reminded"] > 0
    assert large["funds.remind_stale"]["escalated"] > 5 * small["funds.remind_stale"]["escalated"] > 0
    assert large["visits.holiday_plans"]["plans"] == 5 and large["visits.holiday_plans"]["reminders"] >= 3
    assert large["items"] > 5 * small["items"] > 0 and large["notifications"] > 5 * small["notifications"]
    # ...with the same number of queries.
    assert large_queries == small_queries, (small_queries, large_queries)


def test_a_second_run_the_same_day_creates_nothing(unit):
    fund = fund_with(unit)
    grow(unit, fund, 3)
    first = run_daily(day=DAY)
    assert first["funds.close_notices"]["closed"] == 3 and first["visits.care_prompts"]["disaster"] == 3
    notifications, events = Notification.objects.count(), ApplicationEvent.objects.count()
    second = run_daily(day=DAY)
    assert all(not any(counts.values()) for counts in second.values()), second
    assert (Notification.objects.count(), ApplicationEvent.objects.count()) == (notifications, events)
