"""Daily jobs of the visits app, run by `core.run_daily_jobs` (beat, hourly) and `manage.py run_daily_jobs`.

Each job looks at the database for what fell due up to `day` within its window and does what is not
done yet; a unique constraint or a notification dedupe key per event makes a second run a no-op.
Deceased and transferred-out members get nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse

from core.jobs import daily_job
from hardship.models import HardshipRecord
from members.models import Appointment, Member, Organization, Role
from notifications.services import Message, notify_many, settle
from visits import selectors, services
from visits.models import CollectiveBirthday, Occasion, Visit, VisitPlan, VisitPrompt

BIRTHDAY_WINDOW_DAYS = 7  # a greeting that fell due while the job was down is still sent this late
SUMMARY_WINDOW_DAYS = 30  # the completion report after a holiday
BEREAVEMENT_WINDOW_DAYS = 30
DISASTER_CODE = "disaster"


def secretaries_by_branch(branch_ids) -> dict[int, list]:
    result: dict[int, list] = defaultdict(list)
    appointments = Appointment.objects.filter(
        organization_id__in=list(branch_ids), role=Role.SECRETARY, user__is_active=True
    ).select_related("user")
    for appointment in appointments:
        result[appointment.organization_id].append(appointment.user)
    return result


def active_branches():
    return Organization.objects.branches().filter(is_active=True).order_by("path")


# --- holiday plans --------------------------------------------------------------------------------


@daily_job("visits.holiday_plans", label="节日走访计划与提醒", order=20)
def holiday_plans(day: dt.date) -> dict[str, int]:
    counts = {"plans": 0, "items_added": 0, "plan_notices": 0, "reminders": 0, "summaries": 0}
    reminder_days = settings.CARE["HOLIDAY_REMINDER_DAYS"]
    for occasion, year, holiday in selectors.holidays_around(day):
        label = Occasion(occasion).label
        start, end = services.plan_window(holiday)
        if start <= day <= end:
            branches = list(active_branches())
            secretaries = secretaries_by_branch(b.pk for b in branches)
            made, added = services.open_holiday_plans(
                branches=branches, occasion=occasion, year=year, holiday=holiday, day=day
            )
            counts["plans"] += made
            counts["items_added"] += added
            plans = selectors.plans_with_progress(VisitPlan.objects.filter(occasion=occasion, year=year))
            kinds: list[str] = []
            messages: list[Message] = []
            for plan in plans:
                for user in secretaries.get(plan.organization_id, []):
                    kinds.append("plan_notices")
                    messages.append(
                        Message(
                            recipient=user,
                            title=f"{year}年{label}走访计划已生成",
                            body=(
                                f"{plan.organization.name}{label}（{holiday:%m月%d日}）前需走访慰问 "
                                f"{plan.total} 名党员，"
                                "请为每位对象安排走访人，走访后在系统中登记。"
                            ),
                            about=plan,
                            dedupe_key=f"visits:plan:{plan.pk}:created:{user.pk}",
                        )
                    )
                if holiday - dt.timedelta(days=reminder_days) <= day and plan.done < plan.total:
                    for user in secretaries.get(plan.organization_id, []):
                        kinds.append("reminders")
                        messages.append(
                            Message(
                                recipient=user,
                                title=f"{label}走访还有 {plan.total - plan.done} 人未完成",
                                body=(
                                    f"距{label}（{holiday:%m月%d日}）不足{reminder_days}天，{plan.organization.name}"
                                    f"走访计划已完成 {plan.done}/{plan.total}，请尽快安排走访。"
                                ),
                                about=plan,
                                dedupe_key=f"visits:plan:{plan.pk}:reminder:{user.pk}",
                            )
                        )
            _count_sent(counts, kinds, messages)
        if holiday < day <= holiday + dt.timedelta(days=SUMMARY_WINDOW_DAYS):
            counts["summaries"] += _completion_summaries(occasion=occasion, year=year, holiday=holiday)
    return counts


def _count_sent(counts: dict[str, int], kinds: list[str], messages: list[Message]) -> None:
    """Send `messages` in one batch and count each one sent under its kind."""
    for kind, sent in zip(kinds, notify_many(messages), strict=True):
        counts[kind] += sent is not None


def _completion_summaries(*, occasion: str, year: int, holiday: dt.date) -> int:
    """After the holiday the organization department gets each branch's completion rate."""
    label = Occasion(occasion).label
    plans = list(selectors.plans_with_progress(VisitPlan.objects.filter(occasion=occasion, year=year)))
    if not plans:
        return 0
    messages: list[Message] = []
    appointments = Appointment.objects.filter(role=Role.ORG_DEPT, user__is_active=True).select_related(
        "user", "organization"
    )
    for appointment in appointments:
        path = appointment.organization.path
        mine = [p for p in plans if p.organization.path.startswith(path)]
        if not mine:
            continue
        total = sum(p.total for p in mine)
        done = sum(p.done for p in mine)
        lines = [
            f"{p.organization.name}：{p.done}/{p.total}（{round(100 * p.done / p.total) if p.total else 100}%）"
            for p in sorted(mine, key=lambda p: (p.done / p.total) if p.total else 1)
        ]
        rate = round(100 * done / total) if total else 100
        messages.append(
            Message(
                recipient=appointment.user,
                title=f"{year}年{label}走访完成情况：{rate}%",
                body=(
                    f"{appointment.organization.name}共应走访 {total} 人，已走访 {done} 人。各支部完成率：\n"
                    + "\n".join(lines)
                ),
                link=f"{reverse('visits:plan_list')}?occasion={occasion}&year={year}",
                dedupe_key=f"visits:plan-summary:{occasion}:{year}:{appointment.pk}",
            )
        )
    return sum(sent is not None for sent in notify_many(messages))


