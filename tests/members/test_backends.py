"""The sign-in backend reads the member record with the user: every page names the person signed
in, without a query of its own for it."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _member_lookups(queries, user) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "members_member"') and f'"user_id" = {user.pk}' in q["sql"]
    ]


def test_the_page_names_the_member_signed_in_without_reading_the_member_again(client, unit):
    client.force_login(unit.shuji1)
    assert client.session[BACKEND_SESSION_KEY] == "members.backends.MemberModelBackend"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:inbox"))
    assert unit.shuji1.member.name in response.content.decode()
    assert _member_lookups(queries.captured_queries, unit.shuji1) == []


def test_a_session_signed_in_with_djangos_backend_keeps_working(client, unit):
    client.force_login(unit.shuji1, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert unit.shuji1.member.name in response.content.decode()


def test_an_inactive_user_is_signed_out(client, unit):
    client.force_login(unit.shuji1)
    unit.shuji1.is_active = False
    unit.shuji1.save(update_fields=["is_active"])
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
