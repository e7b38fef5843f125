"""Every write of the 全面排查: opening a period, saving a member's checklist (and what it feeds: the
ledger and the visit prompts, through their own services), confirming a branch done, adding members
who joined during the period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from core import audit, clock
from core import cache as figures
from core.errors import DomainError
from hardship import services as hardship_services
from hardship.models import HardshipCategory, HardshipRecord
from members import access
from members import services as member_services
from members.models import Appointment, Member, Organization, Role
from notifications.services import Message, notify_many, settle
from surveys.models import BranchSurvey, Checklist, Contact, Health, LedgerOutcome, Living, Need, SurveyPeriod
from visits import services as visit_services
from visits.models import Occasion


def _branches_under(organization: Organization):
    return Organization.objects.filter(
        path__startswith=organization.path, kind=Organization.Kind.BRANCH, is_active=True
    ).order_by("path")


def _add_checklists(branch_surveys: Iterable[BranchSurvey], *, by=None, source: str = "期间转入，加入排查") -> int:
    """A pending checklist for every member on the roll of each branch who has none yet."""
    branch_surveys = list(branch_surveys)
    if not branch_surveys:
        return 0
    by_branch = {bs.branch_id: bs for bs in branch_surveys}
    have = set(Checklist.objects.filter(branch_survey__in=branch_surveys).values_list("branch_survey_id", "member_id"))
    new = [
        Checklist(branch_survey=by_branch[org_id], member_id=member_id)
        for member_id, org_id in Member.objects.on_roll()
        .filter(organization_id__in=by_branch)
        .values_list("pk", "organization_id")
        if (by_branch[org_id].pk, member_id) not in have
    ]
    if not new:
        return 0
    Checklist.objects.bulk_create(new, ignore_conflicts=True)
    figures.bulk_changed.send(sender=Checklist)  # the cached totals (surveys.selectors) are stale
    created = dict(
        Checklist.objects.filter(
            branch_survey__in=branch_surveys, member_id__in=[c.member_id for c in new], confirmed_on__isnull=True
        ).values_list("pk", "branch_survey__branch__path")
    )
    audit.log_bulk(
        model=Checklist,
        object_ids=list(created),
        changes={"来源": ["", source]},
        actor=by,
        org_paths=created,
        action=LogEntry.Action.CREATE,
    )
    return len(new)


def _secretaries(branch_ids) -> dict[int, list]:
    found: dict[int, list] = {}
    for appointment in Appointment.objects.filter(
        organization_id__in=branch_ids, role=Role.SECRETARY, user__is_active=True
    ).select_related("user"):
        found.setdefault(appointment.organization_id, []).append(appointment.user)
    return found


@transaction.atomic
def open_period(*, organization: Organization, name: str, starts_on: dt.date, ends_on: dt.date, by) -> SurveyPeriod:
    """The 党委 sets the year's period: every branch under it gets its survey and a checklist for each
    member on its roll, and its secretaries are told."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not access.may_at(by, "survey", access.CREATE, organization):
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise DomainError("请填写排查名称", field="name")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", field="ends_on")
    if ends_on < clock.today():
        raise DomainError("结束日期不能早于今天", field="ends_on")
    if ends_on.year != starts_on.year:
        raise DomainError("排查期间应在同一年度内", field="ends_on")
    existing = SurveyPeriod.objects.filter(organization=organization, year=starts_on.year).first()
    if existing is not None:
        raise DomainError(f"{organization.name}{starts_on.year}年已有全面排查：{existing.name}", field="starts_on")
    # A branch takes part in one survey a year: none by an organization above or below this one.
    above = [int(pk) for pk in organization.path.strip("/").split("/") if pk]
    overlapping = (
        SurveyPeriod.objects.filter(year=starts_on.year)
        .filter(Q(organization_id__in=above) | Q(organization__path__startswith=organization.path))
        .select_related("organization")
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            f"{overlapping.organization.name}已开展{starts_on.year}年全面排查（{overlapping.name}），覆盖本组织的支部",
            field="organization",
        )
    branches = list(_branches_under(organization))
    if not branches:
        raise DomainError(f"{organization.name}下没有党支部", field="organization")
    period = SurveyPeriod.objects.create(
        organization=organization, year=starts_on.year, name=name, starts_on=starts_on, ends_on=ends_on, opened_by=by
    )
    BranchSurvey.objects.bulk_create([BranchSurvey(period=period, branch=branch) for branch in branches])
    surveys = list(BranchSurvey.objects.filter(period=period).select_related("branch"))
    audit.log_bulk(
        model=BranchSurvey,
        object_ids=[bs.pk for bs in surveys],
        changes={"来源": ["", f"发起{period.name}"]},
        actor=by,
        org_paths={bs.pk: bs.branch.path for bs in surveys},
        action=LogEntry.Action.CREATE,
    )
    _add_checklists(surveys, by=by, source="按开启时的名册生成")
    secretaries = _secretaries([bs.branch_id for bs in surveys])
    notify_many(
        Message(
            recipient=user,
            title=f"请开展{period.name}",
            body=(
                f"{organization.name}定于{starts_on:%m月%d日}至{ends_on:%m月%d日}开展全面排查，"
                f"请结合“送学上门”“送教上门”逐一了解本支部党员的健康、生活、家庭和需求情况，逐人登记，完成后确认。"
            ),
            dedupe_key=f"surveys:opened:{bs.pk}:{user.pk}",
            about=bs,
            todo=True,
            group="{n} 项全面排查待开展",
        )
        for bs in surveys
        for user in secretaries.get(bs.branch_id, [])
    )
    return period


