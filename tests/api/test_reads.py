"""Reads: each list and detail scoped as its page, masked as its page, filtered with the page's filters,
paged by cursor, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from members.models import AccessLog
from tests.factories import MemberFactory, OrganizationFactory
from tests.funds.factories import application_in, fund_with
from tests.hardship.factories import PairingFactory, RecordFactory
from tests.visits.factories import VisitFactory, make_talk

pytestmark = pytest.mark.django_db


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def by_id(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


# --- members -----------------------------------------------------------------------------------------


def test_the_roster_is_scoped_and_masked_as_the_page(unit, api):
    number = unit.member1.id_number
    rows = by_id(api.as_user(unit.shuji1).get("/api/v1/members/"))
    assert unit.member2.pk not in rows and unit.member3.pk not in rows
    assert rows[unit.member1.pk]["id_number"] == number and rows[unit.member1.pk]["birth_date"] == "1970-05-01"
    rows = by_id(api.as_user(unit.zhiwei1).get("/api/v1/members/"))
    masked = rows[unit.member1.pk]
    assert masked["id_number"] == "**************" + number[-4:] and number not in str(rows)
    assert (masked["birth_date"], masked["birth_year"], masked["address"], masked["health"]) == (None, 1970, None, None)
    assert ids(api.as_user(unit.zzb).get("/api/v1/members/")) >= {unit.member1.pk, unit.member2.pk, unit.member3.pk}
    assert api.as_user(unit.jijin).get("/api/v1/members/").status_code == 403


def test_a_member_reads_their_own_record_in_full_and_nobody_elses(unit, api):
    own = unit.dangyuan1.member
    api.as_user(unit.dangyuan1)
    response = api.get(f"/api/v1/members/{own.pk}/")
    assert response.status_code == 200 and response.json()["id_number"] == own.id_number
    assert api.get(f"/api/v1/members/{unit.member1.pk}/").status_code == 404
    assert api.get("/api/v1/members/").status_code == 403


def test_reading_members_is_in_the_access_log(unit, api):
    api.as_user(unit.zzb).get(f"/api/v1/members/{unit.member1.pk}/")
    api.get("/api/v1/members/")
    logs = list(AccessLog.objects.order_by("pk").values_list("what", "member", "user"))
    assert logs[0] == (AccessLog.What.MEMBER, unit.member1.pk, unit.zzb.pk)
    assert logs[1][0] == AccessLog.What.EXPORT


def test_the_roster_takes_the_pages_filters(unit, api):
    MemberFactory(organization=unit.branch1, name="王老党员", is_retired_cadre=True)
    api.as_user(unit.shuji1)
    assert [row["name"] for row in api.get("/api/v1/members/", {"flag": "retired_cadre"}).json()["results"]] == [
        "王老党员"
    ]
    assert [row["name"] for row in api.get("/api/v1/members/", {"q": "老党"}).json()["results"]] == ["王老党员"]
    tail = unit.member1.id_number[-4:]
    assert unit.member1.pk in ids(api.get("/api/v1/members/", {"q": tail}))
    # A masked role does not find a member by the tail of a number it may not read.
    assert unit.member1.pk not in ids(api.as_user(unit.zhiwei1).get("/api/v1/members/", {"q": tail}))
    # Another branch is not a choice of the secretary's filter.
    refused = api.as_user(unit.shuji1).get("/api/v1/members/", {"organization": unit.branch2.pk})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and "organization" in refused.json()["fields"]


def test_lists_are_paged_by_cursor_without_gaps_or_repeats(unit, api):
    for index in range(7):
        MemberFactory(organization=unit.branch1, name=f"翻页{index}")
    api.as_user(unit.shuji1)
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/api/v1/members/", {"page_size": 3, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert body["next"] is None
            break
        assert f"cursor={cursor}" in body["next"]
    assert len(seen) == len(set(seen)) == 4 + 7 and seen == sorted(seen) and pages == 4
    for damaged in ("abc", "W10", "WyJ4Il0", "WzEsMl0", "Wy0xXQ", "WzFlMzA4XQ"):
        response = api.get("/api/v1/members/", {"cursor": damaged})
        assert response.status_code == 400 and response.json()["code"] == "invalid_cursor", damaged


def test_visits_are_paged_in_date_order_across_equal_dates(unit, api):
    day = timezone.localdate() - dt.timedelta(days=3)
    made = [VisitFactory(member=unit.member1, visited_on=day - dt.timedelta(days=index % 2)) for index in range(5)]
    api.as_user(unit.shuji1)
    first = api.get("/api/v1/visits/", {"page_size": 2}).json()
    rest = api.get("/api/v1/visits/", {"page_size": 10, "cursor": first["next_cursor"]}).json()
    order = [row["id"] for row in first["results"] + rest["results"]]
    expected = [visit.pk for visit in sorted(made, key=lambda v: (v.visited_on, v.pk), reverse=True)]
    assert order == expected


def test_list_queries_do_not_grow_with_rows(unit, api, django_assert_max_num_queries):
    for index in range(30):
        visit = VisitFactory(member=unit.member1, notes=f"走访{index}")
        visit.visitors.set([unit.shuji1.member, unit.zhiwei1.member])
    api.as_user(unit.shuji1)
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/v1/visits/", {"page_size": 30}).json()["results"]) == 30
    for index in range(30):
        MemberFactory(organization=unit.branch1, name=f"计数{index}")
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/v1/members/", {"page_size": 30}).json()["results"]) == 30


# --- the ledger and pairings ---------------------------------------------------------------------------


def test_a_ledger_lines_income_and_family_only_for_whom_the_page_shows_them(unit, api):
    record = RecordFactory(member=unit.member1, annual_household_income=Decimal("18000.00"), causes="老伴瘫痪在床")
    record.family.create(name="刘妻", relation="配偶", age=60, annual_income=Decimal("6000.00"))
    full = api.as_user(unit.shuji1).get(f"/api/v1/ledger/{record.pk}/").json()
    assert full["annual_household_income"] == "18000.00" and full["per_capita_income"] == "6000.00"
    assert full["causes"] == "老伴瘫痪在床" and full["family"][0]["name"] == "刘妻"
    masked = api.as_user(unit.zhiwei1).get(f"/api/v1/ledger/{record.pk}/").json()
    assert masked["confidential_masked"] and masked["family"] is None
    assert (masked["annual_household_income"], masked["causes"], masked["per_capita_income"]) == (None, None, None)
    row = by_id(api.get("/api/v1/ledger/"))[record.pk]
    assert row["annual_household_income"] is None and "老伴瘫痪在床" not in str(row)
    assert api.as_user(unit.shuji2).get(f"/api/v1/ledger/{record.pk}/").status_code == 404
    assert AccessLog.objects.filter(what=AccessLog.What.LEDGER, object_id=record.pk).count() == 2


def test_a_helper_reads_their_pairing_and_its_progress(unit, api):
    pairing = PairingFactory(record=RecordFactory(member=unit.member1), helper=unit.dangyuan1.member)
    api.as_user(unit.dangyuan1)
    assert api.get(f"/api/v1/pairings/{pairing.pk}/").json()["helper"] == unit.dangyuan1.member.pk
    assert api.get(f"/api/v1/pairings/{pairing.pk}/progress/").json()["results"] == []
    assert api.get("/api/v1/pairings/").status_code == 403  # the list is the managers'
    assert ids(api.as_user(unit.shuji1).get("/api/v1/pairings/", {"status": "active"})) == {pairing.pk}
    assert api.as_user(unit.shuji2).get(f"/api/v1/pairings/{pairing.pk}/progress/").status_code == 404


# --- visits and talks ----------------------------------------------------------------------------------


def test_visits_are_scoped_and_filtered_as_the_page(unit, api):
    mine = VisitFactory(member=unit.member1, occasion="illness")
    VisitFactory(member=unit.member2)
    api.as_user(unit.shuji1)
    assert ids(api.get("/api/v1/visits/")) == {mine.pk}
    assert ids(api.get("/api/v1/visits/", {"occasion": "routine"})) == set()
    assert ids(api.get("/api/v1/visits/", {"q": "刘"})) == {mine.pk}
    bad = api.get("/api/v1/visits/", {"year": "99999"})
    assert bad.status_code == 400 and bad.json()["fields"]["year"]


def test_a_talks_internal_notes_never_reach_the_member_talked_with(unit, api):
    talk = make_talk(
        [unit.dangyuan1.member], [unit.shuji1.member], summary="年度谈心", confidential_notes="对其有怨气，需关注"
    )
    assert (
        api.as_user(unit.shuji1).get(f"/api/v1/talks/{talk.pk}/").json()["confidential_notes"] == "对其有怨气，需关注"
    )
    assert (
        api.as_user(unit.zhiwei1).get(f"/api/v1/talks/{talk.pk}/").json()["confidential_notes"] == "对其有怨气，需关注"
    )
    own = api.as_user(unit.dangyuan1).get(f"/api/v1/talks/{talk.pk}/")
    assert own.status_code == 200 and own.json()["confidential_notes"] is None and "怨气" not in own.content.decode()
    listing = api.as_user(unit.shuji1).get("/api/v1/talks/")
    assert "confidential_notes" not in listing.json()["results"][0] and "怨气" not in listing.content.decode()
    # One secretary talking with another: the one talked with does not read them either.
    peer = make_talk([unit.shuji1.member], [unit.zhiwei1.member], summary="谈话", confidential_notes="书记的内部记录")
    assert api.as_user(unit.shuji1).get(f"/api/v1/talks/{peer.pk}/").json()["confidential_notes"] is None


# --- applications and funds ------------------------------------------------------------------------------


def test_an_applications_reason_is_not_the_fund_officers(unit, api):
    fund_with(unit)
    application = application_in(unit, "notice_passed")
    assert (
        api.as_user(unit.shuji1).get(f"/api/v1/applications/{application.pk}/").json()["reason"] == "家庭困难，申请帮扶"
    )
    paid = api.as_user(unit.jijin).get(f"/api/v1/applications/{application.pk}/").json()
    assert paid["reason"] is None and paid["attachments"] is None and paid["details_hidden"]
    assert paid["amount_approved"] == "1000.00" and [e["to_status"] for e in paid["events"]][-1] == "notice_passed"
    assert by_id(api.get("/api/v1/applications/"))[application.pk]["reason"] is None
    assert api.as_user(unit.shuji2).get(f"/api/v1/applications/{application.pk}/").status_code == 404


def test_fund_balance_entries_and_yearly_summary(unit, api):
    fund = fund_with(unit, amount="8000.00")
    api.as_user(unit.jijin)
    assert api.get(f"/api/v1/funds/{fund.pk}/").json()["balance"] == "8000.00"
    assert [row["amount"] for row in api.get(f"/api/v1/funds/{fund.pk}/entries/").json()["results"]] == ["8000.00"]
    summary = api.get(f"/api/v1/funds/{fund.pk}/summary/").json()
    assert summary["total_income"] == "8000.00" and summary["closing"] == "8000.00"
    assert summary["years"] == [timezone.localdate().year]
    assert api.get(f"/api/v1/funds/{fund.pk}/summary/", {"year": "1800"}).status_code == 400
    assert api.as_user(unit.shuji1).get("/api/v1/funds/").status_code == 403


def test_commendations_are_the_published_honours_a_member_may_read(unit, api):
    from awards.models import AwardCampaign
    from tests.awards.factories import CampaignFactory, NominationFactory

    campaign = CampaignFactory(organizer=unit.committee)
    honour = NominationFactory(category=campaign.categories.first(), member=unit.member1, status="approved")
    api.as_user(unit.dangyuan1)
    assert ids(api.get("/api/v1/commendations/")) == set()  # not yet published
    AwardCampaign.objects.filter(pk=campaign.pk).update(status="published", published_on=timezone.localdate())
    rows = api.get("/api/v1/commendations/").json()["results"]
    assert [(row["id"], row["member_name"]) for row in rows] == [(honour.pk, "刘一")]
    assert "deeds" not in rows[0]


def test_every_list_holds_only_the_callers_organizations(unit, api):
    """One object of each kind in 第一党支部 and one in 第二党支部: the first branch's secretary lists only
    theirs, the 组织部 over both lists both."""
    from awards.models import AwardCampaign
    from tests.awards.factories import CampaignFactory, NominationFactory

    fund_with(unit)
    made = {}
    for branch, member, secretary in (
        (unit.branch1, unit.member1, unit.shuji1),
        (unit.branch2, unit.member2, unit.shuji2),
    ):
        record = RecordFactory(member=member)
        made[branch.pk] = {
            "/api/v1/members/": member.pk,
            "/api/v1/ledger/": record.pk,
            "/api/v1/pairings/": PairingFactory(record=record).pk,
            "/api/v1/visits/": VisitFactory(member=member).pk,
            "/api/v1/talks/": make_talk([member], summary="谈话").pk,
            "/api/v1/applications/": application_in(unit, "submitted", member=member, by=secretary).pk,
        }
    for url in made[unit.branch1.pk]:
        mine, theirs = made[unit.branch1.pk][url], made[unit.branch2.pk][url]
        listed = ids(api.as_user(unit.shuji1).get(url, {"page_size": 200}))
        assert mine in listed and theirs not in listed, url
        listed = ids(api.as_user(unit.zzb).get(url, {"page_size": 200}))
        assert {mine, theirs} <= listed, url
    # The honour roll is for every member under the organizer: both branches' honours, to a member too;
    # not a campaign of another unit.
    campaign = CampaignFactory(organizer=unit.committee)
    honours = {
        NominationFactory(category=campaign.categories.first(), member=member, status="approved").pk
        for member in (unit.member1, unit.member2)
    }
    elsewhere = CampaignFactory(organizer=OrganizationFactory(name="外县党委", kind="committee"))
    foreign = NominationFactory(
        category=elsewhere.categories.first(),
        status="approved",
        member=MemberFactory(organization=OrganizationFactory(name="外县支部")),
    )
    AwardCampaign.objects.update(status="published", published_on=timezone.localdate())
    listed = ids(api.as_user(unit.dangyuan1).get("/api/v1/commendations/"))
    assert honours <= listed and foreign.pk not in listed
