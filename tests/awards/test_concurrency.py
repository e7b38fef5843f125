import datetime as dt
import threading

import pytest
from django.db import connection

from awards import services
from awards.models import Nomination
from core.errors import DomainError
from tests.awards.conftest import DEEDS, TODAY
from tests.awards.factories import CampaignFactory
from tests.factories import MemberFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_cannot_both_take_the_last_place(unit):
    """The category row lock serialises nominations: with one place left in total, exactly one of two
    simultaneous nominations from different branches gets it."""
    campaign = CampaignFactory(organizer=unit.committee, categories=[{"name": "优秀党务工作者", "quota_total": 1}])
    category = campaign.categories.get()
    first, second = MemberFactory(organization=unit.branch1), MemberFactory(organization=unit.branch2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(user, member):
        try:
            barrier.wait()
            services.nominate(
                by=user,
                campaign_id=campaign.pk,
                category_id=category.pk,
                member_id=member.pk,
                deeds=DEEDS,
                meeting_date=dt.date(2026, 11, 10),
                attendees=10,
                votes_for=9,
                today=TODAY,
            )
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=args) for args in ((unit.shuji1, first), (unit.shuji2, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "“优秀党务工作者”总名额 1 名已满"]
    assert Nomination.objects.count() == 1
