"""Background generation of annual workbooks for large scopes."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.queue import enqueue_on_commit
from members.models import Member
from notifications.services import notify
from reports import annual
from reports.models import ReportJob
from reports.scope import ReportScope, resolve_scope

REPORT_DIR = Path(settings.VAR_DIR) / "reports"


def is_large(scope: ReportScope) -> bool:
    """Too large to answer within a few seconds in the request."""
    members = Member.objects.filter(organization_id__in=scope.branch_ids).count()
    return members > settings.CARE["REPORT_SYNC_MAX_MEMBERS"]


def request_job(*, scope: ReportScope) -> ReportJob:
    job = ReportJob.objects.create(requested_by=scope.user, organization=scope.organization, year=scope.year)
    from reports.tasks import build_annual_workbook

    enqueue_on_commit(build_annual_workbook, job.pk)
    return job


def requeue_stale_jobs(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Jobs left unfinished long after they were asked for (the broker was down, or the worker died
    and the task was lost): build them now. A job built twice is completed and announced once."""
    cutoff = timezone.now() - older_than
    unfinished = [ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
    stale = ReportJob.objects.filter(status__in=unfinished, created_at__lt=cutoff).values_list("pk", flat=True)
    return sum(1 for pk in list(stale) if run_job(job_id=pk))


def run_job(*, job_id: int) -> bool:
    """Build one job's workbook; True if this run completed it.

    Safe to run twice or to be killed half-way (acks_late redelivers the task): the file is written
    under a temporary name and renamed into place, and only the run whose conditional UPDATE moves
    the job to 已完成 notifies (with a dedupe key besides). Nothing half-done is ever visible.
    """
    job = ReportJob.objects.select_related("requested_by", "organization").get(pk=job_id)
    if job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED):
        return False
    ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.QUEUED).update(status=ReportJob.Status.RUNNING)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    final = REPORT_DIR / f"{job.pk}.xlsx"
    partial = REPORT_DIR / f"{job.pk}.{uuid.uuid4().hex}.partial"
    try:
        # Permissions are checked again with the requester's current roles.
        scope = resolve_scope(job.requested_by, org_id=job.organization_id, year=job.year)

        def progress(percent: int) -> None:
            ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(progress=min(percent, 99))

        annual.write_annual_workbook(scope, path=str(partial), progress=progress)
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ReportJob.objects.filter(pk=job.pk).exclude(status=ReportJob.Status.DONE).update(
            status=ReportJob.Status.FAILED, error=str(exc)[:300]
        )
        raise
    with transaction.atomic():
        # Completion and its announcement commit together: a worker killed in between leaves the job
        # unfinished (to be run again), never finished-but-unannounced.
        completed = ReportJob.objects.filter(pk=job.pk).exclude(status=ReportJob.Status.DONE).update(
            status=ReportJob.Status.DONE, progress=100, file=str(final), finished_at=timezone.now()
        )
        if completed:
            notify(
                recipient=job.requested_by,
                title=f"{scope.title}年度报表已生成",
                body="点击下载年度报表工作簿。",
                link=reverse("reports:job", args=[job.pk]),
                dedupe_key=f"reports.job:{job.pk}",
            )
    # Temporary files of runs that were killed half-way.
    for leftover in REPORT_DIR.glob(f"{job.pk}.*.partial"):
        leftover.unlink(missing_ok=True)
    return bool(completed)
