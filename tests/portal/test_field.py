"""The field app (issue 20), server side: what a lost phone may hold (the work list, the service
worker's cache), the sync through the API with the page's session, and sign-out clearing the device."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from members.models import Member
from tests.factories import MemberFactory
from tests.hardship.factories import PairingFactory, RecordFactory
from visits.models import Occasion, Visit, VisitPlan, VisitPlanItem, VisitPrompt

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("110101194912011234", "糖尿病", "幸福路8号", "13800001111")


@pytest.fixture
def sensitive(unit):
    """A member of branch 1 with everything a phone should not carry, on this year's plan and with a prompt."""
    member = MemberFactory(
        organization=unit.branch1,
        name="周大爷",
        id_number="110101194912011234",
        health="糖尿病，长期卧床",
        address="幸福路8号",
        phone="13800001111",
        birth_date=dt.date(1949, 12, 1),
    )
    today = timezone.localdate()
    plan = VisitPlan.objects.create(
        organization=unit.branch1,
        occasion=Occasion.SPRING_FESTIVAL,
        year=today.year,
        holiday=today + dt.timedelta(days=10),
    )
    VisitPlanItem.objects.create(plan=plan, member=member, reasons="困难党员、老党员")
    VisitPrompt.objects.create(
        member=member, occasion=Occasion.ILLNESS, event_key="h1", reason="糖尿病住院，请及时探望", raised_on=today
    )
    PairingFactory(record=RecordFactory(member=member), helper=unit.zhiwei1.member, goals="稳定基本生活")
    PairingFactory(record=RecordFactory(member=unit.member2), goals="稳定基本生活")  # branch 2
    return member


