"""Care that reaches everyone (issue 15) in the annual workbook: life events and the must-visit prompts
they raise (visited in time or not), 反映情况 (received, answered), 帮就业 (help given and what came of
it), the branches' collective 政治生日 and where each 流动党员 is and how to reach them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from core.xlsx import Column
from hardship.models import EmploymentOutcome, EmploymentStep, PairingProgress
from hardship.services import EMPLOYMENT_HELP
from members.models import Member, Organization
from reports import metrics
from reports.domains import display_names, in_chunks, names_by
from visits.models import CollectiveBirthday, Concern, LifeEvent, Occasion, VisitPrompt


def visit_outcome(due_on: dt.date | None, visited_on: dt.date | None, closed_on: dt.date | None, day: dt.date) -> str:
    """Whether a must-visit prompt was answered by a visit by its due date, as of the report's day."""
    if visited_on is not None:
        return "按时走访" if due_on is None or visited_on <= due_on else "逾期走访"
    if closed_on is not None:
        return "已关闭（无走访记录）"  # answered by a talk, or the situation ended first
    if due_on is not None and due_on < day:
        return "逾期未走访"
    return "待走访"


LIFE_EVENT_COLUMNS = [
    Column("发生日期", 12, "date"),
    Column("党员", 10),
    Column("所在支部", 20),
    Column("事件", 22),
    Column("简要情况", 36),
    Column("应走访日期", 12, "date"),
    Column("走访日期", 12, "date"),
    Column("是否按时走访", 16),
]


def life_event_sheet(scope, book) -> None:
    sheet = book.sheet("家庭重大事件", f"{scope.title}党员家庭重大事件及走访情况", LIFE_EVENT_COLUMNS)
    kinds = dict(LifeEvent.Kind.choices)
    events = (
        LifeEvent.objects.filter(
            member__organization_id__in=scope.branch_ids, happened_on__gte=scope.start, happened_on__lte=scope.end
        )
        .order_by("happened_on", "id")
        .values_list(
            "happened_on",
            "member__name",
            "member__organization__name",
            "kind",
            "description",
            "prompt__due_on",
            "prompt__visit__visited_on",
            "prompt__closed_on",
        )
    )
    for chunk in in_chunks(events):
        for happened, name, branch, kind, description, due, visited, closed in chunk:
            sheet.append(
                [
                    happened,
                    name,
                    branch,
                    kinds.get(kind, kind),
                    description,
                    due,
                    visited,
                    visit_outcome(due, visited, closed, scope.day),
                ]
            )


PROMPT_COLUMNS = [
    Column("提示日期", 12, "date"),
    Column("党员", 10),
    Column("所在支部", 20),
    Column("走访事由", 12),
    Column("原因", 30),
    Column("应走访日期", 12, "date"),
    Column("走访日期", 12, "date"),
    Column("是否按时走访", 16),
    Column("上报情况", 14),
]


def prompt_sheet(scope, book) -> None:
    """Every must-visit prompt raised in the year, whatever raised it (a life event, a hospital stay, a
    反映情况 asking for a visit, an old comrade's birthday)."""
    sheet = book.sheet("必访提示", f"{scope.title}必访提示及落实情况", PROMPT_COLUMNS)
    occasions, levels = dict(Occasion.choices), dict(VisitPrompt.Escalation.choices)
    prompts = (
        VisitPrompt.objects.filter(
            member__organization_id__in=scope.branch_ids, raised_on__gte=scope.start, raised_on__lte=scope.end
        )
        .order_by("raised_on", "id")
        .values_list(
            "raised_on",
            "member__name",
            "member__organization__name",
            "occasion",
            "reason",
            "due_on",
            "visit__visited_on",
            "closed_on",
            "escalation",
        )
    )
    for chunk in in_chunks(prompts):
        for raised, name, branch, occasion, reason, due, visited, closed, escalation in chunk:
            sheet.append(
                [
                    raised,
                    name,
                    branch,
                    occasions.get(occasion, occasion),
                    reason,
                    due,
                    visited,
                    visit_outcome(due, visited, closed, scope.day),
                    levels.get(escalation, escalation),
                ]
            )


CONCERN_COLUMNS = [
    Column("反映日期", 12, "date"),
    Column("反映人", 10),
    Column("所在支部", 20),
    Column("反映的情况", 40),
    Column("希望上门走访", 10),
    Column("状态", 10),
    Column("落实专人", 10),
    Column("答复日期", 12, "date"),
    Column("答复人", 10),
    Column("答复", 40),
    Column("答复用时（天）", 10, "int"),
]


def concern_sheet(scope, book) -> None:
    sheet = book.sheet("反映情况", f"{scope.title}党员反映情况及答复", CONCERN_COLUMNS)
    statuses = dict(Concern.Status.choices)
    concerns = Concern.objects.filter(
        member__organization_id__in=scope.branch_ids, created_on__gte=scope.start, created_on__lte=scope.end
    )
    answerers = display_names(concerns.values("answered_by_id"))
    rows = concerns.order_by("created_on", "id").values_list(
        "created_on",
        "member__name",
        "member__organization__name",
        "message",
        "wants_visit",
        "status",
        "assignee__name",
        "answered_on",
        "answered_by_id",
        "answer",
    )
    for chunk in in_chunks(rows):
        for created, name, branch, message, wants_visit, status, assignee, answered, answered_by, answer in chunk:
            sheet.append(
                [
                    created,
                    name,
                    branch,
                    message,
                    "是" if wants_visit else "否",
                    statuses.get(status, status),
                    assignee or "",
                    answered,
                    answerers.get(answered_by, "") if answered_by else "",
                    answer,
                    (answered - created).days if answered else None,
                ]
            )


