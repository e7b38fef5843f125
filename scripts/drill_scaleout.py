"""Scale-out drill (part of scripts/fault_drill.py): two web nodes and a worker, each started from its
own copy of the code with its own working and temporary directories, sharing nothing local: only
PostgreSQL, Redis and the S3-compatible file store (moto_server standing in for it) configured
through the environment, as three machines would.

Logged-in users alternate between node A and node B the way a load balancer sends them, and each
request carries what the reverse proxy adds (Host and X-Forwarded-Proto: https, with SECURE_SSL on).
"""

from __future__ import annotations

import html.parser
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import client as http_client
from pathlib import Path
from urllib.parse import urlencode

HOST = "care.example.test"


class DrillFailed(AssertionError):
    pass


def expect(condition, detail) -> None:
    """A promise of the drill: unlike `assert`, never optimised away."""
    if not condition:
        raise DrillFailed(detail)


# --- a browser as the proxy forwards it ----------------------------------------------------------


@dataclass
class Browser:
    """Cookies kept across nodes (the load balancer's clients keep theirs); no redirect is followed."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict, bytes]:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "Referer": f"https://{HOST}/",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = http_client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def get(self, port: int, path: str, **kwargs):
        return self.request(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, fields: dict | list, **kwargs):
        body = urlencode(fields, doseq=True).encode()
        return self.request(port, "POST", path, body, "application/x-www-form-urlencoded", **kwargs)

    def post_file(self, port: int, path: str, fields: dict, name: str, filename: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(port, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def form_field(page: bytes, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page.decode()) or re.search(
        rf'value="([^"]*)" name="{name}"', page.decode()
    )
    if not match:
        raise AssertionError(f"no {name} in the page")
    return match.group(1)


class _Tables(html.parser.HTMLParser):
    """Every table of a page as rows of cell texts (the dashboard's figures)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def dashboard_figure(page: bytes, header: str) -> int:
    """The 合计 of a dashboard table's column."""
    parser = _Tables()
    parser.feed(page.decode())
    for table in parser.tables:
        if table and header in table[0]:
            column = table[0].index(header)
            total = next(row for row in table if row and row[0] == "合计")
            return int(total[column].replace(",", ""))
    raise AssertionError(f"no {header} on the dashboard")


def roster_file(rows: int) -> bytes:
    """New members for the first branch, with ID numbers no other drill uses."""
    import datetime as dt

    from openpyxl import Workbook

    from members.models import Organization
    from members.validators import id_check_digit

    branch = Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("path").first()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "性别", "出生日期", "身份证号", "联系电话", "所在支部", "入党日期", "党员类别", "就业状况"])
    for index in range(rows):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=index)
        first17 = f"990102{birth:%Y%m%d}{index // 10 % 100:02d}{(index % 5) * 2 + 1}"
        sheet.append(
            [
                "扩容演练",
                "男",
                birth,
                first17 + id_check_digit(first17),
                "13800000000",
                branch.name,
                birth + dt.timedelta(days=25 * 366),
                "正式党员",
                "在职",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the three machines ----------------------------------------------------------------------------


def copy_code(root: Path, target: Path) -> None:
    """The code as a deployment would have it: the repository's files, nothing of this checkout's
    var/, virtualenv or caches."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, check=True, capture_output=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "tmp").mkdir()


@dataclass
class Machine:
    name: str
    directory: Path
    process: subprocess.Popen | None = None
    log: object = None

    def env(self, base: dict) -> dict:
        return {**base, "TMPDIR": str(self.directory / "tmp"), "MEDIA_ROOT": str(self.directory / "var" / "media")}

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.log:
            self.log.close()
            self.log = None


def start_web(machine: Machine, port: int, base_env: dict, python: str) -> None:
    env = {
        **machine.env(base_env),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "SECURE_SSL": "1",
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "TRUSTED_PROXY_COUNT": "1",
    }
    machine.log = open(machine.directory / "gunicorn.log", "w")  # noqa: SIM115 - closed in kill()
    # gunicorn.conf.py of this copy (its cwd): workers, bind, trust and the worker hook.
    machine.process = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "config.wsgi:application"],
        cwd=machine.directory,
        env=env,
        start_new_session=True,
        stdout=machine.log,
        stderr=subprocess.STDOUT,
    )
    # Ready when the container healthcheck of the image passes against it.
    check_env = {**env, "HEALTHCHECK_PORT": str(port)}
    deadline = time.monotonic() + 60
    while (
        subprocess.run(
            [python, "scripts/healthcheck.py"], cwd=machine.directory, env=check_env, capture_output=True, check=False
        ).returncode
        != 0
    ):
        if time.monotonic() > deadline or machine.process.poll() is not None:
            tail = (machine.directory / "gunicorn.log").read_text()[-2000:]
            raise RuntimeError(f"node {machine.name} did not become healthy: {tail}")
        time.sleep(0.5)


def start_worker(machine: Machine, base_env: dict, python: str) -> None:
    machine.log = open(machine.directory / "celery.log", "w")  # noqa: SIM115 - closed in kill()
    machine.process = subprocess.Popen(
        [
            str(Path(python).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"scaleout-{time.time_ns()}@%h",
        ],
        cwd=machine.directory,
        env=machine.env(base_env),
        start_new_session=True,
        stdout=machine.log,
        stderr=subprocess.STDOUT,
    )


def login(browser: Browser, *, form_from: int, post_to: int, username: str) -> None:
    """The login form rendered by one node and submitted to the other (CSRF across nodes)."""
    status, _, page = browser.get(form_from, "/accounts/login/")
    expect(status == 200, status)
    status, headers, _ = browser.post(
        post_to,
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
            "username": username,
            "password": "demo12345",
        },
    )
    expect(status == 302 and headers["location"] == "/", (status, headers.get("location")))


def run(*, root: Path, python: str, base_env: dict, ports: tuple[int, int], log) -> dict:
    """Every step's result; raises on the first broken promise."""
    from django.core.files.storage import default_storage

    from members.models import Member, Organization
    from reports.models import ReportJob

    port_a, port_b = ports
    work = Path(tempfile.gettempdir()) / f"care-scaleout-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    machines = {name: Machine(name, work / name) for name in ("node-a", "node-b", "worker")}
    result: dict = {}
    try:
        started = time.monotonic()
        for machine in machines.values():
            copy_code(root, machine.directory)
            # As the image build does: the hashed static files of this copy.
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=machine.directory,
                env=machine.env(base_env),
                check=True,
            )
        start_web(machines["node-a"], port_a, base_env, python)
        start_web(machines["node-b"], port_b, base_env, python)
        start_worker(machines["worker"], base_env, python)
        result["nodes_up_seconds"] = round(time.monotonic() - started, 1)
        log(f"  node A :{port_a}, node B :{port_b} and a worker up from three copies in {work}")

        # 1. Session and CSRF across nodes.
        secretary = Browser()
        login(secretary, form_from=port_a, post_to=port_b, username="shuji1")
        status, _, home = secretary.get(port_a, "/")
        expect(status == 200 and "退出" in home.decode(), "the session opened on B does not work on A")
        result["session_and_csrf_across_nodes"] = True

        # 2. A save on one node shows at once on the other's dashboard (the cache is shared).
        me = Member.objects.select_related("organization").get(user__username="shuji1")
        visited = Member.objects.on_roll().filter(organization_id=me.organization_id).exclude(pk=me.pk).first()
        before = {port: dashboard_figure(secretary.get(port, "/reports/")[2], "走访慰问") for port in ports}
        status, _, page = secretary.get(port_b, "/visits/new/")
        status, headers, _ = secretary.post(
            port_a,
            "/visits/new/",
            {
                "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
                "member": visited.pk,
                "occasion": "routine",
                "visited_on": time.strftime("%Y-%m-%d"),
                "visitors": me.pk,
                "notes": "演练：跨节点保存",
            },
        )
        expect(status == 302, f"the visit form rendered by B was refused by A: {status}")
        after = dashboard_figure(secretary.get(port_b, "/reports/")[2], "走访慰问")
        expect(before[port_a] == before[port_b] and after == before[port_b] + 1, (before, after))
        result["dashboard_on_b_after_save_on_a"] = f"{before[port_b]} → {after}"

        # 3. The annual workbook built in the background by the worker, downloaded through both nodes.
        department = Browser()
        login(department, form_from=port_b, post_to=port_a, username="zzb")
        committee = Organization.objects.get(kind=Organization.Kind.COMMITTEE)
        year = time.localtime().tm_year
        status, headers, _ = department.get(port_a, f"/reports/annual.xlsx?org={committee.pk}&year={year}")
        expect(status == 302 and "/reports/jobs/" in headers["location"], (status, headers.get("location")))
        job_path = headers["location"]
        job_id = int(re.search(r"/jobs/(\d+)/", job_path).group(1))
        built_at = time.monotonic()
        deadline = built_at + 180
        while ReportJob.objects.get(pk=job_id).status != ReportJob.Status.DONE:
            expect(time.monotonic() < deadline, "the worker did not build the workbook")
            expect(ReportJob.objects.get(pk=job_id).status != ReportJob.Status.FAILED, "the workbook job failed")
            time.sleep(0.5)
        result["workbook_built_seconds"] = round(time.monotonic() - built_at, 1)
        downloads = {}
        for port in ports:
            status, headers, body = department.get(port, f"/reports/jobs/{job_id}/download/")
            expect(status == 200 and body[:2] == b"PK", f"download through :{port} answered {status}")
            downloads[port] = body
        expect(downloads[port_a] == downloads[port_b], "the two nodes served different files")
        from openpyxl import load_workbook

        sheets = load_workbook(io.BytesIO(downloads[port_a]), read_only=True).sheetnames
        expect(sheets[0] == "汇总", f"not the annual workbook: {sheets}")
        stored = ReportJob.objects.get(pk=job_id).file.name
        expect(default_storage.exists(stored), f"{stored} is not in the shared store")
        local = [
            str(p)
            for m in machines.values()
            for p in m.directory.rglob("*.xlsx")
            if "reports" in p.parts or p.name.startswith("care-report-")
        ]
        expect(not local, f"report files on a machine's own disk: {local}")
        result["workbook_downloaded_through_both_nodes"] = f"{len(downloads[port_a]):,} bytes, {stored}"

        # 4. A roster import previewed on A is confirmed on B.
        administrator = Browser()
        login(administrator, form_from=port_a, post_to=port_b, username="admin")
        rows = 200
        before_members = Member.objects.count()
        status, _, page = administrator.get(port_a, "/members/import/")
        status, _, preview = administrator.post_file(
            port_a,
            "/members/import/",
            {"csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken")},
            "file",
            "名册.xlsx",
            roster_file(rows),
        )
        expect(status == 200, status)
        token = form_field(preview, "token")
        expect(default_storage.exists(f"imports/{token}.xlsx"), "the previewed upload is not in the shared store")
        status, headers, _ = administrator.post(
            port_b,
            "/members/import/",
            {
                "csrfmiddlewaretoken": form_field(preview, "csrfmiddlewaretoken"),
                "token": token,
                "confirm_similar": "on",
            },
        )
        expect(status == 302, f"the confirm on B answered {status}")
        expect(Member.objects.count() == before_members + rows, f"{Member.objects.count() - before_members} imported")
        expect(not default_storage.exists(f"imports/{token}.xlsx"), "the confirmed upload was left in the store")
        result["import_previewed_on_a_confirmed_on_b"] = f"{rows} members"

        # 5. Node A killed with SIGKILL under load: B keeps serving, no confirmed write lost or half-written.
        result["sigkill_node_a_under_load"] = _kill_under_load(machines["node-a"], ports, secretary, me, visited, log)
        return result
    finally:
        for machine in machines.values():
            machine.kill()
        shutil.rmtree(work, ignore_errors=True)


