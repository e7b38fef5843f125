"""The API's tests: a JSON client that calls as a signed-in persona (the page's session) or with a
token, and tokens issued through the service the token pages use."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from api import tokens


class ApiClient:
    """`api.as_user(user)` or `api.with_token(key)`, then `get` / `post` (JSON)."""

    def __init__(self, client):
        self.client = client
        self.headers: dict[str, str] = {}

    def as_user(self, user) -> ApiClient:
        self.client.logout()
        self.client.force_login(user)
        self.headers = {}
        return self

    def with_token(self, key: str) -> ApiClient:
        self.client.logout()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        return self

    def get(self, url: str, params: dict | None = None, **headers):
        return self.client.get(url, params or {}, **self.headers, **headers)

    def post(self, url: str, data: dict | None = None, *, key: str | None = None, **headers):
        extra = dict(self.headers, **headers)
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(url, data or {}, content_type="application/json", **extra)


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def issue(unit):
    """issue(grants, organization=branch1, by=zzb) -> (token, key)."""

    def _issue(grants, *, organization=None, by=None, days: int = 30, name: str = "智慧党建平台"):
        return tokens.issue_token(
            by=by or unit.zzb,
            name=name,
            organization=organization or unit.branch1,
            grants=grants,
            expires_on=timezone.localdate() + dt.timedelta(days=days),
        )

    return _issue


def new_key() -> str:
    return str(uuid.uuid4())
