import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from awards import services
from awards.models import AwardCampaign, CampaignStatus, Nomination, NominationStatus, Objection
from members.models import Member, Organization
from tests.awards.factories import CampaignFactory, NominationFactory
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

DEEDS = "该同志立足岗位、任劳任怨，全年帮扶困难党员两户，带头参加志愿服务二十余次，群众评价很高。"


@pytest.fixture
def open_campaign(unit):
    """Collecting, with a deadline ahead of the real today (views use the real date)."""
    today = timezone.localdate()
    return CampaignFactory(organizer=unit.committee, year=today.year, nomination_deadline=today + dt.timedelta(days=10))


def _post_nomination(client, campaign, member, **overrides):
    category = campaign.categories.get(name="优秀共产党员")
    data = {
        "category": category.pk,
        "member": member.pk,
        "deeds": DEEDS,
        "meeting_date": timezone.localdate().isoformat(),
        "attendees": 20,
        "votes_for": 18,
        "votes_against": 1,
        "votes_abstain": 1,
    }
    data.update(overrides)
    return client.post(f"/awards/{campaign.pk}/nominate/", data)


def _to_notice(campaign, unit, members):
    category = campaign.categories.get(name="优秀共产党员")
    nominations = [NominationFactory(category=category, member=m, status=NominationStatus.APPROVED) for m in members]
    AwardCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.REVIEWING)
    services.start_notice(campaign_id=campaign.pk, by=unit.zzb)
    campaign.refresh_from_db()
    return nominations


def _publish(campaign, unit, members):
    nominations = _to_notice(campaign, unit, members)
    services.publish(campaign_id=campaign.pk, by=unit.zzb, today=campaign.notice_ends_on + dt.timedelta(days=1))
    campaign.refresh_from_db()
    return nominations


# ------------------------------------------------------------------ access


@pytest.mark.parametrize(
    "path",
    [
        "/awards/",
        "/awards/new/",
        "/awards/stats/",
        "/awards/{pk}/",
        "/awards/{pk}/nominate/",
        "/awards/{pk}/nominations/",
    ],
)
def test_anonymous_goes_to_login(client, open_campaign, path):
    response = client.get(path.format(pk=open_campaign.pk))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_campaign_list_shows_campaigns_of_the_users_unit_only(unit, login, open_campaign):
    other = Organization.objects.create(name="外单位党委", kind="committee")
    CampaignFactory(organizer=other, title="外单位评选")
    for user in (unit.zzb, unit.shuji1, unit.dangyuan1):
        body = login(user).get("/awards/").content.decode()
        assert open_campaign.title in body and "外单位评选" not in body


def test_campaign_list_query_count_is_constant(unit, login, django_assert_max_num_queries):
    for year in range(2016, 2026):
        CampaignFactory(organizer=unit.committee, year=year)
    client = login(unit.zzb)
    with django_assert_max_num_queries(9):
        response = client.get("/awards/")
    assert response.status_code == 200


def test_another_units_campaign_is_not_found(unit, login):
    other = Organization.objects.create(name="外单位党委", kind="committee")
    campaign = CampaignFactory(organizer=other)
    client = login(unit.zzb)
    assert client.get(f"/awards/{campaign.pk}/").status_code == 404
    assert client.post(f"/awards/{campaign.pk}/close/").status_code == 404


def test_org_department_opens_a_campaign_with_the_default_categories(unit, login):
    client = login(unit.zzb)
    page = client.get("/awards/new/").content.decode()
    for name in ("优秀共产党员", "优秀党务工作者", "党员兑现承诺先进个人"):
        assert name in page
    today = timezone.localdate()
    response = client.post(
        "/awards/new/",
        {
            "year": today.year,
            "title": f"{today.year}年度先进评选",
            "organizer": unit.committee.pk,
            "nomination_deadline": (today + dt.timedelta(days=20)).isoformat(),
            "description": "",
            "categories-TOTAL_FORMS": 2,
            "categories-INITIAL_FORMS": 0,
            "categories-0-name": "优秀共产党员",
            "categories-0-quota_per_branch": 2,
            "categories-1-name": "抗洪先进个人",
            "categories-1-quota_total": 5,
        },
    )
    campaign = AwardCampaign.objects.get()
    assert response.status_code == 302 and response.url == f"/awards/{campaign.pk}/"
    assert list(campaign.categories.values_list("name", flat=True)) == ["优秀共产党员", "抗洪先进个人"]


