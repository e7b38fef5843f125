from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_date

from core import jobs


@shared_task(name="core.run_daily_jobs", acks_late=True)
def run_daily_jobs(day: str | None = None) -> dict:
    return jobs.run_daily(day=(parse_date(day) if day else None) or timezone.localdate())
