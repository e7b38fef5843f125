"""Writes: visits, talks and pairing progress made at most once per Idempotency-Key, and the workflow
of an application through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from api.models import IdempotencyKey
from funds.models import AssistanceApplication, Status
from funds.services import close_notices
from hardship.models import PairingProgress
from members.selectors import voting_members_on
from tests.api.conftest import ApiClient, new_key
from tests.funds.factories import application_in, fund_with
from tests.hardship.factories import PairingFactory, RecordFactory
from visits.models import Talk, Visit

pytestmark = pytest.mark.django_db


def visit_body(unit, **changes) -> dict:
    return {
        "member": unit.member1.pk,
        "visited_on": timezone.localdate().isoformat(),
        "occasion": "routine",
        "visitors": [unit.shuji1.member.pk],
        "notes": "送去慰问信",
        **changes,
    }


def test_a_retried_visit_is_logged_once_and_answered_the_same(unit, api):
    api.as_user(unit.shuji1)
    key = new_key()
    first = api.post("/api/v1/visits/", visit_body(unit), key=key)
    again = api.post("/api/v1/visits/", visit_body(unit), key=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1
    other = api.post("/api/v1/visits/", visit_body(unit), key=new_key())
    assert other.status_code == 201 and Visit.objects.count() == 2


def test_the_same_key_for_another_request_is_refused(unit, api):
    api.as_user(unit.shuji1)
    key = new_key()
    assert api.post("/api/v1/visits/", visit_body(unit), key=key).status_code == 201
    changed = api.post("/api/v1/visits/", visit_body(unit, notes="另一次走访"), key=key)
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    elsewhere = api.post(
        "/api/v1/talks/",
        {
            "talked_on": timezone.localdate().isoformat(),
            "summary": "谈话",
            "interviewers": [unit.shuji1.member.pk],
            "participants": [unit.member1.pk],
        },
        key=key,
    )
    assert elsewhere.status_code == 422
    assert Visit.objects.count() == 1 and not Talk.objects.exists()


def test_keys_belong_to_their_caller(unit, api):
    key = new_key()
    assert api.as_user(unit.shuji1).post("/api/v1/visits/", visit_body(unit), key=key).status_code == 201
    assert api.as_user(unit.zhiwei1).post("/api/v1/visits/", visit_body(unit), key=key).status_code == 201
    assert Visit.objects.count() == 2


def test_a_write_without_a_usable_key_is_refused_and_makes_nothing(unit, api):
    api.as_user(unit.shuji1)
    missing = api.post("/api/v1/visits/", visit_body(unit))
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    short = api.post("/api/v1/visits/", visit_body(unit), key="abc")
    assert short.status_code == 400 and short.json()["code"] == "idempotency_key_invalid"
    assert not Visit.objects.exists() and not IdempotencyKey.objects.exists()


def test_refused_input_and_rules_answer_in_chinese_and_keep_no_key(unit, api):
    api.as_user(unit.shuji1)
    key = new_key()
    future = api.post("/api/v1/visits/", visit_body(unit, visited_on="2999-01-01"), key=key)
    assert future.status_code == 400 and future.json()["fields"]["visited_on"] == ["日期不能晚于今天"]
    unit.member1.deceased_on = timezone.localdate() - dt.timedelta(days=3)
    unit.member1.save()
    refused = api.post("/api/v1/visits/", visit_body(unit), key=key)
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "rule_refused",
        "message": "该党员已故，只能登记“病故吊唁”",
        "fields": {"occasion": ["该党员已故，只能登记“病故吊唁”"]},
    }
    # The same key, corrected: the rules were not met the first time, so nothing was recorded for it.
    fixed = api.post("/api/v1/visits/", visit_body(unit, occasion="bereavement"), key=key)
    assert fixed.status_code == 201 and Visit.objects.get().occasion == "bereavement"


def test_a_visitor_outside_the_callers_branches_does_not_exist_for_them(unit, api):
    response = api.as_user(unit.shuji1).post(
        "/api/v1/visits/", visit_body(unit, visitors=[unit.member2.pk]), key=new_key()
    )
    assert response.status_code == 400 and "visitors" in response.json()["fields"]
    assert not Visit.objects.exists()


def test_a_holiday_visit_ticks_its_plan_item(unit, api):
    from visits.models import Occasion, VisitPlan, VisitPlanItem

    today = timezone.localdate()
    plan = VisitPlan.objects.create(
        organization=unit.branch1,
        occasion=Occasion.SPRING_FESTIVAL,
        year=today.year,
        holiday=today + dt.timedelta(days=10),
    )
    item = VisitPlanItem.objects.create(plan=plan, member=unit.member1, reasons="老党员")
    response = api.as_user(unit.shuji1).post(
        "/api/v1/visits/", visit_body(unit, occasion="spring_festival", plan_item=item.pk), key=new_key()
    )
    assert response.status_code == 201
    item.refresh_from_db()
    assert item.visit_id == response.json()["id"]


def test_a_talk_is_logged_once_with_its_notes_for_the_branch_only(unit, api):
    body = {
        "kind": "individual",
        "talked_on": timezone.localdate().isoformat(),
        "reason": "difficulty",
        "interviewers": [unit.shuji1.member.pk],
        "participants": [unit.dangyuan1.member.pk],
        "priority_hardship": True,
        "summary": "了解家庭困难",
        "confidential_notes": "经济压力大",
    }
    api.as_user(unit.shuji1)
    key = new_key()
    created = api.post("/api/v1/talks/", body, key=key)
    assert created.status_code == 201 and created.json()["confidential_notes"] == "经济压力大"
    assert api.post("/api/v1/talks/", body, key=key).json()["id"] == created.json()["id"]
    assert Talk.objects.count() == 1
    seen = api.as_user(unit.dangyuan1).get(f"/api/v1/talks/{created.json()['id']}/").json()
    assert seen["summary"] == "了解家庭困难" and seen["confidential_notes"] is None
    collective = api.as_user(unit.shuji1).post("/api/v1/talks/", {**body, "kind": "collective"}, key=new_key())
    assert collective.status_code == 409 and collective.json()["message"] == "集体谈话至少需要两名谈话对象"


def test_a_helper_logs_progress_once_and_an_ended_pairing_takes_none(unit, api):
    pairing = PairingFactory(
        record=RecordFactory(member=unit.member1),
        helper=unit.dangyuan1.member,
        started_on=timezone.localdate() - dt.timedelta(days=30),
    )
    url = f"/api/v1/pairings/{pairing.pk}/progress/"
    body = {
        "date": timezone.localdate().isoformat(),
        "help_type": pairing.help_types.first().code,
        "description": "帮助联系就业岗位",
        "money": "200.00",
    }
    api.as_user(unit.dangyuan1)
    unsourced = api.post(url, body, key=new_key())
    assert unsourced.status_code == 409 and list(unsourced.json()["fields"]) == ["money_source"]
    body |= {"money_source": "other", "money_source_note": "单位工会慰问经费"}
    key = new_key()
    first = api.post(url, body, key=key)
    assert first.status_code == 201 and first.json()["money"] == "200.00"
    assert api.post(url, body, key=key).json() == first.json()
    assert PairingProgress.objects.count() == 1
    assert [row["id"] for row in api.get(url).json()["results"]] == [first.json()["id"]]
    assert api.as_user(unit.shuji2).post(url, body, key=new_key()).status_code == 404
    pairing.status = "ended"
    pairing.ended_on = timezone.localdate()
    pairing.save()
    ended = api.as_user(unit.dangyuan1).post(url, body, key=new_key())
    assert ended.status_code == 409 and ended.json()["message"] == "结对已结束，不能再登记帮扶进展"


def test_an_application_goes_from_request_to_payment_through_the_api(unit, api):
    fund = fund_with(unit)
    api.as_user(unit.shuji1)
    created = api.post(
        "/api/v1/applications/",
        {
            "member": unit.member1.pk,
            "kind": "temporary",
            "amount_requested": "800.00",
            "reason": "突发疾病住院",
            "submit": True,
        },
    )
    assert created.status_code == 201 and created.json()["status"] == "submitted"
    pk = created.json()["id"]
    present = voting_members_on(unit.branch1.pk, timezone.localdate()).count()
    too_few = api.post(
        f"/api/v1/applications/{pk}/meeting/",
        {"meeting_on": timezone.localdate().isoformat(), "attendees": present + 1, "votes_for": present},
    )
    assert too_few.status_code == 409 and "预备党员和列席人员不计入到会人数" in too_few.json()["message"]
    meeting = api.post(
        f"/api/v1/applications/{pk}/meeting/",
        {"meeting_on": timezone.localdate().isoformat(), "attendees": present, "votes_for": present},
    )
    # The secretary filed the application himself: another committee member confirms the record.
    assert meeting.status_code == 200 and meeting.json()["status"] == "submitted"
    assert meeting.json()["meeting_roster_count"] == present and meeting.json()["meeting_confirmed_at"] is None
    own = api.post(f"/api/v1/applications/{pk}/meeting/confirm/", {"confirm": True})
    assert own.status_code == 403, own.json()
    confirmed = api.as_user(unit.zhiwei1).post(f"/api/v1/applications/{pk}/meeting/confirm/", {"confirm": True})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "branch_reviewed"
    decision = {
        "meeting_on": timezone.localdate().isoformat(),
        "meeting_kind": "committee",
        "reference": "县委〔2026〕12号会议纪要",
    }
    # The secretary may not approve: the table gives approval to the 组织部 only.
    assert (
        api.as_user(unit.shuji1)
        .post(f"/api/v1/applications/{pk}/approve/", decision | {"amount_approved": "800.00"})
        .status_code
        == 403
    )
    api.as_user(unit.zzb)
    unminuted = api.post(f"/api/v1/applications/{pk}/approve/", {"amount_approved": "600.00"})
    assert unminuted.status_code == 400 and set(unminuted.json()["fields"]) == {
        "meeting_on",
        "meeting_kind",
        "reference",
    }
    too_much = api.post(f"/api/v1/applications/{pk}/approve/", decision | {"amount_approved": "900.00"})
    assert too_much.status_code == 409 and too_much.json()["message"] == "批准金额不能超过申请金额"
    approved = api.post(f"/api/v1/applications/{pk}/approve/", decision | {"amount_approved": "600.00"}, key=new_key())
    assert approved.status_code == 200 and approved.json()["status"] == "in_notice"
    application = AssistanceApplication.objects.get(pk=pk)
    close_notices(day=application.notice_ends_on + dt.timedelta(days=1))
    api.as_user(unit.jijin)
    key = new_key()
    paid = api.post(f"/api/v1/applications/{pk}/disburse/", key=key)
    assert paid.status_code == 200 and paid.json()["status"] == "disbursed"
    again = api.post(f"/api/v1/applications/{pk}/disburse/", key=key)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    fund.refresh_from_db()
    assert str(fund.balance) == "9400.00"
    twice = api.post(f"/api/v1/applications/{pk}/disburse/")
    assert twice.status_code == 409
    events = api.as_user(unit.shuji1).get(f"/api/v1/applications/{pk}/").json()["events"]
    # Notes (the meeting recorded, then confirmed) keep the status: the path is the changes between them.
    statuses = [event["to_status"] for event in events]
    path = [status for before, status in zip([None, *statuses], statuses, strict=False) if status != before]
    assert any("待另一名支委或组织部确认后生效" in event["comment"] for event in events)
    assert path == ["draft", "submitted", "branch_reviewed", "approved", "in_notice", "notice_passed", "disbursed"]


def test_objections_and_their_resolution_through_the_api(unit, api):
    fund_with(unit)
    application = application_in(unit, Status.IN_NOTICE, member=unit.member1)
    objected = api.as_user(unit.dangyuan1).post(
        f"/api/v1/applications/{application.pk}/object/", {"reason": "其家庭收入不低"}
    )
    assert objected.status_code == 200 and objected.json()["status"] == "objection"
    assert [o["reason"] for o in objected.json()["my_objections"]] == ["其家庭收入不低"]
    assert "reason" not in objected.json()  # the notice board's fields, not the application's reason
    objection = application.objections.get()
    # The branch committee sees what was raised (it answers for the application); another member does not.
    assert [
        o["reason"]
        for o in api.as_user(unit.zhiwei1).get(f"/api/v1/applications/{application.pk}/").json()["objections"]
    ] == ["其家庭收入不低"]
    assert api.as_user(unit.dangyuan1).get(f"/api/v1/applications/{application.pk}/").status_code == 404
    resolved = api.as_user(unit.zzb2).post(  # not the approver: separation of duties
        f"/api/v1/applications/{application.pk}/objections/{objection.pk}/resolve/",
        {"upheld": False, "resolution": "经核实，收入情况属实"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "in_notice", resolved.json()


def test_a_session_writes_only_with_its_csrf_token(unit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(unit.shuji1)
    api = ApiClient(client)
    refused = api.post("/api/v1/visits/", visit_body(unit), key=new_key())
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    token = api.get("/api/v1/me/").json()["csrf_token"]
    accepted = api.post("/api/v1/visits/", visit_body(unit), key=new_key(), HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert Visit.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_attempts_at_once_with_one_key_make_one_visit(unit):
    key = new_key()
    body = visit_body(unit)
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def attempt():
        client = Client()
        client.force_login(unit.shuji1)
        barrier.wait()
        answers.append(ApiClient(client).post("/api/v1/visits/", body, key=key).status_code)
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201, 201]
    assert Visit.objects.count() == 1 and IdempotencyKey.objects.count() == 1
