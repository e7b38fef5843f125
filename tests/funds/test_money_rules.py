"""The money rules of the seeds (seed 000, 第一篇二/五 and 第二篇一/四; seed 000 第三篇第七条): who may receive
the 年度生活困难补助 and how often, a valid 支部党员大会, the 党委's decision on record, the emergency path,
the fund's target, money handed over at visits and in pairing help, partner units, and bounds as data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import clock
from core.errors import DomainError
from funds import selectors, services
from funds.models import (
    AmountBoundChange,
    AssistanceApplication,
    CommitteeDecision,
    FundEntry,
    Kind,
    Status,
)
from hardship.models import HardshipCategory
from members.models import Member
from notifications.models import Notification
from tests.factories import MemberFactory
from tests.funds.factories import application_in, approve, fund_with, hold_meeting, refreshed
from tests.hardship.factories import PairingFactory, RecordFactory

pytestmark = pytest.mark.django_db


def on_ledger(member, *codes):
    return RecordFactory(member=member, categories=list(HardshipCategory.objects.filter(code__in=codes or ["illness"])))


def annual(unit, member, *, by=None, submit=True):
    return services.create_application(
        by=by or (member.user if member.user_id else unit.shuji1),
        member=member,
        kind=Kind.ANNUAL,
        amount_requested="300.00",
        reason="年老体弱，无固定收入",
        submit=submit,
    )


# ---------------------------------------------------------------- 年度生活困难补助


def test_a_member_without_a_ledger_line_gets_no_annual_subsidy(unit, fund):
    """Today's defect: a member with no ledger line got two 300-元 approvals in one year."""
    with pytest.raises(DomainError, match="刘一未列入困难党员台帐"):
        annual(unit, unit.member1)
    assert not AssistanceApplication.objects.exists()


def test_a_ledger_line_in_another_category_is_not_enough(unit, fund):
    on_ledger(unit.member1, "unemployed_landless")
    with pytest.raises(DomainError, match="困难类别为失业失地，不属于年度生活困难补助的范围"):
        annual(unit, unit.member1)


@pytest.mark.parametrize("code", ["old_no_income", "lost_capacity", "illness", "disaster"])
def test_the_seeds_four_categories_qualify(unit, fund, code):
    on_ledger(unit.member1, code)
    assert annual(unit, unit.member1).status == Status.SUBMITTED


def test_one_annual_subsidy_per_member_and_year(unit, fund):
    on_ledger(unit.member1, "old_no_income")
    first = application_in(
        unit, Status.IN_NOTICE, member=unit.member1, by=unit.shuji1, kind=Kind.ANNUAL, amount="300.00"
    )
    with pytest.raises(DomainError, match=r"刘一 \d{4} 年已有一份年度生活困难补助申请（公示中），每人每年只能安排一次"):
        annual(unit, unit.member1)
    assert AssistanceApplication.objects.filter(kind=Kind.ANNUAL).count() == 1
    # A refused one does not count: the objection upheld, a new application may be made.
    objection = services.raise_objection(application_id=first.pk, by=unit.zhiwei1, reason="家有经营收入")
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb2, upheld=True, resolution="经核实情况属实")
    assert refreshed(first).status == Status.REJECTED
    assert annual(unit, unit.member1).status == Status.SUBMITTED


def test_withdrawn_and_rejected_ones_free_the_year(unit, fund):
    on_ledger(unit.member1, "old_no_income")
    draft = annual(unit, unit.member1, submit=False)
    services.withdraw(application_id=draft.pk, by=unit.shuji1)
    second = annual(unit, unit.member1)
    services.reject(application_id=second.pk, by=unit.zzb, reason="材料不全")
    assert annual(unit, unit.member1).status == Status.SUBMITTED


