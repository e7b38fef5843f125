"""Thin Celery tasks. The scheduled work itself runs through `core.run_daily_jobs` (visits/jobs.py)."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_date

from visits import jobs


@shared_task(name="visits.care_prompts", acks_late=True)
def care_prompts(day: str | None = None) -> dict:
    """Raise the illness/bereavement/disaster prompts now, e.g. right after a member record changed."""
    return jobs.care_prompts(parse_date(day) if day else timezone.localdate())
