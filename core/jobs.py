"""Daily jobs: every scheduled piece of work registers here and runs through `run_daily`.

Beat calls the `core.run_daily_jobs` task every hour and `manage.py run_daily_jobs --date` calls
the same function, so what a developer runs by hand is what production runs. Each job must be
idempotent (a unique key per event) and must catch up: it is given the day and decides from the
database what fell due up to that day that has not been done yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyJob:
    name: str
    label: str
    run: Callable[[dt.date], dict[str, int]]
    order: int


_jobs: dict[str, DailyJob] = {}


def daily_job(name: str, *, label: str, order: int = 100):
    """Register `func(day) -> {what: count}` as a daily job."""

    def decorator(func: Callable[[dt.date], dict[str, int]]):
        _jobs[name] = DailyJob(name=name, label=label, run=func, order=order)
        return func

    return decorator


def registered_jobs() -> list[DailyJob]:
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


def run_daily(*, day: dt.date) -> dict[str, dict[str, int]]:
    """Run every job for `day`. One job failing does not stop the others; it is logged and re-raised
    at the end so the task is retried (the jobs that succeeded do nothing the second time)."""
    results: dict[str, dict[str, int]] = {}
    failures: list[tuple[str, Exception]] = []
    for job in registered_jobs():
        try:
            results[job.name] = job.run(day)
        except Exception as exc:
            logger.exception("daily job %s failed for %s", job.name, day)
            failures.append((job.name, exc))
    if failures:
        name, error = failures[0]
        raise RuntimeError(f"daily job {name} failed: {error}") from error
    return results