def test_secretary_cannot_open_a_campaign(unit, login):
    assert login(unit.shuji1).get("/awards/new/").status_code == 403


# ------------------------------------------------------------------ nominating


def test_secretary_nominates_from_the_form(unit, login, open_campaign):
    client = login(unit.shuji1)
    assert client.get(f"/awards/{open_campaign.pk}/nominate/").status_code == 200
    response = _post_nomination(client, open_campaign, unit.member1)
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.member, nomination.branch, nomination.nominated_by) == (unit.member1, unit.branch1, unit.shuji1)


def test_secretary_cannot_nominate_another_branchs_member_by_posting_its_id(unit, login, open_campaign):
    response = _post_nomination(login(unit.shuji1), open_campaign, unit.member2)
    assert response.status_code == 200
    assert "只能推荐本支部的在册党员" in response.content.decode()
    assert not Nomination.objects.exists()


def test_member_picker_offers_only_on_roll_members_of_the_branch(unit, login, open_campaign):
    gone = MemberFactory(organization=unit.branch1, name="已故党员", deceased_on=dt.date(2025, 1, 1))
    response = _post_nomination(login(unit.shuji1), open_campaign, gone)
    assert "只能推荐本支部的在册党员" in response.content.decode()


def test_rule_messages_show_on_the_form(unit, login, open_campaign):
    unit.member1.is_under_discipline = True
    unit.member1.save()
    response = _post_nomination(login(unit.shuji1), open_campaign, unit.member1)
    assert "处于处分影响期内，不能推荐" in response.content.decode()


def test_members_and_org_department_cannot_nominate(unit, login, open_campaign):
    assert login(unit.dangyuan1).get(f"/awards/{open_campaign.pk}/nominate/").status_code == 403
    assert login(unit.zzb).get(f"/awards/{open_campaign.pk}/nominate/").status_code == 403


def test_campaign_page_shows_the_secretary_their_quota_and_nominations(unit, login, open_campaign):
    NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    NominationFactory(category=open_campaign.categories.first(), member=unit.member2)
    body = login(unit.shuji1).get(f"/awards/{open_campaign.pk}/").content.decode()
    assert re.search(r"<td>优秀共产党员</td><td[^>]*>1</td><td[^>]*>1</td>", body)
    assert "刘一" in body and "陈二" not in body


def test_withdraw_from_the_page(unit, login, open_campaign):
    nomination = NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    assert login(unit.shuji2).post(f"/awards/nominations/{nomination.pk}/withdraw/").status_code == 404
    assert login(unit.shuji1).post(f"/awards/nominations/{nomination.pk}/withdraw/").status_code == 302
    assert not Nomination.objects.exists()


# ------------------------------------------------------------------ nomination files


def test_nomination_detail_is_scoped_to_the_branch(unit, login, open_campaign):
    nomination = NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    assert "主要事迹" in login(unit.shuji1).get(f"/awards/nominations/{nomination.pk}/").content.decode()
    assert login(unit.zzb).get(f"/awards/nominations/{nomination.pk}/").status_code == 200
    assert login(unit.shuji2).get(f"/awards/nominations/{nomination.pk}/").status_code == 404
    assert login(unit.dangyuan1).get(f"/awards/nominations/{nomination.pk}/").status_code == 403
    assert login(unit.zhiwei1).get(f"/awards/nominations/{nomination.pk}/").status_code == 403


