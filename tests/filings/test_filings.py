"""Reports submitted upward (issue 15, 4): the half-year pairing report and the annual workbook are
submitted by the unit's secretary with the workbook as it was, received or returned by the 组织部, and
reminded before and after the due date.

The `unit`: 测试县党委 (组织部 zzb, zzb2) over 第一党支部 (书记 shuji1, 支委 zhiwei1), 第二党支部 (书记
shuji2) and 社区党总支 (no secretary) with 第三党支部 (no secretary). The period most tests use is
2025年下半年 (due 15 January 2026 by default); the annual one is 2025年度 (due 31 January 2026).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core import clock
from core.errors import DomainError
from filings import services
from filings.models import Filing, FilingVersion, Status
from filings.periods import ANNUAL, HALF_YEAR, Period
from members.models import Role
from notifications.models import Notification
from tests.factories import AppointmentFactory, UserFactory
from tests.hardship.factories import PairingFactory, ProgressFactory, RecordFactory

pytestmark = pytest.mark.django_db
H2 = Period(HALF_YEAR, 2025, 2)
YEAR = Period(ANNUAL, 2025)
SUBMIT_DAY = dt.date(2026, 1, 10)


@pytest.fixture
def pairing(unit):
    """王支委 helps 刘一 (branch 1) since August 2025; one entry of help in the half-year."""
    record = RecordFactory(member=unit.member1, registered_on=dt.date(2025, 7, 20))
    pairing = PairingFactory(record=record, helper=unit.zhiwei1.member, started_on=dt.date(2025, 8, 1))
    ProgressFactory(pairing=pairing, date=dt.date(2025, 9, 10), description="送去米和油", money=Decimal("200"))
    return pairing


def _rows(content: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def _download(client, version: FilingVersion) -> bytes:
    response = client.get(reverse("filings:download", args=[version.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _submit(client, unit_org, period=H2, note=""):
    return client.post(reverse("filings:submit"), {"organization": unit_org.pk, "period": period.key, "note": note})


def _jobs(day: dt.date) -> None:
    call_command("run_daily_jobs", "--date", day.isoformat(), stdout=io.StringIO())


def _titles(user, text: str = "") -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, title__contains=text).order_by("pk").values_list("title", flat=True)
    )


# --- submitting, receiving, returning ----------------------------------------------------------------


def test_a_secretary_submits_the_half_year_report_and_the_department_sees_it_with_its_workbook(unit, login, pairing):
    client = login(unit.shuji1)
    page = client.get(reverse("filings:submit"), {"organization": unit.branch1.pk, "period": H2.key})
    assert page.status_code == 200
    assert "报送2025年下半年结对帮扶报告" in page.content.decode() and "确认报送" in page.content.decode()
    with clock.at(SUBMIT_DAY):
        response = _submit(client, unit.branch1, note="已经支委会审核")
    filing = Filing.objects.get()
    assert response.status_code == 302 and response["Location"] == filing.get_absolute_url()
    assert filing.status == Status.SUBMITTED and filing.submitted_by == unit.shuji1
    version = filing.versions.get()
    assert version.number == 1 and version.state == FilingVersion.State.READY and not version.is_late
    assert version.rows == 1 and version.note == "已经支委会审核"

    # The 组织部 is asked to receive it, and sees it among every unit expected.
    assert Notification.objects.filter(recipient=unit.zzb, todo=True, done_at__isnull=True).get().title == (
        "第一党支部已报送2025年下半年结对帮扶报告"
    )
    overview = login(unit.zzb).get(reverse("filings:index"), {"period": H2.key})
    rows = {row.unit.name: row.label for row in overview.context["rows"]}
    assert rows == {
        "第一党支部": "已报送",
        "第二党支部": "逾期未报送",
        "社区党总支": "逾期未报送",
        "第三党支部": "逾期未报送",
    }
    tally = overview.context["tally"]
    assert (tally.expected, tally.submitted, tally.missing, tally.overdue) == (4, 1, 3, 3)

    # The workbook is the half-year report page's own, as it was: help logged afterwards is not in it.
    ProgressFactory(pairing=pairing, date=dt.date(2025, 12, 1), description="补登的帮扶", money=Decimal("50"))
    snapshot = _rows(_download(login(unit.zzb), version), "结对帮扶")
    live_response = client.get(
        reverse("hardship:report_xlsx"), {"organization": unit.branch1.pk, "year": 2025, "half": 2}
    )
    live = _rows(b"".join(live_response.streaming_content), "结对帮扶")
    assert any(row[1] == "刘一" and row[6] == 1 for row in snapshot)
    assert any(row[1] == "刘一" and row[6] == 2 for row in live)


def test_the_department_returns_a_report_and_the_secretary_submits_it_again_keeping_the_first(unit, login, pairing):
    with clock.at(SUBMIT_DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
    zzb = login(unit.zzb)
    form = zzb.get(reverse("filings:return", args=[filing.pk]))
    assert form.status_code == 200
    empty = zzb.post(reverse("filings:return", args=[filing.pk]), {"comment": "  "})
    assert "请写明退回意见" in empty.content.decode()
    zzb.post(reverse("filings:return", args=[filing.pk]), {"comment": "请补登帮就业的结果"})
    filing.refresh_from_db()
    assert filing.status == Status.RETURNED and filing.return_comment == "请补登帮就业的结果"
    # The department's to-do is done; the secretary now has one.
    assert not Notification.objects.filter(recipient=unit.zzb, todo=True, done_at__isnull=True).exists()
    told = Notification.objects.get(recipient=unit.shuji1, todo=True, done_at__isnull=True)
    assert told.title == "2025年下半年结对帮扶报告被退回，请修改后重新报送" and "请补登帮就业的结果" in told.body

    secretary = login(unit.shuji1)
    index = secretary.get(reverse("filings:index"), {"period": H2.key}).content.decode()
    assert "已退回，逾期未重报" in index and "重新报送" in index and "请补登帮就业的结果" in index
    with clock.at(SUBMIT_DAY + dt.timedelta(days=3)):
        _submit(secretary, unit.branch1, note="已补登")
    filing.refresh_from_db()
    assert filing.status == Status.SUBMITTED
    assert Notification.objects.get(pk=told.pk).done_at is not None  # settled by the resubmission
    first, second = filing.versions.order_by("number")
    assert first.return_comment == "请补登帮就业的结果" and second.return_comment == ""
    # Both workbooks stay readable; the page shows the whole history.
    assert _download(zzb, first) and _download(zzb, second)
    detail = zzb.get(filing.get_absolute_url()).content.decode()
    assert "第1次报送" in detail and "第2次报送" in detail and "退回：请补登帮就业的结果" in detail
    assert "已报送 → 已退回（请补登帮就业的结果）" in detail
    assert Notification.objects.filter(
        recipient=unit.zzb, title="第一党支部已重新报送2025年下半年结对帮扶报告"
    ).exists()


def test_the_department_accepts_a_report_and_the_submitter_is_told(unit, login):
    with clock.at(SUBMIT_DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
    response = login(unit.zzb).post(reverse("filings:accept", args=[filing.pk]))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Status.ACCEPTED and filing.reviewed_by == unit.zzb
    assert not Notification.objects.filter(
        topic__startswith="filings.filing:", todo=True, done_at__isnull=True
    ).exists()
    assert _titles(unit.shuji1) == ["2025年下半年结对帮扶报告已被上级接收"]
    page = login(unit.shuji1).get(reverse("filings:index"), {"period": H2.key}).content.decode()
    assert "已接收" in page


def test_each_refused_step_says_why(unit):
    with clock.at(SUBMIT_DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
        with pytest.raises(DomainError, match="当前状态为“已报送”，不能变更为“已报送”"):
            services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
        services.accept(by=unit.zzb, filing_id=filing.pk)
        with pytest.raises(DomainError, match="当前状态为“已接收”，不能变更为“已退回”"):
            services.return_filing(by=unit.zzb, filing_id=filing.pk, comment="晚了")
        with pytest.raises(DomainError, match="当前状态为“已接收”，不能变更为“已接收”"):
            services.accept(by=unit.zzb, filing_id=filing.pk)
        # A period not over yet, a 支委 or another branch's secretary, a 党总支's secretary for a branch under it.
        with pytest.raises(DomainError, match="2026年上半年结对帮扶报告要到2026年06月30日才能报送"):
            services.submit(by=unit.shuji2, organization=unit.branch2, period=Period(HALF_YEAR, 2026, 1))
        with pytest.raises(PermissionDenied):
            services.submit(by=unit.zhiwei1, organization=unit.branch1, period=YEAR)
        with pytest.raises(PermissionDenied):
            services.submit(by=unit.shuji2, organization=unit.branch1, period=YEAR)
        general_secretary = UserFactory(username="zongzhi")
        AppointmentFactory(user=general_secretary, organization=unit.general, role=Role.SECRETARY)
        with pytest.raises(PermissionDenied):
            services.submit(by=general_secretary, organization=unit.branch3, period=H2)
        assert services.submit(by=general_secretary, organization=unit.general, period=H2).status == Status.SUBMITTED
        # Only the 组织部 receives; a 支部书记 cannot accept their own report.
        other = services.submit(by=unit.shuji2, organization=unit.branch2, period=H2)
        with pytest.raises(PermissionDenied):
            services.accept(by=unit.shuji2, filing_id=other.pk)


def test_who_sees_what(unit, login):
    with clock.at(SUBMIT_DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=YEAR)
    version = filing.versions.get()
    # The 支委 follows the branch's report, but its workbook (with the branch's fund) is the secretary's.
    committee = login(unit.zhiwei1)
    assert committee.get(reverse("filings:index"), {"period": YEAR.key}).status_code == 200
    assert committee.get(filing.get_absolute_url()).status_code == 200
    assert "工作簿" not in committee.get(filing.get_absolute_url()).content.decode().split("报送记录")[1]
    assert committee.get(reverse("filings:download", args=[version.pk])).status_code == 403
    assert committee.post(reverse("filings:accept", args=[filing.pk])).status_code == 403
    # Another branch's secretary: not theirs to see.
    assert login(unit.shuji2).get(filing.get_absolute_url()).status_code == 404
    assert login(unit.shuji2).get(reverse("filings:download", args=[version.pk])).status_code == 404
    rows = login(unit.shuji2).get(reverse("filings:index"), {"period": YEAR.key}).context["rows"]
    assert [row.unit.name for row in rows] == ["第二党支部"]
    # The fund officer and a member have nothing here.
    for user in (unit.jijin, unit.dangyuan1):
        assert login(user).get(reverse("filings:index")).status_code == 403
    assert "上级报送" not in login(unit.jijin).get("/").content.decode()


def test_the_annual_workbook_of_a_large_unit_is_built_by_the_worker(
    unit, login, settings, django_capture_on_commit_callbacks
):
    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 0}
    client = login(unit.shuji1)
    page = client.get(reverse("filings:submit"), {"organization": unit.branch1.pk, "period": YEAR.key})
    assert "工作簿将在后台生成" in page.content.decode()
    with clock.at(SUBMIT_DAY), django_capture_on_commit_callbacks(execute=False) as callbacks:
        _submit(client, unit.branch1, YEAR)
    version = FilingVersion.objects.get()
    assert version.state == FilingVersion.State.BUILDING
    # Not to be accepted before there is a workbook to read.
    with pytest.raises(DomainError, match="尚未生成"):
        services.accept(by=unit.zzb, filing_id=version.filing_id)
    assert login(unit.zzb).get(reverse("filings:download", args=[version.pk])).status_code == 404
    for callback in callbacks:
        callback()
    version.refresh_from_db()
    assert version.state == FilingVersion.State.READY
    sheets = load_workbook(io.BytesIO(_download(login(unit.zzb), version))).sheetnames
    assert sheets[0] == "汇总" and "关怀基金收支" in sheets  # the secretary's report holds the branch's fund
    services.accept(by=unit.zzb, filing_id=version.filing_id)
    # A second run of the task changes nothing.
    assert services.build_snapshot(version_id=version.pk) is False


def test_a_snapshot_left_building_is_built_by_the_daily_job(unit, settings):
    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 0}
    with clock.at(SUBMIT_DAY):
        services.submit(by=unit.shuji1, organization=unit.branch1, period=YEAR)  # the task is never sent
    FilingVersion.objects.update(submitted_at=dt.datetime(2026, 1, 10, 1, tzinfo=dt.UTC))
    _jobs(dt.date(2026, 1, 11))
    assert FilingVersion.objects.get().state == FilingVersion.State.READY


# --- due dates and reminders -------------------------------------------------------------------------


def test_reminders_before_on_and_after_the_due_date_each_once(unit, login):
    """15 January 2026 is 2025年下半年's due date. 第二党支部 submits in time; 第一党支部 does not."""
    label = "2025年下半年结对帮扶报告"
    _jobs(dt.date(2026, 1, 7))  # eight days before: nothing yet
    assert not _titles(unit.shuji1, label)
    _jobs(dt.date(2026, 1, 8))
    _jobs(dt.date(2026, 1, 8))  # the same day again: nothing twice
    assert _titles(unit.shuji1, label) == [f"请于01月15日前报送{label}"]
    assert _titles(unit.shuji2, label) == [f"请于01月15日前报送{label}"]
    with clock.at(dt.date(2026, 1, 12)):
        services.submit(by=unit.shuji2, organization=unit.branch2, period=H2)
    # The submission settles its reminder.
    assert not Notification.objects.filter(recipient=unit.shuji2, todo=True, done_at__isnull=True).exists()

    _jobs(dt.date(2026, 1, 15))
    assert _titles(unit.shuji1, label)[-1] == f"今天是{label}的报送截止日"
    assert len(_titles(unit.shuji2, label)) == 1  # submitted: no more reminders
    assert not _titles(unit.zzb, "逾期")

    _jobs(dt.date(2026, 1, 16))
    _jobs(dt.date(2026, 1, 18))  # within the same week: nothing new
    assert _titles(unit.shuji1, label)[-1] == f"{label}已逾期1天未报送"
    assert len(_titles(unit.shuji1, label)) == 3
    # The 组织部 is told of every late unit (the 党总支 and its branch have no secretary to remind).
    late = _titles(unit.zzb, "逾期")
    assert sorted(late) == sorted(
        f"{name}的{label}已逾期1天未报送" for name in ("第一党支部", "社区党总支", "第三党支部")
    )
    assert len(_titles(unit.zzb2, "逾期")) == 3

    _jobs(dt.date(2026, 1, 23))  # the second week
    assert _titles(unit.shuji1, label)[-1] == f"{label}已逾期8天未报送"
    assert len(_titles(unit.zzb, "逾期")) == 6
    # The inbox shows the department's notices of one day as one line (this test's runs all happen today).
    inbox = login(unit.zzb).get(reverse("notifications:inbox")).content.decode()
    assert f"6 个单位的{label}逾期未报送：第一党支部、社区党总支、第三党支部" in inbox

    with clock.at(dt.date(2026, 1, 24)):
        services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
    assert not Notification.objects.filter(
        recipient=unit.shuji1, todo=True, done_at__isnull=True, title__contains=label
    ).exists()
    assert FilingVersion.objects.get(filing__organization=unit.branch1).is_late
    page = login(unit.zzb).get(reverse("filings:index"), {"period": H2.key}).content.decode()
    assert "已报送（逾期报送）" in page


