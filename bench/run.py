#!/usr/bin/env python
"""`make bench`: a county-sized benchmark on PostgreSQL, written to bench/results.md and .json.

    python bench/run.py [--members 20000] [--reuse] [--only pages,workbook,import,daily,load,phone]
    python bench/run.py --profile city [--scale 0.25] [--reuse] [--only pages,daily]

Builds (or, with --reuse, keeps) the database `care_bench` with `seed_demo --members N` plus the
history of bench/history.py, then measures each target of the performance issue over repeated runs
(median and p95) beside its baseline in the same run: Django admin's changelist, django-import-export's
default export and import, a bare XlsxWriter write, and a bare Django view under the same load.
Nothing here is a test: numbers are reported, never asserted.

`--profile city` runs the county (database care_bench) and the city (care_bench_city: 200,000
members times --scale, 5,000 branches times --scale under 党总支 and ten county 党委, ten years of
history, bench/history.py) one after the other, each in its own process, the pages at both scales
in alternating rounds (PAGE_ROUNDS), and writes both with a growth table (each figure at both scales
and their ratio) beside the issue's targets.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "care_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "*",
    "ROOT_URLCONF": "bench.urls",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    # The cache as in production (docker-compose): shared by the load run's gunicorn workers.
    "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/6"),
    "LOG_LEVEL": "WARNING",
}
PYTHON = sys.executable
ALL_PARTS = ("pages", "workbook", "import", "daily", "load", "phone")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


# ----------------------------------------------------------------------------------------------
# Database


def build_database(members: int, reuse: bool) -> float | None:
    """Seconds the data took to build (None when reused)."""
    import psycopg2

    manage("collectstatic", "--noinput", "-v0")  # production settings serve hashed static files
    import redis

    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()  # no figures cached from an earlier database
    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        exists = cursor.fetchone() is not None
        if exists and reuse:
            log(f"reusing database {DB_NAME}")
            admin.close()
            manage("migrate", "--noinput", "-v0")
            return None
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()
    log("migrate")
    manage("migrate", "--noinput", "-v0")
    started = time.monotonic()
    log(f"seed_demo --members {members}")
    manage("seed_demo", "--members", str(members))
    log("history at county ratios")
    subprocess.run([PYTHON, "-m", "bench.history"], cwd=ROOT, env=ENV, check=True)
    built = time.monotonic() - started
    log(f"database built in {built:.0f} s")
    manage("shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    return round(built)


def vacuum() -> None:
    """VACUUM ANALYZE the benchmark database, as autovacuum would have by then. The import and the
    daily jobs are measured inside transactions rolled back (tens of thousands of notifications and
    members left dead), and this machine's PostgreSQL runs with autovacuum off: without it the parts
    measured next read bloated tables with stale statistics (every page's unread-notification count
    took a sequential scan of 150,000 dead rows, ~12 ms, at city scale)."""
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{DB_NAME}")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def django_setup() -> None:
    os.environ.update(ENV)
    import django

    django.setup()


# ----------------------------------------------------------------------------------------------
# Statistics


def summarize(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(ordered)}


def ratio(ours: float, baseline: float) -> float | None:
    return round(ours / baseline, 2) if baseline else None


# ----------------------------------------------------------------------------------------------
# Pages


def page_specs():
    """(label, username, url, admin_url) for every list page, first page and a deep page, with and
    without a search. Page size 100 to match the admin changelist's default list_per_page."""
    from bench import pages

    return pages.specs()


