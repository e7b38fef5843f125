"""Dashboards and the 走访慰问总结 against the known year of tests/reports/conftest.py."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from awards.models import Nomination, NominationStatus
from members.models import Member, Organization
from tests.factories import MemberFactory, OrganizationFactory
from tests.hardship.factories import RecordFactory
from tests.reports.conftest import PAST
from tests.visits.factories import VisitFactory
from visits.models import Occasion

pytestmark = pytest.mark.django_db


def sections(client, **params):
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return {section.title: section for section in response.context["sections"]}


def cells(section):
    return [row.cells for row in section.rows]


def test_dashboard_sections_per_branch_with_charts_and_numbers(unit, login, past_year):
    found = sections(login(unit.zzb), year=PAST)
    assert list(found) == [
        "党员队伍",
        "困难党员类别与困难程度",
        "结对帮扶覆盖",
        "谈心谈话覆盖",
        "节日走访慰问完成情况",
        "每月走访与谈话",
        "关怀基金收入",
        "帮扶支出",
        "帮扶申请",
        "表彰奖励",
    ]
    for section in found.values():
        assert "<svg" in section.chart

    hardship = found["困难党员类别与困难程度"]
    assert cells(hardship) == [
        ["第一党支部", 1, 0, 1],
        ["第二党支部", 1, 1, 0],
        ["社区党总支", 0, 0, 0],
        ["合计", 2, 1, 1],
    ]
    assert hardship.rows[0].link == f"{reverse('hardship:list')}?branch={unit.branch1.pk}&status=active"
    assert "因病致贫" in hardship.chart and "低保" in hardship.chart

    helpers = found["结对帮扶覆盖"]
    assert cells(helpers)[-1] == ["合计", 2, 1, "50%"]
    assert helpers.rows[1].link.endswith(f"branch={unit.branch2.pk}&attention=no_helper")

    talks = found["谈心谈话覆盖"]
    assert cells(talks) == [
        ["第一党支部", 4, 2, "50%"],
        ["第二党支部", 2, 1, "50%"],
        ["社区党总支", 1, 0, "0%"],
        ["合计", 7, 3, "42.9%"],
    ]
    assert talks.rows[1].link == f"{reverse('visits:coverage')}?organization={unit.branch2.pk}"
    assert talks.rows[2].link == f"{reverse('reports:dashboard')}?org={unit.general.pk}&year={PAST}"

    # The last 春节 on or before the end of last year is last year's: branch1 planned two, visited one.
    holiday = found["节日走访慰问完成情况"]
    assert holiday.headers[1] == f"{PAST}年春节"
    assert cells(holiday)[0] == ["第一党支部", "1/2 (50%)", "未制定计划"]

    monthly = found["每月走访与谈话"]
    assert cells(monthly)[-1] == ["合计", 3, 2]
    assert ["5月", 0, 1] in cells(monthly) and ["6月", 1, 0] in cells(monthly)

    income = found["关怀基金收入"]
    assert cells(income) == [
        ["财政拨款", "10,000.00"],
        ["党员捐助", "500.00"],
        ["其中：第一党支部", "500.00"],
        ["其中：测试县党委（本级）", "10,000.00"],
        ["合计", "10,500.00"],
    ]

    awards = found["表彰奖励"]
    assert awards.headers == ["支部", "优秀共产党员", "优秀党务工作者", "合计"]
    assert cells(awards) == [
        ["第一党支部", 1, 0, 1],
        ["第二党支部", 0, 1, 1],
        ["社区党总支", 0, 0, 0],
        ["合计", 1, 1, 2],
    ]


def test_secretary_dashboard_has_only_the_branch_and_no_link_to_closed_stats(unit, login, past_year):
    found = sections(login(unit.shuji1), year=PAST)
    for title in ("困难党员类别与困难程度", "谈心谈话覆盖", "帮扶申请", "表彰奖励"):
        assert [row[0] for row in cells(found[title])] == ["第一党支部", "合计"], title
    assert found["表彰奖励"].rows[0].link is None
    assert cells(found["关怀基金收入"])[-1] == ["合计", "500.00"]


def test_dashboard_query_count_does_not_grow_with_branches(unit, login, past_year, django_assert_max_num_queries):
    client = login(unit.zzb)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("reports:dashboard"), {"year": PAST})
    for index in range(4):
        branch = OrganizationFactory(name=f"新支部{index}", parent=unit.committee, kind=Organization.Kind.BRANCH)
        MemberFactory.create_batch(3, organization=branch)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("reports:dashboard"), {"year": PAST})
    assert len(response.context["sections"][0].rows) == 3 + 4 + 1
    # Branches under a 党总支 add up in its row; the dashboard does not grow with them either.
    for index in range(3):
        OrganizationFactory(name=f"总支下支部{index}", parent=unit.general, kind=Organization.Kind.BRANCH)
    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("reports:dashboard"), {"year": PAST})
    assert len(response.context["sections"][0].rows) == 3 + 4 + 1


def test_dashboard_is_cached_and_a_new_record_shows_at_once(unit, login, past_year, django_assert_max_num_queries):
    client = login(unit.zzb)
    first = sections(client, year=PAST)
    with django_assert_max_num_queries(12):  # session, user, roles and the organizations: no figures
        sections(client, year=PAST)
    VisitFactory(member=past_year.sun, visited_on=dt.date(PAST, 8, 8))
    again = sections(client, year=PAST)
    assert cells(first["每月走访与谈话"])[-1] == ["合计", 3, 2]
    assert cells(again["每月走访与谈话"])[-1] == ["合计", 4, 2]


def test_a_visit_recomputes_the_sections_that_count_visits_and_no_other(unit, login, past_year):
    """Each section is cached on its own: after a visit the page recomputes the visit figures (and
    shows them), while the ledger's, the fund's and the commendations' come from the cache."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(unit.zzb)
    with CaptureQueriesContext(connection) as cold:
        first = sections(client, year=PAST)
    VisitFactory(member=past_year.sun, visited_on=dt.date(PAST, 8, 8))
    with CaptureQueriesContext(connection) as after_visit:
        again = sections(client, year=PAST)
    assert cells(again["每月走访与谈话"])[-1] == ["合计", 4, 2]
    assert cells(again["困难党员类别与困难程度"]) == cells(first["困难党员类别与困难程度"])
    sql = " ".join(query["sql"] for query in after_visit.captured_queries)
    assert "visits_visit" in sql
    assert "hardship_hardshiprecord_categories" not in sql and "awards_nomination" not in sql
    assert len(after_visit.captured_queries) < len(cold.captured_queries)