def test_nomination_list_is_scoped_and_its_queries_constant(unit, login, open_campaign, django_assert_max_num_queries):
    categories = list(open_campaign.categories.all())
    for category in categories:
        NominationFactory(category=category, member=MemberFactory(organization=unit.branch1))
        other = MemberFactory(organization=unit.branch2, name=f"二支部{category.pk}")
        NominationFactory(category=category, member=other)
    client = login(unit.shuji1)
    with django_assert_max_num_queries(14):
        body = client.get(f"/awards/{open_campaign.pk}/nominations/").content.decode()
    assert "二支部" not in body
    client = login(unit.zzb)
    with django_assert_max_num_queries(14):
        body = client.get(f"/awards/{open_campaign.pk}/nominations/?page_size=200").content.decode()
    assert body.count("二支部") >= 3
    assert login(unit.dangyuan1).get(f"/awards/{open_campaign.pk}/nominations/").status_code == 403


def test_nomination_list_filters_by_status(unit, login, open_campaign):
    category = open_campaign.categories.first()
    NominationFactory(category=category, member=unit.member1, status=NominationStatus.APPROVED)
    NominationFactory(category=category, member=unit.member2)
    body = login(unit.zzb).get(f"/awards/{open_campaign.pk}/nominations/?status=submitted").content.decode()
    assert "陈二" in body and "刘一" not in body


# ------------------------------------------------------------------ the org department's actions


def test_close_review_notice_publish_through_the_pages(unit, login, open_campaign):
    NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    client = login(unit.zzb)
    assert client.post(f"/awards/{open_campaign.pk}/close/").status_code == 302
    nomination = Nomination.objects.get()
    client.post(f"/awards/nominations/{nomination.pk}/review/", {"decision": "approve"})
    client.post(f"/awards/{open_campaign.pk}/notice/")
    open_campaign.refresh_from_db()
    assert open_campaign.status == CampaignStatus.NOTICE
    response = client.post(f"/awards/{open_campaign.pk}/publish/", follow=True)
    assert "期满后才能发布表彰" in response.content.decode()


def test_secretary_cannot_review_or_move_the_campaign(unit, login, open_campaign):
    nomination = NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    client = login(unit.shuji1)
    assert client.post(f"/awards/{open_campaign.pk}/close/").status_code == 403
    assert client.post(f"/awards/nominations/{nomination.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/awards/{open_campaign.pk}/cancel/", {"reason": "不想评了"}).status_code == 403


def test_cancel_from_the_page(unit, login, open_campaign):
    login(unit.zzb).post(f"/awards/{open_campaign.pk}/cancel/", {"reason": "上级统一部署"})
    open_campaign.refresh_from_db()
    assert open_campaign.status == CampaignStatus.CANCELLED


# ------------------------------------------------------------------ notice and objections


def test_notice_board_shows_the_list_and_lets_members_object(unit, login, open_campaign):
    (first, _) = _to_notice(open_campaign, unit, [unit.member1, unit.member2])
    client = login(unit.dangyuan1)
    body = client.get(f"/awards/{open_campaign.pk}/").content.decode()
    assert "公示名单（2 人）" in body and "提出异议" in body
    response = client.post(f"/awards/nominations/{first.pk}/object/", {"reason": "该同志本年度多次缺席组织生活"})
    assert response.status_code == 302
    assert Objection.objects.get().raised_by == unit.dangyuan1
    body = client.get(f"/awards/{open_campaign.pk}/").content.decode()
    assert "已提出异议" in body


def test_org_department_resolves_an_objection_on_the_page(unit, login, open_campaign):
    (first, _) = _to_notice(open_campaign, unit, [unit.member1, unit.member2])
    objection = services.raise_objection(nomination_id=first.pk, by=unit.dangyuan1, reason="有违纪情况需核实")
    client = login(unit.zzb)
    assert "公示异议（1 条待处理）" in client.get(f"/awards/{open_campaign.pk}/").content.decode()
    assert (
        login(unit.shuji1)
        .post(f"/awards/objections/{objection.pk}/resolve/", {"decision": "upheld", "resolution": "x"})
        .status_code
        == 403
    )
    client = login(unit.zzb)
    client.post(f"/awards/objections/{objection.pk}/resolve/", {"decision": "upheld", "resolution": "经核实属实"})
    first.refresh_from_db()
    assert first.status == NominationStatus.REJECTED