def time_pages(repeats: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.runtime import prepare_worker

    prepare_worker()  # the process as gunicorn's workers run it (gunicorn.conf.py)
    users = {}
    results = []

    def measure(username: str, url: str) -> dict:
        client = Client()
        if username not in users:
            users[username] = get_user_model().objects.get(username=username)
        client.force_login(users[username])
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} as {username}: HTTP {response.status_code}")
        # Each page is timed from a collected heap: the garbage the pages before it left (an admin
        # changelist's thousands of objects) is not charged to its requests as a collection of the
        # older generations, which in rounds of fresh processes fell on the same page every round (a
        # county 谈心谈话 list's first request, 425 ms). A page's own garbage is still collected in its time.
        gc.collect()
        times, queries = [], []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
        return {"ms": summarize(times), "queries": max(queries), "samples": [round(t, 2) for t in times]}

    for label, username, url, admin_url in page_specs():
        row = {"page": label, "user": username, "url": url, **measure(username, url)}
        if admin_url:
            admin = measure("admin", admin_url)
            row["admin"] = admin
            row["admin_ratio"] = ratio(row["ms"]["p95"], admin["ms"]["p95"])
        log(
            f"page {label} ({username}): p95 {row['ms']['p95']} ms, {row['queries']} queries"
            + (f", admin p95 {row['admin']['ms']['p95']} ms" if admin_url else "")
        )
        results.append(row)
    return results


# ----------------------------------------------------------------------------------------------
# Work measured in a child process (wall time and peak memory of that work alone)


def _peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over an
    exec from the parent (the benchmark process, large after timing the pages), so a child's own
    peak could not be told from it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(kind: str) -> dict:
    """Runs in a fresh process: `python bench/run.py --child KIND`; prints one JSON line."""
    django_setup()
    from django.core.cache import cache

    from bench import work

    # The work runs in a Celery worker, whose broker and cache client (Redis) are loaded and connected
    # before any task: so here, before the baseline. Its first use alone is ~5 MB of resident memory,
    # which a job reading one cached value (the annual workbook's organization tree) would otherwise
    # count as its own, at both scales alike.
    cache.get("bench:warm-up")
    baseline_kb = _peak_rss_kb()
    started = time.perf_counter()
    extra = getattr(work, kind)()
    seconds = time.perf_counter() - started
    peak_kb = _peak_rss_kb()
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round((peak_kb - baseline_kb) / 1024, 1),
        "rss_mb": round(peak_kb / 1024, 1),
        **(extra or {}),
    }


