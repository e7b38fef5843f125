"""The rules of the ledger and of pairing, tested on the services directly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from hardship import services
from hardship.models import FamilyMember, HardshipCategory, HardshipRecord, HelpType, Pairing
from tests.factories import MemberFactory
from tests.hardship.factories import PairingFactory, RecordFactory

TODAY = dt.date.today()


def _living():
    return [HelpType.objects.get(code="living")]


def _new_record(member, **fields):
    values = {"member": member, "household_size": 3, "registered_on": TODAY, **fields}
    return HardshipRecord(**values)


def test_secretary_registers_a_line_with_family(unit):
    record = _new_record(
        unit.member1, annual_household_income=Decimal("12000"), consent_on=TODAY, consent_method="written"
    )
    family = [
        FamilyMember(name="王桂兰", relation="配偶", age=66),
        FamilyMember(name="刘小明", relation="儿子", age=30),
    ]
    saved = services.save_record(
        record=record, categories=[HardshipCategory.objects.get(code="illness")], family=family, by=unit.shuji1
    )
    assert saved.family.count() == 2
    assert saved.per_capita_income == Decimal("4000.00")
    assert saved.last_reviewed_on == TODAY
    assert saved.consent_recorded_by == unit.shuji1


def test_income_and_family_refused_without_consent(unit):
    record = _new_record(unit.member1, annual_household_income=Decimal("12000"))
    with pytest.raises(DomainError, match="知情同意"):
        services.save_record(record=record, categories=HardshipCategory.objects.all()[:1], by=unit.shuji1)
    record = _new_record(unit.member1)
    with pytest.raises(DomainError, match="知情同意"):
        services.save_record(
            record=record,
            categories=HardshipCategory.objects.all()[:1],
            family=[FamilyMember(name="王", relation="配偶")],
            by=unit.shuji1,
        )
    assert not HardshipRecord.objects.exists()


def test_withdrawn_consent_removes_family(unit, record1):
    FamilyMember.objects.create(record=record1, name="王桂兰", relation="配偶")
    record1.consent_on = None
    record1.annual_household_income = None
    services.save_record(record=record1, categories=record1.categories.all(), by=unit.shuji1)
    assert record1.family.count() == 0
    assert record1.consent_method == ""


def test_one_active_line_per_member(unit, record1):
    with pytest.raises(DomainError, match="已在困难党员台帐中"):
        services.save_record(
            record=_new_record(unit.member1), categories=HardshipCategory.objects.all()[:1], by=unit.shuji1
        )


@pytest.mark.parametrize("gone", ["deceased_on", "transferred_out_on"])
def test_deceased_or_transferred_member_cannot_hold_an_active_line(unit, gone):
    member = MemberFactory(organization=unit.branch1, **{gone: TODAY})
    with pytest.raises(DomainError, match="不能列入在册"):
        services.save_record(record=_new_record(member), categories=HardshipCategory.objects.all()[:1], by=unit.shuji1)


def test_categories_required(unit):
    with pytest.raises(DomainError, match="困难类别"):
        services.save_record(record=_new_record(unit.member1), categories=[], by=unit.shuji1)


def test_household_size_must_hold_the_family(unit):
    record = _new_record(unit.member1, household_size=1, consent_on=TODAY, consent_method="oral")
    with pytest.raises(DomainError, match="家庭人口"):
        services.save_record(
            record=record,
            categories=HardshipCategory.objects.all()[:1],
            family=[FamilyMember(name="王", relation="配偶")],
            by=unit.shuji1,
        )


def test_other_branch_secretary_cannot_register(unit):
    with pytest.raises(PermissionDenied):
        services.save_record(
            record=_new_record(unit.member1), categories=HardshipCategory.objects.all()[:1], by=unit.shuji2
        )


def test_annual_review_moves_last_reviewed_on_and_keeps_a_record(unit, record1):
    review = services.review_record(record_id=record1.pk, level="special", note="病情加重", by=unit.shuji1)
    record1.refresh_from_db()
    assert record1.last_reviewed_on == TODAY
    assert record1.level == "special"
    assert review.reviewed_by == unit.shuji1


def test_review_refused_for_closed_line(unit, record1):
    services.close_record(record_id=record1.pk, status="lifted", reason="子女就业", by=unit.shuji1)
    with pytest.raises(DomainError, match="在册"):
        services.review_record(record_id=record1.pk, level="general", note="", by=unit.shuji1)


def test_close_ends_active_pairings_and_cannot_close_twice(unit, record1):
    pairing = PairingFactory(record=record1)
    services.close_record(record_id=record1.pk, status="lifted", reason="子女就业，收入稳定", by=unit.shuji1)
    record1.refresh_from_db()
    pairing.refresh_from_db()
    assert record1.status == "lifted" and record1.close_reason == "子女就业，收入稳定"
    assert pairing.status == Pairing.Status.ENDED and "子女就业" in pairing.outcome
    with pytest.raises(DomainError, match="不能变更"):
        services.close_record(record_id=record1.pk, status="closed", reason="重复", by=unit.shuji1)


def test_close_needs_a_reason(unit, record1):
    with pytest.raises(DomainError, match="原因"):
        services.close_record(record_id=record1.pk, status="closed", reason="  ", by=unit.shuji1)


def test_daily_job_closes_lines_of_departed_members_and_is_idempotent(unit, record1, record2):
    helper = MemberFactory(organization=unit.branch2)
    pairing = PairingFactory(record=record2, helper=helper)
    unit.member1.deceased_on = TODAY - dt.timedelta(days=3)
    unit.member1.save()
    helper.transferred_out_on = TODAY - dt.timedelta(days=1)
    helper.save()
    assert services.close_lines_of_departed(day=TODAY) == {"closed_lines": 1, "ended_pairings": 1}
    record1.refresh_from_db()
    pairing.refresh_from_db()
    assert record1.status == "closed" and record1.close_reason == "该党员已逝世"
    assert record1.closed_on == TODAY - dt.timedelta(days=3)
    assert pairing.status == "ended" and "另行安排" in pairing.outcome
    assert services.close_lines_of_departed(day=TODAY) == {"closed_lines": 0, "ended_pairings": 0}


# --- pairing rules -------------------------------------------------------------------------------


def test_pairing_created(unit, record1):
    helper = MemberFactory(organization=unit.branch1)
    pairing = services.create_pairing(
        record=record1, helper=helper, help_types=_living(), started_on=TODAY, goals="稳定生活", by=unit.shuji1
    )
    assert pairing.status == "active" and list(pairing.help_types.all()) == _living()


def test_no_duplicate_active_pair(unit, record1):
    helper = MemberFactory(organization=unit.branch1)
    services.create_pairing(record=record1, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1)
    with pytest.raises(DomainError, match="不能重复结对"):
        services.create_pairing(record=record1, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1)


def test_ended_pair_may_be_paired_again(unit, record1):
    helper = MemberFactory(organization=unit.branch1)
    first = services.create_pairing(
        record=record1, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1
    )
    services.end_pairing(pairing_id=first.pk, outcome="阶段目标完成", by=unit.shuji1)
    again = services.create_pairing(
        record=record1, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1
    )
    assert again.pk != first.pk


def test_helper_carries_at_most_n_households(unit, settings):
    settings.CARE = {**settings.CARE, "MAX_HOUSEHOLDS_PER_HELPER": 2}
    helper = MemberFactory(organization=unit.branch1, name="周帮扶")
    for _ in range(2):
        services.create_pairing(
            record=RecordFactory(member=MemberFactory(organization=unit.branch1)),
            helper=helper,
            help_types=_living(),
            started_on=TODAY,
            by=unit.shuji1,
        )
    third = RecordFactory(member=MemberFactory(organization=unit.branch1))
    with pytest.raises(DomainError, match="已结对帮扶 2 户，每名帮扶人最多帮扶 2 户"):
        services.create_pairing(record=third, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1)


def test_limit_comes_from_the_setting(unit, settings):
    settings.CARE = {**settings.CARE, "MAX_HOUSEHOLDS_PER_HELPER": 1}
    helper = MemberFactory(organization=unit.branch1)
    services.create_pairing(
        record=RecordFactory(member=MemberFactory(organization=unit.branch1)),
        helper=helper,
        help_types=_living(),
        started_on=TODAY,
        by=unit.shuji1,
    )
    with pytest.raises(DomainError, match="最多帮扶 1 户"):
        services.create_pairing(
            record=RecordFactory(member=MemberFactory(organization=unit.branch1)),
            helper=helper,
            help_types=_living(),
            started_on=TODAY,
            by=unit.shuji1,
        )


def test_helper_cannot_be_the_helped_member(unit, record1):
    with pytest.raises(DomainError, match="不能是被帮扶的党员本人"):
        services.create_pairing(
            record=record1, helper=unit.member1, help_types=_living(), started_on=TODAY, by=unit.shuji1
        )


def test_departed_helper_refused(unit, record1):
    helper = MemberFactory(organization=unit.branch1, deceased_on=TODAY)
    with pytest.raises(DomainError, match="不能担任帮扶人"):
        services.create_pairing(record=record1, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1)


def test_pairing_refused_for_closed_line(unit, record1):
    services.close_record(record_id=record1.pk, status="closed", reason="迁出", by=unit.shuji1)
    with pytest.raises(DomainError, match="不在册"):
        services.create_pairing(
            record=record1,
            helper=MemberFactory(organization=unit.branch1),
            help_types=_living(),
            started_on=TODAY,
            by=unit.shuji1,
        )


def test_pairing_needs_one_of_the_five_helps(unit, record1):
    with pytest.raises(DomainError, match="帮扶内容"):
        services.create_pairing(
            record=record1,
            helper=MemberFactory(organization=unit.branch1),
            help_types=[HelpType.objects.get(code="medical")],
            started_on=TODAY,
            by=unit.shuji1,
        )


def test_progress_rules(unit, record1):
    pairing = PairingFactory(record=record1, started_on=TODAY - dt.timedelta(days=10))
    living = _living()[0]
    entry = services.add_progress(
        pairing_id=pairing.pk,
        date=TODAY,
        help_type=living,
        description="送米送油",
        money=Decimal("200"),
        money_source="other",
        money_source_note="帮扶人个人资助",
        by=unit.shuji1,
    )
    assert entry.money == Decimal("200") and entry.money_source_note == "帮扶人个人资助"
    with pytest.raises(DomainError, match="请选择资金来源"):
        services.add_progress(
            pairing_id=pairing.pk, date=TODAY, help_type=living, description="x", money=Decimal("100"), by=unit.shuji1
        )
    with pytest.raises(DomainError, match="请写明来源"):
        services.add_progress(
            pairing_id=pairing.pk,
            date=TODAY,
            help_type=living,
            description="x",
            money=Decimal("100"),
            money_source="other",
            by=unit.shuji1,
        )
    with pytest.raises(DomainError, match="晚于今天"):
        services.add_progress(
            pairing_id=pairing.pk, date=TODAY + dt.timedelta(days=1), help_type=living, description="x", by=unit.shuji1
        )
    with pytest.raises(DomainError, match="早于结对开始日期"):
        services.add_progress(
            pairing_id=pairing.pk, date=TODAY - dt.timedelta(days=11), help_type=living, description="x", by=unit.shuji1
        )
    services.end_pairing(pairing_id=pairing.pk, outcome="生活稳定", by=unit.shuji1)
    with pytest.raises(DomainError, match="已结束"):
        services.add_progress(pairing_id=pairing.pk, date=TODAY, help_type=living, description="x", by=unit.shuji1)
    with pytest.raises(DomainError, match="不能变更"):
        services.end_pairing(pairing_id=pairing.pk, outcome="再次结束", by=unit.shuji1)


def test_helper_may_log_progress_on_their_own_pairing(unit, record1):
    helper_member = unit.dangyuan1.member
    pairing = PairingFactory(record=record1, helper=helper_member)
    services.add_progress(
        pairing_id=pairing.pk, date=TODAY, help_type=_living()[0], description="上门看望", by=unit.dangyuan1
    )
    assert pairing.progress.count() == 1


def test_other_branch_cannot_pair(unit, record1):
    with pytest.raises(PermissionDenied):
        services.create_pairing(
            record=record1,
            helper=MemberFactory(organization=unit.branch1),
            help_types=_living(),
            started_on=TODAY,
            by=unit.shuji2,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pairings_for_one_helper_at_once_respect_the_limit(unit, settings):
    """Two secretaries assign the same helper at the same moment: the helper row lock lets one through."""
    import threading

    from django.db import connection

    settings.CARE = {**settings.CARE, "MAX_HOUSEHOLDS_PER_HELPER": 1}
    helper = MemberFactory(organization=unit.branch1)
    records = [RecordFactory(member=MemberFactory(organization=unit.branch1)) for _ in range(2)]
    outcomes = []
    barrier = threading.Barrier(2)

    def assign(record):
        try:
            barrier.wait()
            services.create_pairing(
                record=record, helper=helper, help_types=_living(), started_on=TODAY, by=unit.shuji1
            )
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Pairing.objects.active().filter(helper=helper).count() == 1