# --- political birthdays --------------------------------------------------------------------------


def members_with_birthday(day: dt.date):
    condition = Q(join_date__month=day.month, join_date__day=day.day)
    if day.month == 2 and day.day == 28:
        try:
            dt.date(day.year, 2, 29)
        except ValueError:
            condition |= Q(join_date__month=2, join_date__day=29)
    return Member.objects.on_roll().filter(condition, join_date__lt=day).select_related("organization", "user")


@daily_job("visits.political_birthdays", label="政治生日", order=21)
def political_birthdays(day: dt.date) -> dict[str, int]:
    counts = {"greetings": 0, "secretary_reminders": 0, "collective": 0}
    kinds: list[str] = []
    messages: list[Message] = []
    for offset in range(BIRTHDAY_WINDOW_DAYS):
        birthday = day - dt.timedelta(days=offset)
        members = list(members_with_birthday(birthday))
        secretaries = secretaries_by_branch({m.organization_id for m in members})
        for member in members:
            # The anniversary in `birthday.year` (29 February falls on the 28th in common years):
            # the years since joining, whatever the day of the month.
            party_age = birthday.year - member.join_date.year
            if member.user_id:
                kinds.append("greetings")
                messages.append(
                    Message(
                        recipient=member.user,
                        title=f"祝您政治生日快乐！今天是您入党{party_age}周年",
                        body=(
                            f"{member.name}同志：{member.join_date:%Y年%m月%d日}，您光荣地加入了中国共产党。"
                            f"在您党龄{party_age}周年之际，{member.organization.name}向您致以祝贺，"
                            "希望您不忘初心、牢记使命，继续履行好党员义务。"
                        ),
                        link=reverse("me"),
                        dedupe_key=f"visits:birthday:{member.pk}:{birthday.year}",
                    )
                )
            for user in secretaries.get(member.organization_id, []):
                if user.pk == member.user_id:
                    continue
                kinds.append("secretary_reminders")
                messages.append(
                    Message(
                        recipient=user,
                        title=f"{member.name}同志今天过政治生日（党龄{party_age}年）",
                        body=(
                            f"{birthday:%m月%d日}是{member.name}同志入党{party_age}周年，请通过电话、短信或上门"
                            "等方式表示祝贺，并提醒其履行党员义务。"
                        ),
                        about=member,
                        group="{n} 名党员今天过政治生日",
                        dedupe_key=f"visits:birthday-secretary:{member.pk}:{birthday.year}:{user.pk}",
                    )
                )
    if day.month == 6:
        # A branch that has already recorded this year's collective 政治生日 is not reminded.
        held = CollectiveBirthday.objects.filter(held_on__year=day.year, organization=OuterRef("pk"))
        branches = list(active_branches().filter(~Exists(held)))
        secretaries = secretaries_by_branch(b.pk for b in branches)
        for branch in branches:
            for user in secretaries.get(branch.pk, []):
                kinds.append("collective")
                messages.append(
                    Message(
                        recipient=user,
                        title=f"请组织{day.year}年“七一”集体政治生日",
                        body=(
                            f"“七一”前后，{branch.name}要组织党员集体过“政治生日”：重温入党誓词，畅谈入党感悟，"
                            "征询党员意见和建议。活动后请登记日期、参加党员和活动情况。"
                        ),
                        link=reverse("visits:birthday_create"),
                        dedupe_key=f"visits:collective-birthday:{branch.pk}:{day.year}:{user.pk}",
                    )
                )
    _count_sent(counts, kinds, messages)
    return counts


