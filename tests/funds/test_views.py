"""Pages: who sees what, the notice board's privacy, actions through the browser's forms, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import AssistanceApplication, FundEntry, Status
from hardship.models import HardshipCategory, HardshipRecord
from tests.funds.factories import application_in, refreshed
from tests.hardship.factories import RecordFactory


def on_ledger(member, code="old_no_income"):
    """A ledger line in a category of the 年度生活困难补助 (seed 000: 年老无固定收入……)."""
    return RecordFactory(member=member, categories=[HardshipCategory.objects.get(code=code)])


pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_login(client, unit, fund):
    app = application_in(unit, Status.SUBMITTED)
    for url in [
        "/funds/",
        "/funds/public/",
        "/funds/notices/",
        f"/funds/{fund.pk}/",
        f"/funds/{fund.pk}/summary/",
        f"/funds/{fund.pk}/batch/",
        "/funds/applications/",
        "/funds/applications/new/",
        f"/funds/applications/{app.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_fund_officer_sees_the_ledger_others_are_refused(unit, fund, login):
    response = login(unit.jijin).get(f"/funds/{fund.pk}/")
    assert response.status_code == 200
    assert "登记收入" in response.content.decode()
    assert login(unit.zzb).get(f"/funds/{fund.pk}/").status_code == 200
    for user in (unit.shuji1, unit.dangyuan1):  # the role table closes the ledger to them: 403
        assert login(user).get(f"/funds/{fund.pk}/").status_code == 403
    assert login(unit.dangyuan1).get("/funds/").status_code == 302  # members read the 党务公开 summary


def test_ledger_filters_and_query_count(unit, fund, login, django_assert_max_num_queries):
    from funds import services
    from funds.models import Source

    for i in range(30):
        services.record_income(
            fund_id=fund.pk,
            by=unit.jijin,
            source=Source.DONATION,
            amount=f"{i + 1}",
            occurred_on=timezone.localdate(fund.created_at),
            donor=f"捐助人{i}",
        )
    client = login(unit.jijin)
    with django_assert_max_num_queries(14):
        response = client.get(f"/funds/{fund.pk}/?source=donation&page_size=50")
    assert len(response.context["entries"]) == 30
    response = client.get(f"/funds/{fund.pk}/?q=捐助人7")
    assert [e.donor for e in response.context["entries"]] == ["捐助人7"]


def test_income_and_reversal_through_the_page(unit, fund, login):
    client = login(unit.jijin)
    response = client.post(
        f"/funds/{fund.pk}/income/",
        {"source": "superior", "amount": "1200.00", "occurred_on": "2026-01-05", "note": "市委组织部"},
        follow=True,
    )
    assert "已登记上级支持收入 1,200.00 元" in response.content.decode()
    entry = FundEntry.objects.get(source="superior")
    response = client.post(f"/funds/{fund.pk}/entries/{entry.pk}/reverse/", {"reason": "金额录错"}, follow=True)
    assert "冲正" in response.content.decode()
    assert refreshed(fund).balance == Decimal("10000.00")
    assert (
        login(unit.zzb)
        .post(f"/funds/{fund.pk}/income/", {"source": "fiscal", "amount": "1", "occurred_on": "2026-01-05"})
        .status_code
        == 403
    )
    assert refreshed(fund).balance == Decimal("10000.00")


def test_application_list_is_scoped_and_query_count_is_constant(unit, fund, login, django_assert_max_num_queries):
    for member in (unit.member1, unit.dangyuan1.member):
        application_in(unit, Status.SUBMITTED, member=member)
    other = application_in(unit, Status.SUBMITTED, member=unit.member2, by=unit.shuji2)
    client = login(unit.shuji1)
    with django_assert_max_num_queries(12):
        response = client.get("/funds/applications/")
    names = {a.member.name for a in response.context["applications"]}
    assert names == {"刘一", "张党员"}
    assert client.get(f"/funds/applications/{other.pk}/").status_code == 404
    assert login(unit.zzb).get(f"/funds/applications/{other.pk}/").status_code == 200


def test_member_applies_for_themself_on_the_page(unit, fund, login):
    on_ledger(unit.dangyuan1.member)
    client = login(unit.dangyuan1)
    response = client.get("/funds/applications/new/")
    assert response.status_code == 200
    response = client.post(
        "/funds/applications/new/",
        {
            "member": unit.dangyuan1.member.pk,
            "kind": "annual",
            "amount_requested": "300",
            "reason": "年老体弱",
            "submit": "1",
        },
        follow=True,
    )
    app = AssistanceApplication.objects.get()
    assert app.status == Status.SUBMITTED and app.submitted_by == unit.dangyuan1
    assert "已提交" in response.content.decode()


def test_member_cannot_apply_for_someone_else(unit, fund, login):
    response = login(unit.dangyuan1).post(
        "/funds/applications/new/",
        {"member": unit.member1.pk, "kind": "annual", "amount_requested": "300", "reason": "x", "submit": "1"},
    )
    assert response.status_code == 200
    assert not AssistanceApplication.objects.exists()


def test_secretary_applies_on_behalf_within_their_branch_only(unit, fund, login):
    client = login(unit.shuji1)
    client.post(
        "/funds/applications/new/",
        {"member": unit.member1.pk, "kind": "living", "amount_requested": "800", "reason": "因病致贫", "submit": "1"},
    )
    assert AssistanceApplication.objects.get().member == unit.member1
    response = client.post(
        "/funds/applications/new/",
        {"member": unit.member2.pk, "kind": "living", "amount_requested": "800", "reason": "x", "submit": "1"},
    )
    assert response.status_code == 200 and AssistanceApplication.objects.count() == 1


def test_approval_screen_shows_history_and_ledger_line(unit, fund, login):
    record = on_ledger(unit.dangyuan1.member)
    record.level = "special"
    record.save()
    application_in(unit, Status.DISBURSED, kind="annual", amount="300.00")
    app = application_in(unit, Status.BRANCH_REVIEWED, kind="illness", amount="5000.00")
    page = login(unit.zzb).get(f"/funds/applications/{app.pk}/").content.decode()
    assert "历年帮扶情况" in page and "年度生活困难补助 300.00" in page
    assert "29,700.00" in page  # what is left of the 30,000 cap
    assert "特别困难" in page
    assert "批准并开始公示" in page
    member_view = login(unit.dangyuan1).get(f"/funds/applications/{app.pk}/").content.decode()
    assert "历年帮扶情况" not in member_view and "批准并开始公示" not in member_view


def test_actions_through_the_pages_and_refusals_show_a_message(unit, fund, login):
    app = application_in(unit, Status.SUBMITTED)
    decided = {
        "meeting_on": timezone.localdate(app.submitted_at).isoformat(),
        "meeting_kind": "committee",
        "reference": "党委会议纪要〔2026〕5号",
    }
    response = login(unit.zzb).post(
        f"/funds/applications/{app.pk}/approve/", {"amount_approved": "1000", **decided}, follow=True
    )
    assert "尚未经支部党员大会评议" in response.content.decode()
    assert refreshed(app).status == Status.SUBMITTED
    login(unit.shuji1).post(
        f"/funds/applications/{app.pk}/meeting/",
        {
            "meeting_on": timezone.localdate(app.submitted_at).isoformat(),
            "attendees": 4,
            "votes_for": 3,
            "votes_against": 1,
            "votes_abstain": 0,
        },
    )
    assert refreshed(app).status == Status.BRANCH_REVIEWED
    response = login(unit.zzb).post(f"/funds/applications/{app.pk}/approve/", {"amount_approved": "900"}, follow=True)
    assert "会议日期" in response.content.decode() and refreshed(app).status == Status.BRANCH_REVIEWED
    login(unit.zzb).post(f"/funds/applications/{app.pk}/approve/", {"amount_approved": "900", **decided})
    app = refreshed(app)
    assert app.status == Status.IN_NOTICE
    assert app.decisions.get().reference == "党委会议纪要〔2026〕5号"
    assert (
        login(unit.shuji2).post(f"/funds/applications/{app.pk}/approve/", {"amount_approved": "1"}).status_code == 403
    )


def test_notice_board_shows_name_kind_amount_and_dates_only(unit, fund, login):
    member = unit.dangyuan1.member
    member.health = "高血压三级"
    member.save()
    HardshipRecord.objects.create(
        member=member,
        household_size=3,
        annual_household_income=Decimal("12345.00"),
        registered_on="2025-03-01",
        consent_on="2025-03-01",
        consent_method="written",
    )
    app = application_in(unit, Status.IN_NOTICE, kind="illness", amount="5000.00", approved="4000.00")
    page = login(unit.zhiwei1).get("/funds/notices/").content.decode()
    assert "张党员" in page and "重病救助" in page and "4,000.00" in page
    assert app.notice_ends_on.strftime("%Y-%m-%d") in page
    for private in (
        member.id_number,
        member.masked_id_number,
        "高血压",
        "12345",
        "家庭困难，申请帮扶",
        member.phone,
        "5000.00",
    ):
        assert private not in page, private
    assert "提出异议" in page


def test_notice_board_is_scoped_and_objection_is_raised_from_it(unit, fund, login):
    app = application_in(unit, Status.IN_NOTICE)
    assert "张党员" not in login(unit.shuji2).get("/funds/notices/").content.decode()
    response = login(unit.shuji2).post(f"/funds/applications/{app.pk}/object/", {"reason": "x"})
    assert response.status_code == 404
    login(unit.zhiwei1).post(f"/funds/applications/{app.pk}/object/", {"reason": "该同志家有门面出租"})
    assert refreshed(app).status == Status.OBJECTION


def test_batch_disbursement_is_all_or_nothing_with_a_printable_list(unit, fund, login):
    first = application_in(unit, Status.NOTICE_PASSED, amount="4000.00")
    second = application_in(unit, Status.NOTICE_PASSED, member=unit.member1, by=unit.shuji1, amount="5000.00")
    third = application_in(unit, Status.NOTICE_PASSED, member=unit.member2, by=unit.shuji2, amount="3000.00")
    client = login(unit.jijin)
    page = client.get(f"/funds/{fund.pk}/batch/").content.decode()
    assert "刘一" in page and "陈二" in page
    response = client.post(
        f"/funds/{fund.pk}/batch/disburse/",
        {"applications": [first.pk, second.pk, third.pk], "title": "春节前发放"},
        follow=True,
    )
    assert "不足以发放" in response.content.decode() and "未发放任何一笔" in response.content.decode()
    assert {refreshed(a).status for a in (first, second, third)} == {Status.NOTICE_PASSED}
    assert refreshed(fund).balance == Decimal("10000.00")
    response = client.post(
        f"/funds/{fund.pk}/batch/disburse/", {"applications": [first.pk, third.pk], "title": "春节前发放"}, follow=True
    )
    page = response.content.decode()
    assert "发放清单" in page and "领款人签字" in page and "7,000.00" in page
    assert refreshed(fund).balance == Decimal("3000.00")
    assert {refreshed(a).status for a in (first, third)} == {Status.DISBURSED}
    assert login(unit.shuji1).get(reverse("funds:batch", args=[refreshed(first).batch_id])).status_code == 403


def test_public_summary_for_members_without_personal_details(unit, fund, login):
    on_ledger(unit.member1)
    application_in(unit, Status.DISBURSED, member=unit.member1, by=unit.shuji1, kind="annual", amount="300.00")
    page = login(unit.dangyuan1).get("/funds/public/").content.decode()
    assert "财政拨款" in page and "10,000.00" in page and "年度生活困难补助" in page and "走访慰问" in page
    assert "刘一" not in page


def test_me_home_and_member_page_sections(unit, fund, login):
    on_ledger(unit.dangyuan1.member)
    application_in(unit, Status.DISBURSED, kind="annual", amount="300.00")
    me = login(unit.dangyuan1).get("/me/").content.decode()
    assert "我的帮扶申请" in me and "累计已领取帮扶资金 <strong>300.00</strong>" in me
    application_in(unit, Status.SUBMITTED, member=unit.member1, by=unit.shuji1)
    home = login(unit.shuji1).get("/").content.decode()
    assert "待召开支部大会评议" in home
    page = login(unit.zzb).get(f"/members/{unit.dangyuan1.member.pk}/").content.decode()
    assert "帮扶申请与救助金" in page


def test_fund_officer_opens_the_fund_once(unit, login):
    from funds.models import Fund

    client = login(unit.jijin)
    assert "设立基金专户" in client.get("/funds/").content.decode()
    assert login(unit.zzb).post("/funds/open/", {"organization": unit.committee.pk}).status_code == 403
    response = login(unit.jijin).post("/funds/open/", {"organization": unit.committee.pk})
    fund = Fund.objects.get(organization=unit.committee)
    assert response["Location"] == f"/funds/{fund.pk}/" and fund.balance == 0
    assert login(unit.jijin).post("/funds/open/", {"organization": unit.committee.pk}).status_code == 404