def test_a_change_to_what_a_section_reads_shows_at_once(unit, login, past_year):
    client = login(unit.zzb)
    first = sections(client, year=PAST)
    assert cells(first["困难党员类别与困难程度"])[-1] == ["合计", 2, 1, 1]
    RecordFactory(member=MemberFactory(organization=unit.branch2), registered_on=dt.date(PAST, 9, 1))
    assert cells(sections(client, year=PAST)["困难党员类别与困难程度"])[-1] != ["合计", 2, 1, 1]
    honoured = cells(first["表彰奖励"])[-1]
    nomination = Nomination.objects.filter(campaign__year=PAST, status=NominationStatus.APPROVED).first()
    nomination.status = NominationStatus.REJECTED
    nomination.save(update_fields=["status"])
    assert cells(sections(client, year=PAST)["表彰奖励"])[-1] != honoured


def test_home_page_shows_the_headline_figures(unit, login, past_year):
    response = login(unit.zzb).get(reverse("home"))
    assert response.status_code == 200
    panel = next(p for p in response.context["panels"] if p.template == "reports/_home_headline.html")
    assert ("党员", "7") in panel.context["tiles"]
    assert login(unit.dangyuan1).get(reverse("home")).status_code == 200


def test_holiday_summary_by_branch_group_money_and_plan(unit, login, past_year):
    client = login(unit.zzb)
    response = client.get(reverse("reports:holiday"), {"year": PAST, "occasion": Occasion.SPRING_FESTIVAL})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.title == f"测试县党委{PAST}年春节走访慰问总结"
    # Lines follow the organization tree (by path); find them by name, whatever ids the tree has.
    by_name = {line.name: line for line in summary.lines}
    branch1 = by_name["第一党支部"]
    assert (branch1.name, branch1.members, branch1.visits, branch1.money, branch1.with_goods) == (
        "第一党支部",
        1,
        1,
        Decimal("500.00"),
        1,
    )
    assert (branch1.planned, branch1.planned_done, branch1.completion) == (2, 1, "50%")
    assert by_name["第二党支部"].members == 0 and by_name["第二党支部"].completion == "未制定计划"
    assert dict(summary.groups)["生活困难党员"] == 1 and dict(summary.groups)["老党员"] == 0
    assert summary.goods == [("大米", 1)]
    assert "共走访慰问党员1名、1人次" in summary.narrative and "完成率50%" in summary.narrative
    assert summary.narrative in response.content.decode()

    july = client.get(reverse("reports:holiday"), {"year": PAST, "occasion": Occasion.JULY_FIRST}).context["summary"]
    assert july.total.members == 1 and july.total.money == Decimal("300.00")
    # 陈二 joined in 1960: an old member, and in hardship.
    assert dict(july.groups)["老党员"] == 1 and dict(july.groups)["生活困难党员"] == 1


