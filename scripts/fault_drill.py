#!/usr/bin/env python
"""Fault drill against the real PostgreSQL and Redis (run by CI after the test suite).

    .venv/bin/python scripts/fault_drill.py

Each drill breaks something for real and checks that nothing is lost, half-done or done twice:

1. two daily-job runs delivered at once to a real Celery worker (a second beat by mistake, or a task
   redelivered): every plan and reminder exists once;
2. a Celery worker process killed with SIGKILL in the middle of building a report: the task is
   redelivered and the report completes once, with one notification;
3. PostgreSQL restarted while gunicorn serves logged-in users: requests fail during the restart and
   succeed again afterwards without restarting the app;
4. PostgreSQL restarted during an import's commit: the import is rolled back whole, and succeeds
   when run again;
5. Redis stopped while reminders are sent: nothing fails, the e-mails wait in the outbox and are
   delivered exactly once when Redis is back.

6. scale-out (`scaleout`, scripts/drill_scaleout.py): two gunicorn nodes and a Celery worker from three
   separate copies of the code, sharing only PostgreSQL, Redis and the S3-compatible file store:
   sessions, CSRF, cached dashboards, background workbooks and imports across nodes, and node A
   killed with SIGKILL under load;
7. point-in-time recovery (`pitr`, scripts/drill_pitr.py): WAL archive and base backup, rows written
   before and after a moment, a second cluster restored to that moment holds exactly the first.

The drill uses its own database (care_drill), Redis db 9 and ports 8766–8770 (change them with
--database, --redis and --port-base), an S3 stand-in (moto_server) as the file store of every
process, and prints a summary; it exits non-zero if any drill fails. It needs root to restart
PostgreSQL and Redis (as CI has). `--only scaleout,pitr` runs those two alone: neither restarts a
service.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
# Set from the command line by configure(): the database, Redis db and ports of this run.
DB = "care_drill"
REDIS = "redis://127.0.0.1:6379/9"
PORT = 8766  # gunicorn of drill 3; +1 and +2 the scale-out nodes, +3 moto_server, +4 and +5 PITR clusters
BUCKET = "care-drill"
ENV: dict[str, str] = {}
PYTHON = sys.executable
results: dict[str, dict] = {}


def configure(*, database: str, redis_url: str, port_base: int) -> None:
    global DB, REDIS, PORT
    DB, REDIS, PORT = database, redis_url, port_base
    ENV.clear()
    ENV.update(
        {
            **os.environ,
            "DATABASE_URL": f"{PG}/{DB}",
            "REDIS_URL": REDIS,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "fault-drill-only-secret-key-0123456789-abcdefghijklmnop",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "*",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "CARE_REPORT_SYNC_MAX_MEMBERS": "10",
            # One file store for every process of the drill, as for several machines: an S3 stand-in.
            "FILE_STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{PORT + 3}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "drill",
            "S3_SECRET_ACCESS_KEY": "drill-secret",
            "S3_ADDRESSING_STYLE": "path",
        }
    )


def start_object_store() -> subprocess.Popen:
    """moto_server on PORT + 3 with the drill's bucket (the file store every process shares)."""
    store = subprocess.Popen(
        [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(PORT + 3)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=ENV["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=ENV["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=ENV["S3_SECRET_ACCESS_KEY"],
    )
    wait_for(lambda: store.poll() is None and _bucket_ready(s3), timeout=30)
    return store


def _bucket_ready(s3) -> bool:
    try:
        s3.create_bucket(Bucket=BUCKET)
    except Exception as exc:
        return "BucketAlreadyOwnedByYou" in str(exc)
    return True


def log(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def pg_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def restart_postgres() -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster(), "main", "restart"], check=True)


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def setup(members: int) -> None:
    import psycopg2

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB}"')
    admin.close()
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo", "--members", str(members)],
    ):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, stdout=subprocess.DEVNULL)
    os.environ.update(ENV)
    import django

    django.setup()


def start_worker(concurrency: int = 2) -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "config",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"drill-{time.time_ns()}@%h",
        ],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    time.sleep(4)
    return worker


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------------------------------------


def drill_twice_delivered() -> dict:
    from django.db import connection

    from core.calendars import spring_festival
    from core.tasks import run_daily_jobs
    from members.models import Organization
    from notifications.models import Notification
    from visits.models import VisitPlan

    connection.close()
    today = dt.date.today()
    festival = spring_festival(today.year + 1)
    day = festival - dt.timedelta(days=20)
    worker = start_worker(concurrency=2)
    try:
        for _ in range(2):  # two beats, or one task delivered twice
            run_daily_jobs.delay(day.isoformat())
        branches = Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True).count()
        wait_for(
            lambda: VisitPlan.objects.filter(year=festival.year, occasion="spring_festival").count() >= branches,
            timeout=120,
        )
        time.sleep(5)  # let the second delivery finish too
    finally:
        stop(worker)
    plans = VisitPlan.objects.filter(year=festival.year, occasion="spring_festival")
    per_branch = plans.values("organization").distinct().count()
    dedupe = Notification.objects.exclude(dedupe_key=None).values("dedupe_key")
    duplicates = dedupe.count() - dedupe.distinct().count()
    ok = plans.count() == branches == per_branch and duplicates == 0
    return {"ok": ok, "branches": branches, "plans": plans.count(), "duplicate_notifications": duplicates}


