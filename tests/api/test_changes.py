"""The changes feed: what changed after a cursor, of the kinds and under the organizations the caller may
read, in the order it happened, without the values."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.api.conftest import new_key
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory, make_talk

pytestmark = pytest.mark.django_db


def feed(api, **params):
    response = api.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_sync_client_reads_what_changed_since_its_cursor(unit, api):
    api.as_user(unit.shuji1)
    start = feed(api, since="latest")["cursor"]
    assert feed(api, since=start) == {"cursor": start, "more": False, "results": []}
    member = MemberFactory(organization=unit.branch1, name="新党员")
    member.phone = "13900001111"
    member.save()
    visit = VisitFactory(member=member)
    body = feed(api, since=start)
    changes = [(row["type"], row["object_id"], row["action"]) for row in body["results"]]
    assert changes[:2] == [("member", member.pk, "created"), ("member", member.pk, "updated")]
    assert ("visit", visit.pk, "created") in changes
    assert body["results"][0]["url"].endswith(f"/api/v1/members/{member.pk}/")
    assert "13900001111" not in str(body)  # what changed, not the values: read the object again
    assert feed(api, since=body["cursor"])["results"] == []
    visit_id = visit.pk
    visit.delete()
    deleted = feed(api, since=body["cursor"])["results"]
    assert [(row["type"], row["object_id"], row["action"], row["url"]) for row in deleted] == [
        ("visit", visit_id, "deleted", None)
    ]


def test_the_feed_holds_only_the_callers_organizations_and_kinds(unit, api):
    start = feed(api.as_user(unit.admin), since="latest")["cursor"]
    here = MemberFactory(organization=unit.branch1, name="本支部")
    there = MemberFactory(organization=unit.branch2, name="外支部")
    make_talk([here], [unit.shuji1.member], summary="谈话")
    seen = {(row["type"], row["object_id"]) for row in feed(api.as_user(unit.shuji1), since=start)["results"]}
    assert ("member", here.pk) in seen and ("member", there.pk) not in seen
    assert {row["type"] for row in feed(api.as_user(unit.zzb), since=start, types="member")["results"]} == {"member"}
    assert {("member", there.pk), ("member", here.pk)} <= {
        (row["type"], row["object_id"]) for row in feed(api, since=start)["results"]
    }
    # The fund officer reads no roster: no member changes in their feed.
    assert feed(api.as_user(unit.jijin), since=start)["results"] == []
    assert feed(api.as_user(unit.dangyuan1), since=start)["results"] == []


def test_a_token_sees_the_changes_its_grants_read(unit, issue, api):
    start = feed(api.as_user(unit.admin), since="latest")["cursor"]
    _, key = issue(["member.list", "visit.create"])
    api.with_token(key)
    response = api.post(
        "/api/v1/visits/",
        {
            "member": unit.member1.pk,
            "visited_on": timezone.localdate().isoformat(),
            "visitors": [unit.shuji1.member.pk],
        },
        key=new_key(),
    )
    assert response.status_code == 201
    MemberFactory(organization=unit.branch1, name="新登记")
    MemberFactory(organization=unit.branch2, name="别的支部")
    types = [(row["type"], row["action"]) for row in feed(api, since=start)["results"]]
    assert types == [("member", "created")]  # its own visit is not in it: visit.view is not granted


def test_a_long_feed_comes_in_parts(unit, api):
    api.as_user(unit.shuji1)
    start = feed(api, since="latest")["cursor"]
    for index in range(5):
        MemberFactory(organization=unit.branch1, name=f"分批{index}")
    first = feed(api, since=start, limit=3)
    assert len(first["results"]) == 3 and first["more"]
    second = feed(api, since=first["cursor"], limit=3)
    assert len(second["results"]) == 2 and not second["more"]
    assert [row["id"] for row in first["results"] + second["results"]] == sorted(
        row["id"] for row in first["results"] + second["results"]
    )


@pytest.mark.parametrize(
    "params",
    [
        {"since": "x"},
        {"since": "-1"},
        {"types": "member,salary"},
        {"limit": "0"},
        {"limit": "501"},
        {"since": "9" * 30},
    ],
)
def test_a_bad_cursor_or_filter_is_a_400(unit, api, params):
    response = api.as_user(unit.shuji1).get("/api/v1/changes/", params)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