EMPLOYMENT_COLUMNS = [
    Column("日期", 12, "date"),
    Column("帮扶对象", 10),
    Column("所在支部", 20),
    Column("帮扶人", 10),
    Column("帮就业方式", 12),
    Column("帮扶内容", 36),
    Column("结果", 10),
    Column("结果说明", 24),
    Column("结果登记日期", 12, "date"),
]


def employment_sheet(scope, book) -> None:
    """帮就业 for 失业、失地党员: each training or job referral of the year and what came of it."""
    sheet = book.sheet("帮就业", f"{scope.title}帮就业情况", EMPLOYMENT_COLUMNS)
    steps, outcomes = dict(EmploymentStep.choices), dict(EmploymentOutcome.choices)
    entries = (
        PairingProgress.objects.filter(
            pairing__record__member__organization_id__in=scope.branch_ids,
            help_type__code=EMPLOYMENT_HELP,
            date__gte=scope.start,
            date__lte=scope.end,
        )
        .order_by("date", "id")
        .values_list(
            "date",
            "pairing__record__member__name",
            "pairing__record__member__organization__name",
            "pairing__helper__name",
            "employment_step",
            "description",
            "employment_outcome",
            "outcome_note",
            "outcome_on",
        )
    )
    for chunk in in_chunks(entries):
        for day, name, branch, helper, step, description, outcome, note, outcome_on in chunk:
            sheet.append(
                [
                    day,
                    name,
                    branch,
                    helper,
                    steps.get(step, step),
                    description,
                    outcomes.get(outcome, "待跟进") if outcome else "待跟进",
                    note,
                    outcome_on,
                ]
            )


BIRTHDAY_COLUMNS = [
    Column("所在支部", 20),
    Column("活动日期", 12, "date"),
    Column("参加人数", 10, "int"),
    Column("参加党员", 30),
    Column("活动内容", 30),
    Column("活动情况", 36),
    Column("征询到的意见和建议", 36),
]


def collective_birthday_sheet(scope, book) -> None:
    """The year's collective 政治生日 events, then the branches that held none (seen at once by the
    committee that has to ask why)."""
    sheet = book.sheet("集体过政治生日", f"{scope.title}集体过政治生日情况", BIRTHDAY_COLUMNS)
    activities = [
        (field, str(CollectiveBirthday._meta.get_field(field).verbose_name))
        for field in ("reaffirmed_oath", "shared_reflections", "asked_opinions")
    ]
    events = list(
        CollectiveBirthday.objects.filter(
            organization_id__in=scope.branch_ids, held_on__gte=scope.start, held_on__lte=scope.end
        )
        .annotate(people=Count("attendees"))
        .order_by("organization__path", "held_on", "id")
        .values(
            "id",
            "organization_id",
            "organization__name",
            "held_on",
            "people",
            "notes",
            "opinions",
            *(f for f, _ in activities),
        )
    )
    attendees = names_by(
        CollectiveBirthday.attendees.through.objects, "collectivebirthday_id", [e["id"] for e in events]
    )
    for event in events:
        sheet.append(
            [
                event["organization__name"],
                event["held_on"],
                event["people"],
                attendees.get(event["id"], ""),
                "、".join(label for field, label in activities if event[field]),
                event["notes"],
                event["opinions"],
            ]
        )
    held = {event["organization_id"] for event in events}
    branches = Organization.objects.filter(pk__in=scope.branch_ids).order_by("path").values_list("pk", "name")
    for pk, name in branches.iterator():  # names only: a city has 5,000 branches
        if pk not in held:
            sheet.append([name, None, 0, "", "本年度未组织", "", ""])


MOBILITY_COLUMNS = [
    Column("姓名", 10),
    Column("所在支部", 20),
    Column("流动类型", 8),
    Column("流出去向/流入来源", 24),
    Column("流动期间联系方式", 22),
    Column("联系电话", 14),
    Column("家庭联系人", 10),
]


def mobility_sheet(scope, book) -> None:
    """流动党员 on the roll at the year's end, as the roster records them now: where they are and how
    the branch reaches them."""
    sheet = book.sheet("流动党员", f"{scope.title}流动党员联系情况", MOBILITY_COLUMNS)
    kinds = dict(Member.Mobility.choices)
    members = (
        metrics.members_on_roll(scope)
        .exclude(mobility="")
        .order_by("organization__path", "mobility", "name", "id")
        .values_list(
            "name",
            "organization__name",
            "mobility",
            "mobility_place",
            "mobility_contact",
            "phone",
            "family_contact__name",
        )
    )
    for chunk in in_chunks(members):
        for name, branch, mobility, place, contact, phone, family_contact in chunk:
            sheet.append([name, branch, kinds.get(mobility, mobility), place, contact, phone, family_contact or ""])
