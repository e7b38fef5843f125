"""Fields a form does not offer cannot be set by posting them anyway."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Nomination, NominationStatus
from funds.models import AssistanceApplication, Status
from hardship.models import HardshipRecord
from members.models import Member
from tests.awards.factories import CampaignFactory
from tests.funds.factories import application_in, fund_with
from tests.hardship.factories import RecordFactory

pytestmark = pytest.mark.django_db
EXTRA = {
    "status": "disbursed",
    "approved_by": "1",
    "amount_approved": "99999.00",
    "organization": "0",
    "user": "1",
    "created_by": "1",
    "disbursed_by": "1",
    "balance": "1000000",
}


def test_member_edit_ignores_user_and_other_fields(unit, login):
    member = unit.member1
    data = {
        "organization": member.organization_id,
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "phone": "13911112222",
        "join_date": member.join_date.isoformat(),
        "full_member_date": member.full_member_date.isoformat(),
        "party_status": member.party_status,
        "employment": member.employment,
        "work_capacity": member.work_capacity,
    }
    data = {**EXTRA, **data, "user": unit.admin.pk}
    assert login(unit.shuji1).post(reverse("members:edit", args=[member.pk]), data).status_code == 302
    member.refresh_from_db()
    assert member.phone == "13911112222"
    assert member.user_id is None


def test_application_edit_cannot_set_status_amount_or_approver(unit, login):
    fund_with(unit)
    app = application_in(unit, Status.DRAFT)
    data = {
        "member": app.member_id,
        "kind": app.kind,
        "amount_requested": "800.00",
        "reason": "修改后的理由",
        **EXTRA,
        "organization": unit.branch2.pk,
        "approved_by": unit.zzb.pk,
    }
    login(unit.dangyuan1).post(reverse("funds:application_edit", args=[app.pk]), data)
    app.refresh_from_db()
    assert app.reason == "修改后的理由"  # the offered fields were saved …
    assert app.status == Status.DRAFT  # … and nothing else
    assert app.amount_approved is None
    assert app.approved_by_id is None
    assert app.organization_id == unit.branch1.pk
    assert AssistanceApplication.objects.filter(status=Status.DISBURSED).count() == 0


def test_ledger_edit_cannot_change_member_status_or_consent_recorder(unit, login):
    record = RecordFactory(member=unit.member1)
    data = {
        "member": unit.dangyuan1.member.pk,
        "categories": [c.pk for c in record.categories.all()],
        "level": record.level,
        "household_size": 3,
        "annual_household_income": "18000.00",
        "causes": "改",
        "main_difficulties": "",
        "skills": "",
        "registered_on": record.registered_on.isoformat(),
        "consent_on": record.consent_on.isoformat(),
        "consent_method": record.consent_method,
        "family-TOTAL_FORMS": "0",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "1000",
        "status": HardshipRecord.Status.CLOSED,
        "closed_on": "2020-01-01",
        "consent_recorded_by": unit.admin.pk,
        "created_by": unit.admin.pk,
    }
    login(unit.shuji1).post(reverse("hardship:edit", args=[record.pk]), data)
    record.refresh_from_db()
    assert record.causes == "改"
    assert record.member_id == unit.member1.pk
    assert record.status == HardshipRecord.Status.ACTIVE
    assert record.closed_on is None
    assert record.created_by_id != unit.admin.pk


def test_nomination_cannot_be_posted_as_already_approved(unit, login):
    campaign = CampaignFactory(organizer=unit.committee, nomination_deadline=timezone.localdate() + dt.timedelta(5))
    data = {
        "category": campaign.categories.first().pk,
        "member": unit.member1.pk,
        "deeds": "该同志长期帮扶困难党员，带头参加志愿服务，群众评价很高，事迹突出。",
        "meeting_date": timezone.localdate().isoformat(),
        "attendees": 10,
        "votes_for": 9,
        "votes_against": 0,
        "votes_abstain": 1,
        "status": NominationStatus.APPROVED,
        "reviewed_by": unit.zzb.pk,
        "branch": unit.branch2.pk,
    }
    login(unit.shuji1).post(reverse("awards:nominate", args=[campaign.pk]), data)
    nomination = Nomination.objects.get(member=unit.member1)  # the nomination itself was accepted
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination.reviewed_by_id is None
    assert nomination.branch_id == unit.branch1.pk


def test_a_member_cannot_apply_for_someone_else_by_posting_their_id(unit, login):
    fund_with(unit)
    data = {"member": unit.member2.pk, "kind": "temporary", "amount_requested": "500.00", "reason": "冒名申请"}
    login(unit.dangyuan1).post(reverse("funds:application_new"), data)
    assert not AssistanceApplication.objects.filter(member=unit.member2).exists()
    assert not Member.objects.get(pk=unit.member2.pk).applications.exists()
