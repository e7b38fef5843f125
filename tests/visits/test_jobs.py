"""The daily jobs: holiday plans on the right day, reminders once, birthdays, prompts, catching up."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command

from core.calendars import july_first, spring_festival
from core.jobs import run_daily
from members.models import Member
from notifications.models import Notification
from tests.factories import MemberFactory, UserFactory
from visits import jobs, services
from visits.models import Occasion, VisitPlan, VisitPlanItem, VisitPrompt

LEAD = settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"]
pytestmark = pytest.mark.django_db


def old_member(branch, **fields):
    return MemberFactory(
        organization=branch,
        join_date=dt.date(1960, 3, 5),
        full_member_date=dt.date(1961, 3, 5),
        birth_date=dt.date(1938, 2, 1),
        **fields,
    )


def run_range(start: dt.date, end: dt.date) -> None:
    day = start
    while day <= end:
        run_daily(day=day)
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", range(2025, 2031))
def test_spring_festival_plans_appear_lead_days_before_and_not_the_day_before(unit, year):
    old_member(unit.branch1)
    festival = spring_festival(year)
    first_day = festival - dt.timedelta(days=LEAD)
    jobs.holiday_plans(first_day - dt.timedelta(days=1))
    assert not VisitPlan.objects.filter(occasion=Occasion.SPRING_FESTIVAL, year=year).exists()
    jobs.holiday_plans(first_day)
    plans = VisitPlan.objects.filter(occasion=Occasion.SPRING_FESTIVAL, year=year)
    assert set(plans.values_list("organization__name", flat=True)) == {"第一党支部", "第二党支部", "第三党支部"}
    assert plans.get(organization=unit.branch1).holiday == festival


@pytest.mark.parametrize("year", range(2025, 2031))
def test_july_first_plans_appear_lead_days_before(unit, year):
    first_day = july_first(year) - dt.timedelta(days=LEAD)
    jobs.holiday_plans(first_day - dt.timedelta(days=1))
    assert not VisitPlan.objects.filter(occasion=Occasion.JULY_FIRST, year=year).exists()
    jobs.holiday_plans(first_day)
    assert VisitPlan.objects.filter(occasion=Occasion.JULY_FIRST, year=year).count() == 3


def test_plan_lists_every_target_member_with_reasons_and_skips_the_gone(unit, make_hardship):
    day = july_first(2026) - dt.timedelta(days=LEAD)
    veteran = old_member(unit.branch1, name="老张")
    cadre = MemberFactory(organization=unit.branch1, name="离休王", is_retired_cadre=True, is_model_worker=True)
    poor = MemberFactory(organization=unit.branch1, name="困难李")
    make_hardship(poor)
    disabled = MemberFactory(organization=unit.branch1, name="病残赵", work_capacity=Member.WorkCapacity.LOST)
    old_member(unit.branch1, name="已故者", deceased_on=dt.date(2025, 1, 1))
    old_member(unit.branch1, name="转出者", transferred_out_on=dt.date(2025, 1, 1))
    jobs.holiday_plans(day)
    items = {i.member.name: i.reasons for i in VisitPlanItem.objects.filter(plan__organization=unit.branch1)}
    assert set(items) == {"老张", "离休王", "困难李", "病残赵"}
    assert "老党员（党龄66年）" in items["老张"]
    assert items["离休王"] == "离退休干部、老模范"
    assert items["困难李"] == "生活困难党员"
    assert items["病残赵"] == "完全丧失劳动能力"
    assert veteran and cadre and disabled


def test_running_twice_or_catching_up_creates_each_plan_and_notice_once(unit):
    old_member(unit.branch1)
    festival = spring_festival(2027)
    # The server was down for the whole run-up: one catch-up run over the range.
    call_command(
        "run_daily_jobs",
        date=(festival - dt.timedelta(days=LEAD + 3)).isoformat(),
        until=festival.isoformat(),
        stdout=io.StringIO(),
    )
    run_range(festival - dt.timedelta(days=LEAD), festival)
    assert VisitPlan.objects.filter(occasion=Occasion.SPRING_FESTIVAL, year=2027).count() == 3
    assert VisitPlanItem.objects.filter(plan__organization=unit.branch1).count() == 1
    secretary_notes = Notification.objects.filter(recipient=unit.shuji1, title__contains="走访计划已生成")
    assert secretary_notes.count() == 1
    reminders = Notification.objects.filter(recipient=unit.shuji1, title__contains="未完成")
    assert reminders.count() == 1


def test_a_late_first_run_inside_the_window_still_creates_the_plan(unit):
    festival = spring_festival(2028)
    jobs.holiday_plans(festival - dt.timedelta(days=2))
    assert VisitPlan.objects.filter(year=2028, occasion=Occasion.SPRING_FESTIVAL).count() == 3


def test_reminder_comes_reminder_days_before_and_only_for_unfinished_plans(unit):
    member = old_member(unit.branch1)
    old_member(unit.branch2)
    holiday = july_first(2026)
    reminder_day = holiday - dt.timedelta(days=settings.CARE["HOLIDAY_REMINDER_DAYS"])
    jobs.holiday_plans(holiday - dt.timedelta(days=LEAD))
    jobs.holiday_plans(reminder_day - dt.timedelta(days=1))
    assert not Notification.objects.filter(title__contains="未完成").exists()
    services.log_visit(
        by=unit.shuji1,
        member=member,
        visited_on=dt.date(2026, 6, 20),
        occasion=Occasion.JULY_FIRST,
        visitors=[unit.shuji1.member],
    )
    assert VisitPlanItem.objects.get(member=member).is_done  # logging the visit ticked the plan item off
    jobs.holiday_plans(reminder_day)
    jobs.holiday_plans(reminder_day + dt.timedelta(days=1))
    assert not Notification.objects.filter(recipient=unit.shuji1, title__contains="未完成").exists()
    assert Notification.objects.filter(recipient=unit.shuji2, title="七一走访还有 1 人未完成").count() == 1


def test_org_department_gets_each_branch_completion_rate_after_the_holiday_once(unit):
    done, open_ = old_member(unit.branch1, name="已访"), old_member(unit.branch1, name="未访")
    holiday = july_first(2026)
    jobs.holiday_plans(holiday - dt.timedelta(days=10))
    services.log_visit(
        by=unit.shuji1,
        member=done,
        visited_on=dt.date(2026, 6, 25),
        occasion=Occasion.JULY_FIRST,
        visitors=[unit.shuji1.member],
    )
    jobs.holiday_plans(holiday)
    assert not Notification.objects.filter(recipient=unit.zzb, title__contains="走访完成情况").exists()
    run_range(holiday + dt.timedelta(days=1), holiday + dt.timedelta(days=3))
    summary = Notification.objects.get(recipient=unit.zzb, title__contains="走访完成情况")  # not the 表彰 reminder
    assert "50%" in summary.title
    assert "第一党支部：1/2（50%）" in summary.body
    assert open_.pk


def test_political_birthday_greets_the_member_and_reminds_the_secretary_once(unit):
    member = Member.objects.get(user=unit.dangyuan1)
    member.join_date, member.full_member_date = dt.date(2001, 7, 9), dt.date(2002, 7, 9)
    member.save()
    jobs.political_birthdays(dt.date(2026, 7, 8))
    assert not Notification.objects.filter(recipient=unit.dangyuan1).exists()
    jobs.political_birthdays(dt.date(2026, 7, 9))
    jobs.political_birthdays(dt.date(2026, 7, 10))  # still in the catch-up window: nothing twice
    greeting = Notification.objects.get(recipient=unit.dangyuan1)
    assert "入党25周年" in greeting.title
    assert Notification.objects.filter(recipient=unit.shuji1, title__contains="政治生日").count() == 1


def test_political_birthday_missed_during_downtime_is_sent_within_the_window(unit):
    member = Member.objects.get(user=unit.dangyuan1)
    member.join_date, member.full_member_date = dt.date(2001, 3, 3), dt.date(2002, 3, 3)
    member.save()
    jobs.political_birthdays(dt.date(2026, 3, 3) + dt.timedelta(days=jobs.BIRTHDAY_WINDOW_DAYS))
    assert not Notification.objects.filter(recipient=unit.dangyuan1).exists()  # too late: window passed
    jobs.political_birthdays(dt.date(2026, 3, 6))
    assert Notification.objects.filter(recipient=unit.dangyuan1).count() == 1


def test_29_february_birthdays_fall_on_28_february_in_common_years(unit):
    user = UserFactory(username="leap")
    MemberFactory(
        organization=unit.branch1, user=user, join_date=dt.date(2004, 2, 29), full_member_date=dt.date(2005, 3, 1)
    )
    jobs.political_birthdays(dt.date(2026, 2, 27))
    assert not Notification.objects.filter(recipient=user).exists()
    jobs.political_birthdays(dt.date(2026, 2, 28))
    assert "入党22周年" in Notification.objects.get(recipient=user).title  # 2004 → 2026: 22 years
    jobs.political_birthdays(dt.date(2028, 2, 28))
    assert Notification.objects.filter(recipient=user).count() == 1  # a leap year: not on the 28th
    jobs.political_birthdays(dt.date(2028, 2, 29))
    assert Notification.objects.filter(recipient=user, title__contains="入党24周年").count() == 1


def test_a_29_february_member_is_told_the_full_count_on_28_february_of_a_common_year(unit):
    """2012-02-29 → 2027-02-28 is the 15th anniversary (seed: 在每位党员入党之日……表示祝贺)."""
    user = UserFactory(username="leap2012")
    MemberFactory(
        organization=unit.branch1,
        user=user,
        name="闰日党员",
        join_date=dt.date(2012, 2, 29),
        full_member_date=dt.date(2013, 3, 1),
    )
    jobs.political_birthdays(dt.date(2027, 2, 28))
    greeting = Notification.objects.get(recipient=user)
    assert "入党15周年" in greeting.title
    reminder = Notification.objects.get(recipient=unit.shuji1, title__contains="闰日党员")
    assert "党龄15年" in reminder.title


def test_deceased_and_transferred_members_get_no_greetings_and_secretary_no_reminder(unit):
    gone = UserFactory(username="gone")
    MemberFactory(
        organization=unit.branch1,
        user=gone,
        join_date=dt.date(1990, 5, 5),
        full_member_date=dt.date(1991, 5, 5),
        deceased_on=dt.date(2025, 1, 1),
    )
    moved = UserFactory(username="moved")
    MemberFactory(
        organization=unit.branch1,
        user=moved,
        join_date=dt.date(1990, 5, 5),
        full_member_date=dt.date(1991, 5, 5),
        transferred_out_on=dt.date(2025, 1, 1),
    )
    jobs.political_birthdays(dt.date(2026, 5, 5))
    assert not Notification.objects.filter(recipient__in=[gone, moved]).exists()
    assert not Notification.objects.filter(recipient=unit.shuji1, title__contains="政治生日").exists()


def test_collective_political_birthday_reminder_in_june_once_per_branch(unit):
    jobs.political_birthdays(dt.date(2026, 5, 31))
    assert not Notification.objects.filter(title__contains="集体政治生日").exists()
    run_range(dt.date(2026, 6, 1), dt.date(2026, 6, 3))
    assert Notification.objects.filter(title__contains="集体政治生日", recipient=unit.shuji1).count() == 1
    assert Notification.objects.filter(title__contains="集体政治生日", recipient=unit.shuji2).count() == 1


def test_hospitalisation_prompts_an_illness_visit_once_and_the_visit_closes_it(unit):
    unit.member1.is_hospitalized = True
    unit.member1.save()
    jobs.care_prompts(dt.date(2026, 3, 1))
    jobs.care_prompts(dt.date(2026, 3, 2))
    prompt = VisitPrompt.objects.get(member=unit.member1)
    assert prompt.occasion == Occasion.ILLNESS
    assert Notification.objects.filter(recipient=unit.shuji1, title="请安排患病探望：刘一").count() == 1
    services.log_visit(
        by=unit.shuji1,
        member=unit.member1,
        visited_on=dt.date(2026, 3, 2),
        occasion=Occasion.ILLNESS,
        visitors=[unit.shuji1.member],
        goods="水果",
    )
    prompt.refresh_from_db()
    assert prompt.closed_on == dt.date(2026, 3, 2) and prompt.visit is not None
    jobs.care_prompts(dt.date(2026, 3, 3))  # still in hospital, already visited: no new prompt
    assert VisitPrompt.objects.filter(member=unit.member1).count() == 1


def test_a_second_hospitalisation_is_prompted_again(unit):
    unit.member1.is_hospitalized = True
    unit.member1.save()
    jobs.care_prompts(dt.date(2026, 3, 1))
    unit.member1.is_hospitalized = False
    unit.member1.save()
    jobs.care_prompts(dt.date(2026, 3, 10))
    assert VisitPrompt.objects.open().count() == 0
    unit.member1.is_hospitalized = True
    unit.member1.save()
    jobs.care_prompts(dt.date(2026, 5, 1))
    assert VisitPrompt.objects.filter(member=unit.member1).count() == 2


def test_death_and_disaster_line_prompt_visits_once(unit, make_hardship):
    unit.member1.deceased_on = dt.date(2026, 4, 1)
    unit.member1.save()
    make_hardship(unit.member2, "disaster")
    for day in (dt.date(2026, 4, 3), dt.date(2026, 4, 4)):
        jobs.care_prompts(day)
    assert VisitPrompt.objects.get(member=unit.member1).occasion == Occasion.BEREAVEMENT
    assert VisitPrompt.objects.get(member=unit.member2).occasion == Occasion.DISASTER
    assert Notification.objects.filter(recipient=unit.shuji2, title__contains="受灾慰问").count() == 1


def test_old_deaths_outside_the_window_are_not_prompted(unit):
    unit.member1.deceased_on = dt.date(2025, 1, 1)
    unit.member1.save()
    jobs.care_prompts(dt.date(2026, 4, 3))
    assert not VisitPrompt.objects.exists()


def test_monthly_talk_coverage_reminder_once_a_month(unit):
    run_range(dt.date(2026, 9, 1), dt.date(2026, 9, 10))
    notes = Notification.objects.filter(recipient=unit.shuji1, title__contains="未谈心谈话")
    assert notes.count() == 1
    assert "4 名党员" in notes.get().title  # shuji1, zhiwei1, dangyuan1, 刘一


def test_members_who_become_targets_are_added_and_those_who_die_are_taken_off(unit, make_hardship):
    holiday = july_first(2026)
    veteran = old_member(unit.branch1, name="老张")
    jobs.holiday_plans(holiday - dt.timedelta(days=LEAD))
    make_hardship(unit.member1)
    veteran.deceased_on = holiday - dt.timedelta(days=15)
    veteran.save()
    jobs.holiday_plans(holiday - dt.timedelta(days=10))
    items = VisitPlanItem.objects.filter(plan__organization=unit.branch1)
    assert [(i.member.name, i.reasons) for i in items] == [("刘一", "生活困难党员")]
