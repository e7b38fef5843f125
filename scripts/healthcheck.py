#!/usr/bin/env python
"""Container healthcheck: ask /healthz the way the reverse proxy reaches the app.

    python scripts/healthcheck.py            # exit 0 when healthy, 1 with the reason otherwise

The request carries a Host the app accepts (the first of ALLOWED_HOSTS) and, with SECURE_SSL on, the
X-Forwarded-Proto: https the proxy sets; so neither DisallowedHost (400) nor the redirect to https
(301) can pass for an answer, and a redirect is never followed. Standard library only: it runs every
30 seconds and must not load Django.
"""

from __future__ import annotations

import http.client
import json
import os
import sys

TRUE = {"1", "true", "yes", "y", "on", "ok"}  # as django-environ reads SECURE_SSL


def proxy_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "localhost").split(","):
        host = host.strip()
        if host and host != "*":
            return host.lstrip(".")  # ".example.gov.cn" allows example.gov.cn itself
    return "localhost"


def main() -> int:
    port = int(os.environ.get("HEALTHCHECK_PORT") or os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1])
    headers = {"Host": proxy_host()}
    if os.environ.get("SECURE_SSL", "0").strip().lower() in TRUE:
        headers["X-Forwarded-Proto"] = "https"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz", headers=headers)
        response = connection.getresponse()
        body = response.read()
    except OSError as exc:
        print(f"healthz: no answer on port {port}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        where = response.getheader("Location")
        print(
            f"healthz: HTTP {response.status} for Host {headers['Host']}"
            + (f" (redirect to {where})" if where else "")
            + f": {body[:200]!r}",
            file=sys.stderr,
        )
        return 1
    try:
        status = json.loads(body).get("status")
    except ValueError:
        status = None
    if status != "ok":
        print(f"healthz: answered {body[:200]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
