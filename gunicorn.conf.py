"""gunicorn settings for the web tier (read from the working directory: `gunicorn config.wsgi`).

Everything that differs between machines comes from the environment; the process tuning of a web
worker (config/runtime.py) happens here, in a worker hook, and nowhere else: runserver, Celery and
management commands never get it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A page is mostly Python (30–210 ms), about a fifth of it waiting on SQL (make bench): two workers
# per core keep the core busy while one waits. WEB_CONCURRENCY overrides (README, 规模测算).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
# Only these addresses may tell gunicorn the original scheme (X-Forwarded-Proto): the reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The annual workbook of up to CARE_REPORT_SYNC_MAX_MEMBERS members is built in the request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
# The heartbeat file on a memory file system where there is one (a container's /dev/shm).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's own advice for containers: a RAM file system, not a shared /tmp
worker_tmp_dir = _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK) else None


def post_worker_init(worker):
    """After a worker loaded the app: import every view now and tune the garbage collector."""
    from config.runtime import prepare_worker

    prepare_worker()