def _kill_under_load(node_a: Machine, ports, browser: Browser, me, visited, log) -> dict:
    """Writers log visits (a visit row and its visitor rows, one transaction) through both nodes in turn;
    node A is killed outright half-way. A write the app confirmed (302) must be in the database whole."""
    from django.db import connection

    from visits.models import Visit

    port_a, port_b = ports
    marker = f"演练-{uuid.uuid4().hex[:8]}"
    confirmed: list[str] = []
    outcomes: list[tuple[float, int, int]] = []  # (time, port, status or 0)
    stop = threading.Event()
    lock = threading.Lock()
    counter = iter(range(1_000_000))

    def writer() -> None:
        own = Browser(cookies=dict(browser.cookies))
        while not stop.is_set():
            with lock:
                n = next(counter)
            port = ports[n % 2]
            note = f"{marker}-{n}"
            try:
                status, _, page = own.get(port, "/visits/new/", timeout=10)
                status, _, _ = own.post(
                    port,
                    "/visits/new/",
                    {
                        "csrfmiddlewaretoken": form_field(page, "csrfmiddlewaretoken"),
                        "member": visited.pk,
                        "occasion": "routine",
                        "visited_on": time.strftime("%Y-%m-%d"),
                        "visitors": me.pk,
                        "notes": note,
                    },
                    timeout=10,
                )
            except (OSError, AssertionError, http_client.HTTPException):
                status = 0
            outcomes.append((time.monotonic(), port, status))
            if status == 302:
                with lock:
                    confirmed.append(note)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(6)
    killed_at = time.monotonic()
    node_a.kill(signal.SIGKILL)
    log(f"  node A killed with SIGKILL after {len(confirmed)} confirmed writes")
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join()
    connection.close()
    saved = dict(Visit.objects.filter(notes__startswith=marker).values_list("notes", "pk"))
    lost = [note for note in confirmed if note not in saved]
    half = Visit.objects.filter(notes__startswith=marker, visitors__isnull=True).count()
    b_after = [status for t, port, status in outcomes if port == port_b and t > killed_at]
    a_after = [status for t, port, status in outcomes if port == port_a and t > killed_at + 1]
    report = {
        "writes_confirmed": len(confirmed),
        "writes_in_database": len(saved),
        "confirmed_but_lost": len(lost),
        "visits_without_visitors": half,
        "b_requests_after_kill": len(b_after),
        "b_failures_after_kill": sum(status != 302 for status in b_after),
        "a_requests_refused_after_kill": sum(status == 0 for status in a_after),
    }
    expect(not lost and not half, report)
    expect(b_after and all(status == 302 for status in b_after), report)
    expect(a_after and all(status == 0 for status in a_after), report)
    return report
