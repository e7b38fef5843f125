"""主题教育期间全面排查 (seed 000 六; issue 15 §3): the 党委 opens the year's period, each branch confirms
every member's situation with a checklist, and what changed feeds the ledger and the visit prompts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from core import clock
from core.errors import DomainError
from hardship import services as hardship_services
from hardship.models import HardshipCategory, HardshipRecord
from members.models import Member
from notifications.models import Notification
from surveys import services
from surveys.models import BranchSurvey, Checklist, LedgerOutcome
from tests.factories import MemberFactory
from tests.hardship.factories import RecordFactory
from visits.models import Occasion, VisitPrompt

pytestmark = pytest.mark.django_db

OPENS, ENDS = dt.date(2027, 9, 1), dt.date(2027, 10, 31)


def run_jobs(day: dt.date) -> None:
    call_command("run_daily_jobs", date=day.isoformat(), stdout=io.StringIO())


def open_period(unit, **overrides):
    fields = {"name": "2027年主题教育期间全面排查", "starts_on": OPENS, "ends_on": ENDS} | overrides
    with clock.at(fields["starts_on"]):
        return services.open_period(organization=unit.committee, by=unit.zzb, **fields)


def checklist_of(member) -> Checklist:
    return Checklist.objects.get(member=member)


def save(checklist, by, day=dt.date(2027, 9, 10), **fields):
    data = {"health": "good", "living": "stable", "contact": "visited"} | fields
    with clock.at(day):
        return services.save_checklist(checklist_id=checklist.pk, by=by, **data)


# --- opening ----------------------------------------------------------------------------------------


def test_opening_gives_every_branch_its_survey_and_every_member_a_checklist(unit):
    period = open_period(unit)
    assert set(period.branches.values_list("branch__name", flat=True)) == {"第一党支部", "第二党支部", "第三党支部"}
    branch1 = BranchSurvey.objects.get(period=period, branch=unit.branch1)
    assert set(branch1.checklists.values_list("member__name", flat=True)) == {"李书记", "王支委", "张党员", "刘一"}
    assert Notification.objects.filter(recipient=unit.shuji1, title="请开展2027年主题教育期间全面排查").count() == 1


def test_one_period_per_organization_per_year(unit):
    open_period(unit)
    with pytest.raises(DomainError, match="2027年已有全面排查"):
        open_period(unit, name="第二次", starts_on=dt.date(2027, 11, 1), ends_on=dt.date(2027, 11, 30))


def test_only_the_department_opens_a_period(unit):
    with clock.at(OPENS), pytest.raises(PermissionDenied):
        services.open_period(organization=unit.committee, name="排查", starts_on=OPENS, ends_on=ENDS, by=unit.shuji1)


def test_a_period_ends_after_it_starts(unit):
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        open_period(unit, ends_on=OPENS - dt.timedelta(days=1))


# --- what a checklist feeds --------------------------------------------------------------------------


def test_hardship_of_a_member_not_on_the_ledger_puts_them_on_it(unit):
    open_period(unit)
    illness = HardshipCategory.objects.get(code="illness")
    checklist, findings = save(
        checklist_of(unit.member1),
        unit.shuji1,
        living="hard",
        hardship_level="special",
        categories=[illness],
        family_changed=True,
        family_situation="配偶确诊重病",
        needs=["living", "medical"],
    )
    line = HardshipRecord.objects.active().get(member=unit.member1)
    assert line.level == "special" and list(line.categories.all()) == [illness]
    assert "配偶确诊重病" in line.causes and "生活帮扶" in line.main_difficulties
    assert checklist.ledger_outcome == LedgerOutcome.PROPOSED and checklist.ledger_record == line
    assert "已将刘一列入困难党员台帐" in findings.sentences[0]
    # Saving the checklist again (a correction) neither adds a line nor marks the new one for review.
    checklist, findings = save(checklist, unit.shuji1, living="hard", hardship_level="general", categories=[illness])
    assert HardshipRecord.objects.filter(member=unit.member1).count() == 1
    assert HardshipRecord.objects.get(member=unit.member1).review_requested_on is None
    assert findings.sentences == []


def test_hardship_needs_its_categories(unit):
    open_period(unit)
    with pytest.raises(DomainError, match="请选择困难类别"):
        save(checklist_of(unit.member1), unit.shuji1, living="hard", hardship_level="general")
    assert not HardshipRecord.objects.filter(member=unit.member1).exists()


def test_a_changed_situation_marks_the_ledger_line_for_review_until_it_is_reviewed(unit):
    line = RecordFactory(member=unit.member1, registered_on=dt.date(2020, 3, 1), last_reviewed_on=dt.date(2020, 3, 1))
    open_period(unit)
    checklist, findings = save(
        checklist_of(unit.member1),
        unit.shuji1,
        living="hard",
        hardship_level="special",
        categories=list(line.categories.all()),
    )
    line.refresh_from_db()
    assert line.review_requested_on == dt.date(2027, 9, 10)
    assert "困难程度应为“特别困难”" in line.review_request
    assert checklist.ledger_outcome == LedgerOutcome.REVIEW
    assert "台帐已标记为待复核" in findings.sentences[0]
    # The ledger's own 复核 (the hardship service dates it today) clears the mark.
    hardship_services.review_record(record_id=line.pk, level="special", note="核实", by=unit.shuji1)
    line.refresh_from_db()
    assert line.review_requested_on is None and line.level == "special"


def test_an_unchanged_ledger_line_is_left_alone(unit):
    line = RecordFactory(member=unit.member1, registered_on=dt.date(2027, 3, 1), last_reviewed_on=dt.date(2027, 3, 1))
    open_period(unit)
    checklist, findings = save(
        checklist_of(unit.member1),
        unit.shuji1,
        living="hard",
        hardship_level=line.level,
        categories=list(line.categories.all()),
    )
    line.refresh_from_db()
    assert line.review_requested_on is None
    assert checklist.ledger_outcome == LedgerOutcome.UNCHANGED
    assert findings.sentences == ["刘一已在困难党员台帐中，情况无变化。"]


def test_a_ledger_member_now_living_stably_is_marked_for_review(unit):
    line = RecordFactory(member=unit.member1, registered_on=dt.date(2027, 3, 1), last_reviewed_on=dt.date(2027, 3, 1))
    open_period(unit)
    save(checklist_of(unit.member1), unit.shuji1, living="stable")
    line.refresh_from_db()
    assert "收入稳定" in line.review_request


def test_in_hospital_raises_the_illness_prompt_which_the_daily_job_keeps(unit):
    open_period(unit)
    checklist, findings = save(checklist_of(unit.member1), unit.shuji1, health="hospitalized")
    prompt = VisitPrompt.objects.open().get(member=unit.member1)
    assert prompt.occasion == Occasion.ILLNESS and checklist.illness_prompt == prompt
    assert Member.objects.get(pk=unit.member1.pk).is_hospitalized
    assert "已生成患病探望提示" in findings.sentences[0]
    assert Notification.objects.filter(recipient=unit.shuji1, title="请安排患病探望：刘一").count() == 1
    run_jobs(dt.date(2027, 9, 11))
    assert VisitPrompt.objects.filter(member=unit.member1).count() == 1
    assert VisitPrompt.objects.open().filter(member=unit.member1).exists()


def test_a_wish_for_a_home_visit_raises_a_prompt(unit):
    open_period(unit)
    checklist, findings = save(checklist_of(unit.member1), unit.shuji1, needs=["home_visit"])
    prompt = VisitPrompt.objects.open().get(member=unit.member1)
    assert prompt.occasion == Occasion.CONCERN and checklist.visit_prompt == prompt
    assert "已生成上门走访提示" in findings.sentences[0]
    save(checklist, unit.shuji1, needs=["home_visit"], day=dt.date(2027, 9, 11))
    assert VisitPrompt.objects.filter(member=unit.member1).count() == 1


def test_nothing_is_saved_outside_the_period(unit):
    open_period(unit)
    with pytest.raises(DomainError, match="不在期间内"):
        save(checklist_of(unit.member1), unit.shuji1, day=dt.date(2027, 11, 1))


def test_committee_members_and_other_branches_cannot_fill_checklists(unit):
    open_period(unit)
    for user in (unit.zhiwei1, unit.shuji2):
        with pytest.raises(PermissionDenied):
            save(checklist_of(unit.member1), user)


# --- confirming the branch done ------------------------------------------------------------------------


def test_a_branch_is_confirmed_done_only_when_every_member_is_checked(unit):
    open_period(unit)
    branch_survey = BranchSurvey.objects.get(branch=unit.branch2)
    with clock.at(dt.date(2027, 9, 10)), pytest.raises(DomainError, match="还有 2 名党员未排查"):
        services.confirm_branch(branch_survey_id=branch_survey.pk, by=unit.shuji2)
    for checklist in branch_survey.checklists.all():
        save(checklist, unit.shuji2)
    with clock.at(dt.date(2027, 9, 10)):
        services.confirm_branch(branch_survey_id=branch_survey.pk, by=unit.shuji2)
    branch_survey.refresh_from_db()
    assert branch_survey.done_on == dt.date(2027, 9, 10)
    opened = Notification.objects.get(recipient=unit.shuji2, title="请开展2027年主题教育期间全面排查")
    assert opened.done_at is not None


def test_a_member_who_died_during_the_period_need_not_be_checked(unit):
    open_period(unit)
    branch_survey = BranchSurvey.objects.get(branch=unit.branch2)
    save(checklist_of(Member.objects.get(name="赵书记")), unit.shuji2)
    Member.objects.filter(pk=unit.member2.pk).update(deceased_on=dt.date(2027, 9, 5))
    with clock.at(dt.date(2027, 9, 10)):
        services.confirm_branch(branch_survey_id=branch_survey.pk, by=unit.shuji2)


def test_members_joining_during_the_period_get_their_checklist(unit):
    open_period(unit)
    joiner = MemberFactory(organization=unit.branch2, name="新转入")
    run_jobs(dt.date(2027, 9, 20))
    assert Checklist.objects.filter(member=joiner, branch_survey__branch=unit.branch2).exists()
    run_jobs(dt.date(2027, 9, 21))
    assert Checklist.objects.filter(member=joiner).count() == 1
    # After the period, nobody is added any more.
    late = MemberFactory(organization=unit.branch2, name="期后转入")
    run_jobs(dt.date(2027, 11, 5))
    assert not Checklist.objects.filter(member=late).exists()


# --- reminders ----------------------------------------------------------------------------------------


def reminders(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, title__contains="全面排查")
        .exclude(title__startswith="请开展")
        .values_list("title", flat=True)
    )


def test_branches_not_done_are_reminded_a_week_before_the_end_and_at_the_end_once_each(unit):
    open_period(unit)
    branch2 = BranchSurvey.objects.get(branch=unit.branch2)
    for checklist in branch2.checklists.all():
        save(checklist, unit.shuji2)
    with clock.at(dt.date(2027, 9, 10)):
        services.confirm_branch(branch_survey_id=branch2.pk, by=unit.shuji2)

    run_jobs(dt.date(2027, 10, 23))
    assert reminders(unit.shuji1) == []
    run_jobs(dt.date(2027, 10, 24))
    assert reminders(unit.shuji1) == ["2027年主题教育期间全面排查将于10月31日结束"]
    note = Notification.objects.get(recipient=unit.shuji1, title__endswith="10月31日结束")
    assert "还有 4 名党员未排查" in note.body
    run_jobs(dt.date(2027, 10, 25))
    run_jobs(dt.date(2027, 10, 30))
    assert len(reminders(unit.shuji1)) == 1
    assert reminders(unit.shuji2) == []  # done: not reminded

    run_jobs(dt.date(2027, 10, 31))
    assert "2027年主题教育期间全面排查已到结束日期，本支部尚未完成" in reminders(unit.shuji1)
    assert reminders(unit.zzb) == ["2027年主题教育期间全面排查：2 个支部未完成"]
    overdue = Notification.objects.get(recipient=unit.zzb, title__contains="个支部未完成")
    assert "第一党支部" in overdue.body and "第三党支部" in overdue.body and "第二党支部" not in overdue.body
    run_jobs(dt.date(2027, 11, 1))
    run_jobs(dt.date(2027, 11, 2))
    assert len(reminders(unit.shuji1)) == 2 and len(reminders(unit.zzb)) == 1


def test_a_job_down_before_the_end_still_sends_the_end_reminder(unit):
    open_period(unit)
    run_jobs(dt.date(2027, 11, 3))
    assert reminders(unit.shuji1) == ["2027年主题教育期间全面排查已到结束日期，本支部尚未完成"]


def test_a_member_who_moved_to_another_branch_is_checked_there(unit):
    open_period(unit)
    Member.objects.filter(pk=unit.member2.pk).update(organization=unit.branch1)
    run_jobs(dt.date(2027, 9, 20))
    moved_from = BranchSurvey.objects.get(branch=unit.branch2)
    save(checklist_of(Member.objects.get(name="赵书记")), unit.shuji2, day=dt.date(2027, 9, 20))
    with clock.at(dt.date(2027, 9, 20)):
        services.confirm_branch(branch_survey_id=moved_from.pk, by=unit.shuji2)
    assert Checklist.objects.filter(member=unit.member2, branch_survey__branch=unit.branch1).exists()


def test_a_branch_takes_part_in_one_survey_a_year(unit):
    from members.models import Role
    from tests.factories import AppointmentFactory

    open_period(unit)
    AppointmentFactory(user=unit.zzb, organization=unit.general, role=Role.ORG_DEPT)
    with clock.at(OPENS), pytest.raises(DomainError, match="覆盖本组织的支部"):
        services.open_period(organization=unit.general, name="总支排查", starts_on=OPENS, ends_on=ENDS, by=unit.zzb)


def test_opening_and_joining_are_in_the_audit_trail(unit):
    from auditlog.models import LogEntry

    open_period(unit)
    MemberFactory(organization=unit.branch2, name="新转入")
    run_jobs(dt.date(2027, 9, 20))
    sources = [entry.changes for entry in LogEntry.objects.filter(content_type__model="checklist")]
    assert len(sources) == 8
    assert sum("期间转入" in str(changes) for changes in sources) == 1


def test_a_line_put_on_the_ledger_by_mistake_is_marked_for_review_when_corrected(unit):
    open_period(unit)
    illness = HardshipCategory.objects.get(code="illness")
    checklist, _ = save(
        checklist_of(unit.member1), unit.shuji1, living="hard", hardship_level="general", categories=[illness]
    )
    checklist, findings = save(checklist, unit.shuji1, living="stable")
    line = HardshipRecord.objects.get(member=unit.member1)
    assert "收入稳定" in line.review_request and "已标记为待复核" in findings.sentences[0]
    assert checklist.ledger_outcome == LedgerOutcome.PROPOSED
