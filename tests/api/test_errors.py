"""Every error under /api/ is JSON in one shape — a stable code and a Chinese message — whichever layer
answered it: the API's views, the URL resolver, the NUL-character guard, a 500, throttling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import new_key

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and set(body) <= {"code", "message", "fields"}
    assert any("\u4e00" <= char <= "\u9fff" for char in body["message"]), body["message"]  # Chinese
    return body


def test_refusals_of_each_kind(unit, api):
    assert_error(api.get("/api/v1/members/"), 401, "not_authenticated")
    api.as_user(unit.jijin)
    body = assert_error(api.get("/api/v1/members/"), 403, "permission_denied")
    assert body["message"] == "党员名册仅对支部书记、支委委员、组织部开放"
    assert_error(api.get(f"/api/v1/members/{unit.member1.pk}/"), 403, "permission_denied")
    api.as_user(unit.shuji1)
    assert_error(api.get(f"/api/v1/members/{unit.member2.pk}/"), 404, "not_found")
    assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(api.get("/api/v1/members/99999999999999999999999/"), 404, "not_found")
    response = api.client.delete(f"/api/v1/members/{unit.member1.pk}/")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_bad_bodies(unit, api):
    api.as_user(unit.shuji1)
    response = api.client.post(
        "/api/v1/visits/", "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert_error(response, 400, "bad_request")
    response = api.client.post("/api/v1/visits/", {"member": "1"}, HTTP_IDEMPOTENCY_KEY=new_key())
    assert_error(response, 415, "unsupported_media_type")
    body = assert_error(api.post("/api/v1/visits/", {"visitors": "x"}, key=new_key()), 400, "invalid")
    assert {"member", "visited_on", "visitors"} <= set(body["fields"])
    assert_error(api.post("/api/v1/visits/", ["a", "list"], key=new_key()), 400, "invalid")


def test_a_nul_character_is_refused_in_json(unit, api):
    api.as_user(unit.shuji1)
    assert_error(api.get("/api/v1/members/", {"q": "a\x00b"}), 400, "bad_request")


def test_a_server_error_is_json_too(unit, api, monkeypatch):
    from api.views import members

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(members.MemberList, "get_queryset", broken)
    api.client.raise_request_exception = False
    api.as_user(unit.shuji1)
    body = assert_error(api.get("/api/v1/members/"), 500, "server_error")
    assert "boom" not in str(body)


def test_too_many_requests_answer_429_with_retry_after(unit, api, settings, issue):
    settings.API = {**settings.API, "THROTTLE_RATES": {"token": "3/min", "user": "2/min", "anon": "1/min"}}
    api.as_user(unit.shuji1)
    assert [api.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    response = api.get("/api/v1/me/")
    body = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60 and response["Retry-After"] in body["message"]
    # Counted per caller: another user, and a token, have their own allowance.
    assert api.as_user(unit.zzb).get("/api/v1/me/").status_code == 200
    _, key = issue(["member.list"])
    api.with_token(key)
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_session_waiting_for_its_second_factor_is_told_so(unit, api):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=unit.shuji1, name="手机", confirmed=True)
    api.client.post(reverse("login"), {"username": "shuji1", "password": "demo12345"})
    assert_error(api.get("/api/v1/members/"), 403, "second_factor_required")


def test_a_nul_character_in_a_written_field_is_named_in_chinese(unit, api):
    api.as_user(unit.shuji1)
    body = assert_error(
        api.post(
            "/api/v1/visits/",
            {
                "member": unit.member1.pk,
                "visited_on": "2026-11-01",
                "occasion": "routine",
                "visitors": [unit.shuji1.member.pk],
                "notes": "a\x00b",
            },
            key=new_key(),
        ),
        400,
        "invalid",
    )
    assert "不能包含空字符" in str(body["fields"]["notes"]) and "不允许是用空字符串" not in str(body)
