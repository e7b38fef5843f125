import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Organization
from notifications.models import Notification
from reports.models import ReportJob
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def sheet_rows(content: bytes, name: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))


def test_dashboard_shows_each_unit_of_the_scope(unit, login):
    client = login(unit.zzb)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    rows = response.context["sections"][0].rows
    # The 党总支 stands for the branches under it, and opens its own dashboard.
    assert [r.cells for r in rows] == [["第一党支部", 4], ["第二党支部", 2], ["社区党总支", 1], ["合计", 7]]
    assert rows[0].link.endswith(f"organization={unit.branch1.pk}&state=active")
    assert rows[2].link == f"{reverse('reports:dashboard')}?org={unit.general.pk}&year={YEAR}"
    rows = client.get(rows[2].link).context["sections"][0].rows
    assert [r.cells for r in rows] == [["第三党支部", 1], ["合计", 1]]


def test_secretary_dashboard_covers_only_the_branch(unit, login):
    response = login(unit.shuji1).get(reverse("reports:dashboard"))
    assert [r.cells[0] for r in response.context["sections"][0].rows] == ["第一党支部", "合计"]


def test_an_organization_outside_scope_is_not_found(unit, login):
    client = login(unit.shuji1)
    assert client.get(reverse("reports:dashboard"), {"org": unit.branch2.pk}).status_code == 404
    assert client.get(reverse("reports:annual"), {"org": unit.committee.pk}).status_code == 404


def test_members_and_anonymous_get_no_reports(unit, login, client):
    assert client.get(reverse("reports:dashboard")).status_code == 302
    assert login(unit.dangyuan1).get(reverse("reports:dashboard")).status_code == 403


def test_summary_sheet_counts_members_on_roll_at_year_end(unit, login):
    MemberFactory(organization=unit.branch2, name="已故", deceased_on=dt.date(YEAR - 1, 5, 1))
    MemberFactory(organization=unit.branch2, name="年内转出", transferred_out_on=dt.date(YEAR, 12, 31))
    content = login(unit.zzb).get(reverse("reports:annual"), {"year": YEAR - 1}).getvalue()
    rows = sheet_rows(content, "汇总")
    assert rows[0][0] == f"测试县党委 {YEAR - 1}年党内关怀帮扶工作汇总"
    assert rows[1][:2] == ("支部", "党员人数")
    # Branch 2 at the end of last year: 赵书记, 陈二 and the member transferred out this year.
    assert [row[:2] for row in rows[2:6]] == [("第一党支部", 4), ("第二党支部", 3), ("第三党支部", 1), ("合计", 8)]


def test_secretary_workbook_contains_only_the_branch(unit, login):
    content = login(unit.shuji1).get(reverse("reports:annual")).getvalue()
    assert [row[0] for row in sheet_rows(content, "汇总")[2:]] == ["第一党支部", "合计"]


def test_formula_looking_branch_name_is_exported_as_text(unit, login):
    OrganizationFactory(name="=HYPERLINK(1)", parent=unit.committee, kind=Organization.Kind.BRANCH)
    content = login(unit.zzb).get(reverse("reports:annual")).getvalue()
    names = [row[0] for row in sheet_rows(content, "汇总")]
    assert "'=HYPERLINK(1)" in names


def test_command_and_url_give_the_same_workbook(unit, login, tmp_path):
    content = login(unit.zzb).get(reverse("reports:annual"), {"year": YEAR, "org": unit.committee.pk}).getvalue()
    path = tmp_path / "annual.xlsx"
    call_command(
        "export_annual_report",
        "--year",
        str(YEAR),
        "--org",
        str(unit.committee.pk),
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    from_url = load_workbook(io.BytesIO(content))
    from_command = load_workbook(path)
    assert from_url.sheetnames == from_command.sheetnames
    for name in from_url.sheetnames:
        assert list(from_url[name].iter_rows(values_only=True)) == list(from_command[name].iter_rows(values_only=True))


def test_large_scope_is_built_in_the_background_with_progress_and_a_notification(
    unit, login, settings, django_capture_on_commit_callbacks
):
    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 3}
    client = login(unit.zzb)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:annual"), {"year": YEAR})
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert client.get(reverse("reports:job_status", args=[job.pk])).json() == {
        "status": "done",
        "label": "已完成",
        "progress": 100,
    }
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert sheet_rows(b"".join(download.streaming_content), "汇总")[-1][:2] == ("合计", 7)
    note = Notification.objects.get(recipient=unit.zzb)
    assert note.link == reverse("reports:job", args=[job.pk])
    # Someone else's job is not theirs to see.
    assert login(unit.shuji1).get(reverse("reports:job", args=[job.pk])).status_code == 404


def test_a_job_delivered_twice_is_built_once(unit):
    from reports import services

    job = ReportJob.objects.create(requested_by=unit.zzb, organization=unit.committee, year=YEAR)
    assert services.run_job(job_id=job.pk) is True
    assert services.run_job(job_id=job.pk) is False
    assert Notification.objects.filter(recipient=unit.zzb).count() == 1
