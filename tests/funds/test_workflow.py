"""The application workflow, every refused step and every money rule, tested on the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import clock
from core.errors import DomainError
from funds import services
from funds.models import ApplicationEvent, AssistanceApplication, FundEntry, ImmutableError, Kind, Objection, Status
from notifications.models import Notification
from tests.funds.factories import application_in, approve, fund_with, refreshed

pytestmark = pytest.mark.django_db

BOUNDS_OK = {
    "living": "1000.00",
    "illness": "5000.00",
    "disaster": "5000.00",
    "education": "3000.00",
    "temporary": "800.00",
    "annual": "300.00",
}


def _unchanged(app, status):
    before = ApplicationEvent.objects.filter(application=app).count()
    return lambda: (
        refreshed(app).status == status and ApplicationEvent.objects.filter(application=app).count() == before
    )


@pytest.mark.parametrize("kind", list(BOUNDS_OK))
def test_each_kind_goes_from_request_to_money_paid(unit, fund, kind):
    from tests.hardship.factories import RecordFactory

    RecordFactory(member=unit.dangyuan1.member)  # 因病致贫 on the ledger: the 年度生活困难补助 may be paid
    amount = BOUNDS_OK[kind]
    app = services.create_application(
        by=unit.dangyuan1, member=unit.dangyuan1.member, kind=kind, amount_requested=amount, reason="困难", submit=True
    )
    assert app.status == Status.SUBMITTED
    services.record_meeting(
        application_id=app.pk,
        by=unit.shuji1,
        meeting_on=timezone.localdate(),
        attendees=4,
        votes_for=3,
        votes_against=1,
        votes_abstain=0,
    )
    approve(app, by=unit.zzb, amount=amount)
    app = refreshed(app)
    assert app.status == Status.IN_NOTICE
    assert services.close_notices(day=app.notice_ends_on) == {"closed": 0}  # the last day is still notice
    assert services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1)) == {"closed": 1}
    entry = services.disburse(application_id=app.pk, by=unit.jijin)
    app, fund = refreshed(app), refreshed(fund)
    assert app.status == Status.DISBURSED
    assert entry.amount == -Decimal(amount)
    assert fund.balance == Decimal("10000.00") - Decimal(amount)
    path = list(app.events.values_list("from_status", "to_status"))
    assert path == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "branch_reviewed"),
        ("branch_reviewed", "approved"),
        ("approved", "in_notice"),
        ("in_notice", "notice_passed"),
        ("notice_passed", "disbursed"),
    ]
    assert all(e.actor_id for e in app.events.exclude(to_status="notice_passed"))
    assert Notification.objects.filter(recipient=unit.dangyuan1, title__contains="已发放").exists()


def test_failed_branch_vote_rejects(unit, fund):
    app = application_in(unit, Status.SUBMITTED)
    services.record_meeting(
        application_id=app.pk,
        by=unit.shuji1,
        meeting_on=timezone.localdate(),
        attendees=4,
        votes_for=2,
        votes_against=1,
        votes_abstain=1,
    )
    assert refreshed(app).status == Status.REJECTED  # 2 of 4 is not a majority


def test_votes_cannot_exceed_attendance(unit, fund):
    app = application_in(unit, Status.SUBMITTED)
    check = _unchanged(app, Status.SUBMITTED)
    with pytest.raises(DomainError, match="不能超过到会人数"):
        services.record_meeting(
            application_id=app.pk,
            by=unit.shuji1,
            meeting_on=timezone.localdate(),
            attendees=3,
            votes_for=3,
            votes_against=1,
            votes_abstain=0,
        )
    assert check()


def test_only_the_branch_committee_records_the_meeting(unit, fund):
    app = application_in(unit, Status.SUBMITTED)
    for user in (unit.shuji2, unit.dangyuan1, unit.jijin, unit.zzb):
        with pytest.raises(PermissionDenied):
            services.record_meeting(
                application_id=app.pk,
                by=user,
                meeting_on=timezone.localdate(),
                attendees=4,
                votes_for=4,
                votes_against=0,
                votes_abstain=0,
            )
    assert refreshed(app).status == Status.SUBMITTED
    services.record_meeting(
        application_id=app.pk,
        by=unit.zhiwei1,
        meeting_on=timezone.localdate(),
        attendees=4,
        votes_for=4,
        votes_against=0,
        votes_abstain=0,
    )  # 支委 may
    assert refreshed(app).status == Status.BRANCH_REVIEWED


def _approve_100(u, a):
    return approve(a, by=u.zzb, amount="100")


ILLEGAL = [
    (Status.DRAFT, _approve_100),
    (Status.SUBMITTED, _approve_100),
    (Status.SUBMITTED, lambda u, a: services.disburse(application_id=a.pk, by=u.jijin)),
    (Status.BRANCH_REVIEWED, lambda u, a: services.submit(application_id=a.pk, by=u.dangyuan1)),
    (Status.IN_NOTICE, lambda u, a: services.withdraw(application_id=a.pk, by=u.dangyuan1)),
    (Status.IN_NOTICE, lambda u, a: services.disburse(application_id=a.pk, by=u.jijin)),
    (Status.IN_NOTICE, lambda u, a: services.reject(application_id=a.pk, by=u.zzb, reason="x")),
    (Status.OBJECTION, lambda u, a: services.disburse(application_id=a.pk, by=u.jijin)),
    (Status.NOTICE_PASSED, lambda u, a: services.return_for_revision(application_id=a.pk, by=u.zzb, reason="x")),
    (Status.NOTICE_PASSED, lambda u, a: services.raise_objection(application_id=a.pk, by=u.zhiwei1, reason="x")),
    (Status.DISBURSED, lambda u, a: services.disburse(application_id=a.pk, by=u.jijin)),
    (Status.REJECTED, _approve_100),
    (Status.REJECTED, lambda u, a: services.submit(application_id=a.pk, by=u.dangyuan1)),
    (Status.WITHDRAWN, lambda u, a: services.submit(application_id=a.pk, by=u.dangyuan1)),
    (
        Status.WITHDRAWN,
        lambda u, a: services.record_meeting(
            application_id=a.pk,
            by=u.shuji1,
            meeting_on=timezone.localdate(),
            attendees=4,
            votes_for=3,
            votes_against=0,
            votes_abstain=0,
        ),
    ),
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transition_is_refused_in_chinese_and_changes_nothing(unit, fund, status, action):
    app = application_in(unit, status)
    check = _unchanged(app, status)
    balance = refreshed(fund).balance
    with pytest.raises(DomainError) as info:
        action(unit, app)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
    assert check()
    assert refreshed(fund).balance == balance


def test_amount_bounds_per_kind(unit, fund):
    with pytest.raises(DomainError, match=r"临时救助的金额应在 50\.00 元至 3,000\.00 元之间"):
        services.create_application(
            by=unit.dangyuan1, member=unit.dangyuan1.member, kind=Kind.TEMPORARY, amount_requested="3500", reason="困难"
        )
    app = application_in(unit, Status.BRANCH_REVIEWED, kind=Kind.TEMPORARY, amount="300.00")
    with pytest.raises(DomainError, match=r"50\.00 元至 3,000\.00 元"):
        approve(app, by=unit.zzb, amount="20")
    assert not AssistanceApplication.objects.filter(amount_requested=Decimal("3500")).exists()


def test_amounts_are_positive_in_the_database(unit, fund):
    app = application_in(unit, Status.DRAFT, kind=Kind.TEMPORARY, amount="300.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceApplication.objects.filter(pk=app.pk).update(amount_requested=Decimal("0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceApplication.objects.filter(pk=app.pk).update(amount_approved=Decimal("-1"))


def test_yearly_cap_per_member(unit, fund, settings):
    settings.CARE = {**settings.CARE, "MEMBER_YEARLY_CAP": "1500.00"}
    application_in(unit, Status.IN_NOTICE, amount="1000.00")
    second = application_in(unit, Status.BRANCH_REVIEWED, kind=Kind.TEMPORARY, amount="800.00")
    with pytest.raises(DomainError, match=r"最多还可批准 500\.00 元"):
        approve(second, by=unit.zzb, amount="800.00")
    approve(second, by=unit.zzb, amount="500.00")
    assert refreshed(second).status == Status.IN_NOTICE


def test_nobody_approves_what_they_submitted_or_their_own(unit, fund):
    from members.models import Role
    from tests.factories import AppointmentFactory

    # The organization department's officer is also a member of branch 1 and applies for themself.
    AppointmentFactory(user=unit.shuji1, organization=unit.committee, role=Role.ORG_DEPT)
    own = services.create_application(
        by=unit.shuji1,
        member=unit.shuji1.member,
        kind=Kind.LIVING,
        amount_requested="1000.00",
        reason="困难",
        submit=True,
    )
    services.record_meeting(
        application_id=own.pk,
        by=unit.zhiwei1,
        meeting_on=clock.today(),
        attendees=4,
        votes_for=3,
        votes_against=0,
        votes_abstain=1,
    )
    with pytest.raises(PermissionDenied, match="不能审批"):
        approve(own, by=unit.shuji1, amount="1000.00")
    filed = application_in(unit, Status.BRANCH_REVIEWED, member=unit.member1, by=unit.shuji1)
    with pytest.raises(PermissionDenied, match="不能审批自己填报的申请"):
        approve(filed, by=unit.shuji1, amount="1000.00")
    assert refreshed(own).status == refreshed(filed).status == Status.BRANCH_REVIEWED


def test_submitter_cannot_approve_even_in_the_database(unit, fund):
    app = application_in(unit, Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceApplication.objects.filter(pk=app.pk).update(approved_by=unit.dangyuan1)


def test_the_approver_does_not_disburse(unit, fund):
    from members.models import Role
    from tests.factories import AppointmentFactory

    AppointmentFactory(user=unit.zzb, organization=unit.committee, role=Role.FUND_OFFICER)
    app = application_in(unit, Status.NOTICE_PASSED)
    with pytest.raises(PermissionDenied, match="审批人不能经办发放"):
        services.disburse(application_id=app.pk, by=unit.zzb)
    assert refreshed(app).status == Status.NOTICE_PASSED
    assert not FundEntry.objects.filter(application=app).exists()


def test_disbursement_happens_once(unit, fund):
    app = application_in(unit, Status.NOTICE_PASSED, amount="1000.00")
    services.disburse(application_id=app.pk, by=unit.jijin)
    with pytest.raises(DomainError, match="已发放，不能重复发放"):
        services.disburse(application_id=app.pk, by=unit.jijin)
    assert FundEntry.objects.filter(application=app).count() == 1
    assert refreshed(fund).balance == Decimal("9000.00")


def test_disbursement_refused_when_balance_is_short(unit):
    fund = fund_with(unit, amount="500.00")
    app = application_in(unit, Status.NOTICE_PASSED, amount="1000.00")
    with pytest.raises(DomainError, match=r"基金余额 500\.00 元，不足以发放"):
        services.disburse(application_id=app.pk, by=unit.jijin)
    assert refreshed(app).status == Status.NOTICE_PASSED
    assert refreshed(fund).balance == Decimal("500.00")
    assert FundEntry.objects.filter(fund=fund).count() == 1


def test_only_the_fund_officer_disburses(unit, fund):
    app = application_in(unit, Status.NOTICE_PASSED)
    for user in (unit.shuji1, unit.zzb, unit.dangyuan1):
        with pytest.raises(PermissionDenied):
            services.disburse(application_id=app.pk, by=user)
    assert refreshed(app).status == Status.NOTICE_PASSED


def test_emergency_is_approved_before_the_meeting_recorded_afterwards(unit, fund):
    app = application_in(unit, Status.SUBMITTED, kind=Kind.DISASTER, amount="5000.00", emergency=True)
    approve(app, by=unit.zzb, amount="5000.00")
    assert refreshed(app).status == Status.IN_NOTICE
    services.record_meeting(
        application_id=app.pk,
        by=unit.shuji1,
        meeting_on=timezone.localdate(),
        attendees=4,
        votes_for=4,
        votes_against=0,
        votes_abstain=0,
    )
    app = refreshed(app)
    assert app.status == Status.IN_NOTICE and app.meeting_on == timezone.localdate()
    assert app.events.filter(comment__startswith="补录支部党员大会").exists()
    with pytest.raises(DomainError, match="已记录"):
        services.record_meeting(
            application_id=app.pk,
            by=unit.shuji1,
            meeting_on=timezone.localdate(),
            attendees=4,
            votes_for=4,
            votes_against=0,
            votes_abstain=0,
        )


def test_withdrawal_by_the_applicant_before_approval(unit, fund):
    app = application_in(unit, Status.BRANCH_REVIEWED)
    with pytest.raises(PermissionDenied):
        services.withdraw(application_id=app.pk, by=unit.zhiwei1)
    services.withdraw(application_id=app.pk, by=unit.dangyuan1, comment="困难已解决")
    assert refreshed(app).status == Status.WITHDRAWN


def test_returned_for_revision_needs_a_reason_and_keeps_both_versions(unit, fund):
    app = application_in(unit, Status.BRANCH_REVIEWED, amount="1000.00")
    with pytest.raises(DomainError, match="须写明原因"):
        services.return_for_revision(application_id=app.pk, by=unit.zzb, reason="  ")
    services.return_for_revision(application_id=app.pk, by=unit.zzb, reason="请补充诊断证明")
    assert refreshed(app).status == Status.RETURNED
    services.update_application(
        application_id=app.pk,
        by=unit.dangyuan1,
        kind=Kind.ILLNESS,
        amount_requested="3000.00",
        reason="确诊重病，附诊断证明",
        is_emergency=False,
    )
    services.submit(application_id=app.pk, by=unit.dangyuan1)
    app = refreshed(app)
    assert app.status == Status.SUBMITTED
    versions = list(app.versions.values_list("number", "kind", "amount_requested"))
    assert versions == [(1, "living", Decimal("1000.00")), (2, "illness", Decimal("3000.00"))]
    assert app.events.filter(to_status=Status.RETURNED, comment="请补充诊断证明").exists()


def test_objection_upheld_rejects(unit, fund):
    app = application_in(unit, Status.IN_NOTICE)
    objection = services.raise_objection(application_id=app.pk, by=unit.zhiwei1, reason="家中有营业收入")
    assert refreshed(app).status == Status.OBJECTION
    with pytest.raises(PermissionDenied):
        services.resolve_objection(objection_id=objection.pk, by=unit.shuji1, upheld=True, resolution="x")
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb2, upheld=True, resolution="经核实情况属实")
    assert refreshed(app).status == Status.REJECTED
    assert Objection.objects.get(pk=objection.pk).outcome == Objection.Outcome.UPHELD


def test_objection_dismissed_continues_the_notice(unit, fund):
    app = application_in(unit, Status.IN_NOTICE)
    objection = services.raise_objection(application_id=app.pk, by=unit.zhiwei1, reason="情况不实")
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb2, upheld=False, resolution="经核实无此情况")
    app = refreshed(app)
    assert app.status == Status.IN_NOTICE
    assert services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1)) == {"closed": 1}


def test_objections_only_from_members_in_scope_and_not_the_applicant(unit, fund):
    app = application_in(unit, Status.IN_NOTICE)
    for user in (unit.dangyuan1, unit.shuji2):
        with pytest.raises(PermissionDenied):
            services.raise_objection(application_id=app.pk, by=user, reason="异议")
    assert refreshed(app).status == Status.IN_NOTICE


def test_closing_notices_is_idempotent_and_catches_up(unit, fund):
    first = application_in(unit, Status.IN_NOTICE)
    second = application_in(unit, Status.IN_NOTICE, member=unit.member1, by=unit.shuji1)
    long_after = first.notice_ends_on + dt.timedelta(days=40)  # the job did not run for weeks
    assert services.close_notices(day=long_after) == {"closed": 2}
    assert services.close_notices(day=long_after) == {"closed": 0}
    assert refreshed(first).status == refreshed(second).status == Status.NOTICE_PASSED
    assert first.events.filter(to_status=Status.NOTICE_PASSED).count() == 1


def test_daily_job_runner_closes_notices(unit, fund):
    from core.jobs import run_daily

    app = application_in(unit, Status.IN_NOTICE)
    results = run_daily(day=app.notice_ends_on + dt.timedelta(days=1))
    assert results["funds.close_notices"] == {"closed": 1}


@pytest.mark.parametrize(
    ("approved_on", "expected_end"),
    [
        # Friday 2025-09-26: 国庆 and 中秋 1–8 October; 调休 Sunday 28 September and Saturday 11 October are workdays.
        (dt.date(2025, 9, 26), dt.date(2025, 10, 10)),
        # Friday 2026-02-13: 调休 Saturday 14 February is a workday (1), 春节 15–23 February is not,
        # then 24, 25, 26, 27 February (weekends alone would have ended it on 20 February).
        (dt.date(2026, 2, 13), dt.date(2026, 2, 27)),
    ],
)
def test_notice_counts_working_days_across_national_day_and_spring_festival(unit, fund, approved_on, expected_end):
    import chinese_calendar

    expected = approved_on
    counted = 0
    while counted < 5:
        expected += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(expected)
    assert expected == expected_end  # the official calendar, not a copy of our own output
    with clock.at(approved_on):
        app = application_in(unit, Status.IN_NOTICE)
    app = refreshed(app)
    assert app.notice_starts_on == approved_on
    assert app.notice_ends_on == expected_end


def test_stale_applications_are_reminded_then_escalated_once(unit, fund, settings):
    settings.CARE = {**settings.CARE, "APPLICATION_STALE_DAYS": 7}
    app = application_in(unit, Status.SUBMITTED)
    entered = timezone.localtime(app.status_changed_at).date()
    assert services.remind_stale(day=entered + dt.timedelta(days=6)) == {"reminded": 0, "escalated": 0}
    assert services.remind_stale(day=entered + dt.timedelta(days=7)) == {"reminded": 1, "escalated": 0}
    assert services.remind_stale(day=entered + dt.timedelta(days=8)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=unit.shuji1, title__contains="停留").count() == 1
    # Escalated to the organization department: 组织部 zzb and zzb2.
    assert services.remind_stale(day=entered + dt.timedelta(days=14)) == {"reminded": 0, "escalated": 2}
    assert services.remind_stale(day=entered + dt.timedelta(days=30)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=unit.zzb, title__startswith="督办").count() == 1


def test_every_transition_is_an_event_with_actor_and_time(unit, fund):
    app = application_in(unit, Status.DISBURSED)
    events = list(app.events.all())
    assert [e.to_status for e in events][-1] == Status.DISBURSED
    assert all(e.created_at for e in events)
    events[0].comment = "改"
    with pytest.raises(ImmutableError, match="不能修改"):
        events[0].save()
