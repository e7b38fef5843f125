"""Notifications a secretary can tell apart: each names the member (and branch) and links to the object;
to-dos close themselves when done or no longer possible; alike ones of a day are one line."""

import pytest
from django.urls import reverse

from funds import services
from funds.models import Status
from notifications.models import Notification
from tests.factories import MemberFactory
from tests.funds.factories import application_in, approve, fund_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(unit):
    return fund_with(unit)


def _three_members(unit):
    return [MemberFactory(organization=unit.branch1, name=name) for name in ("张三", "李四", "王五")]


def test_each_notice_names_the_member_and_branch_and_links_the_application(unit, fund):
    app = application_in(unit, Status.SUBMITTED, member=MemberFactory(organization=unit.branch1, name="张三"))
    notice = Notification.objects.get(recipient=unit.shuji1, topic=f"funds.assistanceapplication:{app.pk}")
    assert "张三" in notice.title
    assert notice.who == "张三（第一党支部）"
    assert notice.link == app.get_absolute_url()
    assert notice.todo and not notice.is_done


def test_withdrawn_application_closes_the_secretarys_todo(unit, fund):
    app = application_in(unit, Status.SUBMITTED)
    todo = Notification.objects.get(recipient=unit.shuji1, topic=f"funds.assistanceapplication:{app.pk}")
    assert todo.todo and todo.done_at is None
    services.withdraw(application_id=app.pk, by=unit.dangyuan1)
    todo.refresh_from_db()
    assert todo.is_done and todo.is_read
    assert todo.done_note == "申请已撤回，无需再办"


def test_todo_is_done_when_the_step_is_taken(unit, fund, login):
    app = application_in(unit, Status.BRANCH_REVIEWED)
    todo = Notification.objects.get(
        recipient=unit.zzb, topic=f"funds.assistanceapplication:{app.pk}", title__contains="待审批"
    )
    approve(app, by=unit.zzb, amount="1000.00")
    todo.refresh_from_db()
    assert todo.done_note.startswith("已办")
    body = login(unit.zzb).get(reverse("notifications:inbox") + "?todo=1").content.decode()
    assert "待审批" not in body


def test_alike_notices_of_one_day_are_one_line_naming_the_members(unit, fund, login):
    for member in _three_members(unit):
        app = application_in(unit, Status.BRANCH_REVIEWED, member=member, by=unit.shuji1)
        approve(app, by=unit.zzb, amount="1000.00")
    body = login(unit.shuji1).get(reverse("notifications:inbox")).content.decode()
    assert "3 份申请已批准，正在公示：张三、李四、王五" in body
