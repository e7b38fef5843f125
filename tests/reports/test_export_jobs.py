"""Roster and visit exports too large for a request are built by the worker, with the list's filters and
the requester's own masking, behind the same progress page as a large annual workbook."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from members.models import AccessLog
from notifications.models import Notification
from reports.models import ReportJob
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory


def _rows(response, sheet: str) -> list[tuple]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def _background(client, url, params, django_capture_on_commit_callbacks):
    handed_over = client.get(url, params)
    assert handed_over.status_code == 302  # to the background export, with the list's filters
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get(handed_over["Location"])
    response = client.get(started["Location"])
    job = response.context["job"]
    assert response.status_code == 200 and "后台生成" in response.content.decode()
    assert job.status == ReportJob.Status.DONE
    return job


def test_a_large_roster_export_is_built_in_the_background_with_its_filters(
    unit, login, settings, django_capture_on_commit_callbacks
):
    for n in range(4):
        MemberFactory(organization=unit.branch1, name=f"名册{n}")
    client = login(unit.shuji1)
    params = {"q": "名册"}
    direct = _rows(client.get(reverse("members:export"), params), "党员名册")
    settings.CARE = {**settings.CARE, "EXPORT_SYNC_MAX_ROWS": 3}
    job = _background(client, reverse("members:export"), params, django_capture_on_commit_callbacks)
    assert job.kind == ReportJob.Kind.ROSTER and job.query == "q=%E5%90%8D%E5%86%8C"
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    background = _rows(download, "党员名册")
    assert background[2:] == direct[2:]  # the same rows; the title row carries the day
    assert sorted(row[0] for row in background[2:] if row[0]) == ["名册0", "名册1", "名册2", "名册3"]
    assert "attachment" in download["Content-Disposition"]
    assert Notification.objects.filter(recipient=unit.shuji1, title="党员名册已生成").exists()
    assert AccessLog.objects.filter(user=unit.shuji1, what=AccessLog.What.EXPORT, target="党员名册").exists()
    # Another secretary's request for the same job finds nothing.
    assert login(unit.shuji2).get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_a_committee_members_background_roster_is_masked_as_their_direct_one(
    unit, login, settings, django_capture_on_commit_callbacks
):
    target = MemberFactory(organization=unit.branch1, name="名册甲")
    settings.CARE = {**settings.CARE, "EXPORT_SYNC_MAX_ROWS": 0}
    client = login(unit.zhiwei1)
    job = _background(client, reverse("members:export"), {"q": "名册甲"}, django_capture_on_commit_callbacks)
    (row,) = _rows(client.get(reverse("reports:job_download", args=[job.pk])), "党员名册")[2:]
    assert row[0] == "名册甲"
    assert target.id_number not in [str(cell) for cell in row] and str(row[3]).startswith("*")


def test_a_large_visit_export_is_built_in_the_background(unit, login, settings, django_capture_on_commit_callbacks):
    today = dt.date.today()
    for days in range(3):
        VisitFactory(member=unit.member1, visited_on=today - dt.timedelta(days=days))
    VisitFactory(member=unit.member2, visited_on=today)  # another branch: not shuji1's
    client = login(unit.shuji1)
    direct = _rows(client.get(reverse("visits:export")), "走访慰问")
    settings.CARE = {**settings.CARE, "EXPORT_SYNC_MAX_ROWS": 1}
    job = _background(client, reverse("visits:export"), {}, django_capture_on_commit_callbacks)
    background = _rows(client.get(reverse("reports:job_download", args=[job.pk])), "走访慰问")
    assert background[2:] == direct[2:]
    assert [row[1] for row in background[2:] if row[1]] == ["刘一"] * 3


def test_only_who_may_export_can_start_a_background_export(unit, login):
    assert login(unit.jijin).get(reverse("reports:roster_export_job")).status_code == 403
    assert login(unit.dangyuan1).get(reverse("reports:visit_export_job")).status_code == 403
    assert not ReportJob.objects.exists()