# --- illness, bereavement and disaster prompts ----------------------------------------------------


def _raise_prompts(wanted: list[VisitPrompt]) -> list[VisitPrompt]:
    """Raise, in one INSERT, the prompts of the events in `wanted` not prompted before, in that order.

    The unique constraints decide, as they did for one prompt at a time: an event prompted before is
    skipped, and so is one whose member already has an open prompt of that occasion (the first of the
    batch wins). A prompt a parallel run raised first comes back too; its notices are deduplicated.
    """
    if not wanted:
        return []
    member_ids = {prompt.member_id for prompt in wanted}
    raised_before = set(
        VisitPrompt.objects.filter(member_id__in=member_ids).values_list("member_id", "occasion", "event_key")
    )
    new = [p for p in wanted if (p.member_id, p.occasion, p.event_key) not in raised_before]
    if not new:
        return []
    VisitPrompt.objects.bulk_create(new, ignore_conflicts=True)
    saved = {
        (p.member_id, p.occasion, p.event_key): p
        for p in VisitPrompt.objects.filter(member_id__in={p.member_id for p in new}, raised_on=new[0].raised_on)
    }
    raised = []
    for prompt in new:
        row = saved.get((prompt.member_id, prompt.occasion, prompt.event_key))
        if row is not None:
            row.member = prompt.member
            raised.append(row)
    return raised


@daily_job("visits.care_prompts", label="患病探望、病故吊唁、受灾慰问提示", order=22)
def care_prompts(day: dt.date) -> dict[str, int]:
    counts = {"illness": 0, "bereavement": 0, "disaster": 0, "closed": 0, "notices": 0}
    # A member back from hospital no longer needs the illness visit prompted; the next stay is a new event.
    discharged = VisitPrompt.objects.filter(occasion=Occasion.ILLNESS, event_over=False).filter(
        Q(member__is_hospitalized=False)
        | Q(member__deceased_on__isnull=False)
        | Q(member__transferred_out_on__isnull=False)
    )
    settle(about=list(discharged.filter(closed_on__isnull=True)), note="已出院或不再在册，无需探望")
    counts["closed"] = discharged.filter(closed_on__isnull=True).update(closed_on=day)
    discharged.update(event_over=True)
    current_stay = VisitPrompt.objects.filter(member=OuterRef("pk"), occasion=Occasion.ILLNESS, event_over=False)
    hospitalized = Member.objects.on_roll().filter(is_hospitalized=True).filter(~Exists(current_stay))
    recent_deaths = Member.objects.filter(
        deceased_on__gte=day - dt.timedelta(days=BEREAVEMENT_WINDOW_DAYS),
        deceased_on__lte=day,
        transferred_out_on__isnull=True,
    )
    disaster_lines = HardshipRecord.objects.filter(
        status=HardshipRecord.Status.ACTIVE,
        categories__code=DISASTER_CODE,
        member__deceased_on__isnull=True,
        member__transferred_out_on__isnull=True,
    )
    wanted = (
        [
            VisitPrompt(
                member=member,
                occasion=Occasion.ILLNESS,
                event_key=f"hospital:{day.isoformat()}",
                reason="生病住院，请及时探望",
                raised_on=day,
            )
            for member in hospitalized.select_related("organization")
        ]
        + [
            VisitPrompt(
                member=member,
                occasion=Occasion.BEREAVEMENT,
                event_key=f"deceased:{member.deceased_on.isoformat()}",
                reason=f"于{member.deceased_on:%Y年%m月%d日}逝世，请上门吊唁、慰问家属",
                raised_on=day,
            )
            for member in recent_deaths.select_related("organization")
        ]
        + [
            VisitPrompt(
                member=record.member,
                occasion=Occasion.DISASTER,
                event_key=f"hardship:{record.pk}",
                reason="困难党员台帐登记为因灾致贫，请上门慰问",
                raised_on=day,
            )
            for record in disaster_lines.select_related("member", "member__organization")
        ]
    )
    due = day + dt.timedelta(days=settings.CARE["PROMPT_DUE_DAYS"])
    for prompt in wanted:
        prompt.due_on = due
    raised = _raise_prompts(wanted)
    for prompt in raised:
        counts[prompt.occasion] += 1
    counts["notices"] = services.notify_prompts(raised, day)
    return counts


# --- 老同志生日必访 ---------------------------------------------------------------------------------


