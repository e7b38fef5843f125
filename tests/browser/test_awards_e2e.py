import datetime as dt

import pytest
from django.utils import timezone

from awards.models import AwardCampaign, CampaignStatus, Nomination, NominationStatus
from notifications.models import Notification
from tests.awards.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEEDS = "刘一同志立足岗位、任劳任怨，全年结对帮扶困难党员两户，带头参加防汛志愿服务二十余次，群众评价很高。"


def test_nominate_approve_publish(unit, page, sign_in, live_server):
    today = timezone.localdate()
    campaign = CampaignFactory(
        organizer=unit.committee, year=today.year, nomination_deadline=today + dt.timedelta(days=10)
    )
    page.on("dialog", lambda dialog: dialog.accept())

    # The secretary sees the call on the home page and nominates a member of the branch.
    sign_in("shuji1")
    page.get_by_role("link", name="推荐").click()
    page.wait_for_url(f"{live_server.url}/awards/{campaign.pk}/nominate/")
    page.get_by_label("表彰类别").select_option(label="优秀共产党员")
    page.locator(".ts-control input").fill("刘一")
    page.locator(".ts-dropdown .option", has_text="刘一").click()
    page.get_by_label("主要事迹").fill(DEEDS)
    page.get_by_label("支部党员大会日期").fill(today.isoformat())
    page.get_by_label("到会党员人数").fill("25")
    page.get_by_label("赞成票").fill("24")
    page.get_by_label("反对票").fill("0")
    page.get_by_label("弃权票").fill("1")
    page.get_by_role("button", name="提交推荐").click()
    page.wait_for_url(f"{live_server.url}/awards/{campaign.pk}/")
    assert "已推荐刘一为“优秀共产党员”" in page.content()
    assert Nomination.objects.get().member == unit.member1

    # The organization department closes the call, approves, and puts the list on notice.
    page.context.clear_cookies()
    sign_in("zzb")
    page.goto(f"{live_server.url}/awards/{campaign.pk}/")
    page.get_by_role("button", name="截止推荐，进入评审").click()
    page.wait_for_url(f"{live_server.url}/awards/{campaign.pk}/nominations/?status=submitted")
    page.get_by_role("button", name="通过刘一", exact=True).click()
    page.get_by_text("已评审通过").wait_for()
    assert Nomination.objects.get().status == NominationStatus.APPROVED
    page.goto(f"{live_server.url}/awards/{campaign.pk}/")
    page.get_by_role("button", name="开始公示").click()
    page.get_by_text("评审通过名单已开始公示").wait_for()
    assert "公示名单（1 人）" in page.content()

    # The notice period passes; the organization department publishes the honour roll.
    AwardCampaign.objects.filter(pk=campaign.pk).update(
        notice_starts_on=today - dt.timedelta(days=10), notice_ends_on=today - dt.timedelta(days=1)
    )
    page.reload()
    page.get_by_role("button", name="发布表彰").click()
    page.get_by_text("表彰已发布").wait_for()
    assert "光荣榜（1 人）" in page.content()
    assert AwardCampaign.objects.get(pk=campaign.pk).status == CampaignStatus.PUBLISHED
    assert Notification.objects.filter(recipient=unit.shuji1, title__contains="本支部 1 人获表彰").exists()

    # The honour appears on the member's page.
    page.goto(f"{live_server.url}/members/{unit.member1.pk}/")
    assert "优秀共产党员" in page.content()