def test_one_a_year_is_enforced_in_the_database(unit, fund):
    on_ledger(unit.member1, "old_no_income")
    first = annual(unit, unit.member1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceApplication.objects.create(
            fund=fund,
            member=unit.member1,
            organization=unit.branch1,
            kind=Kind.ANNUAL,
            year=first.year,
            amount_requested=Decimal("200.00"),
            reason="x",
            status=Status.SUBMITTED,
            status_changed_at=clock.now(),
            submitted_by=unit.shuji1,
        )
    # Not for another year, and not once the first is withdrawn.
    AssistanceApplication.objects.create(
        fund=fund,
        member=unit.member1,
        organization=unit.branch1,
        kind=Kind.ANNUAL,
        year=first.year - 1,
        amount_requested=Decimal("200.00"),
        reason="x",
        status=Status.SUBMITTED,
        status_changed_at=clock.now(),
        submitted_by=unit.shuji1,
    )


def test_eligibility_is_checked_again_when_the_party_committee_decides(unit, fund, login):
    record = on_ledger(unit.member1, "old_no_income")
    app = application_in(
        unit, Status.BRANCH_REVIEWED, member=unit.member1, by=unit.shuji1, kind=Kind.ANNUAL, amount="300.00"
    )
    page = login(unit.zzb).get(app.get_absolute_url()).content.decode()
    assert "补助条件" in page and "台帐在册（年老无固定收入），符合年度生活困难补助条件" in page
    record.status = "lifted"
    record.save()
    page = login(unit.zzb).get(app.get_absolute_url()).content.decode()
    assert "刘一未列入困难党员台帐" in page
    with pytest.raises(DomainError, match="未列入困难党员台帐"):
        approve(app, by=unit.zzb, amount="300.00")
    assert refreshed(app).status == Status.BRANCH_REVIEWED


# ---------------------------------------------------------------- 支部党员大会: quorum and majority


def _branch_of(unit, full: int, *, branch=None):
    """Bring a branch's full members to `full`, with members who do not count beside them."""
    branch = branch or unit.branch2
    have = Member.objects.filter(organization=branch).count()
    for i in range(full - have):
        MemberFactory(organization=branch, name=f"正式党员{chr(0x4E00 + i)}")
    today = clock.today()
    MemberFactory(
        organization=branch,
        name="预备党员甲",
        party_status="probationary",
        full_member_date=None,
        join_date=today - dt.timedelta(days=100),
    )
    MemberFactory(organization=branch, name="转出党员乙", transferred_out_on=today - dt.timedelta(days=30))
    MemberFactory(organization=branch, name="逝世党员丙", deceased_on=today - dt.timedelta(days=30))
    return branch


def _meeting(app, by, attendees, votes_for, votes_against=0):
    return services.record_meeting(
        application_id=app.pk,
        by=by,
        meeting_on=clock.today(),
        attendees=attendees,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=0,
    )


def test_a_meeting_without_quorum_decides_nothing(unit, fund, login):
    """3 of 36 passed an application today; more than half of the branch's full members must attend."""
    _branch_of(unit, 36)
    app = application_in(unit, Status.SUBMITTED, member=unit.member2, by=unit.shuji2)
    for present in (3, 18):
        with pytest.raises(DomainError, match=f"到会 {present} 人，未超过应到会 36 人的半数（至少应到 19 人）"):
            _meeting(app, unit.shuji2, present, present)
    with pytest.raises(DomainError, match=r"多于名册中第二党支部.*有表决权的正式党员 36 人"):
        _meeting(app, unit.shuji2, 37, 30)
    assert refreshed(app).status == Status.SUBMITTED and not refreshed(app).meeting_recorded
    _meeting(app, unit.shuji2, 19, 10, 9)
    app = refreshed(app)
    assert app.meeting_roster_count == 36 and app.meeting_attendees == 19
    # shuji2 filled it in: the record waits for a second person (the branch has no other 支委: 组织部).
    services.confirm_meeting(application_id=app.pk, by=unit.zzb2, confirm=True)
    assert refreshed(app).status == Status.BRANCH_REVIEWED  # 10 of 19 present is a majority
    page = login(unit.zzb).get(app.get_absolute_url()).content.decode()
    assert "应到会（名册中当天有表决权的正式党员）36 人，到会 19 人" in page


def test_the_decision_needs_a_majority_of_those_present(unit, fund):
    _branch_of(unit, 20, branch=unit.branch1)
    app = application_in(unit, Status.SUBMITTED)
    _meeting(app, unit.shuji1, 15, 7, 8)
    assert refreshed(app).status == Status.REJECTED
    assert Notification.objects.filter(recipient=unit.dangyuan1, title__contains="未获支部党员大会通过").exists()


def test_the_meeting_form_shows_the_roster_count(unit, fund, login):
    _branch_of(unit, 36)
    app = application_in(unit, Status.SUBMITTED, member=unit.member2, by=unit.shuji2)
    page = login(unit.shuji2).get(app.get_absolute_url()).content.decode()
    assert "今天有表决权的正式党员 <strong>36</strong> 人，到会至少 19 人会议才有效" in page


# ---------------------------------------------------------------- 党委研究


def test_the_approval_records_the_party_committee_meeting(unit, fund):
    app = application_in(unit, Status.BRANCH_REVIEWED)
    for kwargs, message in [
        ({"reference": ""}, "请填写党委会议纪要或决定文号"),
        ({"on": clock.today() + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"on": clock.today() - dt.timedelta(days=1)}, "不能早于"),
        ({"meeting_kind": CommitteeDecision.MeetingKind.EMERGENCY}, "只用于紧急救助"),
        ({"meeting_kind": "chat"}, "请选择党委会议类型"),
    ]:
        with pytest.raises(DomainError, match=message):
            approve(app, by=unit.zzb, amount="1000.00", **kwargs)
    assert not CommitteeDecision.objects.exists() and refreshed(app).status == Status.BRANCH_REVIEWED
    approve(app, by=unit.zzb, amount="800.00", reference="党委会议纪要〔2026〕7号")
    decision = CommitteeDecision.objects.get(application=app)
    assert (decision.purpose, decision.meeting_kind, decision.reference, decision.recorded_by) == (
        "approval",
        "committee",
        "党委会议纪要〔2026〕7号",
        unit.zzb,
    )
    assert refreshed(app).events.filter(comment__startswith=f"{decision.meeting_on:%Y-%m-%d}党委会议").exists()


# ---------------------------------------------------------------- the emergency path


def _emergency(unit, status=Status.IN_NOTICE, amount="3000.00"):
    _branch_of(unit, 20, branch=unit.branch1)
    app = application_in(unit, status, kind=Kind.DISASTER, amount=amount, emergency=True)
    assert app.meeting_on is None
    return app


def test_an_emergency_the_branch_meeting_does_not_pass_goes_to_the_party_committee(unit, fund, login):
    """5 for, 10 against left it 公示中 today."""
    app = _emergency(unit)
    _meeting(app, unit.shuji1, 15, 5, 10)
    app = refreshed(app)
    assert app.status == Status.RECONSIDERATION and app.held_status == Status.IN_NOTICE
    for user in (unit.dangyuan1, unit.shuji1, unit.zzb, unit.zzb2, unit.jijin):
        assert Notification.objects.filter(recipient=user, title__contains="提请党委复议").exists()
    assert "待党委复议" in login(unit.zzb).get("/").content.decode()
    with pytest.raises(DomainError, match="尚未公示期满"):
        services.disburse(application_id=app.pk, by=unit.jijin)
    with pytest.raises(DomainError, match="请写明党委复议的理由"):
        services.reconsider(
            application_id=app.pk,
            by=unit.zzb,
            keep=True,
            reason=" ",
            meeting_on=clock.today(),
            reference="党委会议纪要〔2026〕9号",
        )
    with pytest.raises(PermissionDenied):
        services.reconsider(
            application_id=app.pk, by=unit.shuji1, keep=True, reason="x", meeting_on=clock.today(), reference="x"
        )
    services.reconsider(
        application_id=app.pk,
        by=unit.zzb,
        keep=True,
        reason="灾情属实，维持救助",
        meeting_on=clock.today(),
        reference="党委会议纪要〔2026〕9号",
    )
    app = refreshed(app)
    assert app.status == Status.IN_NOTICE and app.held_status == ""
    assert app.decisions.filter(purpose="confirm", reference="党委会议纪要〔2026〕9号").exists()
    assert Notification.objects.filter(recipient=unit.dangyuan1, title__contains="维持批准").exists()


def test_a_revoked_unpaid_emergency_is_rejected(unit, fund):
    app = _emergency(unit, status=Status.NOTICE_PASSED)
    _meeting(app, unit.shuji1, 15, 5, 10)
    services.reconsider(
        application_id=app.pk,
        by=unit.zzb2,
        keep=False,
        reason="不符合紧急救助条件",
        meeting_on=clock.today(),
        reference="党委会议纪要〔2026〕10号",
    )
    assert refreshed(app).status == Status.REJECTED
    assert refreshed(fund).balance == Decimal("10000.00")


def test_a_revoked_paid_emergency_is_recovered_as_a_reversing_entry(unit, fund, login):
    app = _emergency(unit, status=Status.DISBURSED, amount="3000.00")
    assert refreshed(fund).balance == Decimal("7000.00")
    _meeting(app, unit.shuji1, 15, 5, 10)
    assert refreshed(app).held_status == Status.DISBURSED
    services.reconsider(
        application_id=app.pk,
        by=unit.zzb,
        keep=False,
        reason="经查房屋未受损",
        meeting_on=clock.today(),
        reference="党委会议纪要〔2026〕11号",
    )
    app = refreshed(app)
    assert app.status == Status.RECOVERY_DUE
    assert Notification.objects.filter(recipient=unit.jijin, title__contains="待追回").exists()
    with pytest.raises(PermissionDenied):
        services.record_recovery(application_id=app.pk, by=unit.zzb)
    page = login(unit.jijin).get(app.get_absolute_url()).content.decode()
    assert "登记已追回" in page
    recovery = services.record_recovery(application_id=app.pk, by=unit.jijin, note="本人退回现金")
    app = refreshed(app)
    assert app.status == Status.RECOVERED
    assert recovery.kind == FundEntry.Kind.REVERSAL and recovery.amount == Decimal("3000.00")
    assert recovery.reverses == FundEntry.objects.get(application=app)
    assert refreshed(fund).balance == Decimal("10000.00")
    summary = selectors.year_summary(fund, clock.today().year)
    assert {label: (n, amount) for label, n, amount in summary["spending_rows"]}["重灾救助"] == (0, Decimal("0"))
    with pytest.raises(DomainError, match="没有待追回的资金"):
        services.record_recovery(application_id=app.pk, by=unit.jijin)


def test_the_branch_meeting_of_an_emergency_is_reminded_after_n_days(unit, fund, settings):
    settings.CARE = {**settings.CARE, "EMERGENCY_MEETING_DAYS": 30}
    app = _emergency(unit)
    approved = timezone.localtime(app.approved_at).date()
    assert services.remind_emergency_meetings(day=approved + dt.timedelta(days=29)) == {"reminded": 0, "escalated": 0}
    assert services.remind_emergency_meetings(day=approved + dt.timedelta(days=30)) == {"reminded": 1, "escalated": 0}
    assert services.remind_emergency_meetings(day=approved + dt.timedelta(days=31)) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(recipient=unit.shuji1, title__contains="支部党员大会尚未补录").count() == 1
    assert services.remind_emergency_meetings(day=approved + dt.timedelta(days=60)) == {"reminded": 0, "escalated": 2}
    hold_meeting(app, by=unit.shuji1)
    assert services.remind_emergency_meetings(day=approved + dt.timedelta(days=90)) == {"reminded": 0, "escalated": 0}


# ---------------------------------------------------------------- amount bounds are data


def test_bounds_are_set_by_the_organization_department_with_history(unit, fund):
    with pytest.raises(PermissionDenied):
        services.set_amount_bound(
            fund_id=fund.pk, kind=Kind.TEMPORARY, minimum="100", maximum="2000", reason="x", by=unit.jijin
        )
    with pytest.raises(DomainError, match="请写明调整依据"):
        services.set_amount_bound(
            fund_id=fund.pk, kind=Kind.TEMPORARY, minimum="100", maximum="2000", reason=" ", by=unit.zzb
        )
    with pytest.raises(DomainError, match="最高金额不能低于最低金额"):
        services.set_amount_bound(
            fund_id=fund.pk, kind=Kind.TEMPORARY, minimum="100", maximum="50", reason="x", by=unit.zzb
        )
    app = application_in(unit, Status.BRANCH_REVIEWED, kind=Kind.TEMPORARY, amount="2500.00")
    services.set_amount_bound(
        fund_id=fund.pk,
        kind=Kind.TEMPORARY,
        minimum="100",
        maximum="2000",
        reason="党委会议纪要〔2026〕2号",
        by=unit.zzb,
    )
    change = AmountBoundChange.objects.get()
    assert (change.old_minimum, change.old_maximum, change.new_minimum, change.new_maximum, change.changed_by) == (
        Decimal("50.00"),
        Decimal("3000.00"),
        Decimal("100.00"),
        Decimal("2000.00"),
        unit.zzb,
    )
    with pytest.raises(DomainError, match=r"临时救助的金额应在 100\.00 元至 2,000\.00 元之间"):
        approve(app, by=unit.zzb2, amount="2500.00")
    approve(app, by=unit.zzb2, amount="2000.00")
    assert refreshed(app).status == Status.IN_NOTICE


def test_the_rules_page(unit, fund, login):
    page = login(unit.zzb).get(f"/funds/{fund.pk}/rules/").content.decode()
    assert "年度生活困难补助" in page and "200.00" in page and "300.00" in page and "调整依据" in page
    response = login(unit.zzb).post(
        f"/funds/{fund.pk}/rules/bounds/",
        {
            "kind": "annual",
            "annual-kind": "annual",
            "annual-minimum": "200",
            "annual-maximum": "400",
            "annual-reason": "党委会议纪要〔2026〕12号",
        },
        follow=True,
    )
    assert "年度生活困难补助的金额标准已调整为 200.00–400.00 元" in response.content.decode()
    officer_view = login(unit.jijin).get(f"/funds/{fund.pk}/rules/").content.decode()
    assert "200.00–400.00" in officer_view and f'action="/funds/{fund.pk}/rules/bounds/"' not in officer_view
    assert login(unit.shuji1).get(f"/funds/{fund.pk}/rules/").status_code == 403  # the table closes it to them
    assert (
        login(unit.jijin)
        .post(f"/funds/{fund.pk}/rules/target/", {"year": clock.today().year, "amount": "5000", "decision_ref": "x"})
        .status_code
        == 403
    )


# ---------------------------------------------------------------- the fund's target


def test_the_party_committee_sets_a_target_and_the_fund_page_shows_what_is_raised(unit, fund, login):
    year = clock.today().year
    with pytest.raises(PermissionDenied):
        services.set_target(fund_id=fund.pk, year=year, amount="5000", decision_ref="x", by=unit.jijin)
    services.set_target(fund_id=fund.pk, year=year, amount="20000", decision_ref="党委会议纪要〔2026〕1号", by=unit.zzb)
    page = login(unit.jijin).get(f"/funds/{fund.pk}/").content.decode()
    assert (
        f"{year} 年筹集目标 <strong>20,000.00</strong> 元" in page
        and "已筹集 <strong>10,000.00</strong> 元 · 50%" in page
    )
    assert "已筹集 10,000.00 元（50%）" in login(unit.zzb).get("/funds/").content.decode()
    services.set_target(fund_id=fund.pk, year=year, amount="5000", decision_ref="党委会议纪要〔2026〕4号", by=unit.zzb)
    assert selectors.target_for(fund)["percent"] == 200


# ---------------------------------------------------------------- 慰问金 and 帮扶 money through the fund


def _visit(unit, amount="500.00", source="care_fund", note=""):
    from visits import services as visit_services
    from visits.models import Occasion

    return visit_services.log_visit(
        by=unit.shuji1,
        member=unit.member1,
        visited_on=clock.today(),
        occasion=Occasion.ILLNESS,
        visitors=[unit.shuji1.member],
        amount=Decimal(amount),
        money_source=source,
        money_source_note=note,
    )


def test_a_visits_money_from_the_fund_becomes_its_expense(unit, fund, login):
    visit = _visit(unit)
    page = login(unit.jijin).get(f"/funds/{fund.pk}/uses/").content.decode()
    assert "刘一 · 患病探望" in page and "500.00" in page
    assert "慰问金和帮扶资金待列支" in login(unit.jijin).get("/").content.decode()
    with pytest.raises(PermissionDenied):
        services.pay_visit(visit_id=visit.pk, by=unit.zzb)
    response = login(unit.jijin).post(f"/funds/{fund.pk}/uses/visit/", {"item": visit.pk}, follow=True)
    assert "已列支 500.00 元" in response.content.decode()
    entry = FundEntry.objects.get(visit=visit)
    assert entry.kind == "expense" and entry.amount == Decimal("-500.00") and entry.occurred_on == visit.visited_on
    assert refreshed(fund).balance == Decimal("9500.00")
    with pytest.raises(DomainError, match="已经列支"):
        services.pay_visit(visit_id=visit.pk, by=unit.jijin)
    assert "已于" in login(unit.shuji1).get(visit.get_absolute_url()).content.decode()
    summary = selectors.year_summary(fund, clock.today().year)
    assert ("走访慰问", 1, Decimal("500.00")) in summary["spending_rows"]
    assert "走访慰问" in login(unit.dangyuan1).get("/funds/public/").content.decode()
    ledger = login(unit.jijin).get(f"/funds/{fund.pk}/").content.decode()
    assert "刘一 患病探望走访慰问金" in ledger


def test_money_from_elsewhere_names_its_source_and_never_touches_the_fund(unit, fund):
    visit = _visit(unit, source="other", note="单位工会慰问经费")
    with pytest.raises(DomainError, match="不是从关怀基金支出"):
        services.pay_visit(visit_id=visit.pk, by=unit.jijin)
    assert not selectors.uses_waiting(fund)["visits"].exists()


def test_a_visit_the_fund_cannot_cover_is_not_booked(unit):
    fund = fund_with(unit, amount="300.00")
    visit = _visit(unit, amount="500.00")
    with pytest.raises(DomainError, match=r"基金余额 300\.00 元，不足以列支 500\.00 元"):
        services.pay_visit(visit_id=visit.pk, by=unit.jijin)
    assert refreshed(fund).balance == Decimal("300.00") and not FundEntry.objects.filter(visit=visit).exists()


def test_pairing_help_paid_in_money_from_the_fund(unit, fund):
    from hardship import services as hardship_services
    from hardship.models import HelpType

    pairing = PairingFactory(record=RecordFactory(member=unit.member1), helper=unit.zhiwei1.member)
    progress = hardship_services.add_progress(
        pairing_id=pairing.pk,
        date=clock.today(),
        help_type=HelpType.objects.get(code="living"),
        description="送去生活补贴",
        money=Decimal("200.00"),
        money_source="care_fund",
        by=unit.shuji1,
    )
    entry = services.pay_pairing_progress(progress_id=progress.pk, by=unit.jijin)
    assert entry.pairing_progress == progress and entry.amount == Decimal("-200.00")
    assert refreshed(fund).balance == Decimal("9800.00")
    summary = selectors.year_summary(fund, clock.today().year)
    assert ("结对帮扶", 1, Decimal("200.00")) in summary["spending_rows"]


# ---------------------------------------------------------------- 互联共建单位


def test_a_partner_units_member_goes_through_the_same_approval_and_notice(unit, fund, login):
    partner = services.add_partner_unit(
        fund_id=fund.pk, name="城关镇幸福社区党委", liaison=unit.branch1, contact="王主任 13800000000", by=unit.zzb
    )
    with pytest.raises(PermissionDenied):
        services.create_application(
            by=unit.shuji2,
            partner=partner,
            recipient_name="赵大爷",
            kind=Kind.ILLNESS,
            amount_requested="2000.00",
            reason="重病住院",
            submit=True,
        )
    with pytest.raises(DomainError, match="年度生活困难补助只发给本单位困难党员台帐在册的党员"):
        services.create_application(
            by=unit.shuji1,
            partner=partner,
            recipient_name="赵大爷",
            kind=Kind.ANNUAL,
            amount_requested="300.00",
            reason="年老",
            submit=True,
        )
    app = services.create_application(
        by=unit.shuji1,
        partner=partner,
        recipient_name="赵大爷",
        kind=Kind.ILLNESS,
        amount_requested="2000.00",
        reason="重病住院，自付医疗费用较高",
        submit=True,
    )
    assert app.organization == unit.branch1 and app.member is None
    hold_meeting(app, by=unit.shuji1)
    services.confirm_meeting(application_id=app.pk, by=unit.zhiwei1, confirm=True)
    approve(app, by=unit.zzb, amount="1500.00")
    page = login(unit.dangyuan1).get("/funds/notices/").content.decode()
    assert "赵大爷（城关镇幸福社区党委）" in page and "1,500.00" in page
    app = refreshed(app)
    services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1))
    services.disburse(application_id=app.pk, by=unit.jijin)
    summary = selectors.year_summary(fund, clock.today().year)
    assert ("重病救助", 1, Decimal("1500.00")) in summary["spending_rows"]
    assert FundEntry.objects.get(application=app).note == "赵大爷（城关镇幸福社区党委） 重病救助"