def _born_on(day: dt.date) -> Q:
    condition = Q(birth_date__month=day.month, birth_date__day=day.day)
    if day.month == 2 and day.day == 28:
        try:
            dt.date(day.year, 2, 29)
        except ValueError:
            condition |= Q(birth_date__month=2, birth_date__day=29)
    return condition


@daily_job("visits.elder_birthdays", label="老同志生日走访提示", order=24)
def elder_birthdays(day: dt.date) -> dict[str, int]:
    """Members at or over ELDER_BIRTHDAY_AGE get a birthday visit prompt a week ahead, due on the day.
    A birthday prompt still open a month after the day is closed, so next year's can be raised."""
    counts = {"prompts": 0, "lapsed": 0, "notices": 0}
    lapsed = VisitPrompt.objects.open().filter(occasion=Occasion.ELDER_BIRTHDAY, due_on__lt=day - dt.timedelta(days=30))
    settle(about=list(lapsed), note="生日已过一月，提示关闭")
    counts["lapsed"] = lapsed.update(closed_on=day, event_over=True)
    age = settings.CARE["ELDER_BIRTHDAY_AGE"]
    wanted: list[VisitPrompt] = []
    for offset in range(settings.CARE["ELDER_BIRTHDAY_LEAD_DAYS"] + 1):
        birthday = day + dt.timedelta(days=offset)
        members = (
            Member.objects.on_roll()
            .filter(_born_on(birthday), birth_date__lte=dt.date(birthday.year - age, 12, 31))
            .select_related("organization")
        )
        for member in members:
            turning = birthday.year - member.birth_date.year
            if turning < age:
                continue
            wanted.append(
                VisitPrompt(
                    member=member,
                    occasion=Occasion.ELDER_BIRTHDAY,
                    event_key=f"birthday:{birthday.year}",
                    reason=f"{birthday:%m月%d日}是{turning}岁生日（老同志生日必访），请上门祝寿",
                    raised_on=day,
                    due_on=birthday,
                )
            )
    raised = _raise_prompts(wanted)
    counts["prompts"] = len(raised)
    counts["notices"] = services.notify_prompts(raised, day)
    return counts


# --- prompts nobody acted on go up ------------------------------------------------------------------


@daily_job("visits.prompt_escalation", label="逾期走访提示上报", order=25)
def prompt_escalation(day: dt.date) -> dict[str, int]:
    """An open prompt past its due date goes to the 党总支 (or the organization above with a secretary),
    and PROMPT_ESCALATION_DAYS later to the 组织部; a level with nobody on it passes to the next."""
    counts = {"escalated": 0, "notices": 0}
    later = dt.timedelta(days=settings.CARE["PROMPT_ESCALATION_DAYS"])
    overdue = list(
        VisitPrompt.objects.open()
        .filter(due_on__lt=day)
        .filter(
            Q(escalation=VisitPrompt.Escalation.NONE)
            | Q(escalation=VisitPrompt.Escalation.GENERAL_BRANCH, due_on__lt=day - later)
        )
        .select_related("member", "member__organization")
    )
    counts["escalated"] = len(overdue)
    counts["notices"] = services.escalate(overdue, day, overdue=True)
    return counts


# --- talk coverage --------------------------------------------------------------------------------