def drill_worker_killed() -> dict:
    import tempfile

    from django.core.files.storage import default_storage

    from members.models import Organization, User
    from notifications.models import Notification
    from reports.models import ReportJob
    from reports.tasks import build_annual_workbook

    zzb = User.objects.get(username="zzb")
    committee = Organization.objects.get(kind=Organization.Kind.COMMITTEE)
    attempts = []
    for attempt in range(3):
        worker = start_worker(concurrency=1)
        killed_mid_job = False
        try:
            job = ReportJob.objects.create(
                requested_by=zzb, organization=committee, year=dt.date.today().year - attempt
            )
            build_annual_workbook.delay(job.pk)
            wait_for(
                lambda job=job: ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.RUNNING,
                timeout=60,
                interval=0.02,
            )
            time.sleep(0.3)  # into the building of the workbook
            children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
            if ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.RUNNING and children:
                for child in children:
                    os.kill(int(child), signal.SIGKILL)
                killed_mid_job = True
                log(f"killed worker child process(es) {children} while the report was being built")
            wait_for(lambda job=job: ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.DONE, timeout=180)
            time.sleep(3)  # let the worker finish acknowledging before it is stopped
        finally:
            stop(worker)
        job.refresh_from_db()
        notes = Notification.objects.filter(dedupe_key=f"reports.job:{job.pk}").count()
        exists = bool(job.file) and default_storage.exists(job.file.name)
        # Nothing of the killed run: no other stored copy, no local temporary file of this job.
        stored = [n for n in default_storage.listdir("reports")[1] if n.startswith(f"{job.pk}-")]
        local = list(Path(tempfile.gettempdir()).glob(f"care-report-{job.pk}-*"))
        attempts.append(
            {
                "killed_mid_job": killed_mid_job,
                "status": job.status,
                "notifications": notes,
                "file": exists,
                "partial_files_left": len(stored) - 1 + len(local),
            }
        )
        if killed_mid_job:
            break
    last = attempts[-1]
    # Whatever the timing, nothing may be lost or doubled; the drill also wants one kill mid-job.
    intact = all(
        a["status"] == ReportJob.Status.DONE and a["notifications"] == 1 and a["file"] and not a["partial_files_left"]
        for a in attempts
    )
    return {"ok": intact and last["killed_mid_job"], "attempts": attempts}


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from members.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "members.backends.MemberModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def drill_postgres_restart_under_load() -> dict:
    cookie = _session_cookie("zzb")
    gunicorn_log = open(ROOT / "var" / "fault_drill_gunicorn.log", "w")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
        stdout=gunicorn_log,
        stderr=gunicorn_log,
    )
    outcomes: list[tuple[float, int]] = []
    stop_flag = threading.Event()

    def hammer() -> None:
        while not stop_flag.is_set():
            request = urllib.request.Request(f"http://127.0.0.1:{PORT}/members/", headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                    outcomes.append((time.monotonic(), response.status))
            except urllib.error.HTTPError as exc:
                outcomes.append((time.monotonic(), exc.code))
            except OSError:
                outcomes.append((time.monotonic(), 0))
            time.sleep(0.05)

    try:
        wait_for(
            lambda: (
                subprocess.run(
                    ["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORT}/healthz"], check=False
                ).returncode
                == 0
            ),
            timeout=30,
        )
        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(4)
        restarted_at = time.monotonic()
        restart_postgres()
        back_at = time.monotonic()
        time.sleep(8)
        stop_flag.set()
        for thread in threads:
            thread.join()
    finally:
        stop(server)
        gunicorn_log.close()
    before = [code for t, code in outcomes if t < restarted_at]
    after = [code for t, code in outcomes if t > back_at + 2]
    during = [code for t, code in outcomes if restarted_at <= t <= back_at + 2]
    ok = bool(before) and bool(after) and all(c == 200 for c in before) and all(c == 200 for c in after)
    return {
        "ok": ok,
        "requests_before": len(before),
        "failed_during_restart": sum(c != 200 for c in during),
        "requests_after": len(after),
        "failed_after": sum(c != 200 for c in after),
    }


def drill_postgres_restart_during_import() -> dict:
    from django.db import connection

    from bench.work import _roster_file
    from members import importing
    from members.models import Member, User

    rows = 10000
    data = _roster_file(rows)
    before = Member.objects.count()
    admin = User.objects.get(username="admin")
    failure: list[str] = []

    def run_import() -> None:
        from django.db import connection as thread_connection

        try:
            importing.commit_import(data=data, by=admin, confirm_similar=True)
        except Exception as exc:
            failure.append(type(exc).__name__)
        finally:
            thread_connection.close()

    import psycopg2

    def import_in_transaction() -> bool:
        """The import's connection has opened its (single) transaction on the drill database."""
        with psycopg2.connect(f"{PG}/postgres") as probe, probe.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
                "AND xact_start IS NOT NULL AND pid <> pg_backend_pid()",
                [DB],
            )
            return cursor.fetchone()[0] > 0

    connection.close()
    thread = threading.Thread(target=run_import)
    thread.start()
    wait_for(lambda: import_in_transaction() or not thread.is_alive(), timeout=120, interval=0.05)
    time.sleep(0.3)
    interrupted = thread.is_alive()
    restart_postgres()
    thread.join()
    connection.close()
    wait_for(lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0, 30)
    after_failure = Member.objects.count()
    importing.commit_import(data=data, by=admin, confirm_similar=True)
    after_retry = Member.objects.count()
    # Interrupted: nothing of it may remain. Finished first: all of it, and the retry changes nothing.
    whole = after_failure == before if failure else after_failure == before + rows
    ok = interrupted and bool(failure) and whole and after_retry == before + rows
    return {
        "ok": ok,
        "interrupted_by": failure[:1],
        "members_before": before,
        "members_after_interrupted_import": after_failure,
        "members_after_retry": after_retry,
    }


