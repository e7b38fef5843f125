"""Two runs of the daily jobs at once on PostgreSQL (a second beat, a redelivered task): every plan,
prompt and notification exists once, and the notifications the two runs count add up to what exists."""

import threading

import pytest
from django.db import close_old_connections, connection

from core.jobs import run_daily
from funds.models import ApplicationEvent, Status
from notifications.models import Notification
from notifications.services import Message, notify_many
from tests.funds.factories import fund_with
from tests.performance.test_daily_jobs import DAY, grow
from visits.models import VisitPlan, VisitPrompt

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(call, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_the_same_batch_sent_twice_at_once_is_sent_once(unit):
    users = [unit.shuji1, unit.shuji2, unit.zzb, unit.jijin, unit.zhiwei1]
    messages = [Message(recipient=users[i % 5], title=f"第{i}条", dedupe_key=f"race:{i}") for i in range(300)]
    results = _together(lambda: notify_many(messages), times=4)
    assert sum(n is not None for result in results for n in result) == 300
    assert Notification.objects.filter(dedupe_key__startswith="race:").count() == 300


def test_two_daily_runs_at_once_do_everything_once(unit):
    fund = fund_with(unit)
    grow(unit, fund, 6)
    results = _together(lambda: run_daily(day=DAY))
    total = {job: {what: sum(r[job][what] for r in results) for what in results[0][job]} for job in results[0]}
    assert VisitPlan.objects.filter(year=DAY.year).count() == 4
    assert VisitPlan.objects.filter(year=DAY.year).values("organization").distinct().count() == 4
    assert total["funds.close_notices"]["closed"] == 6
    assert ApplicationEvent.objects.filter(to_status=Status.NOTICE_PASSED).count() == 6
    assert VisitPrompt.objects.count() == 18
    keys = Notification.objects.exclude(dedupe_key=None).values_list("dedupe_key", flat=True)
    assert len(keys) == len(set(keys)) > 0
    sent = sum(total["funds.remind_stale"].values()) + total["visits.political_birthdays"]["greetings"]
    counted = Notification.objects.filter(dedupe_key__regex=r"^(funds:stale|funds:escalated|visits:birthday:)")
    assert counted.count() == sent > 0
    # A third run finds nothing left to do.
    assert not any(any(counts.values()) for counts in run_daily(day=DAY).values())
