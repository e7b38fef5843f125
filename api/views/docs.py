"""The OpenAPI schema and its interactive documentation (Swagger UI from static/vendor/, no CDN; the
page's script is a static file, as the Content-Security-Policy requires)."""

from __future__ import annotations

import functools

from django.middleware.csrf import get_token
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from members.access import PUBLIC, public


@functools.cache
def published_schema() -> dict:
    """The schema is the same for every caller (it describes routes, not data): built once per process
    (about a second of CPU) rather than on every request to a public address."""
    return SchemaGenerator().get_schema(request=None, public=True)


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema, YAML by default, JSON with `?format=json` or `Accept:
    application/vnd.oai.openapi+json`."""

    access = PUBLIC
    authentication_classes = []

    @classmethod
    def access_rule(cls, method: str = "GET"):
        return PUBLIC

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(published_schema())


@public
def docs(request):
    return render(
        request,
        "api/docs.html",
        {
            "csrf_token_value": get_token(request) if request.user.is_authenticated else "",
        },
    )
