"""The pages of the 全面排查: the secretary's branch list and checklist (phone first), the department's
progress page, and who sees what (health details only for the secretary and the department)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core import clock
from hardship.models import HardshipCategory, HardshipRecord
from surveys import services
from surveys.models import BranchSurvey, Checklist
from tests.hardship.factories import RecordFactory

pytestmark = pytest.mark.django_db

OPENS, ENDS = dt.date(2027, 9, 1), dt.date(2027, 10, 31)
DAY = dt.date(2027, 9, 10)


@pytest.fixture
def period(unit):
    with clock.at(OPENS):
        return services.open_period(
            organization=unit.committee, name="2027年主题教育期间全面排查", starts_on=OPENS, ends_on=ENDS, by=unit.zzb
        )


def form_data(**fields):
    return {"health": "good", "living": "stable", "contact": "talked", "confirmed_on": DAY.isoformat()} | fields


def test_the_secretary_checks_a_member_from_the_branch_list(unit, period, client):
    client.force_login(unit.shuji1)
    branch_survey = BranchSurvey.objects.get(branch=unit.branch1)
    checklist = Checklist.objects.get(member=unit.member1)
    with clock.at(DAY):
        page = client.get(reverse("surveys:branch", args=[branch_survey.pk])).content.decode()
        assert "已排查 0/4" in page and "未排查" in page and checklist.get_absolute_url() in page
        form = client.get(checklist.get_absolute_url()).content.decode()
        assert "刘一" in form and "患病住院" in form and "上门走访" in form
        response = client.post(
            checklist.get_absolute_url(),
            form_data(
                health="hospitalized",
                health_note="肺炎住院",
                needs=["home_visit"],
                living="hard",
                hardship_level="general",
                categories=[HardshipCategory.objects.get(code="illness").pk],
            ),
            follow=True,
        )
    text = response.content.decode()
    assert "已登记刘一的排查情况" in text
    assert "已将刘一列入困难党员台帐" in text
    assert "已生成患病探望提示" in text and "已生成上门走访提示" in text
    assert "已排查 1/4" in text
    checklist.refresh_from_db()
    assert checklist.confirmed_by == unit.shuji1 and checklist.health_note == "肺炎住院"


def test_save_and_next_goes_to_the_next_member_not_checked(unit, period, client):
    client.force_login(unit.shuji1)
    first = Checklist.objects.get(member__name="刘一")
    with clock.at(DAY):
        response = client.post(first.get_absolute_url(), form_data(next="1"))
    following = Checklist.objects.filter(branch_survey=first.branch_survey, confirmed_on__isnull=True).order_by(
        "member__name", "pk"
    )[0]
    assert response["Location"] == following.get_absolute_url()


def test_errors_show_by_their_field(unit, period, client):
    client.force_login(unit.shuji1)
    checklist = Checklist.objects.get(member=unit.member1)
    with clock.at(DAY):
        response = client.post(checklist.get_absolute_url(), form_data(living="hard", hardship_level="general"))
    assert response.status_code == 200
    assert "请选择困难类别" in response.content.decode()
    assert not HardshipRecord.objects.filter(member=unit.member1).exists()


def test_the_checklist_starts_from_the_ledger_and_the_roster(unit, period, client):
    RecordFactory(member=unit.member1, level="special")
    type(unit.member1).objects.filter(pk=unit.member1.pk).update(is_hospitalized=True)
    client.force_login(unit.shuji1)
    with clock.at(DAY):
        response = client.get(Checklist.objects.get(member=unit.member1).get_absolute_url())
    form = response.context["form"]
    assert form.initial["health"] == "hospitalized"
    assert form.initial["living"] == "hard" and form.initial["hardship_level"] == "special"
    assert "在困难党员台帐中：特别困难" in response.content.decode()


def test_a_committee_member_sees_the_statuses_but_not_the_checklists(unit, period, client):
    checklist = Checklist.objects.get(member=unit.member1)
    with clock.at(DAY):
        services.save_checklist(
            checklist_id=checklist.pk,
            health="poor",
            health_note="绝密病情",
            living="low",
            contact="phone",
            by=unit.shuji1,
        )
    client.force_login(unit.zhiwei1)
    with clock.at(DAY):
        page = client.get(reverse("surveys:branch", args=[checklist.branch_survey_id]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "已排查" in text and "绝密病情" not in text and checklist.get_absolute_url() not in text
        assert client.get(checklist.get_absolute_url()).status_code == 403


def test_the_secretary_confirms_the_branch_done_from_the_page(unit, period, client):
    client.force_login(unit.shuji2)
    branch_survey = BranchSurvey.objects.get(branch=unit.branch2)
    url = reverse("surveys:confirm", args=[branch_survey.pk])
    with clock.at(DAY):
        refused = client.post(url, follow=True).content.decode()
        assert "还有 2 名党员未排查" in refused
        for checklist in branch_survey.checklists.all():
            client.post(checklist.get_absolute_url(), form_data())
        done = client.post(url, follow=True).content.decode()
    assert "已确认本支部全面排查完成" in done
    assert BranchSurvey.objects.get(pk=branch_survey.pk).done_on == DAY


def test_the_department_follows_each_branch_and_filters_by_general_branch(
    unit, period, client, django_assert_max_num_queries
):
    with clock.at(DAY):
        services.save_checklist(
            checklist_id=Checklist.objects.get(member=unit.member1).pk,
            health="good",
            living="stable",
            contact="visited",
            needs=["home_visit"],
            by=unit.shuji1,
        )
    client.force_login(unit.zzb)
    url = reverse("surveys:progress", args=[period.pk])
    with clock.at(DAY), django_assert_max_num_queries(20):
        response = client.get(url)
    rows = {row.branch.name: row for row in response.context["rows"]}
    assert (rows["第一党支部"].total, rows["第一党支部"].checked, rows["第一党支部"].percent) == (4, 1, 25)
    assert rows["第一党支部"].prompts == 1 and rows["第二党支部"].checked == 0
    assert response.context["totals"].total == 7
    with clock.at(DAY):
        filtered = client.get(url, {"general": unit.general.pk})
    assert [row.branch.name for row in filtered.context["rows"]] == ["第三党支部"]


def test_the_department_opens_a_period_from_the_page(unit, client):
    client.force_login(unit.zzb)
    with clock.at(OPENS):
        response = client.post(
            reverse("surveys:create"),
            {
                "organization": unit.committee.pk,
                "name": "2027年主题教育期间全面排查",
                "starts_on": OPENS.isoformat(),
                "ends_on": ENDS.isoformat(),
            },
            follow=True,
        )
    assert "已发起2027年主题教育期间全面排查" in response.content.decode()
    assert BranchSurvey.objects.filter(period__organization=unit.committee).count() == 3


def test_the_home_page_shows_the_open_survey(unit, period, client):
    client.force_login(unit.shuji1)
    with clock.at(DAY):
        text = client.get(reverse("home")).content.decode()
    assert "主题教育全面排查" in text and "已排查 0/4" in text


def test_the_ledger_lists_lines_marked_for_review(unit, period, client):
    line = RecordFactory(member=unit.member1)
    with clock.at(DAY):
        services.save_checklist(
            checklist_id=Checklist.objects.get(member=unit.member1).pk,
            health="good",
            living="low",
            contact="visited",
            by=unit.shuji1,
        )
    client.force_login(unit.shuji1)
    listed = client.get(reverse("hardship:list"), {"attention": "not_reviewed"})
    assert [r.pk for r in listed.context["records"]] == [line.pk]
    assert "待复核" in listed.content.decode()
    detail = client.get(reverse("hardship:detail", args=[line.pk])).content.decode()
    assert "标记为待复核" in detail and "收入偏低" in detail
