"""Reminders of reports due upward: before the due date, on it, and every week after it (the 组织部
is told of the late ones too). Each unit's secretaries are told once per stage; a moved due date
starts the stages again."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from core.jobs import daily_job
from filings import selectors, services
from filings.models import Filing, Status
from filings.periods import Period, recent_periods
from notifications.services import Message, notify_many


def stage(day: dt.date, due: dt.date) -> str | None:
    """ "before" in the days before the due date, "due" on it, "overdue-N" in the N-th week after it
    (from the day after), None outside the reminders' window."""
    days_left = (due - day).days
    if 1 <= days_left <= settings.CARE["FILING_REMIND_DAYS"]:
        return "before"
    if days_left == 0:
        return "due"
    if days_left < 0:
        week = (-days_left - 1) // 7 + 1
        return f"overdue-{week}" if week <= settings.CARE["FILING_OVERDUE_WEEKS"] else None
    return None


def _unit_message(period: Period, unit, due: dt.date, day: dt.date, step: str, returned: bool) -> tuple[str, str]:
    what = f"{period.label}（已退回，待重新报送）" if returned else period.label
    if step == "before":
        return f"请于{due:%m月%d日}前报送{what}", f"{unit.name}的{what}截止日期为{due:%Y年%m月%d日}，请按时报送。"
    if step == "due":
        return f"今天是{what}的报送截止日", f"{unit.name}尚未报送{what}，今天截止。"
    late = (day - due).days
    return (
        f"{what}已逾期{late}天未报送",
        f"{unit.name}的{what}应于{due:%Y年%m月%d日}前报送，已逾期{late}天，请尽快报送。",
    )


@daily_job("filings.reminders", label="上级报送的截止提醒和逾期催报", order=60)
def reminders(day: dt.date) -> dict[str, int]:
    counts = {"提醒报送": 0, "逾期告知组织部": 0, "补建工作簿": services.rebuild_stale_snapshots()}
    units = list(selectors.reporting_units())
    secretaries = selectors.secretaries(u.pk for u in units)
    receivers = selectors.receivers_by_unit(units)
    for period in recent_periods(day):
        set_dates = selectors.deadlines(period)
        filings = {
            f.organization_id: f
            for f in Filing.objects.of(period).filter(organization__in=units).select_related("organization")
        }
        due_units = []
        for unit in units:
            filing = filings.get(unit.pk)
            if filing is not None and filing.is_in:
                continue
            due = selectors.due_on(unit, period, set_dates)
            step = stage(day, due)
            if step is not None:
                due_units.append((unit, due, step))
        if not due_units:
            continue
        # A filing row for each unit told, so the reminders are about it and settle when it is submitted.
        missing = [unit for unit, _, _ in due_units if unit.pk not in filings]
        Filing.objects.bulk_create(
            [Filing(organization=u, kind=period.kind, year=period.year, half=period.half) for u in missing],
            ignore_conflicts=True,
        )
        if missing:
            filings = {
                f.organization_id: f
                for f in Filing.objects.of(period).filter(organization__in=units).select_related("organization")
            }
        messages, kinds = [], []
        for unit, due, step in due_units:
            filing = filings[unit.pk]
            title, body = _unit_message(period, unit, due, day, step, filing.status == Status.RETURNED)
            for user in secretaries.get(unit.pk, []):
                kinds.append("提醒报送")
                messages.append(
                    Message(
                        recipient=user,
                        title=title,
                        body=body,
                        about=filing,
                        todo=True,
                        link=f"{reverse('filings:submit')}?organization={unit.pk}&period={period.key}",
                        group="{n} 份报告待报送",
                        dedupe_key=f"filings:remind:{filing.pk}:{due:%Y%m%d}:{step}:{user.pk}",
                    )
                )
            if step.startswith("overdue"):
                late = (day - due).days
                for user in receivers.get(unit.pk, []):
                    kinds.append("逾期告知组织部")
                    messages.append(
                        Message(
                            recipient=user,
                            title=f"{unit.name}的{period.label}已逾期{late}天未报送",
                            body=f"截止日期为{due:%Y年%m月%d日}。",
                            about=filing,
                            link=f"{reverse('filings:index')}?period={period.key}",
                            group=f"{{n}} 个单位的{period.label}逾期未报送",
                            dedupe_key=f"filings:overdue:{filing.pk}:{due:%Y%m%d}:{step}:{user.pk}",
                        )
                    )
        for kind, sent in zip(kinds, notify_many(messages), strict=True):
            if sent is not None:
                counts[kind] += 1
    return counts
