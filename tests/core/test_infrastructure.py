import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from core import jobs
from core.xlsx import Column, Workbook, safe_text

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, settings, tmp_path):
    if settings.REDIS_URL:  # the real Redis, as in production
        settings.CELERY_BROKER_URL = settings.REDIS_URL
    else:  # the embedded broker, its folder made as `make run` makes it
        settings.CELERY_BROKER_URL = "filesystem://"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(tmp_path),
        }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_healthz_answers_503_when_the_embedded_brokers_folder_is_missing(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(tmp_path / "never-made"),
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable", "status": "degraded"}


def test_run_daily_jobs_runs_registered_jobs_for_each_day(monkeypatch):
    seen = []
    monkeypatch.setattr(jobs, "_jobs", {})
    jobs.daily_job("test.job", label="测试")(lambda day: seen.append(day) or {"创建": 1})
    out = io.StringIO()
    call_command("run_daily_jobs", "--date", "2026-01-30", "--until", "2026-02-01", stdout=out)
    assert seen == [dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 1)]
    assert "test.job: 创建 1" in out.getvalue()


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    seen = []
    monkeypatch.setattr(jobs, "_jobs", {})

    def broken(day):
        raise ValueError("boom")

    jobs.daily_job("a.broken", label="坏", order=1)(broken)
    jobs.daily_job("b.fine", label="好", order=2)(lambda day: seen.append(day) or {})
    with pytest.raises(RuntimeError, match=r"a\.broken"):
        jobs.run_daily(day=dt.date(2026, 1, 1))
    assert seen == [dt.date(2026, 1, 1)]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_are_neutralised(text):
    assert safe_text(text).startswith("'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("", ""),
        ("a-b", "a-b"),
        ("\x01=1+1", "'=1+1"),
        ("a\x00b\x0bc\x1f", "abc"),
        ("第一行\n第二行", "第一行\n第二行"),
        ("\u3000全角空格", "\u3000全角空格"),
        ("\x0c\tx", "'\tx"),
    ],
)
def test_safe_text_drops_control_characters_then_neutralises(text, expected):
    assert safe_text(text) == expected


def test_workbook_writes_types_title_and_totals():
    with Workbook() as book:
        sheet = book.sheet("表", "标题", [Column("名称"), Column("日期", kind="date"), Column("金额", kind="money")])
        sheet.append(["甲", dt.date(2026, 1, 2), "10.50"])
        sheet.append(["=cmd", dt.date(2026, 1, 3), 5])
        sheet.add_totals()
        book.close()
        data = book.getvalue()
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "标题"
    assert rows[1] == ("名称", "日期", "金额")
    assert rows[2][1] == dt.datetime(2026, 1, 2)
    assert rows[3][0] == "'=cmd"
    assert rows[4] == ("合计", None, 15.5)
    assert ws.freeze_panes == "A3"


def test_the_hourly_task_runs_the_business_day_of_asia_shanghai(monkeypatch):
    """Beat runs on UTC; at 16:00:30 UTC it is already 00:00:30 of the next day in Beijing, and the jobs
    must run for that day (neither the previous day twice nor the new day missed)."""
    import datetime as dt

    from django.utils import timezone

    from core.tasks import run_daily_jobs

    seen = []
    monkeypatch.setattr(jobs, "_jobs", {})
    jobs.daily_job("test.day", label="测试")(lambda day: seen.append(day) or {})
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 1, 1, 16, 0, 30, tzinfo=dt.UTC))
    run_daily_jobs()
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 1, 1, 15, 59, 30, tzinfo=dt.UTC))
    run_daily_jobs()
    assert seen == [dt.date(2026, 1, 2), dt.date(2026, 1, 1)]


def test_no_task_waits_longer_than_the_broker_visibility_timeout():
    """Redis redelivers a task it has not seen acknowledged within the visibility timeout: a retry
    delay, a backoff or a beat entry's expiry beyond it would run the task twice. Checked on every task
    our apps register and every entry of the beat schedule."""
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) >= 4  # the daily jobs, e-mail delivery, the outbox sweep, report building
    for task in ours:
        assert (task.default_retry_delay or 0) < visibility, task.name
        assert (getattr(task, "retry_backoff_max", 0) or 0) < visibility, task.name
        assert task.acks_late, f"{task.name}: a task lost with its worker must be delivered again"
    for name, entry in app.conf.beat_schedule.items():
        expires = entry.get("options", {}).get("expires", 0)
        assert expires < visibility, name