@dataclass
class Findings:
    """What saving a checklist did beyond itself, in sentences the page shows."""

    sentences: list[str] = field(default_factory=list)


def _describe_change(checklist: Checklist, record: HardshipRecord, categories: list[HardshipCategory]) -> str:
    parts = []
    if checklist.living != Living.HARD:
        parts.append(f"生活状况为“{checklist.get_living_display()}”")
    elif checklist.hardship_level and checklist.hardship_level != record.level:
        parts.append(f"困难程度应为“{checklist.get_hardship_level_display()}”（台帐为“{record.get_level_display()}”）")
    if checklist.living == Living.HARD and {c.pk for c in categories} != set(
        record.categories.values_list("pk", flat=True)
    ):
        parts.append("困难类别：" + "、".join(c.name for c in categories))
    if checklist.family_changed:
        parts.append("家庭情况有变化" + (f"：{checklist.family_situation[:60]}" if checklist.family_situation else ""))
    return "；".join(parts)


def _feed_ledger(checklist: Checklist, categories: list[HardshipCategory], *, period: SurveyPeriod, by, day) -> str:
    member = checklist.member
    record = HardshipRecord.objects.active().filter(member=member).first()
    own_line = (
        record is not None
        and checklist.ledger_outcome == LedgerOutcome.PROPOSED
        and checklist.ledger_record_id == record.pk
    )
    if own_line and checklist.living == Living.HARD:
        return ""  # this checklist put the line there; correcting it while still in hardship changes nothing
    if record is None:
        if checklist.living != Living.HARD:
            checklist.ledger_outcome, checklist.ledger_record = LedgerOutcome.NONE, None
            return ""
        needs = "、".join(checklist.need_labels())
        line = HardshipRecord(
            member=member,
            level=checklist.hardship_level or HardshipRecord.Level.GENERAL,
            registered_on=day,
            causes=f"{period.name}发现：{checklist.family_situation}".strip("：")[:1000],
            main_difficulties="；".join(part for part in (needs, checklist.needs_note) if part),
        )
        hardship_services.save_record(record=line, categories=categories, by=by)
        checklist.ledger_outcome, checklist.ledger_record = LedgerOutcome.PROPOSED, line
        return (
            f"已将{member.name}列入困难党员台帐（{line.get_level_display()}），请补充家庭收入、家庭成员并安排结对帮扶。"
        )
    change = _describe_change(checklist, record, categories)
    checklist.ledger_record = record
    if not change:
        checklist.ledger_outcome = LedgerOutcome.UNCHANGED
        return f"{member.name}已在困难党员台帐中，情况无变化。"
    hardship_services.request_review(record_id=record.pk, reason=f"{period.name}：{change}", by=by, on=day)
    if not own_line:  # a line this checklist put there stays counted as new, now marked for review
        checklist.ledger_outcome = LedgerOutcome.REVIEW
    return f"{member.name}的台帐已标记为待复核（{change}），请核实后完成复核。"


