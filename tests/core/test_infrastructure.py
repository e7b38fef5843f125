import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from core import jobs
from core.xlsx import Column, Workbook, safe_text

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


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


@pytest.mark.parametrize(("text", "expected"), [
    ("张三", "张三"), ("", ""), ("a-b", "a-b"), ("\x01=1+1", "'=1+1"), ("a\x00b\x0bc\x1f", "abc"),
    ("第一行\n第二行", "第一行\n第二行"), ("\u3000全角空格", "\u3000全角空格"), ("\x0c\tx", "'\tx"),
])
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


def test_no_task_is_scheduled_further_ahead_than_the_broker_visibility_timeout():
    """A countdown/ETA beyond Redis's visibility timeout makes the broker deliver the task twice."""
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    sources = [p for app in ("core", "members", "notifications", "hardship", "visits", "funds", "awards", "reports")
               for p in (root / app).rglob("*.py") if "migrations" not in p.parts]
    delays = [
        (path.name, match.group(0))
        for path in sources
        for match in re.finditer(r"\b(countdown|eta|expires)\s*=\s*[^,)\n]+", path.read_text(encoding="utf-8"))
    ]
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    for name, expression in delays:
        value = re.search(r"\d+", expression)
        assert value is not None and int(value.group(0)) < visibility, f"{name}: {expression}"