def test_a_returned_report_is_reminded_until_it_is_submitted_again(unit):
    with clock.at(dt.date(2026, 1, 5)):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
        services.return_filing(by=unit.zzb, filing_id=filing.pk, comment="缺少帮扶进展")
    _jobs(dt.date(2026, 1, 15))
    assert _titles(unit.shuji1, "今天是")[-1] == "今天是2025年下半年结对帮扶报告（已退回，待重新报送）的报送截止日"


def test_the_department_moves_a_due_date_and_the_reminders_follow_it(unit, login):
    client = login(unit.zzb)
    page = client.get(reverse("filings:deadlines"))
    assert page.status_code == 200
    refused = client.post(
        reverse("filings:deadlines"), {"organization": unit.committee.pk, "period": YEAR.key, "due_on": "2025-12-20"}
    )
    assert "截止日期应在2025年12月31日（该期结束）之后" in refused.content.decode()
    with clock.at(dt.date(2026, 1, 5)):
        client.post(
            reverse("filings:deadlines"),
            {"organization": unit.committee.pk, "period": YEAR.key, "due_on": "2026-02-28"},
        )
    overview = client.get(reverse("filings:index"), {"period": YEAR.key})
    assert {row.due_on for row in overview.context["rows"]} == {dt.date(2026, 2, 28)}
    # The default date (31 January) passes without a word; the reminders come before the date set.
    _jobs(dt.date(2026, 1, 31))
    _jobs(dt.date(2026, 2, 1))
    assert not _titles(unit.shuji1, "2025年度报表")
    _jobs(dt.date(2026, 2, 21))
    assert _titles(unit.shuji1, "2025年度报表") == ["请于02月28日前报送2025年度报表"]
    # A 支部书记 cannot set dates.
    assert login(unit.shuji1).get(reverse("filings:deadlines")).status_code == 403