def _raise_prompts(checklist: Checklist, *, period: SurveyPeriod, by, day) -> list[str]:
    member = checklist.member
    sentences = []
    if checklist.health == Health.HOSPITALIZED:
        if not member.is_hospitalized:
            # The roster says so too: the daily illness job then follows the stay (and closes the prompt
            # on discharge) as it does for a stay entered on the member's page.
            member.is_hospitalized = True
            try:
                member_services.save_member(member=member, by=by)
            except ValidationError as exc:
                problems = "；".join(message for messages in exc.message_dict.values() for message in messages)
                raise DomainError(
                    f"{member.name}的名册信息有误，请先在党员名册中更正：{problems}", field="health"
                ) from exc
        prompt = visit_services.raise_prompt(
            member=member,
            occasion=Occasion.ILLNESS,
            event_key=f"hospital:{day.isoformat()}",
            reason="全面排查反映生病住院，请及时探望",
            day=day,
        )
        checklist.illness_prompt = prompt
        sentences.append(f"已生成患病探望提示，请于{prompt.due_on:%m月%d日}前探望。")
    if Need.HOME_VISIT in checklist.needs:
        prompt = visit_services.raise_prompt(
            member=member,
            occasion=Occasion.CONCERN,
            event_key=f"survey:{checklist.pk}",
            reason=f"在{period.name}中希望党组织上门走访",
            day=day,
        )
        checklist.visit_prompt = prompt
        sentences.append(f"已生成上门走访提示，请于{prompt.due_on:%m月%d日}前走访。")
    return sentences


@transaction.atomic
def save_checklist(
    *,
    checklist_id: int,
    health: str,
    living: str,
    contact: str,
    by,
    health_note: str = "",
    hardship_level: str = "",
    categories: Iterable[HardshipCategory] = (),
    family_changed: bool = False,
    family_situation: str = "",
    needs: Iterable[str] = (),
    needs_note: str = "",
    confirmed_on: dt.date | None = None,
) -> tuple[Checklist, Findings]:
    """Confirm a member's situation. Hardship of a member not on the ledger puts them on it; a changed
    situation of a member on it marks the line for review; 患病住院 or a wish for a home visit raises
    the visit prompt. Saving again corrects it while the period is open."""
    checklist = (
        Checklist.objects.select_for_update()
        .select_related("branch_survey__period", "branch_survey__branch", "member__organization")
        .get(pk=checklist_id)
    )
    branch_survey = checklist.branch_survey
    if not access.may_at(by, "survey_checklist", access.EDIT, branch_survey.branch):
        raise PermissionDenied
    period = branch_survey.period
    today = clock.today()
    if not period.is_open_on(today):
        raise DomainError(f"排查期间为{period.starts_on:%Y-%m-%d}至{period.ends_on:%Y-%m-%d}，不在期间内不能登记")
    if not checklist.member.is_on_roll:
        raise DomainError("该党员已故或已转出，无需排查")
    if health not in Health.values:
        raise DomainError("请选择健康状况", field="health")
    if living not in Living.values:
        raise DomainError("请选择生活状况", field="living")
    if contact not in Contact.values:
        raise DomainError("请选择了解方式（上门走访、谈心谈话等）", field="contact")
    needs = [code for code in Need.values if code in set(needs)]
    categories = list(categories)
    if living == Living.HARD:
        if not categories:
            raise DomainError("生活困难的，请选择困难类别（将列入或对照困难党员台帐）", field="categories")
        if hardship_level not in HardshipRecord.Level.values:
            raise DomainError("生活困难的，请选择困难程度", field="hardship_level")
    else:
        categories, hardship_level = [], ""
    if family_changed and not family_situation.strip():
        raise DomainError("家庭情况有变化的，请写明变化", field="family_situation")
    confirmed_on = confirmed_on or today
    if confirmed_on > today or confirmed_on < period.starts_on:
        raise DomainError(f"确认日期应在{period.starts_on:%Y-%m-%d}和今天之间", field="confirmed_on")
    checklist.health, checklist.health_note = health, health_note.strip()[:200]
    checklist.living, checklist.hardship_level = living, hardship_level
    checklist.family_changed, checklist.family_situation = family_changed, family_situation.strip()
    checklist.needs, checklist.needs_note = needs, needs_note.strip()
    checklist.contact = contact
    checklist.confirmed_on, checklist.confirmed_by = confirmed_on, by
    findings = Findings()
    ledger = _feed_ledger(checklist, categories, period=period, by=by, day=today)
    if ledger:
        findings.sentences.append(ledger)
    findings.sentences += _raise_prompts(checklist, period=period, by=by, day=today)
    checklist.save()
    checklist.categories.set(categories)
    return checklist, findings


def pending_names(branch_survey: BranchSurvey) -> list[str]:
    return list(
        Checklist.objects.filter(branch_survey=branch_survey, confirmed_on__isnull=True)
        .relevant()
        .values_list("member__name", flat=True)
    )


