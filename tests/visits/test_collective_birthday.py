"""The collective 政治生日 around 七一 is recorded as an event (issue 15, 4): date, attendees, what was done."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from visits import services
from visits.models import CollectiveBirthday

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_secretary_records_the_collective_political_birthday(login, unit):
    client = login(unit.shuji1)
    page = client.get(reverse("visits:birthdays")).content.decode()
    assert f"{TODAY.year}年尚未登记的支部：第一党支部" in page
    response = client.post(
        reverse("visits:birthday_create"),
        {
            "organization": unit.branch1.pk,
            "held_on": TODAY.isoformat(),
            "attendees": [unit.dangyuan1.member.pk, unit.member1.pk],
            "reaffirmed_oath": "on",
            "shared_reflections": "on",
            "notes": "在党员活动室重温入党誓词",
            "opinions": "希望多组织红色教育",
        },
    )
    assert response.status_code == 302
    event = CollectiveBirthday.objects.get()
    assert set(event.attendees.values_list("name", flat=True)) == {"张党员", "刘一"}
    page = client.get(reverse("visits:birthdays")).content.decode()
    assert "参加 2 人" in page and "重温入党誓词" in page and "希望多组织红色教育" in page
    assert "尚未登记的支部" not in page


def test_attendees_come_from_the_branch_and_members_cannot_record(login, unit):
    response = login(unit.shuji1).post(
        reverse("visits:birthday_create"),
        {
            "organization": unit.branch1.pk,
            "held_on": TODAY.isoformat(),
            "attendees": [unit.member2.pk],
            "reaffirmed_oath": "on",
        },
    )
    assert response.status_code == 200 and not CollectiveBirthday.objects.exists()
    assert login(unit.dangyuan1).get(reverse("visits:birthday_create")).status_code == 403


def test_the_june_reminder_skips_a_branch_that_has_recorded_it(unit):
    day = dt.date(2026, 6, 10)
    services.record_collective_birthday(
        by=unit.shuji1, organization=unit.branch1, held_on=day, attendees=[unit.member1], reaffirmed_oath=True
    )
    call_command("run_daily_jobs", date="2026-06-12", stdout=io.StringIO())
    title = "请组织2026年“七一”集体政治生日"
    assert not Notification.objects.filter(recipient=unit.shuji1, title=title).exists()
    assert Notification.objects.filter(recipient=unit.shuji2, title=title).exists()


def test_the_branches_without_one_count_every_event_of_the_year_not_only_those_shown(login, unit, monkeypatch):
    """The page shows the newest events; a branch that held its 政治生日 earlier in the year is not
    listed as missing for that, and over many branches the page names them a page at a time."""
    from members.models import Organization
    from tests.factories import OrganizationFactory
    from visits import views

    many = [OrganizationFactory(name=f"新建第{i}支部", parent=unit.committee) for i in range(105)]
    held_on = dt.date(TODAY.year, 1, 2)  # early in the year: older than every other event
    CollectiveBirthday.objects.create(organization=unit.branch1, held_on=held_on)
    for branch in many:
        CollectiveBirthday.objects.create(organization=branch, held_on=held_on + dt.timedelta(days=1))
    page = login(unit.zzb).get(reverse("visits:birthdays")).content.decode()
    assert "尚未登记的支部：第二党支部、第三党支部" in page
    assert "第一党支部、" not in page and "、第一党支部" not in page
    assert Organization.objects.filter(kind=Organization.Kind.BRANCH).count() > 100
    monkeypatch.setattr(views, "SHOWN_MISSING", 1)
    client = login(unit.zzb)
    page = client.get(reverse("visits:birthdays")).content.decode()
    assert "尚未登记的支部（共 2 个，第 1/2 页）：第二党支部" in page
    assert "?missing_page=2" in page and "上一页" not in page
    page = client.get(reverse("visits:birthdays"), {"missing_page": 2}).content.decode()
    assert "（共 2 个，第 2/2 页）：第三党支部" in page
    assert "?missing_page=1" in page and "下一页" not in page
    page = client.get(reverse("visits:birthdays"), {"missing_page": "x"}).content.decode()
    assert "第 1/2 页" in page  # a page that is not a number shows the first
