"""Every must-visit case raises a prompt (issue 15, 1): life events, 思想波动, 反映情况, 老同志生日, and prompts
that nobody acts on going up to the 党总支 and the 组织部."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core import clock
from members.models import Role
from notifications.models import Notification
from tests.factories import AppointmentFactory, MemberFactory, UserFactory
from visits import services
from visits.models import Concern, LifeEvent, Occasion, Talk, VisitPrompt

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def run_jobs(day: dt.date) -> None:
    call_command("run_daily_jobs", date=day.isoformat(), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("kind", "occasion"),
    [
        ("accident", Occasion.ACCIDENT),
        ("disaster", Occasion.DISASTER),
        ("relative_death", Occasion.RELATIVE_DEATH),
        ("serious_illness", Occasion.SERIOUS_ILLNESS),
        ("hardship", Occasion.HARDSHIP),
    ],
)
def test_a_life_event_recorded_from_the_member_page_raises_a_prompt_the_visit_closes(login, unit, kind, occasion):
    client = login(unit.shuji1)
    page = client.get(reverse("members:detail", args=[unit.member1.pk])).content.decode()
    assert "登记重大事件" in page
    response = client.post(
        reverse("visits:life_event_create"),
        {"member": unit.member1.pk, "kind": kind, "happened_on": TODAY.isoformat(), "description": "家中突遭变故"},
    )
    assert response.status_code == 302
    prompt = VisitPrompt.objects.get(member=unit.member1)
    assert prompt.occasion == occasion and prompt.due_on == TODAY + dt.timedelta(days=3)
    assert LifeEvent.objects.get(member=unit.member1).prompt == prompt
    page = client.get(response["Location"]).content.decode()
    assert "已生成走访提示" in page and "家中突遭变故" in page
    assert any(unit.member1.name in t for t in titles(unit.shuji1))
    assert unit.member1.name in client.get(reverse("visits:prompts")).content.decode()

    services.log_visit(
        by=unit.shuji1, member=unit.member1, visited_on=TODAY, occasion=occasion, visitors=[unit.shuji1.member]
    )
    prompt.refresh_from_db()
    assert prompt.closed_on == TODAY


def test_a_member_cannot_record_life_events_and_a_secretary_not_in_another_branch(login, unit):
    assert login(unit.dangyuan1).get(reverse("visits:life_event_create")).status_code == 403
    response = login(unit.shuji2).post(
        reverse("visits:life_event_create"),
        {"member": unit.member1.pk, "kind": "accident", "happened_on": TODAY.isoformat(), "description": "x"},
    )
    assert response.status_code == 200 and not LifeEvent.objects.exists()


def test_an_overdue_prompt_goes_to_the_organization_department_when_there_is_no_general_branch(unit):
    day = dt.date(2026, 3, 2)
    with clock.at(day):
        services.record_life_event(
            by=unit.shuji1, member=unit.member1, kind="accident", happened_on=day, description="车祸受伤"
        )
    prompt = VisitPrompt.objects.get(member=unit.member1)
    run_jobs(dt.date(2026, 3, 5))  # due on the 5th: not yet overdue
    prompt.refresh_from_db()
    assert prompt.escalation == 0 and not any("逾期未走访" in t for t in titles(unit.zzb))
    run_jobs(dt.date(2026, 3, 6))
    prompt.refresh_from_db()
    assert prompt.escalation == VisitPrompt.Escalation.ORG_DEPT and prompt.escalated_on == dt.date(2026, 3, 6)
    assert any("逾期未走访" in t and unit.member1.name in t for t in titles(unit.zzb))
    run_jobs(dt.date(2026, 3, 7))
    assert sum("逾期未走访" in t for t in titles(unit.zzb)) == 1


def test_an_overdue_prompt_goes_to_the_general_branch_first_then_the_department(unit):
    secretary3 = AppointmentFactory(organization=unit.branch3, role=Role.SECRETARY).user
    general = AppointmentFactory(organization=unit.general, role=Role.SECRETARY).user
    day = dt.date(2026, 5, 4)
    with clock.at(day):
        services.record_life_event(
            by=secretary3, member=unit.member3, kind="disaster", happened_on=day, description="房屋被洪水冲毁"
        )
    assert any(unit.member3.name in t for t in titles(secretary3))
    run_jobs(dt.date(2026, 5, 8))
    prompt = VisitPrompt.objects.get(member=unit.member3)
    assert prompt.escalation == VisitPrompt.Escalation.GENERAL_BRANCH
    assert any("逾期未走访" in t for t in titles(general)) and not any("逾期" in t for t in titles(unit.zzb))
    run_jobs(dt.date(2026, 5, 14))  # due the 7th, 7 days later still open
    prompt.refresh_from_db()
    assert prompt.escalation == VisitPrompt.Escalation.GENERAL_BRANCH
    run_jobs(dt.date(2026, 5, 15))
    prompt.refresh_from_db()
    assert prompt.escalation == VisitPrompt.Escalation.ORG_DEPT and any("逾期未走访" in t for t in titles(unit.zzb))


def test_a_prompt_in_a_branch_without_a_secretary_reaches_the_general_branch_at_once(unit):
    general = AppointmentFactory(organization=unit.general, role=Role.SECRETARY).user
    day = dt.date(2026, 5, 4)
    with clock.at(day):
        services.record_life_event(
            by=unit.zzb, member=unit.member3, kind="relative_death", happened_on=day, description="母亲病逝"
        )
    prompt = VisitPrompt.objects.get(member=unit.member3)
    assert prompt.escalation == VisitPrompt.Escalation.GENERAL_BRANCH
    assert any("所在支部无书记" in t and unit.member3.name in t for t in titles(general))


def test_the_prompts_page_shows_due_overdue_and_escalation(login, unit):
    day = TODAY - dt.timedelta(days=10)
    with clock.at(day):
        services.record_life_event(
            by=unit.shuji1, member=unit.member1, kind="hardship", happened_on=day, description="失去收入来源"
        )
    run_jobs(TODAY)
    body = login(unit.zzb).get(reverse("visits:prompts")).content.decode()
    assert "已逾期" in body and "已报组织部" in body and unit.member1.name in body


def test_a_talk_flagged_wavering_asks_for_a_follow_up_that_the_next_talk_answers(unit):
    day = TODAY - dt.timedelta(days=20)
    with clock.at(day):
        services.log_talk(
            by=unit.shuji1,
            kind=Talk.Kind.INDIVIDUAL,
            talked_on=day,
            interviewers=[unit.shuji1.member],
            participants=[unit.member1],
            reason=Talk.Reason.WAVERING,
            summary="对处分有抵触情绪",
        )
    prompt = VisitPrompt.objects.get(member=unit.member1, occasion=Occasion.FOLLOW_UP)
    assert prompt.due_on == day + dt.timedelta(days=14)
    assert any("思想波动跟进" in t for t in titles(unit.shuji1))
    services.log_talk(
        by=unit.shuji1,
        kind=Talk.Kind.INDIVIDUAL,
        talked_on=TODAY,
        interviewers=[unit.shuji1.member],
        participants=[unit.member1],
        reason=Talk.Reason.ANNUAL,
        summary="情绪已平稳",
    )
    prompt.refresh_from_db()
    assert prompt.closed_on == TODAY
    # The secretary's to-do about the follow-up is done, not left open in the inbox.
    todo = Notification.objects.get(recipient=unit.shuji1, title__contains="思想波动跟进")
    assert todo.done_at is not None and "已跟进谈心" in todo.done_note


def test_a_member_reports_a_situation_asks_for_a_visit_and_reads_the_answer(login, unit):
    member_client = login(unit.dangyuan1)
    me = member_client.get(reverse("me")).content.decode()
    assert "反映情况" in me
    response = member_client.post(
        reverse("visits:concern_create"), {"message": "老伴住院，家里无人照看", "wants_visit": "on"}
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.status == Concern.Status.NEW and concern.prompt.occasion == Occasion.CONCERN
    assert any("张党员反映情况" in t for t in titles(unit.shuji1))

    secretary = login(unit.shuji1)
    assert "老伴住院" in secretary.get(reverse("visits:concern_list")).content.decode()
    secretary.post(concern.get_absolute_url(), {"step": "assign", "assignee": unit.zhiwei1.member.pk})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ASSIGNED and concern.assignee == unit.zhiwei1.member
    assert any("请跟进" in t for t in titles(unit.zhiwei1))
    secretary.post(concern.get_absolute_url(), {"step": "answer", "answer": "已联系社区安排护工，支委明天上门"})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ANSWERED
    assert "您反映的情况已有答复" in titles(unit.dangyuan1)

    member_client = login(unit.dangyuan1)
    me = member_client.get(reverse("me")).content.decode()
    assert "已联系社区安排护工" in me
    assert member_client.get(concern.get_absolute_url()).status_code == 200
    assert member_client.post(concern.get_absolute_url(), {"step": "answer", "answer": "x"}).status_code == 403
    assert login(unit.shuji2).get(concern.get_absolute_url()).status_code == 404


def test_a_concern_without_a_visit_request_raises_no_prompt(unit):
    services.submit_concern(by=unit.dangyuan1, message="建议多组织学习")
    assert not VisitPrompt.objects.exists()


def test_old_comrades_get_a_birthday_visit_prompt_a_week_ahead(unit, settings):
    eighty = MemberFactory(
        organization=unit.branch1,
        name="八十老人",
        birth_date=dt.date(1946, 12, 3),
        join_date=dt.date(1970, 1, 1),
        full_member_date=dt.date(1971, 1, 1),
    )
    younger = MemberFactory(
        organization=unit.branch1,
        name="七十九岁",
        birth_date=dt.date(1947, 12, 3),
        join_date=dt.date(1970, 1, 1),
        full_member_date=dt.date(1971, 1, 1),
    )
    run_jobs(dt.date(2026, 11, 25))
    assert not VisitPrompt.objects.filter(occasion=Occasion.ELDER_BIRTHDAY).exists()
    run_jobs(dt.date(2026, 11, 26))
    prompt = VisitPrompt.objects.get(occasion=Occasion.ELDER_BIRTHDAY)
    assert prompt.member == eighty and prompt.due_on == dt.date(2026, 12, 3) and "80岁生日" in prompt.reason
    assert any("老同志生日" in t and "八十老人" in t for t in titles(unit.shuji1))
    run_jobs(dt.date(2026, 11, 27))
    assert VisitPrompt.objects.filter(occasion=Occasion.ELDER_BIRTHDAY).count() == 1

    settings.CARE = {**settings.CARE, "ELDER_BIRTHDAY_AGE": 75}
    run_jobs(dt.date(2026, 11, 28))
    assert VisitPrompt.objects.filter(occasion=Occasion.ELDER_BIRTHDAY, member=younger).exists()


def test_a_missed_birthday_prompt_is_closed_so_next_years_is_raised(unit):
    MemberFactory(
        organization=unit.branch1,
        birth_date=dt.date(1940, 3, 10),
        join_date=dt.date(1965, 1, 1),
        full_member_date=dt.date(1966, 1, 1),
    )
    from notifications.services import topic_of

    run_jobs(dt.date(2026, 3, 5))
    prompt = VisitPrompt.objects.get(event_key="birthday:2026")
    assert Notification.objects.open_todos().filter(topic=topic_of(prompt)).exists()
    run_jobs(dt.date(2026, 4, 10))
    prompt.refresh_from_db()
    assert prompt.closed_on == dt.date(2026, 4, 10)
    # Its to-do is settled with it, not left open in the secretary's inbox.
    assert not Notification.objects.open_todos().filter(topic=topic_of(prompt)).exists()
    run_jobs(dt.date(2027, 3, 5))
    assert VisitPrompt.objects.open().get().event_key == "birthday:2027"


def test_a_user_without_member_record_cannot_report(login, unit):
    user = UserFactory()
    assert login(user).get(reverse("visits:concern_create")).status_code == 403
