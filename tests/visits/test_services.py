"""Services: logging visits and talks, each refused case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from tests.factories import MemberFactory
from tests.visits.factories import open_plan
from visits import services
from visits.models import Occasion, Talk, VisitPlanItem

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_log_visit_records_visitors_money_and_goods(unit):
    visit = services.log_visit(
        by=unit.shuji1,
        member=unit.member1,
        visited_on=TODAY,
        occasion=Occasion.ROUTINE,
        visitors=[unit.shuji1.member, unit.zhiwei1.member],
        amount=Decimal("300.00"),
        money_source="other",
        money_source_note="单位工会慰问经费",
        goods="大米",
        follow_up="希望帮助联系就业",
    )
    assert set(visit.visitors.values_list("name", flat=True)) == {"李书记", "王支委"}
    assert visit.amount == Decimal("300.00") and visit.money_source_note == "单位工会慰问经费"


def test_money_handed_over_names_its_source(unit):
    kwargs = {
        "by": unit.shuji1,
        "member": unit.member1,
        "visited_on": TODAY,
        "occasion": Occasion.ROUTINE,
        "visitors": [unit.shuji1.member],
        "amount": Decimal("200.00"),
    }
    with pytest.raises(DomainError, match="请选择资金来源"):
        services.log_visit(**kwargs)
    with pytest.raises(DomainError, match="请写明来源"):
        services.log_visit(**kwargs, money_source="other")
    visit = services.log_visit(**kwargs, money_source="care_fund", money_source_note="ignored")
    assert (visit.money_source, visit.money_source_note) == ("care_fund", "")
    plain = services.log_visit(**{**kwargs, "amount": None}, money_source="care_fund")
    assert plain.money_source == ""  # no money, no source


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visitors": []}, "请至少选择一名走访人"),
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "走访日期不能晚于今天"),
        ({"amount": Decimal("-1")}, "慰问金不能为负数"),
    ],
)
def test_log_visit_refuses_bad_input(unit, changes, message):
    kwargs = {
        "by": unit.shuji1,
        "member": unit.member1,
        "visited_on": TODAY,
        "occasion": Occasion.ROUTINE,
        "visitors": [unit.shuji1.member],
        **changes,
    }
    with pytest.raises(DomainError, match=message):
        services.log_visit(**kwargs)


def test_log_visit_refuses_another_branch_and_a_plain_member(unit):
    with pytest.raises(PermissionDenied):
        services.log_visit(
            by=unit.shuji2,
            member=unit.member1,
            visited_on=TODAY,
            occasion=Occasion.ROUTINE,
            visitors=[unit.shuji2.member],
        )
    with pytest.raises(PermissionDenied):
        services.log_visit(
            by=unit.dangyuan1,
            member=unit.member1,
            visited_on=TODAY,
            occasion=Occasion.ROUTINE,
            visitors=[unit.dangyuan1.member],
        )


def test_deceased_member_only_gets_a_bereavement_visit(unit):
    unit.member1.deceased_on = TODAY - dt.timedelta(days=2)
    unit.member1.save()
    with pytest.raises(DomainError, match="病故吊唁"):
        services.log_visit(
            by=unit.shuji1,
            member=unit.member1,
            visited_on=TODAY,
            occasion=Occasion.ROUTINE,
            visitors=[unit.shuji1.member],
        )
    visit = services.log_visit(
        by=unit.shuji1,
        member=unit.member1,
        visited_on=TODAY,
        occasion=Occasion.BEREAVEMENT,
        visitors=[unit.shuji1.member],
    )
    assert visit.pk


def test_plan_item_is_ticked_once_and_must_match(unit):
    veteran = MemberFactory(organization=unit.branch1, is_retired_cadre=True)
    plan = open_plan(
        branch=unit.branch1,
        occasion=Occasion.SPRING_FESTIVAL,
        year=TODAY.year,
        holiday=TODAY + dt.timedelta(days=5),
        day=TODAY,
    )
    item = VisitPlanItem.objects.get(plan=plan, member=veteran)
    with pytest.raises(DomainError, match="走访对象与所选党员不一致"):
        services.log_visit(
            by=unit.shuji1,
            member=unit.member1,
            visited_on=TODAY,
            occasion=Occasion.SPRING_FESTIVAL,
            visitors=[unit.shuji1.member],
            plan_item=item,
        )
    with pytest.raises(DomainError, match="事由应为“春节”"):
        services.log_visit(
            by=unit.shuji1,
            member=veteran,
            visited_on=TODAY,
            occasion=Occasion.ROUTINE,
            visitors=[unit.shuji1.member],
            plan_item=item,
        )
    visit = services.log_visit(
        by=unit.shuji1,
        member=veteran,
        visited_on=TODAY,
        occasion=Occasion.SPRING_FESTIVAL,
        visitors=[unit.shuji1.member],
        plan_item=item,
    )
    item.refresh_from_db()
    assert item.visit == visit
    with pytest.raises(DomainError, match="已经走访过了"):
        services.log_visit(
            by=unit.shuji1,
            member=veteran,
            visited_on=TODAY,
            occasion=Occasion.SPRING_FESTIVAL,
            visitors=[unit.shuji1.member],
            plan_item=item,
        )


def test_assign_visitors_refused_for_other_branch_and_done_items(unit):
    veteran = MemberFactory(organization=unit.branch1, is_model_worker=True)
    plan = open_plan(
        branch=unit.branch1,
        occasion=Occasion.JULY_FIRST,
        year=TODAY.year,
        holiday=TODAY + dt.timedelta(days=5),
        day=TODAY,
    )
    item = plan.items.get(member=veteran)
    with pytest.raises(PermissionDenied):
        services.assign_visitors(by=unit.shuji2, item=item, visitors=[unit.shuji2.member])
    services.assign_visitors(by=unit.shuji1, item=item, visitors=[unit.zhiwei1.member])
    assert list(item.visitors.values_list("name", flat=True)) == ["王支委"]
    services.log_visit(
        by=unit.shuji1, member=veteran, visited_on=TODAY, occasion=Occasion.JULY_FIRST, visitors=[unit.zhiwei1.member]
    )
    with pytest.raises(DomainError, match="已走访"):
        services.assign_visitors(by=unit.shuji1, item=item, visitors=[unit.shuji1.member])


def talk_kwargs(unit, **changes):
    return {
        "by": unit.shuji1,
        "kind": Talk.Kind.INDIVIDUAL,
        "talked_on": TODAY,
        "interviewers": [unit.shuji1.member],
        "participants": [unit.member1],
        "reason": Talk.Reason.ANNUAL,
        "summary": "谈了工作",
        **changes,
    }


def test_log_talk_individual_and_collective(unit):
    talk = services.log_talk(**talk_kwargs(unit, priority_grievance=True, confidential_notes="对评优有意见"))
    assert talk.organization == unit.branch1 and talk.priority_labels == ["有怨气"]
    collective = services.log_talk(
        **talk_kwargs(unit, kind=Talk.Kind.COLLECTIVE, participants=[unit.member1, unit.dangyuan1.member])
    )
    assert collective.participants.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interviewers": []}, "请至少选择一名谈话人"),
        ({"participants": []}, "请选择谈话对象"),
        ({"summary": "  "}, "请填写谈话内容摘要"),
        ({"talked_on": TODAY + dt.timedelta(days=1)}, "谈话日期不能晚于今天"),
        ({"kind": "collective"}, "集体谈话至少需要两名谈话对象"),
    ],
)
def test_log_talk_refuses_bad_input(unit, changes, message):
    with pytest.raises(DomainError, match=message):
        services.log_talk(**talk_kwargs(unit, **changes))


def test_log_talk_refuses_two_people_individually_mixed_branches_and_other_branches(unit):
    with pytest.raises(DomainError, match="个别谈话只能有一名谈话对象"):
        services.log_talk(**talk_kwargs(unit, participants=[unit.member1, unit.dangyuan1.member]))
    with pytest.raises(DomainError, match="同一个支部"):
        services.log_talk(**talk_kwargs(unit, kind=Talk.Kind.COLLECTIVE, participants=[unit.member1, unit.member2]))
    with pytest.raises(PermissionDenied):
        services.log_talk(**talk_kwargs(unit, by=unit.shuji2, interviewers=[unit.shuji2.member]))