@daily_job("visits.talk_coverage", label="谈心谈话覆盖提醒", order=23)
def talk_coverage(day: dt.date) -> dict[str, int]:
    """In the first week of each month every secretary gets how many members are due a talk."""
    counts = {"reminders": 0}
    if day.day > 7:
        return counts
    start = selectors.cycle_start(day)
    branches = list(active_branches())
    secretaries = secretaries_by_branch(b.pk for b in branches)
    due = dict(
        Member.objects.on_roll()
        .filter(organization__in=branches)
        .filter(~selectors.talked_in_cycle(day))
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    messages: list[Message] = []
    for branch in branches:
        n = due.get(branch.pk, 0)
        if not n:
            continue
        for user in secretaries.get(branch.pk, []):
            messages.append(
                Message(
                    recipient=user,
                    title=f"本周期内还有 {n} 名党员未谈心谈话",
                    body=(
                        f"{branch.name}自{start:%Y年%m月%d日}以来还有 {n} 名党员未谈心谈话。请按“三个先谈”，"
                        "先同有困难、党员意识淡薄、有怨气的党员谈。"
                    ),
                    link=f"{reverse('visits:coverage')}?organization={branch.pk}",
                    dedupe_key=f"visits:talks-due:{branch.pk}:{day:%Y-%m}:{user.pk}",
                )
            )
    counts["reminders"] = sum(sent is not None for sent in notify_many(messages))
    return counts


# --- 外出务工党员家庭: 安排专人联系，定期探访 ---------------------------------------------------------------


@daily_job("visits.migrant_families", label="外出务工党员家庭探访提醒", order=26)
def migrant_families(day: dt.date) -> dict[str, int]:
    """A migrant worker's family not visited for MIGRANT_CONTACT_DAYS: its contact person and the branch's
    secretaries are reminded, once per period without a visit."""
    counts = {"families": 0, "reminders": 0}
    period = settings.CARE["MIGRANT_CONTACT_DAYS"]
    last = (
        Visit.objects.filter(member=OuterRef("pk"), visited_on__lte=day)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    families = list(
        Member.objects.on_roll()
        .filter(employment=Member.Employment.MIGRANT)
        .annotate(last_contact=Subquery(last))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=day - dt.timedelta(days=period)))
        .select_related("organization", "family_contact__user")
        .order_by("organization_id", "name")
    )
    secretaries = secretaries_by_branch({m.organization_id for m in families})
    messages: list[Message] = []
    for member in families:
        # Once per period without a visit: counted from the last visit, or from day one if never visited.
        since = member.last_contact or dt.date.min
        round_ = (day - since).days // period
        contact = member.family_contact
        when = f"自{member.last_contact:%Y年%m月%d日}以来" if member.last_contact else "一直"
        body = (
            f"{member.organization.name}外出务工党员{member.name}的家庭{when}未探访（应每{period}天至少一次）。"
            f"{'家庭联系人：' + contact.name if contact else '尚未安排家庭联系人，请在党员信息中指定专人'}。"
        )
        recipients = list(secretaries.get(member.organization_id, []))
        if contact is not None and contact.user is not None and contact.user.is_active:
            recipients.append(contact.user)
        counts["families"] += 1
        for user in {u.pk: u for u in recipients}.values():
            messages.append(
                Message(
                    recipient=user,
                    title=f"请探访外出务工党员{member.name}的家庭",
                    body=body,
                    link=f"{reverse('visits:create')}?member={member.pk}&occasion={Occasion.FAMILY_CONTACT}",
                    dedupe_key=f"visits:migrant:{member.pk}:{since.isoformat()}:{round_}:{user.pk}",
                )
            )
    counts["reminders"] = sum(sent is not None for sent in notify_many(messages))
    return counts


@daily_job("visits.care_files", label="离退休干部关爱档案年度更新提醒", order=27)
def care_files(day: dt.date) -> dict[str, int]:
    """A retired cadre whose former employer went bankrupt, was restructured or struggles keeps a 关爱档案
    reviewed at least yearly (seed 004): when it has never been, or was last more than a year ago, the
    branch's secretaries are reminded, once for each year it stays so (a file never made: once a
    calendar year)."""
    counts = {"files": 0, "reminders": 0}
    year_ago = day - dt.timedelta(days=365)
    due = list(
        Member.objects.on_roll()
        .filter(is_retired_cadre=True, former_employer_situation__in=Member.CARE_FILE_SITUATIONS)
        .filter(Q(care_file_reviewed_on__isnull=True) | Q(care_file_reviewed_on__lt=year_ago))
        .select_related("organization")
        .order_by("organization_id", "name")
    )
    secretaries = secretaries_by_branch({m.organization_id for m in due})
    messages: list[Message] = []
    for member in due:
        counts["files"] += 1
        last = member.care_file_reviewed_on
        when = f"上次更新于{last:%Y年%m月%d日}，已超过一年" if last else "尚未建立"
        body = (
            f"{member.organization.name}{member.get_retirement_display() if member.retirement else '离退休'}"
            f"干部党员{member.name}的原单位{member.former_employer or ''}"
            f"（{member.get_former_employer_situation_display()}）：关爱档案{when}。"
            "请了解其生活、健康和困难情况，更新后在党员信息中填写“关爱档案更新日期”。"
        )
        # The review missed: which year past the last one (a reminder each year it stays missed).
        missed = f"{last.isoformat()}:{(day - last).days // 365}" if last else f"never:{day.year}"
        for user in secretaries.get(member.organization_id, []):
            messages.append(
                Message(
                    recipient=user,
                    title=f"请更新{member.name}的关爱档案",
                    body=body,
                    link=member.get_absolute_url(),
                    dedupe_key=f"members:care_file:{member.pk}:{missed}:{user.pk}",
                )
            )
    counts["reminders"] = sum(sent is not None for sent in notify_many(messages))
    return counts