def test_the_work_list_holds_names_of_the_own_branch_only(unit, client, sensitive):
    gone = MemberFactory(organization=unit.branch1, name="已转出的人", transferred_out_on=timezone.localdate())
    client.force_login(unit.shuji1)
    response = client.get("/field/worklist/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    text = response.content.decode()
    for word in (*SECRET_WORDS, "困难党员", "住院", "1949", "稳定基本生活"):
        assert word not in text
    assert set(data) == {"day", "me", "members", "plan_items", "prompts", "pairings", "occasions", "talk_reasons"}
    assert all(set(row) == {"id", "name"} for row in data["members"])
    names = {row["name"] for row in data["members"]}
    assert names == {"李书记", "王支委", "张党员", "刘一", "周大爷"}  # not 陈二 (branch 2), not the transferred
    assert gone.name not in text
    assert data["me"] == unit.shuji1.member.pk
    assert data["plan_items"] == [
        {
            "id": VisitPlanItem.objects.get().pk,
            "member": sensitive.pk,
            "name": "周大爷",
            "occasion": "spring_festival",
            "holiday": VisitPlan.objects.get().holiday.isoformat(),
        }
    ]
    assert data["prompts"] == [{"member": sensitive.pk, "name": "周大爷", "occasion": "illness"}]
    assert data["pairings"] == [
        {
            "id": sensitive.hardship_records.get().pairings.get().pk,
            "name": "周大爷",
            "helper": "王支委",
            "help_types": [{"value": "living", "label": "帮生活"}],
        }
    ]


def test_the_organization_departments_county_is_never_offered_offline(unit, client, sensitive):
    client.force_login(unit.zzb)
    data = client.get("/field/worklist/").json()
    assert data["members"] == data["plan_items"] == data["prompts"] == data["pairings"] == [] and data["me"] is None


@pytest.mark.parametrize("persona", ["dangyuan1", "jijin"])
def test_the_work_list_is_for_those_who_log_visits(unit, client, persona):
    client.force_login(getattr(unit, persona))
    assert client.get("/field/worklist/").status_code == 403


def shell_of(client) -> list[str]:
    source = client.get("/sw.js").content.decode()
    return json.loads(re.search(r"var SHELL = (\[.*?\]);", source).group(1))


def test_the_service_worker_may_cache_the_data_free_shell_only(unit, client, sensitive):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    shell = shell_of(client)
    assert shell[:2] == ["/field/", "/manifest.webmanifest"]
    assert all(url.startswith("/static/") for url in shell[2:])
    source = response.content.decode()
    # It puts into its cache only what it precaches (cache.addAll of SHELL), fetched without cookies.
    assert source.count("cache.put") == 0 and source.count("addAll(") == 1 and 'credentials: "omit"' in source
    # Every cached URL answers the same to anybody: nothing of a user, a member or the county.
    anonymous = Client()
    client.force_login(unit.shuji1)
    for url in shell:
        mine, theirs = client.get(url), anonymous.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        body = b"".join(mine.streaming_content) if mine.streaming else mine.content
        assert body == (b"".join(theirs.streaming_content) if theirs.streaming else theirs.content), url
        if not url.endswith((".png", ".woff", ".woff2")):
            text = body.decode()
            for word in (*SECRET_WORDS, "周大爷", "刘一", "李书记", "shuji1", "测试县党委"):
                assert word not in text, (url, word)
    # Not a page of the county, not the API, not the work list.
    assert not {"/", "/field/worklist/", "/visits/coverage/", "/members/", "/api/v1/me/"} & set(shell)


def test_the_shell_version_follows_the_files(unit, client, settings):
    first = re.search(r'var VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    settings.STATIC_URL = "/static2/"
    second = re.search(r'var VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    assert first != second


def test_the_manifest_makes_the_field_page_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["start_url"] == "/field/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_the_field_page_is_the_same_for_everyone(unit, client):
    anonymous = Client().get("/field/")
    client.force_login(unit.shuji1)
    mine = client.get("/field/")
    assert mine.content == anonymous.content and mine.status_code == 200
    assert "离线登记" in mine.content.decode()


def test_sign_out_tells_the_browser_to_clear_the_site(unit, client):
    client.force_login(unit.shuji1)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


def visit(unit, member) -> dict:
    return {
        "member": member.pk,
        "visited_on": timezone.localdate().isoformat(),
        "occasion": "routine",
        "visitors": [unit.shuji1.member.pk],
        "notes": "离线登记",
    }


def session_client(user) -> tuple[Client, str]:
    """A browser: signed in with its session cookie, CSRF checked, the token read from /api/v1/me/."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser, browser.get("/api/v1/me/").json()["csrf_token"]


def test_the_phone_syncs_through_the_api_with_its_session_and_csrf(unit):
    browser, csrf = session_client(unit.shuji1)
    key = str(uuid.uuid4())
    refused = browser.post(
        "/api/v1/visits/", visit(unit, unit.member1), content_type="application/json", headers={"Idempotency-Key": key}
    )
    assert refused.status_code == 403 and not Visit.objects.exists()  # no CSRF token, nothing made
    for _ in range(2):
        response = browser.post(
            "/api/v1/visits/",
            visit(unit, unit.member1),
            content_type="application/json",
            headers={"Idempotency-Key": key, "X-CSRFToken": csrf},
        )
        assert response.status_code == 201
    assert Visit.objects.count() == 1


def test_a_key_is_one_users_own(unit):
    """Two secretaries' phones may make the same key (or a bad generator may): each user's keys are theirs."""
    from visits.models import Talk

    key = "same-key-on-two-phones"
    first, csrf1 = session_client(unit.shuji1)
    second, csrf2 = session_client(unit.shuji2)
    a = first.post(
        "/api/v1/visits/",
        visit(unit, unit.member1),
        content_type="application/json",
        headers={"Idempotency-Key": key, "X-CSRFToken": csrf1},
    )
    b = second.post(
        "/api/v1/talks/",
        {
            "talked_on": timezone.localdate().isoformat(),
            "summary": "谈心",
            "interviewers": [unit.shuji2.member.pk],
            "participants": [unit.member2.pk],
        },
        content_type="application/json",
        headers={"Idempotency-Key": key, "X-CSRFToken": csrf2},
    )
    assert a.status_code == b.status_code == 201
    assert Visit.objects.count() == 1 and Talk.objects.count() == 1


def test_an_entry_for_a_member_transferred_meanwhile_is_refused_in_words(unit):
    browser, csrf = session_client(unit.shuji1)
    Member.objects.filter(pk=unit.member1.pk).update(transferred_out_on=timezone.localdate())
    response = browser.post(
        "/api/v1/visits/",
        visit(unit, unit.member1),
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-CSRFToken": csrf},
    )
    assert response.status_code == 400
    assert "已转出" in response.json()["fields"]["member"][0]
