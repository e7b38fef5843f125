import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database unreachable")
        return False


def _broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return True  # in-process (tasks run eagerly): nothing to reach
    if url.startswith("filesystem://"):
        # The embedded file-system broker of `make run`: reachable when its folder is writable.
        import os

        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return os.path.isdir(folder) and os.access(folder, os.W_OK)
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception as error:  # noqa: BLE001
        logger.warning("healthz: broker unreachable: %s", error)
        return False


def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {name: "ok" if ok else "unreachable" for name, ok in checks.items()}
    body["status"] = "ok" if healthy else "degraded"
    return JsonResponse(body, status=200 if healthy else 503)


def favicon(request):
    """Browsers ask for /favicon.ico on every page: the site's icon (an SVG, also linked from base.html)."""
    return redirect(static("img/favicon.svg"))
