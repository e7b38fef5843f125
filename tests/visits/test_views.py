"""Pages: who sees what, 404 for other branches, login for anonymous, confidential notes hidden."""

import datetime as dt

import pytest
from django.urls import reverse

from core.calendars import july_first
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory, make_talk, open_plan
from visits import jobs
from visits.models import Occasion, Talk, Visit, VisitPlan, VisitPlanItem

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
LIST_URLS = [
    "visits:list",
    "visits:create",
    "visits:talk_list",
    "visits:talk_create",
    "visits:coverage",
    "visits:plan_list",
    "visits:prompts",
    "visits:export",
]


@pytest.mark.parametrize("name", LIST_URLS)
def test_pages_need_login(client, unit, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", LIST_URLS)
def test_managers_see_pages_and_plain_members_are_refused(login, unit, name):
    assert login(unit.shuji1).get(reverse(name)).status_code == 200
    assert login(unit.zzb).get(reverse(name)).status_code == 200
    assert login(unit.dangyuan1).get(reverse(name)).status_code == 403


@pytest.fixture
def records(unit):
    visit1 = VisitFactory(member=unit.member1, visitors=[unit.shuji1.member], goods="大米")
    visit2 = VisitFactory(member=unit.member2, visitors=[unit.shuji2.member])
    talk1 = make_talk(
        [unit.dangyuan1.member],
        [unit.shuji1.member],
        confidential_notes="对评优结果有怨气，需再谈",
        priority_grievance=True,
        summary="谈了学习体会",
        opinions="希望多组织学习",
    )
    talk2 = make_talk([unit.member2], [unit.shuji2.member], confidential_notes="二支部的内部记录")
    return visit1, visit2, talk1, talk2


def test_visit_list_is_scoped_to_the_branch(login, unit, records):
    body = login(unit.shuji1).get(reverse("visits:list")).content.decode()
    assert "刘一" in body and "陈二" not in body
    body = login(unit.zzb).get(reverse("visits:list")).content.decode()
    assert "刘一" in body and "陈二" in body


def test_visit_and_talk_detail_of_another_branch_is_404(login, unit, records):
    visit1, visit2, talk1, talk2 = records
    client = login(unit.shuji1)
    assert client.get(visit1.get_absolute_url()).status_code == 200
    assert client.get(visit2.get_absolute_url()).status_code == 404
    assert client.get(talk1.get_absolute_url()).status_code == 200
    assert client.get(talk2.get_absolute_url()).status_code == 404


def test_secretary_sees_confidential_notes_the_member_never_does(login, unit, records):
    talk = records[2]
    body = login(unit.shuji1).get(talk.get_absolute_url()).content.decode()
    assert "对评优结果有怨气，需再谈" in body and "有怨气" in body
    client = login(unit.dangyuan1)
    body = client.get(talk.get_absolute_url()).content.decode()
    assert "谈了学习体会" in body and "希望多组织学习" in body
    assert "对评优结果有怨气" not in body and "内部记录" not in body and "有怨气" not in body
    me = client.get(reverse("me")).content.decode()
    assert "谈心谈话" in me and "谈了学习体会" in me and "对评优结果" not in me


def test_member_page_section_for_secretary_lists_talks_and_visits(login, unit, records):
    body = login(unit.shuji1).get(reverse("members:detail", args=[unit.member1.pk])).content.decode()
    assert "走访慰问" in body and "大米" in body and "登记谈话" in body


def test_visit_list_query_count_is_constant(login, unit, django_assert_max_num_queries):
    for _ in range(30):
        VisitFactory(member=unit.member1, visitors=[unit.shuji1.member, unit.zhiwei1.member])
    client = login(unit.shuji1)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:list"), {"page_size": 50}).status_code == 200


def test_talk_list_query_count_is_constant(login, unit, django_assert_max_num_queries):
    for _ in range(30):
        make_talk([unit.member1, unit.dangyuan1.member], [unit.shuji1.member])
    client = login(unit.shuji1)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("visits:talk_list"), {"page_size": 50}).status_code == 200