def test_objection_page_for_an_outside_campaign_is_not_found(unit, login):
    other = Organization.objects.create(name="外单位党委", kind="committee")
    branch = Organization.objects.create(name="外单位支部", parent=other)
    campaign = CampaignFactory(organizer=other, status=CampaignStatus.NOTICE)
    nomination = NominationFactory(
        category=campaign.categories.first(),
        member=MemberFactory(organization=branch),
        status=NominationStatus.APPROVED,
    )
    assert login(unit.dangyuan1).get(f"/awards/nominations/{nomination.pk}/object/").status_code == 404


# ------------------------------------------------------------------ honour roll, exports, history


def test_honour_roll_and_print(unit, login, open_campaign):
    _publish(open_campaign, unit, [unit.member1, unit.member2])
    for user in (unit.dangyuan1, unit.shuji2, unit.zzb):
        body = login(user).get(f"/awards/{open_campaign.pk}/").content.decode()
        assert "光荣榜（2 人）" in body and "刘一" in body and "陈二" in body
    printed = login(unit.dangyuan1).get(f"/awards/{open_campaign.pk}/print/").content.decode()
    assert "光 荣 榜" in printed and "d-print-none" in printed


def test_honour_roll_is_not_shown_while_collecting(unit, login, open_campaign):
    client = login(unit.zzb)
    assert client.get(f"/awards/{open_campaign.pk}/print/").status_code == 404
    assert client.get(f"/awards/{open_campaign.pk}/honours.xlsx").status_code == 404


def _sheet(response):
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def test_honour_roll_export(unit, login, open_campaign):
    _publish(open_campaign, unit, [unit.member1, unit.member2])
    response = login(unit.zzb).get(f"/awards/{open_campaign.pk}/honours.xlsx")
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0][0] == f"{open_campaign.title}表彰名单"
    assert rows[1][:3] == ["序号", "表彰类别", "姓名"]
    assert {row[2] for row in rows[2:]} == {"刘一", "陈二"}


def test_nomination_export_is_scoped(unit, login, open_campaign):
    category = open_campaign.categories.first()
    NominationFactory(category=category, member=unit.member1)
    NominationFactory(category=category, member=unit.member2)
    rows = _sheet(login(unit.shuji1).get(f"/awards/{open_campaign.pk}/nominations.xlsx"))
    assert [row[2] for row in rows[2:]] == ["刘一"]
    rows = _sheet(login(unit.zzb).get(f"/awards/{open_campaign.pk}/nominations.xlsx"))
    assert sorted(row[2] for row in rows[2:]) == ["刘一", "陈二"]
    assert login(unit.dangyuan1).get(f"/awards/{open_campaign.pk}/nominations.xlsx").status_code == 403


def test_honours_over_the_years_on_the_member_page_and_me(unit, login):
    own = Member.objects.get(user=unit.dangyuan1)
    for year, name in ((2024, "优秀共产党员"), (2025, "党员兑现承诺先进个人")):
        campaign = CampaignFactory(organizer=unit.committee, year=year, status=CampaignStatus.PUBLISHED)
        NominationFactory(category=campaign.categories.get(name=name), member=own, status=NominationStatus.APPROVED)
    pending = CampaignFactory(organizer=unit.committee, year=2026)
    NominationFactory(category=pending.categories.first(), member=own, status=NominationStatus.SUBMITTED)
    body = login(unit.dangyuan1).get("/me/").content.decode()
    assert "表彰奖励（2）" in body and "2024年" in body and "2025年" in body
    body = login(unit.shuji1).get(f"/members/{own.pk}/").content.decode()
    assert "表彰奖励（2）" in body and "党员兑现承诺先进个人" in body


