"""Point-in-time recovery drill (part of scripts/fault_drill.py), with the operator's own scripts:
scripts/pitr_wal_archive.sh streams the WAL (pg_receivewal, a replication slot), scripts/
pitr_base_backup.sh takes a base backup, rows are written, a moment is noted, more rows are written,
and scripts/pitr_restore.sh prepares a second cluster (its own port and data directory) that
PostgreSQL replays to that moment: it must hold exactly the rows written before it.

The source is the configured PostgreSQL when it accepts replication connections (no restart or
setting change is needed: wal_level=replica and max_wal_senders are the defaults). Where pg_hba.conf
refuses them, as on a server set up for tests only, the drill starts a cluster of its own from the
same PostgreSQL installation with the defaults and copies the drill database into it; it never changes
the shared server's configuration. Everything it starts or creates (processes, the slot, directories,
the probe table) is removed whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

SCRIPTS = Path(__file__).resolve().parent


class DrillFailed(AssertionError):
    pass


def expect(condition, detail) -> None:
    if not condition:
        raise DrillFailed(detail)


def _bin(version: int, name: str) -> str:
    return f"/usr/lib/postgresql/{version}/bin/{name}"


class Postgres:
    """Runs PostgreSQL's programs as the postgres OS user (the server refuses root)."""

    def __init__(self, version: int):
        self.version = version
        self.user = "postgres"
        self.uid = pwd.getpwnam(self.user).pw_uid

    def argv(self, *args: str) -> list[str]:
        return args if os.geteuid() == self.uid else ["runuser", "-u", self.user, "--", *args]

    def run(self, *args: str, env: dict | None = None, check: bool = True, **kwargs):
        return subprocess.run(self.argv(*args), env={**os.environ, **(env or {})}, check=check, **kwargs)

    def popen(self, *args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), env={**os.environ, **(env or {})}, start_new_session=True, **kwargs)


def _replication_allowed(host: str, port: int, user: str) -> bool:
    try:
        connection = psycopg2.connect(
            host=host, port=port, user=user, dbname="replication", replication="true", connect_timeout=5
        )
    except psycopg2.OperationalError:
        return False
    connection.close()
    return True


