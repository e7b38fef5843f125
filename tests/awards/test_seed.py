import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from awards.models import AwardCampaign, CampaignStatus, Nomination, NominationStatus
from members.models import Member, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_has_last_years_honour_roll_and_this_years_open_call(seeded, client):
    today = timezone.localdate()
    last = AwardCampaign.objects.get(year=today.year - 1)
    current = AwardCampaign.objects.get(year=today.year, organizer=last.organizer)
    assert last.status == CampaignStatus.PUBLISHED and last.notice_ends_on < last.published_on
    assert current.status == CampaignStatus.COLLECTING and current.nomination_deadline > today
    assert Nomination.objects.honours().filter(campaign=last).count() >= 5
    # Every seeded nomination keeps the rules the services enforce.
    per_branch = (
        Nomination.objects.counting_against_quota()
        .values("category_id", "branch_id", "category__quota_per_branch")
        .annotate(n=Count("id"))
    )
    assert all(row["n"] <= row["category__quota_per_branch"] for row in per_branch)
    assert not Nomination.objects.filter(member__deceased_on__isnull=False).exists()
    assert all(n.votes_for * 2 > n.attendees for n in Nomination.objects.all())
    # The demo member sees an honour on /me/; the secretary has room to nominate.
    own = Member.objects.get(user__username="dangyuan1")
    assert Nomination.objects.honours().filter(member=own).exists()
    assert not Nomination.objects.filter(campaign=current, branch=own.organization).exists()
    client.force_login(User.objects.get(username="shuji1"))
    assert "正在征集推荐" in client.get("/").content.decode()
    rejected = Nomination.objects.filter(status=NominationStatus.REJECTED, campaign=last)
    assert rejected.exists() and not rejected.filter(review_comment="").exists()