def test_the_annual_workbook_counts_visits_pairing_partners_and_recoveries(unit, fund, login):
    """Spending belongs to the branch of whoever it was for, net of recovered money."""
    from tests.reports.test_annual import by_name, rows, workbook

    services.pay_visit(visit_id=_visit(unit, amount="500.00").pk, by=unit.jijin)  # 刘一, branch 1
    app = _emergency(unit, status=Status.DISBURSED, amount="3000.00")  # 张党员, branch 1
    _meeting(app, unit.shuji1, 15, 5, 10)
    services.reconsider(
        application_id=app.pk,
        by=unit.zzb,
        keep=False,
        reason="经查不属实",
        meeting_on=clock.today(),
        reference="党委会议纪要〔2026〕11号",
    )
    services.record_recovery(application_id=app.pk, by=unit.jijin)
    book = workbook(login(unit.zzb), year=clock.today().year)
    summary = by_name(rows(book, "汇总"))
    assert summary["第一党支部"][12] == 500  # 500 for the visit; 3,000 paid and recovered
    ledger = rows(book, "关怀基金收支")[2:-1]
    labels = {(row[3], row[7]) for row in ledger}
    assert (
        ("走访慰问", "刘一") in labels and ("重灾救助", "张党员") in labels and ("追回：重灾救助", "张党员") in labels
    )


