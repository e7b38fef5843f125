"""Background generation of workbooks too large for a request: the annual workbook of a large scope,
and roster and visit exports of many rows."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from core.queue import enqueue_on_commit
from members import exports as member_exports
from members.models import Member
from notifications.services import notify
from reports import contents
from reports.models import ReportJob
from reports.scope import ReportScope, resolve_scope
from visits import exports as visit_exports

# Finished workbooks, in the file store every web node and worker shares.
REPORT_FOLDER = "reports"
# The worker builds a workbook on its own disk first (XlsxWriter needs a seekable file), named by job
# and process so that a later run of the same job can remove what a killed run left there.
LOCAL_PREFIX = "care-report-"


def is_large(scope: ReportScope) -> bool:
    """Too large to answer within a few seconds in the request."""
    members = Member.objects.filter(organization_id__in=scope.branch_ids).count()
    return members > settings.CARE["REPORT_SYNC_MAX_MEMBERS"]


def request_job(*, scope: ReportScope) -> ReportJob:
    job = ReportJob.objects.create(requested_by=scope.user, organization=scope.organization, year=scope.year)
    from reports.tasks import build_annual_workbook

    enqueue_on_commit(build_annual_workbook, job.pk)
    return job


# What the worker builds for each export kind: the domain's own export, with the list's filters.
EXPORTS = {
    ReportJob.Kind.ROSTER: member_exports.export_for,
    ReportJob.Kind.VISITS: visit_exports.export_for,
}


def request_export(*, user, kind: str, query: str) -> ReportJob:
    """A roster or visit export for the worker; `query` is the list page's filters."""
    job = ReportJob.objects.create(requested_by=user, kind=kind, query=query[:1000], year=timezone.localdate().year)
    from reports.tasks import build_annual_workbook

    enqueue_on_commit(build_annual_workbook, job.pk)
    return job


def job_title(job: ReportJob, scope: ReportScope | None) -> str:
    if job.kind == ReportJob.Kind.ANNUAL and scope is not None:
        return f"{scope.title}年度报表"
    return job.get_kind_display()


def requeue_stale_jobs(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Jobs left unfinished long after they were asked for (the broker was down, or the worker died
    and the task was lost): build them now. A job built twice is completed and announced once."""
    cutoff = timezone.now() - older_than
    unfinished = [ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
    stale = ReportJob.objects.filter(status__in=unfinished, created_at__lt=cutoff).values_list("pk", flat=True)
    return sum(1 for pk in list(stale) if run_job(job_id=pk))


def run_job(*, job_id: int) -> bool:
    """Build one job's workbook; True if this run completed it.

    Safe to run twice or to be killed half-way (acks_late redelivers the task): the workbook is built
    in a local temporary file, then copied to the shared store under a name of this run's own; only
    the run whose conditional UPDATE moves the job to 已完成 points the job at its file and notifies
    (with a dedupe key besides), and a run that loses the race deletes its copy. Nothing half-done is
    ever visible: the job names a file only once it is whole.
    """
    job = ReportJob.objects.select_related("requested_by", "organization").get(pk=job_id)
    if job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED, ReportJob.Status.EXPIRED):
        return False
    ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.QUEUED).update(status=ReportJob.Status.RUNNING)
    stored = ""
    try:
        # Permissions are checked again with the requester's current roles.
        scope = None
        if job.kind == ReportJob.Kind.ANNUAL:
            scope = resolve_scope(job.requested_by, org_id=job.organization_id, year=job.year)

        def progress(percent: int) -> None:
            ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(progress=min(percent, 99))

        if scope is not None:
            with tempfile.NamedTemporaryFile(prefix=f"{LOCAL_PREFIX}{job.pk}-{os.getpid()}-", suffix=".xlsx") as local:
                contents.write_annual_workbook(scope, path=local.name, progress=progress)
                with open(local.name, "rb") as built:
                    stored = default_storage.save(f"{REPORT_FOLDER}/{job.pk}-{uuid.uuid4().hex}.xlsx", File(built))
        else:
            # The export's rows are those the requester may export now, with the filters they chose.
            with EXPORTS[job.kind](job.requested_by, QueryDict(job.query)) as built:
                stored = default_storage.save(f"{REPORT_FOLDER}/{job.pk}-{uuid.uuid4().hex}.xlsx", File(built))
        title = job_title(job, scope)
        with transaction.atomic():
            # Completion and its announcement commit together: a worker killed in between leaves the
            # job unfinished (to be run again), never finished-but-unannounced.
            completed = (
                ReportJob.objects.filter(pk=job.pk)
                .exclude(status=ReportJob.Status.DONE)
                .update(status=ReportJob.Status.DONE, progress=100, file=stored, finished_at=timezone.now())
            )
            if completed:
                notify(
                    recipient=job.requested_by,
                    title=f"{title}已生成",
                    body=f"点击下载{title}工作簿。",
                    link=reverse("reports:job", args=[job.pk]),
                    dedupe_key=f"reports.job:{job.pk}",
                )
    except Exception as exc:
        if stored:
            default_storage.delete(stored)
        ReportJob.objects.filter(pk=job.pk).exclude(status=ReportJob.Status.DONE).update(
            status=ReportJob.Status.FAILED, error=str(exc)[:300]
        )
        raise
    if not completed:  # another run finished first; its file is the one the job names
        default_storage.delete(stored)
    # Local files of runs of this job killed half-way on this machine (not those of a run still going).
    for leftover in Path(tempfile.gettempdir()).glob(f"{LOCAL_PREFIX}{job.pk}-*-*.xlsx"):
        pid = leftover.name.removeprefix(f"{LOCAL_PREFIX}{job.pk}-").split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)
    return bool(completed)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def delete_expired_files(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the workbooks kept longer than REPORT_FILE_DAYS (their jobs become 已过期), and files
    no job names any more: those of a run killed between storing and completing, or of deleted jobs."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.CARE["REPORT_FILE_DAYS"])
    expired = 0
    for job in ReportJob.objects.filter(status=ReportJob.Status.DONE, finished_at__lt=cutoff).only("pk", "file"):
        if ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.DONE).update(
            status=ReportJob.Status.EXPIRED, file=""
        ):
            default_storage.delete(job.file.name)
            expired += 1
    try:
        _, names = default_storage.listdir(REPORT_FOLDER)
    except FileNotFoundError:
        names = []
    by_job: dict[int, list[str]] = {}
    for name in names:
        head = name.split("-", 1)[0]
        if head.isdigit():
            by_job.setdefault(int(head), []).append(f"{REPORT_FOLDER}/{name}")
    jobs = ReportJob.objects.filter(pk__in=by_job).values_list("pk", "status", "file")
    in_use = {pk: (status, file) for pk, status, file in jobs}
    orphans = 0
    for pk, stored in by_job.items():
        status, file = in_use.get(pk, (None, ""))
        if status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING):
            continue  # a run may be storing its file right now
        for name in stored:
            if name != file:
                default_storage.delete(name)
                orphans += 1
    return {"删除过期报表": expired, "删除遗留文件": orphans}
