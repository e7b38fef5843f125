"""Submitting a report upward, receiving or returning it, and the due dates: every write of filings."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from core import clock
from core.errors import DomainError
from core.queue import enqueue_on_commit
from filings import selectors
from filings.models import TRANSITIONS, Filing, FilingDeadline, FilingEvent, FilingVersion, Status
from filings.periods import ANNUAL, HALF_YEAR, Period
from hardship import exports as hardship_exports
from hardship import selectors as hardship_selectors
from members import access
from members.models import Organization
from notifications.services import Message, notify_many, settle
from reports import contents
from reports import services as report_services
from reports.scope import ReportScope

# Snapshots, in the file store every web node and worker shares; never deleted (the record of what
# was submitted), unlike the annual workbooks asked for to download.
FOLDER = "filings"
COMMENT_MAX = 1000


def _storage_name(filing_or_unit_pk: int, period: Period) -> str:
    return f"{FOLDER}/{filing_or_unit_pk}-{period.key}-{uuid.uuid4().hex}.xlsx"


def build_workbook(
    *, user, unit: Organization, period: Period, path: str | None = None
) -> tuple[BinaryIO | None, int | None]:
    """The workbook of the period as the user's download of it reads now (the existing builders: the
    half-year report page's, the annual workbook's), and its number of rows where it has one list."""
    if period.kind == HALF_YEAR:
        rows = hardship_selectors.half_year_report(user, organization=unit, year=period.year, half=period.half)
        return hardship_exports.report_workbook(rows, organization=unit, year=period.year, half=period.half), len(rows)
    scope = ReportScope(user=user, organization=unit, year=period.year)
    return contents.write_annual_workbook(scope, path=path), None


def builds_in_background(*, user, unit: Organization, period: Period) -> bool:
    """An annual workbook too large to build within the request (reports.services.is_large)."""
    return period.kind == ANNUAL and report_services.is_large(
        ReportScope(user=user, organization=unit, year=period.year)
    )


def _move(filing: Filing, to: str, *, by, at: dt.datetime, comment: str = "") -> None:
    """The one way a filing's status changes: checked against TRANSITIONS and recorded."""
    TRANSITIONS.check(filing.status, to)
    FilingEvent.objects.create(filing=filing, from_status=filing.status, to_status=to, by=by, at=at, comment=comment)
    filing.status = to


