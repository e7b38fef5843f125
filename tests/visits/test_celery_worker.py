"""A real Celery worker on the real Redis runs the scheduled job, and its effect lands in the database.

Unit tests run tasks eagerly on memory:// (settings.TESTING); this test points the app at REDIS_URL,
sends `core.run_daily_jobs` through the broker exactly as beat does, and restores the app afterwards.
"""

import datetime as dt
import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.calendars import spring_festival
from core.tasks import run_daily_jobs
from tests.factories import MemberFactory
from visits.models import VisitPlan, VisitPlanItem

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_app():
    url = os.environ["REDIS_URL"]
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(broker_url=url, task_always_eager=False, broker_transport_options={"visibility_timeout": 60})
    try:
        yield app, url
    finally:
        app.conf.update(saved)


def test_a_real_worker_runs_the_daily_jobs_sent_through_redis(unit, redis_app):
    celery_app, url = redis_app
    MemberFactory(organization=unit.branch1, name="老干部", is_retired_cadre=True)
    day = spring_festival(2030) - dt.timedelta(days=5)
    queue = f"care-test-{uuid.uuid4().hex[:8]}"  # a queue of our own: no stale message from an earlier run
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20):
        with celery_app.connection_for_write(url) as connection:
            run_daily_jobs.apply_async(args=[day.isoformat()], queue=queue, connection=connection)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and VisitPlan.objects.filter(year=2030).count() < 3:
            time.sleep(0.2)
    plan = VisitPlan.objects.get(organization=unit.branch1, year=2030, occasion="spring_festival")
    assert VisitPlanItem.objects.get(plan=plan).member.name == "老干部"
    assert VisitPlan.objects.filter(year=2030).count() == 3
