"""Separation of duties, enforced in the services (issue 13, item 3): one approver cannot undo an
approval alone; an objection is not ruled on by whoever raised it; a branch meeting recorded by whoever
filled the application in counts once a second committee member confirms it."""

import pytest
from django.core.exceptions import PermissionDenied

from core import clock
from core.errors import DomainError
from funds import permissions, services
from funds.models import Kind, Objection, Status
from members.models import Role
from tests.factories import AppointmentFactory, UserFactory
from tests.funds.factories import application_in, approve, hold_meeting, refreshed

pytestmark = pytest.mark.django_db


def test_the_approver_cannot_object_to_what_they_approved(unit, fund, login):
    """The attack: as zzb, object to an application you approved, then rule the objection upheld."""
    app = application_in(unit, Status.IN_NOTICE)
    assert app.approved_by == unit.zzb
    with pytest.raises(PermissionDenied, match="您审批了该申请"):
        services.raise_objection(application_id=app.pk, by=unit.zzb, reason="情况不实")
    response = login(unit.zzb).post(f"/funds/applications/{app.pk}/object/", {"reason": "情况不实"})
    assert response.status_code == 403
    assert refreshed(app).status == Status.IN_NOTICE and not Objection.objects.exists()
    assert not permissions.can_object(unit.zzb, app)
    assert permissions.can_object(unit.zzb2, app)


def test_the_approver_does_not_rule_on_objections_to_it(unit, fund, login):
    app = application_in(unit, Status.OBJECTION)  # raised by 王支委
    objection = app.objections.get()
    with pytest.raises(PermissionDenied, match="异议须由组织部其他同志处理"):
        services.resolve_objection(objection_id=objection.pk, by=unit.zzb, upheld=True, resolution="属实")
    response = login(unit.zzb).post(
        f"/funds/applications/{app.pk}/objections/{objection.pk}/resolve/", {"upheld": "1", "resolution": "属实"}
    )
    assert response.status_code == 403
    assert refreshed(app).status == Status.OBJECTION
    assert Objection.objects.get(pk=objection.pk).outcome == Objection.Outcome.OPEN
    page = login(unit.zzb).get(app.get_absolute_url()).content.decode()
    assert "提交处理结果" not in page and "异议须由组织部其他同志调查核实并处理" in page
    assert "提交处理结果" in login(unit.zzb2).get(app.get_absolute_url()).content.decode()
    services.resolve_objection(objection_id=objection.pk, by=unit.zzb2, upheld=True, resolution="经核实情况属实")
    assert refreshed(app).status == Status.REJECTED


def test_whoever_raised_an_objection_does_not_rule_on_it(unit, fund):
    app = application_in(unit, Status.IN_NOTICE)
    objection = services.raise_objection(application_id=app.pk, by=unit.zzb2, reason="该同志有经营收入")
    with pytest.raises(PermissionDenied, match="不能处理自己提出的异议"):
        services.resolve_objection(objection_id=objection.pk, by=unit.zzb2, upheld=True, resolution="属实")
    assert not permissions.can_resolve_objection(unit.zzb2, refreshed(app), objection)
    third = UserFactory(username="zzb3")
    AppointmentFactory(user=third, organization=unit.committee, role=Role.ORG_DEPT)
    assert permissions.can_resolve_objection(third, refreshed(app), objection)
    services.resolve_objection(objection_id=objection.pk, by=third, upheld=False, resolution="经核实无此事")
    assert refreshed(app).status == Status.IN_NOTICE


def test_predicates_know_the_state(unit, fund):
    app = application_in(unit, Status.BRANCH_REVIEWED)
    assert permissions.can_approve(unit.zzb, app) and permissions.can_reject(unit.zzb, app)
    approve(app, by=unit.zzb, amount="1000.00")
    app = refreshed(app)
    assert not permissions.can_approve(unit.zzb, app) and not permissions.can_reject(unit.zzb, app)
    assert not permissions.can_return(unit.zzb, app) and not permissions.can_disburse(unit.jijin, app)
    assert permissions.may_approve(unit.zzb, app)  # who: still the organization department
    with pytest.raises(DomainError, match="不能变更为"):
        approve(app, by=unit.zzb2, amount="1000.00")


# ---------------------------------------------------------------- the branch meeting recorded by the submitter