def drill_redis_down() -> dict:
    from django.core import mail
    from django.db import transaction

    from members.models import User
    from notifications import services
    from notifications.models import Notification

    subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, stdout=subprocess.DEVNULL)
    wait_for(lambda: subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).returncode != 0, 10)
    try:
        user = User.objects.get(username="shuji1")
        started = time.monotonic()
        with transaction.atomic():
            services.notify(recipient=user, title="演练：Redis 停机时的提醒", dedupe_key="drill:redis-down")
        took = time.monotonic() - started
        waiting = Notification.objects.filter(dedupe_key="drill:redis-down", emailed_at__isnull=True).exists()
    finally:
        # Redis comes back whatever happened above: CI goes on using it.
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                "/var/lib/redis",
                "--logfile",
                "/var/log/redis/ci.log",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).returncode == 0, 10)
    mail.outbox = []
    first, second = services.flush_outbox(), services.flush_outbox()
    delivered = Notification.objects.filter(dedupe_key="drill:redis-down", emailed_at__isnull=False).exists()
    ok = waiting and first >= 1 and second == 0 and delivered and took < 15
    return {
        "ok": ok,
        "notify_seconds_with_redis_down": round(took, 2),
        "waited_in_outbox": waiting,
        "delivered_after": delivered,
        "second_flush_sent": second,
    }


def drill_scaleout() -> dict:
    from scripts import drill_scaleout

    return {
        "ok": True,
        **drill_scaleout.run(root=ROOT, python=PYTHON, base_env=ENV, ports=(PORT + 1, PORT + 2), log=log),
    }


def drill_pitr() -> dict:
    from scripts import drill_pitr

    return {"ok": True, **drill_pitr.run(pg_url=PG, database=DB, ports=(PORT + 4, PORT + 5), log=log)}


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated drill names (default: all)")
    parser.add_argument("--database", default="care_drill", help="database of the drill (dropped and created)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="Redis URL with the drill's db")
    parser.add_argument("--port-base", type=int, default=8766, help="first of six ports the drill listens on")
    parser.add_argument("--members", type=int, default=4000, help="members of the seeded demo unit")
    args = parser.parse_args()
    only = set(filter(None, (args.only or "").split(",")))
    configure(database=args.database, redis_url=args.redis, port_base=args.port_base)
    # A stop by CI's time limit or Ctrl-C still runs every cleanup (processes, slots, directories).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.chdir(ROOT)
    drills = [
        ("two_deliveries_of_the_daily_jobs", drill_twice_delivered),
        ("worker_killed_mid_report", drill_worker_killed),
        ("postgres_restart_under_load", drill_postgres_restart_under_load),
        ("postgres_restart_during_import", drill_postgres_restart_during_import),
        ("redis_down_while_notifying", drill_redis_down),
        ("scaleout", drill_scaleout),
        ("pitr", drill_pitr),
    ]
    unknown = only - {name for name, _ in drills}
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    store = start_object_store()
    try:
        log(f"setting up {DB} ({args.members:,} members), Redis {REDIS}, S3 stand-in on :{PORT + 3}")
        setup(args.members)
        for name, drill in drills:
            if only and name not in only:
                continue
            log(f"drill: {name}")
            from django.db import connection

            connection.close()  # the previous drill may have restarted the database under this connection
            started = time.monotonic()
            try:
                results[name] = drill()
            except Exception as exc:
                results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            results[name]["seconds"] = round(time.monotonic() - started, 1)
            log(f"  -> {json.dumps(results[name], ensure_ascii=False)}")
    finally:
        store.terminate()
        store.wait(timeout=30)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "fault_drill.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    failed = [name for name, result in results.items() if not result.get("ok")]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
