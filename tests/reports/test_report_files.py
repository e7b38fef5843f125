"""Background workbooks live in the shared file store: a run stores its own copy, the job names the
file only when it is whole, and the daily housekeeping deletes what is expired or left over."""

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.jobs import run_daily
from reports import services
from reports.models import ReportJob

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def stored_names() -> list[str]:
    try:
        return sorted(default_storage.listdir(services.REPORT_FOLDER)[1])
    except FileNotFoundError:
        return []


def job_for(unit, **fields) -> ReportJob:
    return ReportJob.objects.create(requested_by=unit.zzb, organization=unit.committee, year=YEAR, **fields)


def test_a_job_stores_one_file_in_the_shared_store_and_downloads_from_it(unit, login):
    job = job_for(unit)
    assert services.run_job(job_id=job.pk) is True
    assert services.run_job(job_id=job.pk) is False  # delivered twice: nothing more is stored
    job.refresh_from_db()
    assert job.file.name.startswith(f"reports/{job.pk}-") and stored_names() == [job.file.name.split("/")[1]]
    assert not Path(job.file.name).is_absolute()
    response = login(unit.zzb).get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "汇总"


def test_a_run_that_loses_the_race_deletes_its_copy(unit, monkeypatch):
    """Two deliveries build at once: the one completing second finds the job done and removes its file."""
    job = job_for(unit)
    real_update = ReportJob.objects.filter(pk=job.pk).update
    assert services.run_job(job_id=job.pk)
    first = ReportJob.objects.get(pk=job.pk).file.name
    # The second run started before the first completed: it saw the job unfinished.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
    original = services.default_storage.save

    def save_then_finish_elsewhere(name, content, **kwargs):
        stored = original(name, content, **kwargs)
        real_update(status=ReportJob.Status.DONE, file=first)  # the first run's completion lands first
        return stored

    monkeypatch.setattr(services.default_storage, "save", save_then_finish_elsewhere)
    assert services.run_job(job_id=job.pk) is False
    assert stored_names() == [first.split("/")[1]]
    assert ReportJob.objects.get(pk=job.pk).file.name == first


def test_what_a_killed_run_left_behind_is_removed(unit):
    """A worker killed after storing its copy (or mid-build on its own disk) leaves files no job names."""
    job = job_for(unit)
    orphan = default_storage.save(f"reports/{job.pk}-{'0' * 32}.xlsx", ContentFile(b"half a workbook"))
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])  # ended, like a killed worker
    dead_pid.wait()
    local = Path(tempfile.gettempdir()) / f"{services.LOCAL_PREFIX}{job.pk}-{dead_pid.pid}-abc.xlsx"
    local.write_bytes(b"half a workbook, on the worker's own disk")
    running = Path(tempfile.gettempdir()) / f"{services.LOCAL_PREFIX}{job.pk}-{os.getppid()}-abc.xlsx"
    running.write_bytes(b"a run of the same job still going in another process")
    # While the job is still unfinished its files are left alone: a run may be storing one right now.
    assert services.delete_expired_files()["删除遗留文件"] == 0 and default_storage.exists(orphan)
    services.run_job(job_id=job.pk)
    assert not local.exists()
    assert running.exists()
    running.unlink()
    assert services.delete_expired_files()["删除遗留文件"] == 1
    job.refresh_from_db()
    assert stored_names() == [job.file.name.split("/")[1]]


def test_files_of_deleted_jobs_are_removed(unit):
    job = job_for(unit)
    services.run_job(job_id=job.pk)
    job.delete()
    assert services.delete_expired_files()["删除遗留文件"] == 1
    assert stored_names() == []


def test_expired_workbooks_are_deleted_and_the_page_offers_to_build_again(unit, login, settings):
    settings.CARE = {**settings.CARE, "REPORT_FILE_DAYS": 7}
    old, recent = job_for(unit), job_for(unit)
    for job in (old, recent):
        services.run_job(job_id=job.pk)
    ReportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    ReportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - dt.timedelta(days=6))
    results = run_daily(day=timezone.localdate())
    assert results["reports.expired_files"] == {"删除过期报表": 1, "删除遗留文件": 0}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ReportJob.Status.EXPIRED and not old.file
    assert stored_names() == [recent.file.name.split("/")[1]]
    client = login(unit.zzb)
    page = client.get(reverse("reports:job", args=[old.pk])).content.decode()
    assert "已过期" in page and "保留 7 天" in page and "重新生成" in page
    assert client.get(reverse("reports:job_download", args=[old.pk])).status_code == 404
    assert client.get(reverse("reports:job_download", args=[recent.pk])).status_code == 200


def test_a_file_missing_from_the_store_is_a_clear_404(unit, login):
    job = job_for(unit)
    services.run_job(job_id=job.pk)
    default_storage.delete(ReportJob.objects.get(pk=job.pk).file.name)
    response = login(unit.zzb).get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 404
