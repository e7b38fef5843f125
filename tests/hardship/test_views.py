"""Every page: the allowed role sees it, another branch gets 404, anonymous goes to login; masking."""

import datetime as dt

from django.urls import reverse

from hardship.models import HardshipCategory, HardshipRecord, HelpType, Pairing
from members.models import AccessLog
from tests.factories import MemberFactory
from tests.hardship.factories import FamilyMemberFactory, PairingFactory, ProgressFactory, RecordFactory

TODAY = dt.date.today()


def test_anonymous_goes_to_login(client, record1):
    for url in [
        reverse("hardship:list"),
        reverse("hardship:detail", args=[record1.pk]),
        reverse("hardship:create"),
        reverse("hardship:pairings"),
        reverse("hardship:report"),
        reverse("hardship:export"),
        reverse("hardship:import"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_list_scoped_per_role(unit, login, record1, record2):
    assert list(login(unit.shuji1).get(reverse("hardship:list")).context["records"]) == [record1]
    assert list(login(unit.shuji2).get(reverse("hardship:list")).context["records"]) == [record2]
    assert set(login(unit.zzb).get(reverse("hardship:list")).context["records"]) == {record1, record2}


def test_members_and_fund_officer_do_not_see_the_ledger(unit, login):
    assert login(unit.dangyuan1).get(reverse("hardship:list")).status_code == 403
    assert login(unit.jijin).get(reverse("hardship:list")).status_code == 403


def test_other_branch_detail_is_404(unit, login, record2):
    assert login(unit.shuji1).get(reverse("hardship:detail", args=[record2.pk])).status_code == 404
    assert login(unit.shuji1).get(reverse("hardship:edit", args=[record2.pk])).status_code == 404
    assert login(unit.shuji1).post(reverse("hardship:review", args=[record2.pk])).status_code == 404


def test_secretary_sees_income_and_family_committee_sees_them_masked(unit, login, record1):
    FamilyMemberFactory(record=record1, name="王桂兰", health="糖尿病")
    page = login(unit.shuji1).get(reverse("hardship:detail", args=[record1.pk])).content.decode()
    assert "¥18000.00" in page and "王桂兰" in page and "糖尿病" in page and "老伴长期患病" in page
    page = login(unit.zhiwei1).get(reverse("hardship:detail", args=[record1.pk])).content.decode()
    assert "18000" not in page and "王桂兰" not in page and "糖尿病" not in page and "老伴长期患病" not in page
    listing = login(unit.zhiwei1).get(reverse("hardship:list")).content.decode()
    assert "6000" not in listing and "***" in listing


def test_history_values_hidden_from_committee(unit, login, record1):
    from hardship import services

    record1.annual_household_income = 24000
    services.save_record(record=record1, categories=record1.categories.all(), by=unit.shuji1)
    page = login(unit.zhiwei1).get(reverse("hardship:detail", args=[record1.pk])).content.decode()
    assert "24000" not in page
    page = login(unit.shuji1).get(reverse("hardship:detail", args=[record1.pk])).content.decode()
    assert "24000" in page


def test_every_detail_view_is_logged_and_shown_to_the_department_and_admins(unit, login, record1):
    login(unit.shuji1).get(reverse("hardship:detail", args=[record1.pk]), REMOTE_ADDR="10.1.2.3")
    login(unit.zhiwei1).get(reverse("hardship:detail", args=[record1.pk]))
    logs = AccessLog.objects.filter(what=AccessLog.What.LEDGER, object_id=record1.pk).order_by("id")
    assert [(log.user.username, log.member_id) for log in logs] == [
        ("shuji1", record1.member_id),
        ("zhiwei1", record1.member_id),
    ]
    assert logs[0].ip_address == "10.1.2.3"
    response = login(unit.shuji1).get(reverse("hardship:detail", args=[record1.pk]))
    assert "查看记录" not in response.content.decode()
    response = login(unit.zzb).get(reverse("hardship:detail", args=[record1.pk]))
    assert [log.user for log in response.context["access_logs"]][:2] == [unit.zzb, unit.shuji1]
    assert "zhiwei1" in response.content.decode()
    assert login(unit.admin).get(reverse("admin:members_accesslog_changelist")).status_code == 200


def test_list_query_count_is_constant(unit, login, django_assert_max_num_queries):
    for _ in range(15):
        record = RecordFactory(member=MemberFactory(organization=unit.branch1))
        PairingFactory(record=record)
    client = login(unit.shuji1)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("hardship:list"))
    assert len(response.context["records"]) == 15
    with django_assert_max_num_queries(14):
        client.get(reverse("hardship:pairings"))


def test_list_filters(unit, login):
    old = RecordFactory(
        member=MemberFactory(organization=unit.branch1, name="老未复核"),
        registered_on=TODAY - dt.timedelta(days=800),
        last_reviewed_on=TODAY - dt.timedelta(days=400),
    )
    covered = RecordFactory(
        member=MemberFactory(organization=unit.branch1, name="有帮扶"),
        categories=[HardshipCategory.objects.get(code="disaster")],
        level="special",
    )
    PairingFactory(record=covered)
    client = login(unit.shuji1)

    def names(**params):
        return {r.member.name for r in client.get(reverse("hardship:list"), params).context["records"]}

    assert names(attention="not_reviewed") == {"老未复核"}
    assert names(attention="no_helper") == {"老未复核"}
    assert names(category=HardshipCategory.objects.get(code="disaster").pk) == {"有帮扶"}
    assert names(level="special") == {"有帮扶"}
    assert names(branch=unit.branch1.pk) == {"老未复核", "有帮扶"}
    from hardship import services

    services.close_record(record_id=old.pk, status="lifted", reason="脱困", by=unit.shuji1)
    assert names() == {"有帮扶"}
    assert names(status="lifted") == {"老未复核"}


def test_secretary_registers_with_two_family_members(unit, login):
    illness = HardshipCategory.objects.get(code="illness")
    response = login(unit.shuji1).post(
        reverse("hardship:create"),
        {
            "member": unit.member1.pk,
            "categories": [illness.pk],
            "level": "general",
            "household_size": 3,
            "annual_household_income": "15000",
            "registered_on": TODAY.isoformat(),
            "consent_on": TODAY.isoformat(),
            "consent_method": "written",
            "causes": "",
            "main_difficulties": "",
            "skills": "",
            "family-TOTAL_FORMS": 2,
            "family-INITIAL_FORMS": 0,
            "family-0-name": "王桂兰",
            "family-0-relation": "配偶",
            "family-0-age": 66,
            "family-1-name": "刘小明",
            "family-1-relation": "儿子",
            "family-1-age": 30,
        },
    )
    record = HardshipRecord.objects.get(member=unit.member1)
    assert response.status_code == 302 and response["Location"] == reverse("hardship:detail", args=[record.pk])
    assert sorted(record.family.values_list("name", flat=True)) == ["刘小明", "王桂兰"]


def test_create_refuses_member_outside_branch(unit, login):
    response = login(unit.shuji1).post(
        reverse("hardship:create"),
        {
            "member": unit.member2.pk,
            "categories": [HardshipCategory.objects.first().pk],
            "level": "general",
            "household_size": 1,
            "registered_on": TODAY.isoformat(),
            "family-TOTAL_FORMS": 0,
            "family-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert not HardshipRecord.objects.exists()


def test_review_and_close_actions(unit, login, record1):
    client = login(unit.shuji1)
    client.post(
        reverse("hardship:review", args=[record1.pk]),
        {"reviewed_on": TODAY.isoformat(), "level": "special", "note": "病情加重"},
    )
    record1.refresh_from_db()
    assert record1.level == "special" and record1.last_reviewed_on == TODAY
    client.post(
        reverse("hardship:close", args=[record1.pk]),
        {"status": "lifted", "closed_on": TODAY.isoformat(), "reason": "子女就业"},
    )
    record1.refresh_from_db()
    assert record1.status == "lifted"
    client.post(
        reverse("hardship:close", args=[record1.pk]),
        {"status": "closed", "closed_on": TODAY.isoformat(), "reason": "再次注销"},
    )
    record1.refresh_from_db()
    assert record1.status == "lifted" and record1.close_reason == "子女就业"


def test_pairing_pages(unit, login, record1, record2):
    pairing = PairingFactory(record=record1)
    ProgressFactory(pairing=pairing, description="送去棉被")
    client = login(unit.shuji1)
    page = client.get(reverse("hardship:pairing_detail", args=[pairing.pk]))
    assert page.status_code == 200 and "送去棉被" in page.content.decode()
    assert client.get(reverse("hardship:agreement_print", args=[pairing.pk])).status_code == 200
    other = PairingFactory(record=record2)
    assert client.get(reverse("hardship:pairing_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("hardship:agreement_print", args=[other.pk])).status_code == 404


def test_assign_helper_through_the_form(unit, login, record1):
    helper = MemberFactory(organization=unit.branch1, name="周帮扶")
    response = login(unit.shuji1).post(
        reverse("hardship:pairing_create"),
        {
            "record": record1.pk,
            "helper": helper.pk,
            "help_types": [HelpType.objects.get(code="thought").pk],
            "started_on": TODAY.isoformat(),
            "goals": "渡过难关",
            "measures": "每月走访",
            "items": "",
            "expected_results": "",
        },
    )
    pairing = Pairing.objects.get()
    assert response["Location"] == reverse("hardship:pairing_detail", args=[pairing.pk])
    response = login(unit.shuji1).post(
        reverse("hardship:pairing_create"),
        {
            "record": record1.pk,
            "helper": unit.member1.pk,
            "help_types": [HelpType.objects.get(code="thought").pk],
            "started_on": TODAY.isoformat(),
        },
    )
    assert "不能是被帮扶的党员本人" in response.content.decode()


def test_helper_outside_scope_refused_by_the_form(unit, login, record1):
    response = login(unit.shuji1).post(
        reverse("hardship:pairing_create"),
        {
            "record": record1.pk,
            "helper": unit.member2.pk,
            "help_types": [HelpType.objects.get(code="thought").pk],
            "started_on": TODAY.isoformat(),
        },
    )
    assert "helper" in response.context["form"].errors and not Pairing.objects.exists()


def test_progress_and_end_through_pages(unit, login, record1):
    pairing = PairingFactory(record=record1)
    client = login(unit.shuji1)
    client.post(
        reverse("hardship:progress_add", args=[pairing.pk]),
        {
            "date": TODAY.isoformat(),
            "help_type": HelpType.objects.get(code="living").pk,
            "description": "送米",
            "money": "300",
            "money_source": "other",
            "money_source_note": "帮扶人个人资助",
            "goods": "大米",
        },
    )
    assert pairing.progress.get().goods == "大米"
    client.post(
        reverse("hardship:pairing_end", args=[pairing.pk]), {"ended_on": TODAY.isoformat(), "outcome": "生活稳定"}
    )
    pairing.refresh_from_db()
    assert pairing.status == "ended" and pairing.outcome == "生活稳定"


def test_member_sees_own_line_on_me_without_confidential_parts(unit, login):
    record = RecordFactory(member=unit.dangyuan1.member, causes="欠债十万")
    FamilyMemberFactory(record=record, name="王桂兰")
    PairingFactory(record=record, helper=MemberFactory(organization=unit.branch1, name="周帮扶"))
    page = login(unit.dangyuan1).get(reverse("me")).content.decode()
    assert "困难党员台帐" in page and "因病致贫" in page and "周帮扶" in page
    assert "王桂兰" not in page and "18000" not in page and "欠债十万" not in page


def test_member_page_section_for_secretary(unit, login, record1):
    page = login(unit.shuji1).get(reverse("members:detail", args=[unit.member1.pk])).content.decode()
    assert "困难帮扶" in page and "¥18000.00" in page
    page = login(unit.zhiwei1).get(reverse("members:detail", args=[unit.member1.pk])).content.decode()
    assert "困难帮扶" in page and "18000" not in page


def test_home_coverage_panel(unit, login, record1, record2):
    page = login(unit.shuji1).get("/").content.decode()
    assert "困难党员帮扶覆盖" in page and "刘一" in page and "陈二" not in page
    page = login(unit.zzb).get("/").content.decode()
    assert "刘一" in page and "陈二" in page
    assert "困难党员帮扶覆盖" not in login(unit.dangyuan1).get("/").content.decode()


def test_export_masks_for_committee(unit, login, record1):
    import io

    from openpyxl import load_workbook

    def cells(user):
        response = login(user).get(reverse("hardship:export"))
        assert response.status_code == 200
        sheet = load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        ).active
        return [c for row in sheet.iter_rows(values_only=True) for c in row]

    full = cells(unit.shuji1)
    assert 18000 in full and unit.member1.id_number in full
    masked = cells(unit.zhiwei1)
    assert 18000 not in masked and unit.member1.id_number not in masked and "刘一" in masked
    assert "刘一" not in cells(unit.shuji2)


def test_edit_removes_a_family_member_and_adds_another(unit, login, record1):
    kept = FamilyMemberFactory(record=record1, name="王桂兰")
    gone = FamilyMemberFactory(record=record1, name="刘大")
    client = login(unit.shuji1)
    assert client.get(reverse("hardship:edit", args=[record1.pk])).status_code == 200
    response = client.post(
        reverse("hardship:edit", args=[record1.pk]),
        {
            "categories": [c.pk for c in record1.categories.all()],
            "level": "general",
            "household_size": 3,
            "annual_household_income": "18000",
            "registered_on": record1.registered_on.isoformat(),
            "consent_on": record1.consent_on.isoformat(),
            "consent_method": "written",
            "family-TOTAL_FORMS": 3,
            "family-INITIAL_FORMS": 2,
            "family-0-id": kept.pk,
            "family-0-name": "王桂兰",
            "family-0-relation": "配偶",
            "family-1-id": gone.pk,
            "family-1-name": "刘大",
            "family-1-relation": "儿子",
            "family-1-DELETE": "on",
            "family-2-name": "刘小妹",
            "family-2-relation": "女儿",
        },
    )
    assert response.status_code == 302
    assert sorted(record1.family.values_list("name", flat=True)) == ["刘小妹", "王桂兰"]
    assert login(unit.shuji2).get(reverse("hardship:edit", args=[record1.pk])).status_code == 404


def test_committee_member_does_not_open_the_confidential_form(unit, login, record1):
    client = login(unit.zhiwei1)
    assert client.get(reverse("hardship:edit", args=[record1.pk])).status_code == 403
    assert client.get(reverse("hardship:create")).status_code == 403
    page = client.get(reverse("hardship:detail", args=[record1.pk])).content.decode()
    assert reverse("hardship:edit", args=[record1.pk]) not in page
    # …but may still run the annual review.
    client.post(
        reverse("hardship:review", args=[record1.pk]),
        {"reviewed_on": TODAY.isoformat(), "level": "general", "note": "无变化"},
    )
    record1.refresh_from_db()
    assert record1.last_reviewed_on == TODAY


def test_record_search_finds_only_lines_the_user_keeps(unit, login):
    from tests.hardship.factories import RecordFactory

    RecordFactory(member=unit.member1)
    RecordFactory(member=unit.member2)
    mine = login(unit.shuji1).get("/hardship/search/", {"q": ""}).json()["results"]
    assert [r["text"] for r in mine] == ["刘一（第一党支部）"]
    assert login(unit.shuji2).get("/hardship/search/", {"q": "刘"}).json()["results"] == []
    everyone = login(unit.zzb).get("/hardship/search/").json()["results"]
    assert {r["text"] for r in everyone} == {"刘一（第一党支部）", "陈二（第二党支部）"}


def test_home_coverage_panel_shows_a_new_line_and_a_new_helper_at_once(unit, login, record1):
    client = login(unit.shuji1)
    no_helper = client.get("/").content.decode().split("还没有帮扶人的困难党员")
    assert len(no_helper) == 2 and "刘一" in no_helper[1]
    RecordFactory(member=unit.dangyuan1.member)
    assert "张党员" in client.get("/").content.decode().split("还没有帮扶人的困难党员")[1]
    PairingFactory(record=record1, helper=unit.shuji1.member)
    after = client.get("/").content.decode()
    assert "刘一" not in after.split("还没有帮扶人的困难党员")[1].split("</ul>")[0]