def test_a_meeting_recorded_by_the_secretary_who_filled_it_in_waits_for_a_second_committee_member(unit, fund, login):
    app = application_in(unit, Status.SUBMITTED, member=unit.member1, by=unit.shuji1)
    hold_meeting(app, by=unit.shuji1)
    app = refreshed(app)
    assert app.status == Status.SUBMITTED and app.meeting_awaiting_confirmation
    assert app.events.filter(comment__contains="待另一名支委或组织部确认后生效").exists()
    assert "支部大会记录待确认" in login(unit.zhiwei1).get("/").content.decode()
    with pytest.raises(DomainError, match="支部大会记录尚待确认"):
        approve(app, by=unit.zzb, amount="1000.00")
    with pytest.raises(PermissionDenied):
        services.confirm_meeting(application_id=app.pk, by=unit.shuji1, confirm=True)
    with pytest.raises(PermissionDenied):
        services.confirm_meeting(application_id=app.pk, by=unit.dangyuan1, confirm=True)
    with pytest.raises(PermissionDenied):
        services.confirm_meeting(application_id=app.pk, by=unit.shuji2, confirm=True)
    page = login(unit.zhiwei1).get(app.get_absolute_url()).content.decode()
    assert "与会议记录一致，确认" in page
    response = login(unit.zhiwei1).post(f"/funds/applications/{app.pk}/meeting/confirm/", {"confirm": "1"}, follow=True)
    assert "已处理支部大会记录" in response.content.decode()
    app = refreshed(app)
    assert app.status == Status.BRANCH_REVIEWED and app.meeting_confirmed_by == unit.zhiwei1


def test_a_second_member_may_send_the_record_back(unit, fund):
    app = application_in(unit, Status.SUBMITTED, member=unit.member1, by=unit.shuji1)
    hold_meeting(app, by=unit.shuji1)
    with pytest.raises(DomainError, match="请写明支部大会记录哪里不符"):
        services.confirm_meeting(application_id=app.pk, by=unit.zhiwei1, confirm=False)
    services.confirm_meeting(application_id=app.pk, by=unit.zhiwei1, confirm=False, comment="到会人数与签到表不符")
    app = refreshed(app)
    assert app.status == Status.SUBMITTED and not app.meeting_recorded
    assert app.events.filter(comment__contains="记录未获确认：到会人数与签到表不符").exists()
    hold_meeting(app, by=unit.shuji1)  # recorded again, waits again
    assert refreshed(app).meeting_awaiting_confirmation


def test_where_the_branch_has_no_other_committee_member_the_organization_department_confirms(unit, fund):
    app = application_in(unit, Status.SUBMITTED, member=unit.member2, by=unit.shuji2)
    hold_meeting(app, by=unit.shuji2)
    from notifications.models import Notification

    assert Notification.objects.filter(recipient=unit.zzb, title__contains="支部大会记录待确认").exists()
    services.confirm_meeting(application_id=app.pk, by=unit.zzb, confirm=True)
    assert refreshed(app).status == Status.BRANCH_REVIEWED


def test_a_meeting_on_an_application_someone_else_filled_in_counts_at_once(unit, fund):
    app = application_in(unit, Status.SUBMITTED)  # 张党员 applied themself
    hold_meeting(app, by=unit.shuji1)
    app = refreshed(app)
    assert app.status == Status.BRANCH_REVIEWED and app.meeting_confirmed_at and app.meeting_confirmed_by is None


def test_nobody_records_the_meeting_on_their_own_application(unit, fund):
    app = services.create_application(
        by=unit.shuji1,
        member=unit.shuji1.member,
        kind=Kind.TEMPORARY,
        amount_requested="800.00",
        reason="突发意外",
        submit=True,
    )
    with pytest.raises(PermissionDenied):
        services.record_meeting(
            application_id=app.pk,
            by=unit.shuji1,
            meeting_on=clock.today(),
            attendees=4,
            votes_for=4,
            votes_against=0,
            votes_abstain=0,
        )
    assert not permissions.can_record_meeting(unit.shuji1, app)
    hold_meeting(app, by=unit.zhiwei1)  # 支委 records it; shuji1 filled it in but did not record it
    assert refreshed(app).status == Status.BRANCH_REVIEWED