def run_child(kind: str, repeats: int = 1) -> dict:
    runs = []
    for _ in range(repeats):
        output = (
            subprocess.run(
                [PYTHON, "bench/run.py", "--child", kind], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        runs.append(json.loads(output))
    result = dict(runs[-1])
    result["seconds"] = summarize([r["seconds"] for r in runs])
    result["peak_mb"] = max(r["peak_mb"] for r in runs)
    log(f"{kind}: median {result['seconds']['median']} s, peak +{result['peak_mb']} MB")
    return result


def _city() -> bool:
    """The city's targets compare it with the county and the XlsxWriter floor, not with
    django-import-export: that baseline (~8 minutes and over a gigabyte at city scale) is run at
    county scale only."""
    return os.environ.get("BENCH_PROFILE") == "city"


def measure_workbook(repeats: int) -> dict:
    ours = run_child("annual_workbook", repeats)
    floor = run_child("xlsxwriter_floor", repeats)
    result = {
        "ours": ours,
        "xlsxwriter_floor": floor,
        "time_vs_floor": ratio(ours["seconds"]["median"], floor["seconds"]["median"]),
    }
    if not _city():
        tablib = run_child("import_export_export", 1)
        result |= {
            "import_export": tablib,
            "speedup_vs_import_export": ratio(tablib["seconds"]["median"], ours["seconds"]["median"]),
            "memory_vs_import_export": ratio(ours["peak_mb"], tablib["peak_mb"]),
        }
    return result


def measure_import(repeats: int) -> dict:
    result = {"ours": run_child("roster_import", repeats)}
    if not _city():
        default = run_child("import_export_row_by_row", 1)
        result |= {
            "import_export": default,
            "speedup": ratio(default["seconds"]["median"], result["ours"]["seconds"]["median"]),
        }
    return result


def measure_daily(repeats: int) -> dict:
    return run_child("daily_jobs", repeats)


# ----------------------------------------------------------------------------------------------
# Load run: gunicorn as gunicorn.conf.py runs it on PostgreSQL, wrk from a second process


def measure_load(seconds: int) -> dict:
    from bench import load

    if not shutil.which("wrk"):
        log("installing wrk (Debian package)")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    return load.run(seconds=seconds, env=ENV, root=ROOT, python=PYTHON, log=log)


# ----------------------------------------------------------------------------------------------
# Report


def _without_samples(results: dict) -> dict:
    """The results as written: each page's figures, not its raw timings (merged across rounds first)."""

    def clean(row: dict) -> dict:
        row = {key: value for key, value in row.items() if key != "samples"}
        if "admin" in row:
            row["admin"] = clean(row["admin"])
        return row

    def cleaned(part: dict) -> dict:
        return {**part, "pages": [clean(row) for row in part["pages"]]} if "pages" in part else part

    results = cleaned(results)
    return {**results, "city": cleaned(results["city"])} if "city" in results else results


def write_results(results: dict) -> None:
    from bench import report

    results = _without_samples(results)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (ROOT / "bench" / "results.md").write_text(report.markdown(results), encoding="utf-8")
    log("wrote bench/results.md and bench/results.json")


CITY_MEMBERS = 200_000
# The pages are timed at both scales in alternating rounds (county, city, county, …), each a share of
# the repeats, and each page's rounds merged before its median and p95: this machine's speed moves by a
# fifth within the hour, and pages timed ten minutes apart compared its drift as much as the scales.
PAGE_ROUNDS = 3


def merge_page_rounds(rounds: list[list[dict]]) -> list[dict]:
    """Each page's timings of every round as one sample (median, p95), its queries the most of any."""

    def merged(runs: list[dict]) -> dict:
        samples = [t for run in runs for t in run["samples"]]
        return {"ms": summarize(samples), "queries": max(run["queries"] for run in runs), "samples": samples}

    pages = []
    for rows in zip(*rounds, strict=True):
        row = {**rows[0], **merged(list(rows))}
        if "admin" in row:
            row["admin"] = merged([r["admin"] for r in rows])
            row["admin_ratio"] = ratio(row["ms"]["p95"], row["admin"]["ms"]["p95"])
        pages.append(row)
    return pages


def time_pages_in_rounds(args, runs: dict[str, tuple[int, dict]]) -> dict[str, list[dict]]:
    """{profile: its pages}, timed in PAGE_ROUNDS alternating rounds of `--repeats / PAGE_ROUNDS`
    (`runs`: each profile's members and environment; their databases are built by then)."""
    repeats = max(2, -(-args.repeats // PAGE_ROUNDS))
    rounds: dict[str, list[list[dict]]] = {name: [] for name in runs}
    for number in range(PAGE_ROUNDS):
        for name, (members, env) in runs.items():
            log(f"pages, round {number + 1} of {PAGE_ROUNDS}: {name}")
            file = ROOT / "var" / f"bench-{name}-pages.json"
            command = ["--members", str(members), "--reuse", "--only", "pages", "--repeats", str(repeats)]
            subprocess.run(
                [PYTHON, "bench/run.py", *command, "--results-file", str(file)], cwd=ROOT, env=env, check=True
            )
            rounds[name].append(json.loads(file.read_text(encoding="utf-8"))["pages"])
    return {name: merge_page_rounds(found) for name, found in rounds.items()}


def run_city(args) -> None:
    """County, then city, each in a child process writing its own results (the pages in alternating
    rounds at both scales, PAGE_ROUNDS); then the growth table."""
    from bench import report

    started = time.monotonic()
    only = [part for part in args.only.split(",") if part != "pages"]
    common = [
        "--repeats",
        str(args.repeats),
        "--load-seconds",
        str(args.load_seconds),
        "--only",
        ",".join(only) or "none",
        *(["--reuse"] if args.reuse else []),
    ]
    files = {name: ROOT / "var" / f"bench-{name}.json" for name in ("county", "city")}
    members = round(CITY_MEMBERS * args.scale)
    runs = {
        "county": (args.members, {**os.environ, "BENCH_PROFILE": "county"}),
        "city": (
            members,
            {**os.environ, "BENCH_DB": f"{DB_NAME}_city", "BENCH_PROFILE": "city", "BENCH_SCALE": str(args.scale)},
        ),
    }
    if args.county_results:  # county figures measured earlier (the same parts), to spare a shared machine
        files["county"] = Path(args.county_results)
        del runs["county"]
    for name, (count, env) in runs.items():
        log(f"{name} ({count} members{f', scale {args.scale}' if name == 'city' else ''})")
        subprocess.run(
            [PYTHON, "bench/run.py", "--members", str(count), "--results-file", str(files[name]), *common],
            cwd=ROOT,
            env=env,
            check=True,
        )
    results = json.loads(files["county"].read_text(encoding="utf-8"))
    city = json.loads(files["city"].read_text(encoding="utf-8"))
    if "pages" in args.only.split(","):
        pages = time_pages_in_rounds(args, runs)
        city["pages"] = pages["city"]
        if "county" in pages:
            results["pages"] = pages["county"]
    previous = ROOT / "bench" / "results.json"
    if args.reuse and set(args.only.split(",")) != set(ALL_PARTS) and previous.exists():
        # A partial re-run updates the parts it measured, at both scales, and keeps the others of the last run.
        last = json.loads(previous.read_text(encoding="utf-8"))
        city = {**last.get("city", {}), **city}
        results = {**last, **results, "when": last.get("when", results["when"])}
        results.setdefault("partial_reruns", []).append(f"{time.strftime('%Y-%m-%d %H:%M')}: {args.only}")
    else:
        results["total_seconds"] = round(time.monotonic() - started)
    results["city"] = city
    results["city"]["scale"] = args.scale
    results["growth"] = report.growth(results, results["city"])
    write_results(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument(
        "--profile",
        choices=("county", "city"),
        default="county",
        help="city: the county and the city in one invocation, with a growth table",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="city profile: the fraction of the city built (members, branches and history)",
    )
    parser.add_argument("--results-file", help=argparse.SUPPRESS)
    parser.add_argument(
        "--county-results",
        help="city profile: reuse the county's results of an earlier run "
        "(var/bench-county.json) instead of measuring the county again",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark database")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--only", default=",".join(ALL_PARTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.profile == "city":
        run_city(args)
        return
    started = time.monotonic()
    built = build_database(args.members, args.reuse)
    vacuum()  # what earlier runs left, on a reused database
    django_setup()
    only = set(args.only.split(","))
    previous = ROOT / "bench" / "results.json"
    results: dict = {}
    if args.reuse and only != set(ALL_PARTS) and previous.exists() and not args.results_file:
        # A partial re-run updates the parts it measured and keeps the others of the last run.
        results = json.loads(previous.read_text(encoding="utf-8"))
        results.setdefault("partial_reruns", []).append(f"{time.strftime('%Y-%m-%d %H:%M')}: {args.only}")
    results |= {
        "when": results.get("when") or time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "members": args.members,
        "profile": os.environ.get("BENCH_PROFILE", "county"),
    }
    if built is not None:
        results["build_seconds"] = built
    from bench import history

    results["data"] = history.counts()
    if "pages" in only:
        results["pages"] = time_pages(args.repeats)
    if "workbook" in only:
        results["workbook"] = measure_workbook(3)
    if "import" in only:
        results["import"] = measure_import(3)
        vacuum()
    if "daily" in only:
        results["daily"] = measure_daily(3)
        vacuum()
    if "load" in only:
        results["load"] = measure_load(args.load_seconds)
    if "phone" in only:
        from bench import phone

        results["phone"] = phone.run(env=ENV, root=ROOT, python=PYTHON, log=log)
    if "partial_reruns" not in results:
        results["total_seconds"] = round(time.monotonic() - started)
    if args.results_file:
        Path(args.results_file).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        return
    write_results(results)


if __name__ == "__main__":
    os.chdir(ROOT)
    tempfile.tempdir = str(ROOT / "var")
    main()