def test_the_party_committee_records_its_reconsideration_on_the_page(unit, fund, login):
    app = _emergency(unit)
    _meeting(app, unit.shuji1, 15, 5, 10)
    page = login(unit.zzb).get(app.get_absolute_url()).content.decode()
    assert "党委复议" in page and "记录复议决定" in page
    assert "记录复议决定" not in login(unit.jijin).get(app.get_absolute_url()).content.decode()
    url = f"/funds/applications/{app.pk}/reconsider/"
    response = login(unit.zzb).post(
        url,
        {
            "keep": "0",
            "reason": "经核实灾情与申报不符",
            "meeting_kind": "committee",
            "meeting_on": clock.today().isoformat(),
        },
        follow=True,
    )
    assert "会议纪要或决定文号" in response.content.decode()  # the reference is required: nothing changed
    assert refreshed(app).status == Status.RECONSIDERATION
    login(unit.zzb).post(
        url,
        {
            "keep": "0",
            "reason": "经核实灾情与申报不符",
            "meeting_kind": "committee",
            "meeting_on": clock.today().isoformat(),
            "reference": "党委会议纪要〔2026〕13号",
        },
    )
    app = refreshed(app)
    assert app.status == Status.REJECTED
    assert app.decisions.get(purpose="revoke").note == "经核实灾情与申报不符"
    other = application_in(unit, Status.SUBMITTED, member=unit.member1, by=unit.shuji1)
    response = login(unit.shuji1).post(
        f"/funds/applications/{other.pk}/reconsider/",
        {
            "keep": "1",
            "reason": "x",
            "meeting_kind": "committee",
            "meeting_on": clock.today().isoformat(),
            "reference": "x",
        },
    )
    assert response.status_code == 403  # who: a branch secretary does not record the 党委's decisions
