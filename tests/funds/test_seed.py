"""The demo's year of the fund follows the rules a real year would (one seeding, several checks)."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F

from funds.models import AssistanceApplication, FundEntry, Status

pytestmark = pytest.mark.django_db


def test_the_demo_year_of_the_fund_follows_the_rules():
    call_command("seed_demo", stdout=io.StringIO())

    # Nothing is paid before its 公示 ends; the daily job closed each notice, the fund officer paid after.
    paid = FundEntry.objects.filter(kind="expense", application__isnull=False)
    assert paid.exists()
    assert not paid.filter(occurred_on__lte=F("application__notice_ends_on")).exists()
    for application in AssistanceApplication.objects.filter(status=Status.DISBURSED):
        passed = application.events.get(to_status=Status.NOTICE_PASSED)
        assert passed.actor is None and passed.created_at < application.disbursed_at

    # The ledger is recorded in the order things happened, and it adds up.
    days = list(FundEntry.objects.order_by("pk").values_list("occurred_on", flat=True))
    assert days == sorted(days)
    call_command("verify_funds", stdout=io.StringIO())

    # Every decision had a valid branch meeting and a 党委 meeting on record.
    decided = AssistanceApplication.objects.filter(approved_by__isnull=False)
    assert decided.count() >= 8
    for application in decided:
        assert application.decisions.filter(purpose="approval").exists()
        if application.meeting_on and not application.meeting_awaiting_confirmation:
            assert application.meeting_attendees * 2 > application.meeting_roster_count

    # Every state the pages can show, and the new uses of the fund.
    statuses = set(AssistanceApplication.objects.values_list("status", flat=True))
    assert {
        Status.DISBURSED,
        Status.NOTICE_PASSED,
        Status.IN_NOTICE,
        Status.OBJECTION,
        Status.RECONSIDERATION,
        Status.RECOVERED,
        Status.BRANCH_REVIEWED,
        Status.SUBMITTED,
        Status.DRAFT,
    } <= statuses
    assert AssistanceApplication.objects.filter(meeting_on__isnull=False, meeting_confirmed_at__isnull=True).exists()
    assert AssistanceApplication.objects.filter(partner_unit__isnull=False).exists()
    assert FundEntry.objects.filter(visit__isnull=False).exists()
    assert FundEntry.objects.filter(pairing_progress__isnull=False).exists()
