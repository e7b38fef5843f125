"""Throttling per token, per signed-in user and (for the public schema) per address, in Django's cache:
Redis in production, so every web process counts together. Over the rate: 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.http import client_ip


class PerCaller(SimpleRateThrottle):
    scope = "api"

    def __init__(self):  # the rate depends on the caller: chosen in allow_request
        pass

    def allow_request(self, request, view):
        token = getattr(request._request, "api_token", None)
        kind = "token" if token is not None else "user" if request.user.is_authenticated else "anon"
        self.rate = settings.API["THROTTLE_RATES"][kind]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = getattr(request._request, "api_token", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{client_ip(request._request)}"
        return f"api-throttle:{ident}"