@transaction.atomic
def confirm_branch(*, branch_survey_id: int, by) -> BranchSurvey:
    """The secretary confirms the branch done: every member on the roll has a confirmed checklist."""
    branch_survey = BranchSurvey.objects.select_for_update().select_related("period", "branch").get(pk=branch_survey_id)
    if not access.may_at(by, "survey", "confirm", branch_survey.branch):
        raise PermissionDenied
    if branch_survey.done_on is not None:
        raise DomainError(f"本支部已于{branch_survey.done_on:%Y-%m-%d}确认完成")
    today = clock.today()
    if not branch_survey.period.is_open_on(today):
        raise DomainError("不在排查期间内，不能确认完成")
    # Members who joined since the last daily run get their checklist now, and must be checked too.
    _add_checklists([branch_survey])
    pending = pending_names(branch_survey)
    if pending:
        shown = "、".join(pending[:10]) + ("等" if len(pending) > 10 else "")
        raise DomainError(f"还有 {len(pending)} 名党员未排查：{shown}")
    branch_survey.done_on, branch_survey.confirmed_by = today, by
    branch_survey.save(update_fields=["done_on", "confirmed_by"])
    settle(about=branch_survey, note="已确认完成全面排查")
    return branch_survey


def add_joiners(*, day: dt.date) -> int:
    """Members who joined a branch during an open period get their checklist (the daily job)."""
    surveys = BranchSurvey.objects.filter(
        period__starts_on__lte=day, period__ends_on__gte=day, done_on__isnull=True
    ).select_related("branch")
    with transaction.atomic():
        return _add_checklists(surveys, source="期间转入，加入排查")


def remind_branches(*, day: dt.date, days_before: int) -> dict[str, int]:
    """Branches not done are told `days_before` days before the period ends and once more at its end,
    with the 组织部 told at the end which branches are behind. Once per stage: a repeated or late run
    sends nothing twice; a run that missed the first stage sends only the one it is in."""
    counts = {"reminders": 0, "overdue": 0}
    periods = SurveyPeriod.objects.filter(
        ends_on__gte=day, ends_on__lte=day + dt.timedelta(days=days_before)
    ) | SurveyPeriod.objects.filter(ends_on__lte=day, ends_on__gte=day - dt.timedelta(days=7))
    messages: list[Message] = []
    for period in periods.select_related("organization").distinct():
        stage = "end" if day >= period.ends_on else "before"
        behind = list(period.branches.filter(done_on__isnull=True).select_related("branch"))
        if not behind:
            continue
        secretaries = _secretaries([bs.branch_id for bs in behind])
        for bs in behind:
            left = Checklist.objects.filter(branch_survey=bs, confirmed_on__isnull=True).relevant().count()
            if stage == "before":
                title = f"{period.name}将于{period.ends_on:%m月%d日}结束"
                body = f"{bs.branch.name}还有 {left} 名党员未排查，请抓紧逐人了解登记，完成后确认。"
            else:
                title = f"{period.name}已到结束日期，本支部尚未完成"
                body = f"{bs.branch.name}还有 {left} 名党员未排查，尚未确认完成，请尽快完成并向组织部说明情况。"
            messages.extend(
                Message(
                    recipient=user,
                    title=title,
                    body=body,
                    dedupe_key=f"surveys:remind:{bs.pk}:{stage}:{user.pk}",
                    about=bs,
                    todo=True,
                )
                for user in secretaries.get(bs.branch_id, [])
            )
        if stage == "end":
            names = "、".join(bs.branch.name for bs in behind[:10]) + ("等" if len(behind) > 10 else "")
            for appointment in Appointment.objects.filter(
                organization=period.organization, role=Role.ORG_DEPT, user__is_active=True
            ).select_related("user"):
                messages.append(
                    Message(
                        recipient=appointment.user,
                        title=f"{period.name}：{len(behind)} 个支部未完成",
                        body=f"排查期间已于{period.ends_on:%m月%d日}结束，{names}尚未确认完成。",
                        link=reverse("surveys:progress", args=[period.pk]),
                        dedupe_key=f"surveys:overdue:{period.pk}:{appointment.user_id}",
                        about=period,
                    )
                )
    sent = notify_many(messages)
    for message, notification in zip(messages, sent, strict=True):
        if notification is not None:
            counts["overdue" if message.dedupe_key.startswith("surveys:overdue") else "reminders"] += 1
    return counts
