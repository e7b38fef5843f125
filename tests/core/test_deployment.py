"""What a deployer relies on and Docker cannot check here: the locked dependencies, the compose file,
what goes into the image, the healthcheck a proxy-facing app passes, and gunicorn's settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import service_port

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", re.M)


def pins(path: Path) -> dict[str, str]:
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("chosen", "lock"),
    [
        ("requirements.txt", "requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ],
)
def test_every_chosen_pin_is_locked_with_hashes(chosen, lock):
    """Run `make lock` after changing requirements*.txt: the image and `make install` read the locks."""
    locked = pins(ROOT / lock)
    for name, version in pins(ROOT / chosen).items():
        assert locked.get(name) == version, f"{name}=={version} is not in {lock}: run make lock"
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1] if text.startswith("#") else text)
    unhashed = [b.split("==")[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert not unhashed


def test_the_development_lock_has_the_runtime_versions():
    runtime, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime


def test_image_and_make_install_use_the_locks():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock ." in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "--require-hashes --no-deps -r requirements-dev.lock" in (ROOT / "Makefile").read_text()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_is_valid_against_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    if not checker.exists():
        pytest.skip("check-jsonschema is not installed (make install)")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_services_start_only_after_migrations_completed(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["migrate"]["restart"] == "no"
    assert "migrate" in services["migrate"]["command"]


def test_nothing_listens_on_every_interface_and_the_proxy_trust_is_not_everyone(compose):
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("${WEB_BIND:-127.0.0.1}:"), (name, port)
        command = " ".join(map(str, service.get("command", [])))
        assert "forwarded-allow-ips" not in command, name
    environment = compose["services"]["web"]["environment"]
    assert "*" not in environment["FORWARDED_ALLOW_IPS"]


def test_images_are_pinned_to_a_minor_version(compose):
    images = [service["image"] for service in compose["services"].values() if "image" in service]
    images.append((ROOT / "Dockerfile").read_text().split("FROM ", 1)[1].split()[0])
    for image in images:
        assert re.match(r"^[a-z]+:\d+\.\d+", image), image


def test_every_app_container_shares_the_file_store(compose):
    for name in ("migrate", "web", "worker", "beat"):
        assert "media:/app/var/media" in compose["services"][name]["volumes"], name
    assert compose["services"]["web"]["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck.py"]


def test_the_wal_archive_streams_beside_the_database_into_the_backups_volume(compose):
    archive = compose["services"]["walarchive"]
    assert archive["network_mode"] == "service:db" and archive["environment"]["PGHOST"] == "127.0.0.1"
    assert archive["command"] == ["/scripts/pitr_wal_archive.sh", "/backups/wal"]
    assert {"./scripts:/scripts:ro", "backups:/backups", "media:/media:ro"} == set(archive["volumes"])
    assert archive["image"] == compose["services"]["db"]["image"]  # the same pg_receivewal as the server


def test_dockerignore_keeps_secrets_databases_and_history_out_of_the_image(tmp_path):
    from docker.utils.build import exclude_paths

    for name in (
        ".env",
        ".git/HEAD",
        ".venv/bin/python",
        "var/db.sqlite3",
        "var/media/funds/a.pdf",
        "members/__pycache__/x.pyc",
        "manage.py",
        "gunicorn.conf.py",
        "requirements.lock",
        "scripts/healthcheck.py",
        "static/css/app.css",
        "config/settings.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]
    sent = {p for p in exclude_paths(str(tmp_path), patterns) if (tmp_path / p).is_file()}
    assert sent == {
        "manage.py",
        "gunicorn.conf.py",
        "requirements.lock",
        "scripts/healthcheck.py",
        "static/css/app.css",
        "config/settings.py",
    }


def _gunicorn_settings(**env: str) -> dict:
    import json

    code = (
        "import runpy, json; s = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: s[k] for k in ('workers', 'forwarded_allow_ips', 'bind')}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_gunicorn_takes_workers_from_the_cpus_and_trust_from_the_environment():
    settings = _gunicorn_settings()
    assert settings["workers"] == 2 * os.cpu_count()
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
    settings = _gunicorn_settings(WEB_CONCURRENCY="5", FORWARDED_ALLOW_IPS="172.18.0.1")
    assert settings == {"workers": 5, "forwarded_allow_ips": "172.18.0.1", "bind": "0.0.0.0:8000"}


def test_the_worker_tuning_happens_in_gunicorn_workers_only():
    """Loading the WSGI app (what runserver does) leaves the collector alone; gunicorn's hook tunes it."""
    code = (
        "import gc, os, runpy; os.environ.setdefault('DEBUG', '1'); before = gc.get_threshold(); "
        "import config.wsgi; assert gc.get_threshold() == before and gc.get_freeze_count() == 0; "
        "runpy.run_path('gunicorn.conf.py')['post_worker_init'](None); "
        "from config.runtime import GC_THRESHOLDS; assert gc.get_threshold() == GC_THRESHOLDS; "
        "assert gc.get_freeze_count() > 0; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DEBUG": "1"},
    )
    assert result.stdout.strip() == "ok", result.stderr


