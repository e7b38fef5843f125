"""Privacy round 2: nobody sees or rebuilds what their role may not (issue: privacy and access).

Each test here failed before the role table, the new masking, the access log and the one
client-address policy; the access matrix itself is tests/security/test_url_access.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from itertools import product

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from members.models import AccessLog, Member
from members.validators import ID_CHECK_CODES, ID_WEIGHTS, id_check_digit
from tests.factories import MemberFactory, make_id_number
from tests.hardship.factories import PairingFactory, RecordFactory
from tests.visits.factories import VisitFactory, make_talk

pytestmark = pytest.mark.django_db


# --- 1. the fund officer -------------------------------------------------------------------------------


def test_the_fund_officer_reads_neither_the_roster_nor_talks_nor_the_ledger(unit, login):
    talk = make_talk([unit.member1], summary="谈心内容摘要", confidential_notes="内部记录")
    visit = VisitFactory(member=unit.member1, notes="走访情况")
    pairing = PairingFactory(record=RecordFactory(member=unit.member1), helper=unit.dangyuan1.member)
    client = login(unit.jijin)
    for url in (
        f"/members/{unit.member1.pk}/",
        f"/visits/{visit.pk}/",
        f"/visits/talks/{talk.pk}/",
        f"/hardship/pairings/{pairing.pk}/agreement/print/",
        "/members/search/?q=刘",
        "/members/",
        "/hardship/",
        "/visits/talks/",
        "/members/export/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert unit.member1.name not in body and "谈心内容摘要" not in body


def test_the_fund_officers_workbook_holds_the_money_not_the_people(unit, login):
    from tests.funds.factories import application_in, fund_with

    fund_with(unit)
    application_in(unit, "submitted", member=unit.member1)
    RecordFactory(member=unit.member1)
    make_talk([unit.member1], summary="谈心内容摘要")
    response = login(unit.jijin).get(reverse("reports:annual"))
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["汇总", "关怀基金收支", "帮扶申请"]
    headers = list(next(book["汇总"].iter_rows(min_row=2, max_row=2, values_only=True)))
    assert headers == ["支部", "基金收入（元）", "帮扶支出（元）", "帮扶申请批准（件）", "帮扶申请发放（件）"]
    reasons = [
        row[-1]
        for row in book["帮扶申请"].iter_rows(min_row=3, values_only=True)
        if not str(row[0]).startswith(("合计", "实际发放"))
    ]
    assert reasons and set(reasons) == {"（不可见）"}


def test_the_fund_officer_pays_by_name_and_amount_without_the_reason(unit, login):
    from tests.funds.factories import application_in, fund_with

    fund_with(unit)
    app = application_in(unit, "notice_passed", member=unit.member1)
    page = login(unit.jijin).get(f"/funds/applications/{app.pk}/").content.decode()
    assert unit.member1.name in page and "1,000.00" in page
    assert app.reason not in page
    assert app.reason in login(unit.shuji1).get(f"/funds/applications/{app.pk}/").content.decode()


# --- 2. a masked number cannot be rebuilt -----------------------------------------------------------


def candidates(*, tail: str, gender: str, birth_year: int, area: str) -> list[str]:
    """Every valid 身份证号 consistent with what a masked role sees: the last characters, the gender (the
    17th digit's parity), the birth year, and — generously — the area code guessed right."""
    found = []
    day = dt.date(birth_year, 1, 1)
    while day.year == birth_year:
        known = f"{area}{day:%Y%m%d}"
        hidden = 17 - len(known) - (len(tail) - 1)
        for middle in product("0123456789", repeat=max(hidden, 0)):
            first17 = known + "".join(middle) + tail[:-1]
            if len(first17) != 17 or (int(first17[16]) % 2 == 1) != (gender == "M"):
                continue
            if id_check_digit(first17) == tail[-1]:
                found.append(first17 + tail[-1])
        day += dt.timedelta(days=1)
    return found


def test_everything_a_committee_member_sees_leaves_dozens_of_possible_numbers(unit, login, client):
    member = unit.member1
    member.birth_date = dt.date(1962, 7, 8)
    member.id_number = make_id_number(member.birth_date, "M")
    member.gender = "M"
    member.save()
    RecordFactory(member=member)
    seen = ""
    zhiwei = login(unit.zhiwei1)
    seen += zhiwei.get(f"/members/{member.pk}/").content.decode()
    seen += zhiwei.get("/members/").content.decode()
    seen += zhiwei.get(f"/members/{member.pk}/edit/").content.decode()
    for export in ("/members/export/", "/hardship/export/", reverse("reports:annual")):
        response = zhiwei.get(export)
        book = load_workbook(io.BytesIO(response.getvalue()))
        seen += "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    # The whole number, its middle digits and its full birth date appear nowhere.
    assert member.id_number not in seen
    assert member.id_number[6:14] not in seen
    assert "1962-07-08" not in seen and "1962年7月8日" not in seen and "1962-07-08 00:00:00" not in seen
    shown = set(re.findall(r"\*{14}([0-9X]{4})", seen))
    assert member.id_number[-4:] in shown
    # Searching for a guessed tail confirms nothing to a masked role.
    assert zhiwei.get("/members/search/", {"q": member.id_number[-6:]}).json()["results"] == []
    assert zhiwei.get("/members/", {"q": member.id_number[-4:]}).context["members"].count() == 0
    # From the tail, the gender and the birth year, even with the area code guessed right:
    possible = candidates(tail=member.id_number[-4:], gender="M", birth_year=1962, area=member.id_number[:6])
    assert member.id_number in possible
    assert len(possible) >= 20
    # The secretary, who may, sees the number and finds it by its tail.
    assert member.id_number in login(unit.shuji1).get(f"/members/{member.pk}/").content.decode()
    assert client.get("/members/search/", {"q": member.id_number[-6:]}).json()["results"]


def test_a_committee_member_edits_a_member_without_receiving_sensitive_values(unit, login):
    member = unit.member1
    member.address, member.health = "幸福路8号", "高血压"
    member.save()
    client = login(unit.zhiwei1)
    page = client.get(f"/members/{member.pk}/edit/").content.decode()
    for value in (member.id_number, member.address, member.health, member.birth_date.isoformat()):
        assert value not in page
    for name in ("id_number", "address", "health", "birth_date"):
        assert f'name="{name}"' not in page
    data = {
        "organization": member.organization_id,
        "name": member.name,
        "gender": member.gender,
        "phone": "13900001111",
        "join_date": member.join_date.isoformat(),
        "party_status": member.party_status,
        "employment": member.employment,
        "work_capacity": member.work_capacity,
        "full_member_date": member.full_member_date.isoformat() if member.full_member_date else "",
        # Posting sensitive fields anyway changes none of them.
        "id_number": make_id_number(dt.date(1970, 1, 1)),
        "address": "篡改",
        "health": "篡改",
    }
    assert client.post(f"/members/{member.pk}/edit/", data).status_code == 302
    fresh = Member.objects.get(pk=member.pk)
    assert fresh.phone == "13900001111"
    assert (fresh.id_number, fresh.address, fresh.health) == (member.id_number, "幸福路8号", "高血压")


def test_the_check_digit_table_is_the_national_one():
    # The enumeration above relies on it: GB 11643, weights and codes.
    assert ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert ID_CHECK_CODES == "10X98765432"


# --- 4. duplicates through other digits ----------------------------------------------------------------

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def member_form_data(unit, number: str, name: str = "重号") -> dict:
    return {
        "organization": unit.branch1.pk,
        "name": name,
        "gender": "M",
        "birth_date": "1980-04-05",
        "id_number": number,
        "phone": "",
        "join_date": "2005-07-01",
        "party_status": "full",
        "employment": "employed",
        "work_capacity": "normal",
    }


def test_a_number_in_other_digits_is_refused_and_full_width_is_the_same_number(unit, login):
    existing = MemberFactory(organization=unit.branch1, birth_date=dt.date(1980, 4, 5), gender="M")
    client = login(unit.shuji1)
    response = client.post("/members/new/", member_form_data(unit, existing.id_number.translate(ARABIC_INDIC)))
    assert response.status_code == 200
    assert "前17位是数字0–9" in response.content.decode()
    response = client.post("/members/new/", member_form_data(unit, existing.id_number.translate(FULL_WIDTH)))
    assert response.status_code == 200 and "身份证号" in response.content.decode()
    assert Member.objects.filter(name="重号").count() == 0


def test_phones_and_searches_take_only_ascii_digits(unit, login):
    from members.validators import normalize_phone, validate_phone

    assert normalize_phone("１３８１２３４５６７８") == "13812345678"
    with pytest.raises(Exception, match="手机号"):
        validate_phone("13812345678".translate(ARABIC_INDIC))
    member = unit.member1
    results = login(unit.shuji1).get("/members/search/", {"q": member.id_number[-4:].translate(ARABIC_INDIC)})
    assert results.json()["results"] == []


def test_the_import_refuses_a_number_in_other_digits(unit, login):
    from tests.members.test_import import confirm, person, upload, xlsx

    existing = MemberFactory(organization=unit.branch1, birth_date=dt.date(1980, 4, 5), gender="M")
    client = login(unit.shuji1)
    row = person("重号", 身份证号=existing.id_number.translate(ARABIC_INDIC))
    rejected = upload(client, xlsx([row])).context["rejected"]
    assert any("身份证号" in error.column for error in rejected.errors)
    row = person("重号", 身份证号=existing.id_number.translate(FULL_WIDTH))
    response = upload(client, xlsx([row]))
    if "report" in response.context:
        confirm(client, response, confirm_similar="on")
    assert Member.objects.filter(id_number=existing.id_number).count() == 1


# --- 7. the rest of the trail -----------------------------------------------------------------------------


def test_visits_talks_and_plan_items_are_in_the_audit_trail_with_old_and_new(unit, login):
    from visits.models import Occasion, VisitPlan, VisitPlanItem

    client = login(unit.shuji1)
    client.post(
        "/visits/new/",
        {
            "member": unit.member1.pk,
            "occasion": "routine",
            "visited_on": dt.date.today().isoformat(),
            "visitors": unit.shuji1.member.pk,
            "notes": "身体尚好",
        },
    )
    visit = unit.member1.visits.get()
    created = LogEntry.objects.get_for_object(visit).get(action=LogEntry.Action.CREATE)
    assert created.action == LogEntry.Action.CREATE and created.actor == unit.shuji1
    visit.notes = "身体欠佳，需再访"
    visit.save()
    change = LogEntry.objects.get_for_object(visit).latest("timestamp")
    assert change.changes["notes"] == ["身体尚好", "身体欠佳，需再访"]
    talk = make_talk([unit.member1], summary="摘要")
    talk.summary = "新摘要"
    talk.save()
    assert LogEntry.objects.get_for_object(talk).latest("timestamp").changes["summary"] == ["摘要", "新摘要"]
    plan = VisitPlan.objects.create(
        organization=unit.branch1, occasion=Occasion.SPRING_FESTIVAL, year=2030, holiday=dt.date(2030, 2, 3)
    )
    item = VisitPlanItem.objects.create(plan=plan, member=unit.member1, reasons="老党员")
    client.post(f"/visits/plans/items/{item.pk}/visitors/", {"visitors": [unit.shuji1.member.pk]})
    entries = LogEntry.objects.get_for_object(item)
    assert entries.count() >= 2
    assert entries.first().additional_data["org_path"] == unit.branch1.path
    # The organization department reads them on the audit page.
    assert "走访慰问" in login(unit.zzb).get("/audit/").content.decode()


def test_member_pages_and_exports_of_personal_data_are_access_logged(unit, login):
    client = login(unit.shuji1)
    client.get(f"/members/{unit.member1.pk}/", REMOTE_ADDR="10.9.8.7")
    client.get("/members/export/")
    client.get("/visits/export/")
    client.get(reverse("reports:annual"))
    logs = list(AccessLog.objects.filter(user=unit.shuji1).order_by("id"))
    assert [log.what for log in logs] == ["member", "export", "export", "export"]
    assert logs[0].member == unit.member1 and logs[0].ip_address == "10.9.8.7"
    assert "党员名册" in logs[1].target and "走访慰问" in logs[2].target and "年度报表" in logs[3].target
    page = login(unit.zzb).get("/audit/access/").content.decode()
    assert "查看党员信息" in page and "党员名册" in page and "10.9.8.7" in page
    assert login(unit.shuji1).get("/audit/access/").status_code == 403


def test_one_client_address_policy_for_trail_access_log_and_lockout(unit, login, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9", "REMOTE_ADDR": "10.0.0.1"}
    client = login(unit.shuji1)
    client.get(f"/members/{unit.member1.pk}/", **forged)
    assert AccessLog.objects.get().ip_address == "203.0.113.9"
    data = member_form_data(unit, unit.member1.id_number, name=unit.member1.name)
    data.update(
        birth_date=unit.member1.birth_date.isoformat(),
        gender=unit.member1.gender,
        phone="13900002222",
        join_date=unit.member1.join_date.isoformat(),
    )
    client.post(f"/members/{unit.member1.pk}/edit/", data, **forged)
    assert LogEntry.objects.get_for_object(unit.member1).latest("timestamp").remote_addr == "203.0.113.9"
    client.logout()
    for _ in range(5):
        client.post(reverse("login"), {"username": "shuji1", "password": "wrong"}, **forged)
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    settings.TRUSTED_PROXY_COUNT = 0
    client.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.1")
    from django.test import RequestFactory

    from core.http import client_ip

    assert client_ip(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_pages_and_exports_with_personal_data_are_not_stored(unit, login):
    client = login(unit.shuji1)
    for url in (f"/members/{unit.member1.pk}/", "/members/", "/members/export/", "/me/", "/members/search/?q=刘"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_second_factor_is_offered_to_secretaries_and_can_be_required(unit, login, settings):
    assert "两步验证" in login(unit.shuji1).get("/me/").content.decode()
    assert "两步验证" not in login(unit.zhiwei1).get("/me/").content.decode()
    settings.TWO_FACTOR_REQUIRED_ROLES = ["secretary"]
    client = login(unit.shuji1)
    response = client.get("/members/")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor_setup")
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert login(unit.zhiwei1).get("/members/").status_code == 200  # a role the setting does not name
