"""Daily work of the ledger: departed members leave it, stale lines and the half-year report are reminded.

Each job decides from the database what fell due up to `day`, and notifies with a dedupe key, so a
second run (or a run after downtime) sends nothing twice and misses nothing still due.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from core.jobs import daily_job
from hardship import selectors, services
from hardship.models import HardshipRecord, Pairing
from members.models import Appointment, Role
from notifications.services import Message, notify_many

REPORT_WINDOW_DAYS = 31  # the half-year report is reminded in the first month after the half ends


def _secretaries_of(org_ids) -> dict[int, list]:
    by_org = defaultdict(list)
    for appointment in Appointment.objects.filter(
        organization_id__in=org_ids, role=Role.SECRETARY, organization__is_active=True, user__is_active=True
    ).select_related("user"):
        by_org[appointment.organization_id].append(appointment.user)
    return by_org


@daily_job("hardship.close_departed", label="困难党员台帐：逝世、转出党员的台帐自动注销", order=10)
def close_departed(day: dt.date) -> dict[str, int]:
    return services.close_lines_of_departed(day=day)


@daily_job("hardship.reminders", label="困难党员台帐：年度复核、无帮扶人和半年报告提醒", order=11)
def reminders(day: dt.date) -> dict[str, int]:
    messages: list[Message] = []
    cutoff = selectors.review_cutoff(day)
    # Ledger freshness: one reminder per branch per month while it has lines overdue or uncovered.
    overdue = defaultdict(int)
    for org_id in (
        HardshipRecord.objects.active()
        .filter(
            selectors.not_reviewed_since(cutoff),
            member__deceased_on__isnull=True,
            member__transferred_out_on__isnull=True,
        )
        .values_list("member__organization_id", flat=True)
    ):
        overdue[org_id] += 1
    uncovered = defaultdict(int)
    for org_id in (
        selectors.with_active_helper(HardshipRecord.objects.active())
        .filter(has_active_helper=False, member__deceased_on__isnull=True, member__transferred_out_on__isnull=True)
        .values_list("member__organization_id", flat=True)
    ):
        uncovered[org_id] += 1
    orgs = set(overdue) | set(uncovered)
    secretaries = _secretaries_of(orgs)
    ledger_url = reverse("hardship:list")
    for org_id in orgs:
        parts = []
        if overdue[org_id]:
            parts.append(f"{overdue[org_id]} 条台帐超过一年未复核")
        if uncovered[org_id]:
            parts.append(f"{uncovered[org_id]} 名困难党员还没有帮扶人")
        for user in secretaries.get(org_id, []):
            link = f"{ledger_url}?attention={'not_reviewed' if overdue[org_id] else 'no_helper'}"
            body = "；".join(parts) + "。请及时复核、安排结对帮扶。"
            messages.append(
                Message(
                    recipient=user,
                    title="困难党员台帐需要更新",
                    body=body,
                    link=link,
                    dedupe_key=f"hardship:ledger:{org_id}:{user.pk}:{day:%Y-%m}",
                )
            )
    # The half-year pairing report: in the month after a half-year ends, each branch that had pairings.
    year, half = selectors.current_half(day)
    _, end = selectors.half_year_bounds(year, half)
    if (day - end).days <= REPORT_WINDOW_DAYS:
        start, _ = selectors.half_year_bounds(year, half)
        branches = set(
            Pairing.objects.filter(started_on__lte=end)
            .exclude(ended_on__lt=start)
            .values_list("record__member__organization_id", flat=True)
        )
        label = "上半年" if half == 1 else "下半年"
        for org_id, users in _secretaries_of(branches).items():
            for user in users:
                link = f"{reverse('hardship:report')}?organization={org_id}&year={year}&half={half}"
                messages.append(
                    Message(
                        recipient=user,
                        title=f"请报告{year}年{label}结对帮扶情况",
                        body="结对帮扶情况每半年报告一次，请核对帮扶进展并导出半年报告。",
                        link=link,
                        dedupe_key=f"hardship:half-report:{org_id}:{user.pk}:{year}H{half}",
                    )
                )
    return {"reminders": sum(sent is not None for sent in notify_many(messages))}
