"""节假日安排: the organization department enters a year's schedule on a page; open notices move with it."""

import datetime as dt

import pytest
from django.urls import reverse

from awards.models import AwardEvent, CampaignStatus
from core import clock
from core.models import CalendarChange, CalendarYear
from funds.models import ApplicationEvent, Status
from notifications.models import Notification
from tests.core.test_calendars import SCHEDULE_2027
from tests.funds.factories import application_in, fund_with, refreshed

pytestmark = pytest.mark.django_db
D = dt.date


def _post_data(ranges, notice="国务院办公厅关于2027年部分节假日安排的通知"):
    data = {
        "notice": notice,
        "lines-TOTAL_FORMS": str(len(ranges)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "12",
    }
    for index, line in enumerate(ranges):
        data[f"lines-{index}-name"] = line.name
        data[f"lines-{index}-start"] = line.start.isoformat() if line.start else ""
        data[f"lines-{index}-end"] = line.end.isoformat() if line.end else ""
        for number, day in enumerate(line.workdays, start=1):
            data[f"lines-{index}-workday{number}"] = day.isoformat()
    return data


def test_only_the_organization_department_and_admins_enter_schedules(unit, login):
    url = reverse("calendar:year", args=[clock.today().year])
    for user in (unit.shuji1, unit.zhiwei1, unit.dangyuan1, unit.jijin):
        assert login(user).get(url).status_code == 403
        assert login(user).post(url, _post_data(SCHEDULE_2027)).status_code == 403
    assert login(unit.zzb).get(url).status_code == 200
    assert login(unit.admin).get(reverse("calendar:index")).status_code == 200
    assert not CalendarYear.objects.exists()


def test_a_bad_line_is_answered_in_chinese_and_saves_nothing(unit, login):
    ranges = [r for r in SCHEDULE_2027 if r.name != "国庆节"]
    with clock.at(D(2026, 11, 20)):
        response = login(unit.zzb).post(reverse("calendar:year", args=[2027]), _post_data(ranges))
    assert response.status_code == 200
    assert "法定节假日 2027-10-01（星期五）（国庆节）不在录入的任何放假日期内" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_home_page_asks_for_next_years_schedule_from_1_november(unit, login):
    client = login(unit.zzb)
    with clock.at(D(2026, 10, 31)):
        assert "节假日安排待录入" not in client.get("/").content.decode()
    with clock.at(D(2026, 11, 1)):
        page = client.get("/").content.decode()
        assert "节假日安排待录入" in page and "2027 年" in page
        assert "节假日安排待录入" not in login(unit.shuji1).get("/").content.decode()
        response = login(unit.zzb).post(reverse("calendar:year", args=[2027]), _post_data(SCHEDULE_2027), follow=True)
        assert "2027 年节假日安排已保存" in response.content.decode()
        assert "节假日安排待录入" not in login(unit.zzb).get("/").content.decode()


def test_entering_the_schedule_moves_an_open_notice_and_tells_those_concerned(unit, login):
    """Approved on 除夕 2027 before the schedule is known: the statutory count ends the notice on
    17 February (暂定). The schedule entered with Saturday 13 February worked moves it to the 18th."""
    with clock.at(D(2027, 2, 5)):
        fund_with(unit)
        app = application_in(unit, Status.IN_NOTICE)
    assert app.notice_ends_on == D(2027, 2, 17)
    page = login(unit.zhiwei1).get("/funds/notices/").content.decode()
    assert "2027-02-17" in page and "暂定</span>" in page
    detail = login(unit.dangyuan1).get(app.get_absolute_url()).content.decode()
    assert "暂定</span>" in detail
    with clock.at(D(2027, 2, 8)):
        response = login(unit.zzb).post(reverse("calendar:year", args=[2027]), _post_data(SCHEDULE_2027), follow=True)
    assert "1 项正在进行的公示已按新安排重算截止日" in response.content.decode()
    app = refreshed(app)
    assert app.notice_ends_on == D(2027, 2, 18) and app.status == Status.IN_NOTICE
    moved = ApplicationEvent.objects.get(application=app, comment__contains="公示截止日由 2027-02-17 改为 2027-02-18")
    assert moved.actor == unit.zzb and moved.from_status == moved.to_status == Status.IN_NOTICE
    for user in (unit.dangyuan1, unit.zzb, unit.jijin):
        assert Notification.objects.filter(recipient=user, title__contains="公示截止日调整").exists()
    assert CalendarChange.objects.get().notices_moved == 1
    page = login(unit.zhiwei1).get("/funds/notices/").content.decode()
    assert "2027-02-18" in page and "暂定</span>" not in page


def test_an_award_campaign_in_notice_moves_too(unit, login):
    from awards import services as award_services
    from tests.awards.factories import CampaignFactory, NominationFactory

    with clock.at(D(2027, 6, 7)):
        campaign = CampaignFactory(
            organizer=unit.committee, year=2027, nomination_deadline=D(2027, 6, 1), status=CampaignStatus.REVIEWING
        )
        NominationFactory(category=campaign.categories.first(), member=unit.member1, status="approved")
        award_services.start_notice(campaign_id=campaign.pk, by=unit.zzb, today=D(2027, 6, 7))
    campaign.refresh_from_db()
    assert campaign.notice_ends_on == D(2027, 6, 15)  # 端午 (9 June) is not a working day
    assert "暂定</span>" in login(unit.zzb).get(campaign.get_absolute_url()).content.decode()
    schedule = [
        r if r.name != "端午节" else r.__class__("端午节", D(2027, 6, 9), D(2027, 6, 11)) for r in SCHEDULE_2027
    ]
    with clock.at(D(2027, 6, 8)):
        login(unit.zzb).post(reverse("calendar:year", args=[2027]), _post_data(schedule))
    campaign.refresh_from_db()
    assert campaign.notice_ends_on == D(2027, 6, 17)  # 9–11 June off: 8, 14, 15, 16, 17
    assert AwardEvent.objects.filter(campaign=campaign, comment__contains="改为 2027-06-17").exists()
    assert Notification.objects.filter(recipient=unit.zzb, title__contains="公示截止日调整").exists()
    assert Notification.objects.filter(recipient=unit.shuji1, title__contains="公示截止日调整").exists()