def test_reminder_job_queries_do_not_grow_with_units(unit, django_assert_max_num_queries):
    from filings import jobs

    _jobs(dt.date(2026, 1, 8))
    with django_assert_max_num_queries(40):
        jobs.reminders(dt.date(2026, 1, 16))


# --- the pages a secretary and the department open ---------------------------------------------------


def test_the_home_page_shows_the_reports_due(unit, login):
    with clock.at(SUBMIT_DAY):
        services.submit(by=unit.shuji2, organization=unit.branch2, period=Period(ANNUAL, clock.today().year - 1))
    secretary = login(unit.shuji1).get("/").content.decode()
    assert "上级报送" in secretary and reverse("filings:submit") in secretary
    department = login(unit.zzb).get("/").content.decode()
    assert "上级报送" in department and "应报 4" in department


def test_the_menu_opens_the_secretarys_report_to_submit(unit, login):
    response = login(unit.shuji1).get(reverse("filings:submit"))
    assert response.status_code == 302 and f"organization={unit.branch1.pk}" in response["Location"]


def test_the_overview_reads_in_a_fixed_number_of_queries(unit, login, django_assert_max_num_queries):
    from tests.factories import OrganizationFactory

    client = login(unit.zzb)
    client.get(reverse("filings:index"), {"period": H2.key})  # session and the user's appointments warm
    for n in range(6):
        branch = OrganizationFactory(name=f"新建第{n}党支部", parent=unit.committee)
        secretary = UserFactory(username=f"sec{n}")
        AppointmentFactory(user=secretary, organization=branch, role=Role.SECRETARY)
        with clock.at(SUBMIT_DAY):
            filing = services.submit(by=secretary, organization=branch, period=H2)
            if n % 2:
                services.return_filing(by=unit.zzb, filing_id=filing.pk, comment="补充")
                services.submit(by=secretary, organization=branch, period=H2)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("filings:index"), {"period": H2.key})
    assert len(response.context["rows"]) == 10


def test_the_page_to_read_before_submitting_is_the_units_own_report(unit, login):
    client = login(unit.shuji1)
    page = client.get(reverse("filings:submit"), {"organization": unit.branch1.pk, "period": YEAR.key})
    link = f"{reverse('reports:dashboard')}?org={unit.branch1.pk}&year=2025"
    assert link in page.content.decode()
    dashboard = client.get(reverse("reports:dashboard"), {"org": unit.branch1.pk, "year": 2025})
    assert dashboard.status_code == 200 and dashboard.context["scope"].organization == unit.branch1


def test_the_admin_reads_submissions_and_changes_none(unit, login):
    with clock.at(SUBMIT_DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
    client = login(unit.admin)
    assert client.get(reverse("admin:filings_filing_changelist")).status_code == 200
    page = client.get(reverse("admin:filings_filing_change", args=[filing.pk]))
    assert page.status_code == 200 and "第一党支部" in page.content.decode()
    assert client.post(reverse("admin:filings_filing_delete", args=[filing.pk]), {"post": "yes"}).status_code == 403