def run(*, pg_url: str, database: str, ports: tuple[int, int], log) -> dict:
    from urllib.parse import urlsplit

    parts = urlsplit(pg_url)
    host, port, user = parts.hostname or "127.0.0.1", parts.port or 5432, parts.username or "postgres"
    with psycopg2.connect(host=host, port=port, user=user, dbname=database) as probe, probe.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        version = int(cursor.fetchone()[0]) // 10000
    pg = Postgres(version)
    work = Path(tempfile.mkdtemp(prefix="care-pitr-"))
    shutil.chown(work, pg.user)
    own_source = None
    archiver = None
    slot = f"{database}_pitr"[:63]
    restored = work / "restored"
    changed_member: tuple[int, str] | None = None  # (id, phone before the drill) on the configured server
    result: dict = {}
    try:
        if _replication_allowed(host, port, user):
            source = {"host": host, "port": port, "user": user, "dbname": database}
            result["source"] = f"the configured server {host}:{port}, database {database}"
        else:
            own_source = work / "source"
            log(f"  {host}:{port} refuses replication connections (pg_hba.conf): a cluster of our own on :{ports[0]}")
            pg.run(
                _bin(version, "initdb"),
                "--auth=trust",
                "--username=postgres",
                "-D",
                str(own_source),
                stdout=subprocess.DEVNULL,
            )
            pg.run(
                _bin(version, "pg_ctl"),
                "-D",
                str(own_source),
                "-w",
                "-l",
                str(work / "source.log"),
                "-o",
                f"-p {ports[0]} -k {work} -c listen_addresses=127.0.0.1",
                "start",
                stdout=subprocess.DEVNULL,
            )
            source = {"host": "127.0.0.1", "port": ports[0], "user": "postgres", "dbname": database}
            dump = subprocess.Popen(
                ["pg_dump", "--no-owner", "--no-privileges", f"{pg_url}/{database}"], stdout=subprocess.PIPE
            )
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ports[0]),
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-c",
                    f'CREATE DATABASE "{database}"',
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ports[0]),
                    "-U",
                    "postgres",
                    "-d",
                    database,
                ],
                stdin=dump.stdout,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            dump.wait()
            result["source"] = (
                f"a cluster of the same PostgreSQL {version} on :{ports[0]} (defaults; the "
                f"configured server refuses replication connections) holding a copy of {database}"
            )
        libpq = {
            "PGHOST": source["host"],
            "PGPORT": str(source["port"]),
            "PGUSER": source["user"],
            "PITR_SLOT": slot,
            "PATH": f"/usr/lib/postgresql/{version}/bin:{os.environ['PATH']}",
        }

        def sql(query: str, params=None, fetch: bool = True):
            with psycopg2.connect(**source) as connection, connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if fetch else None

        # 1. The archive streams, then the base backup is taken.
        wal = work / "wal"
        archiver = pg.popen(
            str(SCRIPTS / "pitr_wal_archive.sh"),
            str(wal),
            env=libpq,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "archiver.log", "w"),  # noqa: SIM115 - the archiver keeps it open
        )
        deadline = time.monotonic() + 30
        while not sql("SELECT 1 FROM pg_stat_replication WHERE application_name = 'pg_receivewal'"):
            expect(
                time.monotonic() < deadline and archiver.poll() is None,
                f"pg_receivewal did not start: {(work / 'archiver.log').read_text()}",
            )
            time.sleep(0.2)
        media = work / "media" / "funds" / "attachments"  # uploaded files on a local disk (FILE_STORAGE=local)
        media.mkdir(parents=True)
        (media / "drill.pdf").write_bytes(b"%PDF-1.4 drill")
        shutil.chown(media / "drill.pdf", pg.user)
        started = time.monotonic()
        base = Path(
            pg.run(
                str(SCRIPTS / "pitr_base_backup.sh"),
                str(work / "base"),
                env={**libpq, "FILE_STORAGE": "local", "MEDIA_ROOT": str(work / "media")},
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result["base_backup_seconds"] = round(time.monotonic() - started, 1)
        listing = subprocess.run(
            ["tar", "-tzf", str(base / "media.tar.gz")], capture_output=True, text=True, check=True
        ).stdout.split()
        expect("./funds/attachments/drill.pdf" in listing, f"uploaded files not in the base backup: {listing}")
        result["base_backup_mb"] = round(sum(f.stat().st_size for f in base.rglob("*") if f.is_file()) / 2**20, 1)

        # 2. Rows before the moment, the moment, rows after it; and an app row changed on each side.
        sql(
            "CREATE TABLE pitr_probe (id serial PRIMARY KEY, label text NOT NULL, "
            "written_at timestamptz NOT NULL DEFAULT clock_timestamp())",
            fetch=False,
        )
        member_id, phone = sql("SELECT id, phone FROM members_member ORDER BY id LIMIT 1")[0]
        changed_member = (member_id, phone)
        members = sql("SELECT count(*) FROM members_member")[0][0]
        before = [f"before-{n}" for n in range(50)]
        after = [f"after-{n}" for n in range(50)]
        for index, label in enumerate(before):  # one transaction each, as the app commits
            sql("INSERT INTO pitr_probe (label) VALUES (%s)", [label], fetch=False)
            if index == 25:
                sql("UPDATE members_member SET phone = '13900000001' WHERE id = %s", [member_id], fetch=False)
        time.sleep(0.5)
        moment = sql("SELECT clock_timestamp()")[0][0]
        time.sleep(0.5)
        for index, label in enumerate(after):
            sql("INSERT INTO pitr_probe (label) VALUES (%s)", [label], fetch=False)
            if index == 25:
                sql("UPDATE members_member SET phone = '13900000002' WHERE id = %s", [member_id], fetch=False)
        # What a crash now would lose: the WAL the archive has not flushed yet.
        last_commit = time.monotonic()
        current = sql("SELECT pg_current_wal_lsn()")[0][0]
        while not sql(
            "SELECT 1 FROM pg_stat_replication WHERE application_name = 'pg_receivewal' AND flush_lsn >= %s", [current]
        ):
            expect(time.monotonic() - last_commit < 30, "the archive did not catch up within 30 s")
            time.sleep(0.01)
        result["archive_flushed_last_commit_within_ms"] = round((time.monotonic() - last_commit) * 1000)

        # 3. The disaster: the archiver stops with the server; restore to the moment on another port.
        os.killpg(archiver.pid, signal.SIGTERM)
        archiver.wait(timeout=30)
        archiver = None
        started = time.monotonic()
        pg.run(
            str(SCRIPTS / "pitr_restore.sh"),
            str(base),
            str(wal),
            moment.isoformat(),
            str(restored),
            stdout=subprocess.DEVNULL,
        )
        # The drill reaches its own restored cluster over 127.0.0.1 without a password.
        (restored / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        pg.run(
            _bin(version, "pg_ctl"),
            "-D",
            str(restored),
            "-w",
            "-t",
            "300",
            "-l",
            str(work / "restored.log"),
            "-o",
            f"-p {ports[1]} -k {work} -c listen_addresses=127.0.0.1",
            "start",
            stdout=subprocess.DEVNULL,
        )
        target = {"host": "127.0.0.1", "port": ports[1], "user": "postgres", "dbname": source["dbname"]}
        deadline = time.monotonic() + 300
        while True:
            with (
                contextlib.suppress(psycopg2.OperationalError),
                psycopg2.connect(**target) as connection,
                connection.cursor() as cursor,
            ):
                cursor.execute("SELECT pg_is_in_recovery()")
                if not cursor.fetchone()[0]:
                    break
            expect(time.monotonic() < deadline, "the restored cluster did not finish recovery in 300 s")
            time.sleep(0.2)
        result["restore_seconds"] = round(time.monotonic() - started, 1)
        with psycopg2.connect(**target) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT label FROM pitr_probe ORDER BY id")
            labels = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT phone FROM members_member WHERE id = %s", [member_id])
            restored_phone = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM members_member")
            restored_members = cursor.fetchone()[0]
        result.update(
            rows_before=len(before),
            rows_after=len(after),
            rows_restored=len(labels),
            member_phone=f"{phone} → 13900000001 (before) → 13900000002 (after); restored {restored_phone}",
        )
        expect(labels == before, f"restored rows {labels[:3]}…{labels[-3:]} are not exactly the rows before the moment")
        expect(restored_phone == "13900000001", f"the member's phone is {restored_phone}")
        expect(restored_members == members, f"{restored_members} members restored of {members}")
        return result
    finally:
        if archiver is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(archiver.pid, signal.SIGKILL)
            archiver.wait(timeout=30)
        for data in (restored, own_source):
            if data is not None and (data / "postmaster.pid").exists():
                pg.run(
                    _bin(pg.version, "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                    check=False,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
        if own_source is None:  # the configured server: leave nothing behind on it
            with (
                contextlib.suppress(psycopg2.Error),
                psycopg2.connect(host=host, port=port, user=user, dbname=database) as connection,
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s", [slot]
                )
                cursor.execute("DROP TABLE IF EXISTS pitr_probe")
                if changed_member:
                    cursor.execute("UPDATE members_member SET phone = %s WHERE id = %s", changed_member[::-1])
        shutil.rmtree(work, ignore_errors=True)
