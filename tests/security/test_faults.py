"""Faults survived: the broker down, a task delivered twice, a job run late."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """A real Celery producer pointed at a port where nothing listens (Redis down)."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_the_broker_down_requests_succeed_and_mail_waits_in_the_outbox(
    unit, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=unit.shuji1, title="走访提醒", dedupe_key="fault:1")
    assert time.monotonic() - started < 15  # the request is not held hostage by the broker
    assert Notification.objects.filter(dedupe_key="fault:1", emailed_at__isnull=True).exists()
    assert mail.outbox == []
    # The broker is back: the periodic sweep delivers, exactly once.
    assert services.flush_outbox() == 1
    assert services.flush_outbox() == 0
    assert [m.subject for m in mail.outbox] == ["【党内关怀】走访提醒"]


def test_a_report_requested_while_the_broker_is_down_is_built_by_the_sweep(
    unit, login, broker_down, settings, django_capture_on_commit_callbacks
):
    from reports import services as report_services

    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 1}
    client = login(unit.zzb)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:annual"))
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED
    import datetime as dt

    assert report_services.requeue_stale_jobs(older_than=dt.timedelta(0)) == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE


def test_an_email_task_delivered_twice_sends_once(unit):
    notification = services.notify(recipient=unit.shuji1, title="一次")
    from notifications.tasks import deliver_email

    assert deliver_email(notification.pk) is True
    assert deliver_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_with_the_cache_down_records_save_and_dashboards_still_answer(unit, login, settings):
    """Redis also serves as the cache in production: when it is down, saving a care record (which
    bumps the dashboard cache) and opening the dashboard must still work."""
    from django.core.cache import cache

    from tests.visits.factories import VisitFactory

    # Django's setting_changed handler rebuilds the cache connections from this.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    VisitFactory(member=unit.member1)
    assert login(unit.zzb).get(reverse("reports:dashboard")).status_code == 200
    with pytest.raises(Exception):  # noqa: B017 - the cache really is unreachable in this test
        cache.get("anything")