def submit(*, by, organization: Organization, period: Period, note: str = "") -> Filing:
    """The unit's secretary submits its report for the period: the workbook is built now (or, for a
    large annual one, by the worker right after) and kept as this submission's snapshot."""
    unit = organization
    if unit.kind not in selectors.REPORTING_KINDS or not unit.is_active:
        raise DomainError("只有党支部和党总支向上级报送")
    if not selectors.may_submit(by, unit):
        raise PermissionDenied("只有本单位的书记可以报送")
    today = clock.today()
    if not period.has_ended(today):
        raise DomainError(f"{period.label}要到{period.end:%Y年%m月%d日}才能报送")
    note = note.strip()[:COMMENT_MAX]
    existing = Filing.objects.of(period).filter(organization=unit).first()
    if existing is not None:
        TRANSITIONS.check(existing.status, Status.SUBMITTED)  # refused before building anything
    stored, rows = "", None
    if not builds_in_background(user=by, unit=unit, period=period):
        content, rows = build_workbook(user=by, unit=unit, period=period)
        stored = default_storage.save(_storage_name(unit.pk, period), File(content))
    try:
        with transaction.atomic():
            filing, _ = Filing.objects.get_or_create(
                organization=unit, kind=period.kind, year=period.year, half=period.half
            )
            filing = Filing.objects.select_for_update().select_related("organization").get(pk=filing.pk)
            now = clock.now()
            _move(filing, Status.SUBMITTED, by=by, at=now, comment=note)
            number = (filing.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = FilingVersion.objects.create(
                filing=filing,
                number=number,
                submitted_by=by,
                submitted_at=now,
                due_on=selectors.due_on(unit, period),
                note=note,
                state=FilingVersion.State.READY if stored else FilingVersion.State.BUILDING,
                file=stored,
                rows=rows,
            )
            filing.submitted_by, filing.submitted_at = by, now
            filing.save(update_fields=["status", "submitted_by", "submitted_at"])
            # The reminders and a return notice asked the unit for this; done now.
            settle(about=filing, note="已办：已报送")
            again = "重新" if number > 1 else ""
            late = "（逾期报送）" if version.is_late else ""
            notify_many(
                Message(
                    recipient=user,
                    title=f"{unit.name}已{again}报送{period.label}{late}",
                    body=f"请查看报送的工作簿，接收或退回。{note}".strip(),
                    about=filing,
                    todo=True,
                    group="{n} 份报告已报送，待接收",
                    dedupe_key=f"filings:submitted:{version.pk}:{user.pk}",
                )
                for user in selectors.receivers(unit)
            )
            if not stored:
                from filings.tasks import build_snapshot

                enqueue_on_commit(build_snapshot, version.pk)
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return filing


def _locked_for_review(*, by, filing_id: int) -> Filing:
    filing = Filing.objects.select_for_update().select_related("organization").get(pk=filing_id)
    if not access.may_at(by, "filing", "receive", filing.organization):
        raise PermissionDenied(access.refusal("filing", "receive"))
    return filing


def _latest(filing: Filing) -> FilingVersion:
    return filing.versions.select_for_update().order_by("-number").first()


@transaction.atomic
def accept(*, by, filing_id: int) -> Filing:
    """The 组织部 accepts the report as submitted."""
    filing = _locked_for_review(by=by, filing_id=filing_id)
    TRANSITIONS.check(filing.status, Status.ACCEPTED)
    version = _latest(filing)
    if version is None or version.state != FilingVersion.State.READY:
        raise DomainError("报送的工作簿尚未生成，生成后才能接收")
    now = clock.now()
    _move(filing, Status.ACCEPTED, by=by, at=now)
    filing.reviewed_by, filing.reviewed_at, filing.return_comment = by, now, ""
    filing.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_comment"])
    settle(about=filing, note="已办：已接收")
    if version.submitted_by is not None:
        notify_many(
            [
                Message(
                    recipient=version.submitted_by,
                    title=f"{filing.period.label}已被上级接收",
                    body=f"{filing.organization.name}第{version.number}次报送的{filing.period.label}已接收。",
                    about=filing,
                    dedupe_key=f"filings:accepted:{version.pk}",
                )
            ]
        )
    return filing


@transaction.atomic
def return_filing(*, by, filing_id: int, comment: str) -> Filing:
    """The 组织部 returns the report with what to change; the unit submits it again (a new version,
    the returned one stays readable)."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("请写明退回意见，说明需要修改或补充什么", field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"退回意见不能超过{COMMENT_MAX}字", field="comment")
    filing = _locked_for_review(by=by, filing_id=filing_id)
    TRANSITIONS.check(filing.status, Status.RETURNED)
    version = _latest(filing)
    now = clock.now()
    _move(filing, Status.RETURNED, by=by, at=now, comment=comment)
    filing.reviewed_by, filing.reviewed_at, filing.return_comment = by, now, comment
    filing.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_comment"])
    version.returned_by, version.returned_at, version.return_comment = by, now, comment
    version.save(update_fields=["returned_by", "returned_at", "return_comment"])
    settle(about=filing, note="已办：已退回")
    told = {u.pk: u for u in selectors.secretaries([filing.organization_id]).get(filing.organization_id, [])}
    if version.submitted_by is not None:
        told.setdefault(version.submitted_by.pk, version.submitted_by)
    notify_many(
        Message(
            recipient=user,
            title=f"{filing.period.label}被退回，请修改后重新报送",
            body=f"退回意见：{comment}",
            about=filing,
            todo=True,
            link=reverse("filings:detail", args=[filing.pk]),
            dedupe_key=f"filings:returned:{version.pk}:{user.pk}",
        )
        for user in told.values()
    )
    return filing


@transaction.atomic
def set_deadline(*, by, organization: Organization, period: Period, due_on: dt.date) -> FilingDeadline:
    """The 组织部 sets the due date of a period for the units under its organization."""
    if not access.may_at(by, "filing", "deadline", organization):
        raise PermissionDenied(access.refusal("filing", "deadline"))
    if due_on <= period.end:
        raise DomainError(f"截止日期应在{period.end:%Y年%m月%d日}（该期结束）之后", field="due_on")
    row = (
        FilingDeadline.objects.select_for_update()
        .filter(organization=organization, kind=period.kind, year=period.year, half=period.half)
        .first()
    )
    now = clock.now()
    if row is None:
        return FilingDeadline.objects.create(
            organization=organization,
            kind=period.kind,
            year=period.year,
            half=period.half,
            due_on=due_on,
            set_by=by,
            set_at=now,
        )
    row.due_on, row.set_by, row.set_at = due_on, by, now
    row.save(update_fields=["due_on", "set_by", "set_at"])
    return row


def build_snapshot(*, version_id: int) -> bool:
    """The worker builds a large annual snapshot; True if this run completed it. Safe to run twice:
    only the run whose conditional UPDATE moves the version out of 生成中 keeps its file."""
    version = FilingVersion.objects.select_related("filing__organization", "submitted_by").get(pk=version_id)
    if version.state != FilingVersion.State.BUILDING:
        return False
    filing = version.filing
    stored = ""
    try:
        with tempfile.NamedTemporaryFile(prefix="care-filing-", suffix=".xlsx") as local:
            build_workbook(user=version.submitted_by, unit=filing.organization, period=filing.period, path=local.name)
            with open(local.name, "rb") as built:
                stored = default_storage.save(_storage_name(filing.organization_id, filing.period), File(built))
        completed = FilingVersion.objects.filter(pk=version.pk, state=FilingVersion.State.BUILDING).update(
            state=FilingVersion.State.READY, file=stored
        )
    except Exception:
        if stored:
            default_storage.delete(stored)
        FilingVersion.objects.filter(pk=version.pk, state=FilingVersion.State.BUILDING).update(
            state=FilingVersion.State.FAILED
        )
        raise
    if not completed:
        default_storage.delete(stored)
    return bool(completed)


def rebuild_stale_snapshots(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Snapshots left 生成中 (the broker was down, the worker died): build them now."""
    cutoff = clock.now() - older_than
    stale = FilingVersion.objects.filter(state=FilingVersion.State.BUILDING, submitted_at__lt=cutoff)
    return sum(1 for pk in list(stale.values_list("pk", flat=True)) if build_snapshot(version_id=pk))
