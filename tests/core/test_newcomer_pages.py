"""What a newcomer meets under `make run` (DEBUG on): Chinese error pages, an icon, a quiet log."""

import logging

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_out_of_scope_id_shows_the_chinese_404_page_under_debug(unit, login):
    response = login(unit.shuji1).get("/members/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "找不到您要的页面或记录" in body and "URLconf" not in body
    assert "找不到您要的页面或记录" in login(unit.shuji1).get("/no/such/page/").content.decode()


@override_settings(DEBUG=True)
def test_api_keeps_its_json_404_under_debug(unit, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response["Content-Type"].startswith("application/json")


def test_favicon_is_served(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content) if response.streaming else response.content


def test_forbidden_is_logged_in_one_line_without_traceback():
    from core.logging import ForbiddenWithoutTraceback

    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden (Permission denied): %s",
            ("/x/",),
            sys.exc_info(),
        )
    record.status_code = 403
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is None


def test_admin_index_is_in_chinese(unit, login):
    body = login(unit.admin).get("/admin/").content.decode()
    for english in ("Access attempts", "TOTP devices", "Audit log", "Axes", "Otp_Totp"):
        assert english not in body, english
    assert "登录保护" in body and "两步验证" in body and "操作日志" in body
