"""Must-visit prompts, life events and 反映情况 through the API, by the pages' services and rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.api.conftest import new_key
from visits import services
from visits.models import Concern, LifeEvent, VisitPrompt

pytestmark = pytest.mark.django_db


def event_body(unit, **changes) -> dict:
    return {
        "member": unit.member1.pk,
        "kind": "disaster",
        "happened_on": timezone.localdate().isoformat(),
        "description": "房屋被洪水冲毁",
        **changes,
    }


def test_a_life_event_raises_its_prompt_once_per_key(unit, api):
    api.as_user(unit.shuji1)
    key = new_key()
    first = api.post("/api/v1/life-events/", event_body(unit), key=key)
    again = api.post("/api/v1/life-events/", event_body(unit), key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert LifeEvent.objects.count() == 1
    prompt = first.json()["prompt"]
    assert prompt["member"] == unit.member1.pk and prompt["occasion"] == "disaster"
    assert prompt["due_on"] == (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert prompt["closed_on"] is None and "房屋被洪水冲毁" in prompt["reason"]
    assert VisitPrompt.objects.get(pk=prompt["id"]).member == unit.member1
    listed = api.get("/api/v1/life-events/").json()["results"]
    assert [e["id"] for e in listed] == [first.json()["id"]]


def test_a_life_event_is_refused_in_chinese_and_outside_the_branch_does_not_exist(unit, api):
    api.as_user(unit.shuji1)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api.post("/api/v1/life-events/", event_body(unit, happened_on=future), key=new_key())
    assert response.status_code == 400 and "晚于今天" in response.content.decode()
    response = api.post("/api/v1/life-events/", event_body(unit, kind="lottery"), key=new_key())
    assert response.status_code == 400
    other_branch = api.post("/api/v1/life-events/", event_body(unit, member=unit.member3.pk), key=new_key())
    assert other_branch.status_code == 400 and "不在您管理的支部" in other_branch.content.decode()
    assert api.post("/api/v1/life-events/", event_body(unit)).status_code == 400  # no Idempotency-Key
    assert not LifeEvent.objects.exists()
    api.as_user(unit.dangyuan1)
    assert api.post("/api/v1/life-events/", event_body(unit), key=new_key()).status_code == 403


def test_prompts_are_read_only_scoped_and_filtered(unit, api):
    services.record_life_event(
        by=unit.shuji1, member=unit.member1, kind="accident", happened_on=timezone.localdate(), description="车祸"
    )
    services.record_life_event(
        by=unit.shuji2, member=unit.member2, kind="accident", happened_on=timezone.localdate(), description="摔伤"
    )
    api.as_user(unit.shuji1)
    listed = api.get("/api/v1/prompts/", {"open": "true"}).json()["results"]
    assert [p["member_name"] for p in listed] == [unit.member1.name]
    mine = listed[0]["id"]
    assert api.get(f"/api/v1/prompts/{mine}/").json()["reason"].endswith("请及时上门慰问")
    theirs = VisitPrompt.objects.get(member=unit.member2).pk
    assert api.get(f"/api/v1/prompts/{theirs}/").status_code == 404
    assert api.post("/api/v1/prompts/", {}, key=new_key()).status_code == 405
    assert api.get("/api/v1/prompts/", {"open": "false"}).json()["results"] == []
    api.as_user(unit.zzb)
    assert {p["member_name"] for p in api.get("/api/v1/prompts/").json()["results"]} == {
        unit.member1.name,
        unit.member2.name,
    }
    api.as_user(unit.jijin)
    assert api.get("/api/v1/prompts/").status_code == 403


def test_a_concern_is_assigned_and_answered_and_the_member_reads_the_answer(unit, api):
    concern = services.submit_concern(by=unit.dangyuan1, message="活动室冬天没有暖气")
    api.as_user(unit.shuji1)
    listed = api.get("/api/v1/concerns/", {"status": "new"}).json()["results"]
    assert [c["message"] for c in listed] == ["活动室冬天没有暖气"]
    assigned = api.post(f"/api/v1/concerns/{concern.pk}/assign/", {"assignee": unit.zhiwei1.member.pk})
    assert assigned.status_code == 200 and assigned.json()["assignee"]["name"] == unit.zhiwei1.member.name
    empty = api.post(f"/api/v1/concerns/{concern.pk}/answer/", {"answer": "  "})
    assert empty.status_code == 400
    key = new_key()
    answered = api.post(f"/api/v1/concerns/{concern.pk}/answer/", {"answer": "已协调社区解决"}, key=key)
    replay = api.post(f"/api/v1/concerns/{concern.pk}/answer/", {"answer": "已协调社区解决"}, key=key)
    assert answered.status_code == replay.status_code == 200 and answered.json() == replay.json()
    assert answered.json()["status"] == "answered"
    assert Notification.objects.filter(recipient=unit.dangyuan1, title="您反映的情况已有答复").count() == 1
    again = api.post(f"/api/v1/concerns/{concern.pk}/assign/", {"assignee": unit.zhiwei1.member.pk})
    assert again.status_code == 409 and "已答复" in again.content.decode()

    api.as_user(unit.dangyuan1)
    own = api.get(f"/api/v1/concerns/{concern.pk}/").json()
    assert own["answer"] == "已协调社区解决" and own["status"] == "answered"
    assert api.get("/api/v1/concerns/").status_code == 403
    refused = api.post(f"/api/v1/concerns/{concern.pk}/answer/", {"answer": "自己答复"})
    assert refused.status_code == 403
    assert Concern.objects.get(pk=concern.pk).answer == "已协调社区解决"

    api.as_user(unit.shuji2)
    assert api.get(f"/api/v1/concerns/{concern.pk}/").status_code == 404
    assert api.post(f"/api/v1/concerns/{concern.pk}/answer/", {"answer": "越权"}).status_code == 404
