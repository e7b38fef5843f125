"""The load run: gunicorn as production runs it (gunicorn.conf.py: WEB_CONCURRENCY sync workers,
default two per core) on PostgreSQL, wrk from a second process, mixed logged-in workload beside a
bare Django view under the same load."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

PORT = int(os.environ.get("BENCH_PORT", "8765"))
LUA = r"""
-- A mixed workload of logged-in users: lists, details, dashboards and writes.
-- Each argument is "cookie|path" (a GET) or "cookie|path|body" (a form POST): the path is requested
-- as the user the session cookie belongs to; a POST sends the cookie's csrftoken as X-CSRFToken.
local cookies = {}
local paths = {}
local bodies = {}
init = function(args)
  for i = 1, #args do
    local cookie, rest = args[i]:match("^([^|]*)|(.*)$")
    local path, body = rest:match("^([^|]*)|(.*)$")
    table.insert(cookies, cookie)
    table.insert(paths, path or rest)
    table.insert(bodies, body or false)
  end
end
local n = 0
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  if bodies[i] then
    local token = cookies[i]:match("csrftoken=([^;]+)")
    return wrk.format("POST", paths[i], {
      ["Cookie"] = cookies[i], ["Host"] = "127.0.0.1", ["X-CSRFToken"] = token,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, bodies[i])
  end
  return wrk.format("GET", paths[i], { ["Cookie"] = cookies[i], ["Host"] = "127.0.0.1" })
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f %.3f %.3f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
"""


def _sessions(usernames: set[str]) -> dict[str, str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    from members.models import User

    cookies = {}
    for username in usernames:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "members.backends.MemberModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        # A CSRF cookie beside the session: the POSTs of the workload send it back as X-CSRFToken.
        token = _get_new_csrf_string()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={token}"
    return cookies


def _wrk(seconds: int, requests: list[tuple[str, str]]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    args = [f"{cookie}|{path}" for cookie, path in requests]
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}",
            "--",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    Path(script.name).unlink()
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", output)
    requests, status_errors, socket_errors, timeouts, p50, p95, p99, rps = match.groups()
    return {
        "requests": int(requests),
        "errors": int(status_errors) + int(socket_errors) + int(timeouts),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "rps": round(float(rps), 1),
    }


def _visit_post() -> str:
    """The form the visit page posts: a branch secretary logs a visit to a member of the branch."""
    from urllib.parse import urlencode

    from django.utils import timezone

    from members.models import Member

    secretary = Member.objects.select_related("organization").get(user__username="shuji1")
    member = (
        Member.objects.on_roll()
        .filter(organization_id=secretary.organization_id)
        .exclude(pk=secretary.pk)
        .order_by("pk")
        .first()
    )
    body = urlencode(
        {
            "member": member.pk,
            "occasion": "routine",
            "visited_on": timezone.localdate().isoformat(),
            "visitors": secretary.pk,
            "amount": "200.00",
            "money_source": "other",
            "money_source_note": "单位工会慰问经费",
            "goods": "米、油",
            "notes": "压力测试走访",
        }
    )
    return f"/visits/new/|{body}"


def mixed_workload() -> list[tuple[str, str]]:
    """(username, path or "path|form body"): what logged-in users do in a working day, in proportion.

    Branch secretaries (on phones, the default page size) are most of the traffic: their home page,
    their lists, a second page, a search, a member's or a ledger line's page, a visit logged. The
    organization department opens the county's home page, the dashboard, its lists and a detail
    page. Lists at the default page size as users see them; the pages table measures them at 100.
    """
    from bench import pages

    specs = {(label, user): url for label, user, url, _ in pages.specs()}
    secretary_lists = [
        "/members/",
        "/hardship/",
        "/hardship/pairings/",
        "/visits/",
        "/visits/talks/",
        "/funds/applications/",
        "/visits/coverage/",
    ]
    details = [specs[("党员详情", "zzb")], specs[("困难台帐详情", "zzb")], specs[("走访详情", "zzb")]]
    post = _visit_post()
    pairs: list[tuple[str, str]] = []
    for index, url in enumerate(secretary_lists):
        pairs += [
            ("shuji1", "/"),
            ("shuji1", url),
            ("shuji1", f"{url}?page=2"),
            ("shuji1", f"{url}?q=%E7%8E%8B"),
            ("zzb", url),
            ("zzb", details[index % len(details)]),
        ]
        pairs += [("shuji1", post)]
    pairs += [("zzb", "/"), ("zzb", "/reports/"), ("zzb", "/"), ("zzb", "/reports/")]
    return pairs


def all_pages_workload() -> list[tuple[str, str]]:
    """Every page of the pages table in turn (100 rows a page for the organization department, deep
    pages, searches), a visit logged after every fourth: the heaviest mix, for comparison."""
    from bench import pages

    post = _visit_post()
    pairs = []
    for index, (_, username, url, _) in enumerate(pages.specs(), start=1):
        pairs.append((username, url))
        if index % 4 == 0:
            pairs.append(("shuji1", post))
    return pairs


@contextlib.contextmanager
def serve(*, env: dict, root: Path, python: str):
    """gunicorn on PORT with production's configuration (gunicorn.conf.py: its workers and worker
    hook), until the block ends."""
    server = subprocess.Popen(
        # its access log would only flood this console
        [
            str(Path(python).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=root,
        env=env,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare/", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _warm_up(requests: list[tuple[str, str]]) -> float:
    """Each page of the workloads once, in turn (no visit logged): a working day's server has its
    figures computed, where a freshly started one computes the city's on its first pages. The time it
    takes is the cold start, reported beside the load figures."""
    started = time.monotonic()
    for cookie, path in dict.fromkeys(requests):
        if "|" in path:
            continue
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": cookie})
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=120).read()  # noqa: S310 - our own server, http
    return round(time.monotonic() - started, 1)


def run(*, seconds: int, env: dict, root: Path, python: str, log) -> dict:
    with serve(env=env, root=root, python=python):
        mixed_pairs, heavy_pairs = mixed_workload(), all_pages_workload()
        cookies = _sessions({username for username, _ in mixed_pairs + heavy_pairs})
        warm_up = _warm_up([(cookies[username], path) for username, path in mixed_pairs + heavy_pairs])
        log(f"first pass over every page (cold figures): {warm_up} s")
        mixed = _wrk(seconds, [(cookies[username], path) for username, path in mixed_pairs])
        log(f"load mixed: {mixed}")
        heavy = _wrk(seconds, [(cookies[username], path) for username, path in heavy_pairs])
        log(f"load all pages: {heavy}")
        bare = _wrk(seconds, [(cookie, "/bench/bare/") for cookie in cookies.values()])
        log(f"load bare: {bare}")
    return {
        "seconds": seconds,
        "warm_up_seconds": warm_up,
        "workers": int(env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1)),
        "mixed": mixed,
        "all_pages": heavy,
        "bare": bare,
        "throughput_ratio": round(mixed["rps"] / bare["rps"], 3) if bare["rps"] else None,
        "all_pages_ratio": round(heavy["rps"] / bare["rps"], 3) if bare["rps"] else None,
    }