@pytest.fixture(scope="module")
def proxied_site(tmp_path_factory):
    """The app as the image runs it behind TLS (gunicorn.conf.py, SECURE_SSL=1, the proxy's host only)."""
    import time

    port = str(service_port(1))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "healthcheck-test-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "care.example.test",
        "SECURE_SSL": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('site') / 'db.sqlite3'}",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if _healthcheck(port, ALLOWED_HOSTS="care.example.test", SECURE_SSL="1").returncode == 0:
                break
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _healthcheck(port: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/healthcheck.py")],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "HEALTHCHECK_PORT": port, **env},
    )


def test_healthcheck_passes_the_way_the_proxy_reaches_the_app(proxied_site):
    result = _healthcheck(proxied_site, ALLOWED_HOSTS="care.example.test", SECURE_SSL="1")
    assert result.returncode == 0, result.stderr


def test_healthcheck_fails_on_a_redirect_or_a_refused_host_instead_of_passing_for_healthy(proxied_site):
    """What the old check (http://127.0.0.1:8000/healthz) got: a redirect to https, or DisallowedHost."""
    redirected = _healthcheck(proxied_site, ALLOWED_HOSTS="care.example.test", SECURE_SSL="0")
    assert redirected.returncode == 1
    assert "HTTP 301" in redirected.stderr and "https://care.example.test/healthz" in redirected.stderr
    refused = _healthcheck(proxied_site, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL="1")
    assert refused.returncode == 1 and "HTTP 400" in refused.stderr


def test_healthcheck_reports_a_node_that_does_not_answer():
    result = _healthcheck("18699", ALLOWED_HOSTS="care.example.test", SECURE_SSL="1")
    assert result.returncode == 1 and "no answer on port 18699" in result.stderr


def test_an_unwritable_file_store_stops_the_migration_step(tmp_path):
    """compose starts web and worker only after `migrate` succeeded: a root-owned volume stops it there."""
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DEBUG": "1", "MEDIA_ROOT": str(blocked / "media")},
    )
    assert result.returncode != 0 and "core.E001" in result.stderr


def test_settings_refuse_an_unknown_file_store():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DEBUG": "1", "FILE_STORAGE": "ftp"},
    )
    assert result.returncode != 0 and "FILE_STORAGE 只能是 local 或 s3" in result.stderr


def test_no_app_code_reads_a_path_on_the_local_disk():
    """Files one process writes and another reads go through the storage API: no module of the app
    builds paths under var/ or MEDIA_ROOT, or asks a stored file for its local path."""
    apps = ["core", "members", "hardship", "visits", "funds", "awards", "notifications", "reports"]
    offending = []
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            text = path.read_text()
            for needle in ("VAR_DIR", "MEDIA_ROOT", ".file.path", "IMPORT_DIR", "REPORT_DIR"):
                if needle in text and path.name != "checks.py":
                    offending.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offending
