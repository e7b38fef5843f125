"""The 组织部's home page over a city: its to-dos, the 上级报送 tally and the 全面排查 totals are cached
per viewer (each counted over every application, unit or checklist it oversees), and each shows a
change at once — the step that changed them bumps the cache, a bulk step too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from core import clock
from filings import services as filing_services
from filings.periods import ANNUAL, Period
from funds.models import Status
from surveys import services as survey_services
from surveys.models import Checklist
from tests.funds.factories import application_in, fund_with

pytestmark = pytest.mark.django_db


def _badge(html: str, label: str) -> int:
    found = re.search(rf">{label}</a><span[^>]*>(\d+)<", html)
    return int(found.group(1)) if found else 0


def _warm_queries(client, django_assert_max_num_queries, budget: int) -> str:
    client.get("/")
    with django_assert_max_num_queries(budget):
        return client.get("/").content.decode()


def test_the_departments_to_dos_are_cached_and_move_with_each_step(unit, login, django_assert_max_num_queries):
    fund_with(unit)
    department = login(unit.zzb)
    app = application_in(unit, Status.BRANCH_REVIEWED)
    html = _warm_queries(department, django_assert_max_num_queries, 20)
    assert _badge(html, "待党委审批") == 1
    application_in(unit, Status.BRANCH_REVIEWED)
    assert _badge(department.get("/").content.decode(), "待党委审批") == 2
    # Approved: off the 党委's list, into 公示 (counted for whoever may see the notices).
    from tests.funds.factories import approve

    approve(app, by=unit.zzb, amount="800.00")
    html = department.get("/").content.decode()
    assert _badge(html, "待党委审批") == 1 and _badge(html, "正在公示的帮扶申请") == 1


def test_a_notice_closed_by_the_daily_job_reaches_the_fund_officers_to_dos_at_once(unit, login):
    """The job moves every notice that ended in one UPDATE (no save signals): it announces the bulk
    write, so the officer's cached to-dos do not wait for the entry to expire."""
    from funds import services
    from tests.funds.factories import refreshed

    fund_with(unit)
    app = application_in(unit, Status.IN_NOTICE)
    officer = login(unit.jijin)
    assert _badge(officer.get("/").content.decode(), "公示无异议待发放") == 0
    services.close_notices(day=refreshed(app).notice_ends_on + dt.timedelta(days=1))
    assert _badge(officer.get("/").content.decode(), "公示无异议待发放") == 1


def test_the_filing_tally_moves_when_a_report_is_submitted_and_decided(unit, login, django_assert_max_num_queries):
    year = Period(ANNUAL, 2025)
    department = login(unit.zzb)
    with clock.at(dt.date(2026, 1, 10)):
        html = _warm_queries(department, django_assert_max_num_queries, 20)
        assert "应报 4 · 已接收 0" in html and "待接收 0" in html
        filing = filing_services.submit(by=unit.shuji2, organization=unit.branch2, period=year)
        assert re.search(r">待接收 1</a>", department.get("/").content.decode())
        filing_services.accept(by=unit.zzb, filing_id=filing.pk)
        html = department.get("/").content.decode()
    assert "已接收 1" in html and "待接收 0" in html


def test_the_survey_totals_move_with_each_checklist(unit, login, django_assert_max_num_queries):
    opens, day = dt.date(2027, 9, 1), dt.date(2027, 9, 10)
    with clock.at(opens):
        survey_services.open_period(
            organization=unit.committee,
            name="2027年全面排查",
            starts_on=opens,
            ends_on=dt.date(2027, 10, 31),
            by=unit.zzb,
        )
    department = login(unit.zzb)
    total = Checklist.objects.count()
    with clock.at(day):
        html = _warm_queries(department, django_assert_max_num_queries, 20)
        assert f"党员已排查 0/{total}" in html
        survey_services.save_checklist(
            checklist_id=Checklist.objects.get(member=unit.member1).pk,
            health="good",
            living="stable",
            contact="visited",
            by=unit.shuji1,
        )
        html = department.get(reverse("home")).content.decode()
    assert f"党员已排查 1/{total}" in html


def test_the_secretarys_reports_due_are_cached_and_show_a_submission_at_once(unit, login):
    year = Period(ANNUAL, 2025)
    secretary = login(unit.shuji1)
    with clock.at(dt.date(2026, 1, 10)):
        assert "待重新报送" not in secretary.get("/").content.decode()
        assert "报送</a>" in secretary.get("/").content.decode()  # warm: read from the cache
        filing = filing_services.submit(by=unit.shuji1, organization=unit.branch1, period=year)
        html = secretary.get("/").content.decode()
        assert "已报送" in html and filing.get_absolute_url() in html
        filing_services.return_filing(by=unit.zzb, filing_id=filing.pk, comment="请补充走访情况")
        html = secretary.get("/").content.decode()
    assert "已退回，待重新报送" in html and "重新报送</a>" in html
