"""Who calls the API: a page's session (with CSRF, for our own front end) or an API token.

A token is read by `TokenMiddleware`, before the audit trail's middleware, so that what the token
changes is recorded with its service user as the actor and the client's address, exactly as a
person's changes are; the second-factor middleware, which is about sessions, has run before it and
never sees a token. DRF's `BearerToken` then hands the middleware's answer to the views. Every request
made with a token — allowed or refused because the token is expired or revoked — is logged
(ApiTokenUse): which token, when, which route, the answer's status and the address.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import tokens
from api.errors import is_api
from api.models import ApiToken, ApiTokenUse
from core.http import client_ip


def bearer_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


class TokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = bearer_key(request) if is_api(request) else None
        if key is None:
            return self.get_response(request)
        token = None
        try:
            token = tokens.authenticate(key)
        except tokens.Refused as refused:
            request.api_refusal = refused
            token = refused.token
        else:
            request.user = token.service_user
            request.api_token = token
        response = self.get_response(request)
        if token is not None:
            log_use(request, token, response.status_code)
        return response


def log_use(request, token: ApiToken, status: int) -> None:
    ApiTokenUse.objects.create(
        token=token,
        method=request.method[:10],
        path=request.get_full_path()[:300],
        status=status,
        ip_address=client_ip(request),
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


class BearerToken(authentication.BaseAuthentication):
    """`Authorization: Bearer care_…`: the token TokenMiddleware found (or its refusal)."""

    def authenticate(self, request):
        raw = request._request
        refusal = getattr(raw, "api_refusal", None)
        if refusal is not None:
            raise exceptions.AuthenticationFailed(refusal.message, code=refusal.code)
        token = getattr(raw, "api_token", None)
        if token is None:
            return None
        return token.service_user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerToken"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "组织部或系统管理员在“接口令牌”页面签发的令牌"}