def test_holiday_summary_workbook(unit, login, past_year):
    response = login(unit.zzb).get(
        reverse("reports:holiday_xlsx"), {"year": PAST, "occasion": Occasion.SPRING_FESTIVAL}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["按支部", "按走访对象", "慰问品"]
    sheet = list(book["按支部"].iter_rows(values_only=True))
    assert sheet[0][0] == f"测试县党委{PAST}年春节走访慰问总结"
    assert ("第一党支部", 1, 1, 500, 1, 2, 1, "50%") in sheet[2:-1]
    assert sheet[-1] == ("合计", 1, 1, 500, 1, 2, 1, "50%")


def test_holiday_summary_scope_and_access(unit, login, client, past_year):
    secretary = login(unit.shuji2)
    summary = secretary.get(reverse("reports:holiday"), {"year": PAST, "occasion": Occasion.JULY_FIRST}).context[
        "summary"
    ]
    assert [line.name for line in summary.lines] == ["第二党支部"] and summary.total.members == 1
    assert secretary.get(reverse("reports:holiday"), {"org": unit.branch1.pk}).status_code == 404
    assert secretary.get(reverse("reports:holiday_xlsx"), {"org": unit.committee.pk}).status_code == 404
    client.logout()
    assert client.get(reverse("reports:holiday")).status_code == 302
    assert login(unit.dangyuan1).get(reverse("reports:holiday")).status_code == 403


def test_report_pages_print_without_navigation(unit, login, past_year):
    client = login(unit.zzb)
    for url in (reverse("reports:dashboard"), reverse("reports:holiday")):
        html = client.get(url, {"year": PAST}).content.decode()
        assert "css/reports.css" in html
        assert 'class="report-page"' in html
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "reports.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css and "nav" in css


def test_chart_colours_are_distinct_and_green_never_means_failure():
    from reports import charts

    assert len(set(charts.PALETTE)) == len(charts.PALETTE) >= 12
    svg = str(
        charts.stacked_bar_chart(
            [("第一党支部", [1, 1, 1, 1])],
            series=["办理中", "已批准待发放", "已发放", "未通过或撤回"],
            title="状态",
            colors=[charts.IN_PROGRESS, charts.APPROVED, charts.SUCCEEDED, charts.DID_NOT_PROCEED],
        )
    )
    assert charts.DID_NOT_PROCEED in svg and charts.SUCCEEDED in svg
    failure = svg.split("未通过或撤回")[0].rsplit("fill=", 1)[1]
    assert charts.SUCCEEDED not in failure


def _headline_members(client) -> str:
    panel = next(
        p for p in client.get(reverse("home")).context["panels"] if p.template == "reports/_home_headline.html"
    )
    return dict(panel.context["tiles"])["党员"]


def test_a_branch_set_up_or_an_appointment_made_counts_on_the_dashboards_at_once(unit, login, past_year):
    """Which organizations a viewer's reports cover is cached per viewer (a city's tree is 5,500 of them):
    a branch set up counts from the next page on, and so do the branches of a new appointment."""
    from members.models import Role
    from tests.factories import AppointmentFactory

    client = login(unit.zzb)
    assert _headline_members(client) == "7"
    rows = len(sections(client)["党员队伍"].rows)
    MemberFactory(organization=OrganizationFactory(name="第六党支部", parent=unit.committee))
    assert _headline_members(client) == "8"
    assert len(sections(client)["党员队伍"].rows) == rows + 1

    client = login(unit.shuji1)
    assert client.get(reverse("reports:dashboard"), {"org": unit.general.pk}).status_code == 404
    AppointmentFactory(user=unit.shuji1, organization=unit.general, role=Role.SECRETARY)
    below = Member.objects.on_roll().filter(organization=unit.branch3).count()
    assert cells(sections(client, org=unit.general.pk)["党员队伍"])[-1][:2] == ["合计", below]
