import datetime as dt

import pytest

from awards import services
from awards.models import CampaignStatus, NominationStatus
from tests.awards.factories import CampaignFactory, NominationFactory

TODAY = dt.date(2026, 11, 20)
DEEDS = "该同志立足岗位、任劳任怨，全年帮扶困难党员两户，带头参加志愿服务二十余次，群众评价很高。"


@pytest.fixture
def campaign(unit):
    """The committee's 2026 campaign, collecting until 30 November."""
    return CampaignFactory(organizer=unit.committee, year=2026, nomination_deadline=dt.date(2026, 11, 30))


@pytest.fixture
def category(campaign):
    return campaign.categories.get(name="优秀共产党员")


@pytest.fixture
def nominate(unit, campaign, category):
    """Nominate through the service as branch 1's secretary, with a sound branch vote."""

    def _nominate(member, *, by=None, category_obj=None, today=TODAY, **overrides):
        fields = {
            "deeds": DEEDS,
            "meeting_date": dt.date(2026, 11, 10),
            "attendees": 20,
            "votes_for": 18,
            "votes_against": 1,
            "votes_abstain": 1,
        }
        fields.update(overrides)
        return services.nominate(
            by=by or unit.shuji1,
            campaign_id=campaign.pk,
            category_id=(category_obj or category).pk,
            member_id=member.pk,
            today=today,
            **fields,
        )

    return _nominate


@pytest.fixture
def in_notice(unit, campaign, category, settings):
    """The campaign in public notice from Friday 2026-11-20 (5 working days, to 27 Nov), with
    member1 (branch 1) and member2 (branch 2) approved."""
    approved = [
        NominationFactory(category=category, member=unit.member1, status=NominationStatus.APPROVED),
        NominationFactory(category=category, member=unit.member2, status=NominationStatus.APPROVED),
    ]
    campaign.status = CampaignStatus.REVIEWING
    campaign.save()
    settings.CARE = {**settings.CARE, "NOTICE_WORKING_DAYS": 5}
    services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=TODAY)
    campaign.refresh_from_db()
    return campaign, approved