def test_plan_list_and_coverage_query_counts(login, unit, django_assert_max_num_queries):
    for _ in range(10):
        MemberFactory(organization=unit.branch1, is_retired_cadre=True)
    jobs.holiday_plans(july_first(TODAY.year) - dt.timedelta(days=5))
    client = login(unit.zzb)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:plan_list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("visits:coverage")).status_code == 200


def test_visit_form_defaults_to_today_and_the_secretary_as_visitor(login, unit):
    body = login(unit.shuji1).get(reverse("visits:create")).content.decode()
    assert f'value="{TODAY:%Y-%m-%d}"' in body
    assert f'<option value="{unit.shuji1.member.pk}" selected>李书记（第一党支部）</option>' in body


def test_logging_a_visit_through_the_form(login, unit):
    response = login(unit.shuji1).post(
        reverse("visits:create"),
        {
            "member": unit.member1.pk,
            "occasion": Occasion.ILLNESS,
            "visited_on": TODAY.isoformat(),
            "visitors": [unit.shuji1.member.pk, unit.zhiwei1.member.pk],
            "amount": "500",
            "money_source": "other",
            "money_source_note": "单位工会慰问经费",
            "goods": "水果",
            "notes": "住院治疗中",
            "follow_up": "",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.member == unit.member1 and visit.visitors.count() == 2 and str(visit.amount) == "500.00"


def test_the_form_refuses_a_member_of_another_branch(login, unit):
    response = login(unit.shuji1).post(
        reverse("visits:create"),
        {
            "member": unit.member2.pk,
            "occasion": Occasion.ROUTINE,
            "visited_on": TODAY.isoformat(),
            "visitors": [unit.shuji1.member.pk],
        },
    )
    assert response.status_code == 200 and not Visit.objects.exists()


def test_logging_from_a_plan_item_ticks_it_off(login, unit):
    veteran = MemberFactory(organization=unit.branch1, name="老模范", is_model_worker=True)
    plan = open_plan(
        branch=unit.branch1,
        occasion=Occasion.SPRING_FESTIVAL,
        year=TODAY.year + 1,
        holiday=TODAY + dt.timedelta(days=10),
        day=TODAY,
    )
    item = VisitPlanItem.objects.get(plan=plan, member=veteran)
    client = login(unit.shuji1)
    form = client.get(reverse("visits:create"), {"item": item.pk}).content.decode()
    assert "按计划走访" in form
    response = client.post(
        f"{reverse('visits:create')}?item={item.pk}",
        {
            "member": veteran.pk,
            "occasion": Occasion.SPRING_FESTIVAL,
            "visited_on": TODAY.isoformat(),
            "visitors": [unit.shuji1.member.pk],
            "plan_item": item.pk,
            "goods": "大米、食用油",
        },
    )
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    item.refresh_from_db()
    assert item.is_done
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "已走访 1/1" in body


def test_plan_detail_404_for_another_branch_and_assigning_visitors(login, unit):
    MemberFactory(organization=unit.branch1, is_retired_cadre=True)
    plan = open_plan(
        branch=unit.branch1,
        occasion=Occasion.JULY_FIRST,
        year=TODAY.year,
        holiday=TODAY + dt.timedelta(days=10),
        day=TODAY,
    )
    item = plan.items.get()
    assert login(unit.shuji2).get(plan.get_absolute_url()).status_code == 404
    assert (
        login(unit.shuji2)
        .post(reverse("visits:plan_item_assign", args=[item.pk]), {"visitors": [unit.shuji2.member.pk]})
        .status_code
        == 404
    )
    client = login(unit.shuji1)
    client.post(reverse("visits:plan_item_assign", args=[item.pk]), {"visitors": [unit.zhiwei1.member.pk]})
    assert list(item.visitors.values_list("name", flat=True)) == ["王支委"]
    assert "王支委" in client.get(plan.get_absolute_url()).content.decode()
    assert VisitPlan.objects.count() == 1


def test_logging_a_talk_through_the_form(login, unit):
    response = login(unit.shuji1).post(
        reverse("visits:talk_create"),
        {
            "kind": Talk.Kind.INDIVIDUAL,
            "participants": [unit.member1.pk],
            "talked_on": TODAY.isoformat(),
            "reason": Talk.Reason.DIFFICULTY,
            "interviewers": [unit.shuji1.member.pk],
            "priority_hardship": "on",
            "summary": "了解家庭困难",
            "confidential_notes": "家庭矛盾",
        },
    )
    talk = Talk.objects.get()
    assert response.status_code == 302 and response["Location"] == talk.get_absolute_url()
    assert talk.priority_hardship and talk.confidential_notes == "家庭矛盾"


def test_talk_form_shows_domain_errors(login, unit):
    response = login(unit.shuji1).post(
        reverse("visits:talk_create"),
        {
            "kind": Talk.Kind.INDIVIDUAL,
            "participants": [unit.member1.pk, unit.dangyuan1.member.pk],
            "talked_on": TODAY.isoformat(),
            "reason": Talk.Reason.ANNUAL,
            "interviewers": [unit.shuji1.member.pk],
            "summary": "谈话",
        },
    )
    assert response.status_code == 200 and "个别谈话只能有一名谈话对象" in response.content.decode()


def test_coverage_lists_members_not_talked_with(login, unit):
    make_talk([unit.member1], talked_on=TODAY - dt.timedelta(days=3))
    body = login(unit.shuji1).get(reverse("visits:coverage")).content.decode()
    due = body[body.index('id="talks-due"') :]
    assert "张党员" in due and "刘一" not in due.split("</table>")[0]
    assert "陈二" not in body
    assert login(unit.shuji1).get(reverse("visits:coverage"), {"organization": unit.branch2.pk}).status_code == 404


def test_visit_export_is_scoped(login, unit, records):
    from io import BytesIO

    from openpyxl import load_workbook

    response = login(unit.shuji1).get(reverse("visits:export"))
    sheet = load_workbook(BytesIO(response.getvalue())).active
    names = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert "刘一" in names and "陈二" not in names


def test_home_panel_shows_the_secretary_to_do(login, unit):
    unit.member1.is_hospitalized = True
    unit.member1.save()
    jobs.care_prompts(TODAY)
    body = login(unit.shuji1).get("/").content.decode()
    assert "走访慰问与谈心谈话" in body and "患病探望" in body and "本周期未谈心谈话" in body
    assert "走访慰问与谈心谈话" not in login(unit.dangyuan1).get("/").content.decode()


def test_a_member_reads_their_own_visit_without_the_managers_tabs(login, unit):
    visit = VisitFactory(member=unit.dangyuan1.member, visitors=[unit.shuji1.member], goods="慰问信")
    body = login(unit.dangyuan1).get(visit.get_absolute_url()).content.decode()
    assert "慰问信" in body and "节日走访计划" not in body
    assert login(unit.dangyuan1).get(VisitFactory(member=unit.member1).get_absolute_url()).status_code == 404


def test_the_member_page_names_who_visited_and_who_talked_in_the_members_order(unit, login):
    """Each visit and talk on the member's page names its visitors and interviewers (read together in
    one query): in the roster's order, escaped, and none from another visit or talk."""
    an = MemberFactory(organization=unit.branch1, name="安<b>宁</b>")
    li = MemberFactory(organization=unit.branch1, name="李四")
    wang = MemberFactory(organization=unit.branch1, name="王五")
    VisitFactory(member=unit.member1, visitors=[wang, an], visited_on=TODAY)
    VisitFactory(member=unit.member2, visitors=[li], visited_on=TODAY)  # another member's visit
    make_talk([unit.member1], [wang, li], talked_on=TODAY)
    html = login(unit.shuji1).get(f"/members/{unit.member1.pk}/").content.decode()
    assert "走访人：安&lt;b&gt;宁&lt;/b&gt;、王五" in html
    assert "谈话人：李四、王五" in html
    assert "<b>宁</b>" not in html
