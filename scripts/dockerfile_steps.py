#!/usr/bin/env python
"""The Dockerfile's steps without Docker (run by CI; Docker cannot pull images on these machines).

    .venv/bin/python scripts/dockerfile_steps.py [--user nobody] [--port 18610] [--keep]

Reads the Dockerfile and performs it instruction by instruction in a temporary directory:

- the build context is what Docker would send, .dockerignore applied by docker-py's own matcher, and
  it must hold no .env, .git, .venv, var/ or SQLite database;
- FROM python:3.11-… is a clean virtualenv of this machine's Python 3.11 (no site packages);
- ENV, WORKDIR, COPY and RUN are done as written: RUN steps before `USER` as root, after it as an
  unprivileged user (`--user`, default nobody) standing in for the image's `care`, whose `useradd`
  step is the one skipped and whose name is replaced by that user in `chown`;
- then the container is started as that user the way compose starts it: `manage.py migrate` (the
  `migrate` service, system checks included: the file store must be writable), the image's CMD with
  SECURE_SSL=1 and a proxy's ALLOWED_HOSTS, and the image's HEALTHCHECK command must pass.

Prints each step; exits non-zero at the first that fails. Run as root (as CI is) to switch users; as
another user every step runs as that user, and the script says so.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = (".env", ".git", ".venv", "var")


def say(message: str) -> None:
    print(f"[dockerfile] {message}", flush=True)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result, pending = [], ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def build_context() -> set[str]:
    from docker.utils.build import exclude_paths

    ignore = ROOT / ".dockerignore"
    patterns = [p.strip() for p in ignore.read_text().splitlines() if p.strip() and not p.startswith("#")]
    files = {path for path in exclude_paths(str(ROOT), patterns) if (ROOT / path).is_file()}
    leaked = sorted(f for f in files if f.split("/")[0] in FORBIDDEN or f.endswith((".sqlite3", ".pyc")))
    if leaked:
        raise SystemExit(f"the build context would carry {leaked[:5]} (.dockerignore)")
    return files


def interpreter(user: str | None) -> str:
    """A Python 3.11 the unprivileged user can run (a pyenv build under /root is not one)."""
    for candidate in ("/usr/local/bin/python3.11", "/usr/bin/python3.11", shutil.which("python3.11")):
        if not candidate or not os.path.exists(candidate):
            continue
        probe = [candidate, "-c", "import venv"]
        if user:
            probe = ["runuser", "-u", user, "--", *probe]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return candidate
    raise SystemExit(f"no Python 3.11 with venv that {user or 'this user'} can run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default="nobody", help="unprivileged user standing in for the image's care")
    parser.add_argument("--port", type=int, default=18610)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    as_root = os.geteuid() == 0
    user = args.user if as_root else pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    if not as_root:
        say(f"not root: every step runs as {user}")

    work = Path(tempfile.mkdtemp(prefix="care-dockerfile-"))
    work.chmod(0o755)
    venv, home = work / "venv", work / "home"
    home.mkdir()
    if as_root:
        shutil.chown(home, user, group)
    env = {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    for name in ("PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_CONFIG_FILE"):
        if name in os.environ:  # how this machine reaches the package index
            env[name] = os.environ[name]
    cwd, current_user = work, "root"
    server = None

    def run(command: str, *, step_user: str, extra_env: dict | None = None, check: bool = True):
        full_env = {**env, **(extra_env or {})}
        argv = ["bash", "-euo", "pipefail", "-c", command]
        if as_root and step_user != "root":
            argv = ["runuser", "-u", step_user, "--", "env", "-i", *[f"{k}={v}" for k, v in full_env.items()], *argv]
            return subprocess.run(argv, cwd=cwd, check=check)
        return subprocess.run(argv, cwd=cwd, env=full_env, check=check)

    try:
        context = build_context()
        say(f"build context: {len(context)} files after .dockerignore (no .env, .git, .venv, var/, databases)")
        healthcheck, cmd = None, None
        for keyword, rest in instructions(ROOT / "Dockerfile"):
            if keyword == "FROM":
                if not rest.startswith("python:3.11"):
                    raise SystemExit(f"this script stands in for python:3.11 images only, not {rest}")
                base = interpreter(user if as_root else None)
                subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
                say(f"FROM {rest}: clean virtualenv of {base}")
            elif keyword == "ENV":
                for pair in shlex.split(rest):
                    key, _, value = pair.partition("=")
                    env[key] = value
                say(f"ENV {rest}")
            elif keyword == "WORKDIR":
                cwd = work / rest.lstrip("/")
                cwd.mkdir(parents=True, exist_ok=True)
                say(f"WORKDIR {rest} -> {cwd}")
            elif keyword == "COPY":
                *sources, target = shlex.split(rest)
                destination = cwd / target
                for source in sources:
                    chosen = sorted(context) if source == "." else [source]
                    for name in chosen:
                        if name not in context:
                            raise SystemExit(f"COPY {source}: not in the build context")
                        to = destination / name if target.endswith(("/", ".")) else destination
                        to.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(ROOT / name, to)
                say(f"COPY {rest}")
            elif keyword == "RUN":
                if rest.startswith(("useradd", "groupadd", "adduser")):
                    say(f"RUN {rest}: skipped, {user} stands in for the image's user")
                    continue
                command = (
                    rest.replace("care:care", f"{user}:{group}")
                    if as_root
                    else rest.replace("&& chown -R care:care var", "")
                )
                say(f"RUN {command} (as {current_user})")
                run(command, step_user=current_user)
            elif keyword == "USER":
                current_user = user if rest == "care" else rest
                say(f"USER {rest} -> {current_user}")
            elif keyword == "HEALTHCHECK":
                healthcheck = json.loads(rest.split(" CMD ", 1)[1])
                say(f"HEALTHCHECK {' '.join(healthcheck)}")
            elif keyword == "CMD":
                cmd = json.loads(rest)
                say(f"CMD {' '.join(cmd)}")
            elif keyword == "EXPOSE":
                say(f"EXPOSE {rest}")
            else:
                raise SystemExit(f"unknown instruction {keyword}: teach this script what Docker does with it")
        if not (cmd and healthcheck):
            raise SystemExit("the Dockerfile has no CMD or no HEALTHCHECK")

        production = {
            "SECRET_KEY": "dockerfile-steps-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "care.example.test",
            "CSRF_TRUSTED_ORIGINS": "https://care.example.test",
            "SECURE_SSL": "1",
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
            # As docker-compose.yml gives the web service: Redis is the broker and the cache.
            "REDIS_URL": os.environ.get("DOCKERFILE_STEPS_REDIS_URL", "redis://127.0.0.1:6379/9"),
        }
        say("the migrate service: manage.py migrate (system checks: the file store is writable)")
        run("python manage.py migrate --noinput -v0", step_user=current_user, extra_env=production)
        run("python manage.py check --deploy --fail-level WARNING", step_user=current_user, extra_env=production)
        say(f"the web service: {' '.join(cmd)} as {current_user}")
        argv = [*cmd]
        full_env = {**env, **production}
        if as_root and current_user != "root":
            argv = ["runuser", "-u", current_user, "--", "env", "-i", *[f"{k}={v}" for k, v in full_env.items()], *argv]
            server = subprocess.Popen(argv, cwd=cwd, start_new_session=True)
        else:
            server = subprocess.Popen(argv, cwd=cwd, env=full_env, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            result = run(shlex.join(healthcheck), step_user=current_user, extra_env=production, check=False)
            if result.returncode == 0:
                say("HEALTHCHECK passed: /healthz answered 200 to the proxy's Host with X-Forwarded-Proto https")
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("HEALTHCHECK did not pass within 60 s")
            time.sleep(1)
        owner = pwd.getpwuid((cwd / "var" / "media").stat().st_uid).pw_name
        if owner != current_user:
            raise SystemExit(f"var/media belongs to {owner}, not to {current_user} who runs the app")
        say(f"var/media belongs to {owner}: a new named volume mounted there takes that ownership")
        say("all Dockerfile steps passed")
        return 0
    finally:
        if server is not None:
            try:
                os.killpg(server.pid, 15)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, 9)
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
