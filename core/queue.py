"""Enqueueing Celery tasks so that a broker outage never breaks a request or loses work.

The work itself is always written to the database first (a notification row, a queued report
job); the task is only a nudge to do it now. If the broker is down the nudge is dropped with a
warning and the periodic sweep (outbox flush, stale-job requeue) does the work when it is back.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    try:
        task.apply_async(args=args)
    except Exception:  # noqa: BLE001 - any broker failure: the database row waits for the sweep
        logger.warning("broker unavailable: %s%r left for the periodic sweep", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Send the task after the surrounding transaction commits (never for rolled-back work)."""
    transaction.on_commit(lambda: enqueue(task, *args))