def test_stats_count_per_branch_and_category_per_year(unit, login):
    for year in (2024, 2025):
        campaign = CampaignFactory(organizer=unit.committee, year=year, status=CampaignStatus.PUBLISHED)
        category = campaign.categories.get(name="优秀共产党员")
        NominationFactory(category=category, member=unit.member1, status=NominationStatus.APPROVED)
        NominationFactory(category=category, member=unit.member2, status=NominationStatus.REJECTED)
    client = login(unit.zzb)
    body = client.get("/awards/stats/?year=2025").content.decode()
    assert "2025年度各支部受表彰人数（共 1 人次）" in body and "第一党支部" in body and "第二党支部" not in body
    assert "历年累计各支部受表彰人数（共 2 人次）" in client.get("/awards/stats/").content.decode()
    assert login(unit.shuji1).get("/awards/stats/").status_code == 403


# ------------------------------------------------------------------ home panel and nav


def test_home_tells_each_role_what_to_do(unit, login, open_campaign):
    body = login(unit.shuji1).get("/").content.decode()
    assert "正在征集推荐" in body and f"/awards/{open_campaign.pk}/nominate/" in body
    assert "表彰评选" in body  # the menu item
    NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    AwardCampaign.objects.filter(pk=open_campaign.pk).update(status=CampaignStatus.REVIEWING)
    body = login(unit.zzb).get("/").content.decode()
    assert "1 份推荐待评审" in body
    assert 'card-header bg-white">表彰评选' not in login(unit.dangyuan1).get("/").content.decode()


def test_the_home_panel_follows_a_nomination_and_a_status_change_at_once(unit, login, open_campaign):
    """The panel is cached per viewer: a nomination saved, or the campaign moved on, shows on the next
    home page of everyone concerned."""

    def home(user):
        return login(user).get("/").content.decode()

    assert "本支部已推荐 0 名" in home(unit.shuji1)
    assert "已收到 0 份推荐" in home(unit.zzb)
    NominationFactory(category=open_campaign.categories.first(), member=unit.member1)
    assert "本支部已推荐 1 名" in home(unit.shuji1)
    assert "已收到 1 份推荐" in home(unit.zzb)
    open_campaign.status = CampaignStatus.REVIEWING
    open_campaign.save()
    assert "1 份推荐待评审" in home(unit.zzb)
    assert "正在征集推荐" not in home(unit.shuji1)


def test_home_shows_open_objections_to_the_org_department(unit, login, open_campaign):
    (first, _) = _to_notice(open_campaign, unit, [unit.member1, unit.member2])
    assert "名单公示中" in login(unit.dangyuan1).get("/").content.decode()
    services.raise_objection(nomination_id=first.pk, by=unit.dangyuan1, reason="有违纪情况需核实")
    assert "公示收到 1 条异议" in login(unit.zzb).get("/").content.decode()


def test_honour_roll_is_paged_filtered_by_branch_and_constant_in_queries(
    unit, login, open_campaign, django_assert_max_num_queries
):
    extra = [MemberFactory(organization=unit.branch1, name=f"一支部{i}") for i in range(3)]
    _publish(open_campaign, unit, [unit.member1, unit.member2, unit.member3, *extra])
    client = login(unit.dangyuan1)
    with django_assert_max_num_queries(16):
        body = client.get(f"/awards/{open_campaign.pk}/?page_size=2").content.decode()
    assert "光荣榜（6 人）" in body and "优秀共产党员（6 名）" in body and "共 6 条" in body
    assert body.count("主要事迹</summary>") == 2
    body = client.get(f"/awards/{open_campaign.pk}/?branch={unit.branch2.pk}").content.decode()
    assert "光荣榜（1 人）" in body and "陈二" in body and "刘一" not in body
