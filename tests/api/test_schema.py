"""The published contract: an OpenAPI 3 schema of every route, and its documentation page built from
vendored files under the site's Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from tests.security.test_url_access import _patterns

pytestmark = pytest.mark.django_db


def test_the_schema_is_published_to_anyone_and_describes_every_route(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    documented = set(schema["paths"])
    routes = {
        "/" + re.sub(r"<int:(\w+)>", lambda m: "{id}" if m.group(1) == "pk" else f"{{{m.group(1)}}}", pattern)
        for name, pattern in _patterns()
        if name.startswith("api:") and name not in ("api:schema", "api:docs")
    }
    assert routes == documented
    assert set(schema["components"]["securitySchemes"]) == {"apiToken", "cookieAuth"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (method, path)
    visit = schema["paths"]["/api/v1/visits/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in visit["parameters"])


def test_the_docs_page_uses_vendored_files_and_no_inline_script(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unpkg" not in html and "cdn" not in html.lower()
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "swagger-ui"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert (vendor / name).is_file() and f"vendor/swagger-ui/{name}" in html
    assert "Apache License" in (vendor / "LICENSE").read_text()
