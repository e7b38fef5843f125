"""The installable field app: its page, work list, service worker and manifest (portal.field says what
the device may keep), and the sign-out that clears the device."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from core import clock
from core.http import no_store
from members.access import CREATE, public, requires
from portal import field

SW_TEMPLATE = "field/sw.js"


@public
@require_GET
def app(request):
    """The app shell: the same bytes for everyone (no name, no data, no CSRF token), so the service
    worker may keep it; the page's script reads the work list and the user from the API."""
    response = render(request, "field/app.html")
    response["Cache-Control"] = "no-cache"
    return response


@requires("visit", CREATE)
@require_GET
def work_list(request):
    return no_store(
        JsonResponse(field.work_list(request.user, clock.today()), json_dumps_params={"ensure_ascii": False})
    )


@public
@require_GET
def service_worker(request):
    """/sw.js, from the site's root so that its scope is the whole site. It answers only the shell's
    URLs from its cache; every other request (the API, the pages) goes to the network untouched."""
    source = get_template(SW_TEMPLATE).template.source  # plain JavaScript with two placeholders
    shell_page = get_template("field/app.html").template.source
    body = (
        source.replace("__VERSION__", field.shell_version(source + shell_page))
        .replace("__SHELL__", json.dumps(field.shell_urls()))
        .replace("__STATIC__", settings.STATIC_URL)
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@public
@require_GET
def manifest(request):
    data = {
        "name": "党内关怀帮扶 · 离线登记",
        "short_name": "关怀帮扶",
        "description": "没有信号时登记走访、谈心谈话和结对帮扶进展，联网后自动同步",
        "lang": "zh-CN",
        "start_url": reverse("field"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("icons/care-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/care-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


class LogoutView(auth_views.LogoutView):
    """Django's sign-out, which also tells the browser to drop this site's caches and storage: the
    service worker's cache, the field app's IndexedDB (the page has already warned about entries not
    yet synced) and the service worker itself."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


logout = public(LogoutView.as_view())
