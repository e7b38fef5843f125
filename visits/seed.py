"""Demo visits and talks: a year of records, so coverage shows covered and uncovered members, and the
plans of the last 春节 and 七一 about three quarters done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection

from hardship.models import MoneySource
from members.models import Member
from members.seed import SeedContext
from members.validators import id_check_digit
from visits import selectors
from visits.models import Occasion, Talk, Visit, VisitPlan, VisitPlanItem

SUMMARIES = [
    "交流了近期思想和工作情况，本人表示能按时参加组织生活，对支部工作比较满意。",
    "了解了家庭生活状况，传达了上级关于关心关爱党员的政策，鼓励其保持良好心态。",
    "围绕学习教育谈了体会，本人对发挥党员作用有新的认识，愿意参加社区志愿服务。",
    "谈到子女就业方面的压力，支部表示会帮助留意就业信息，本人情绪稳定。",
    "本人反映身体状况一般，希望支部组织活动时考虑老同志的实际情况。",
]
OPINIONS = ["希望多组织一些学习活动", "希望帮助解决小区路灯问题", "", "", "希望定期上门看望行动不便的老党员"]
CONFIDENTIAL = ["对前期评优结果有些意见，需做好解释工作", "家庭矛盾较多，注意跟进", "情绪有波动，下次由书记再谈"]
GOODS = ["大米、食用油", "慰问信、水果", "牛奶、慰问信", "大米、食用油、慰问信"]
HOLIDAY_MONEY = ["党委节日慰问经费", "单位工会慰问经费", "上级组织部慰问金"]
NOTES = [
    "身体状况尚可，与家人同住，对组织的关心表示感谢。",
    "老人行动不便，了解了日常照料情况。",
    "家中生活有一定困难，已登记需求。",
    "精神状态良好，谈了对社区工作的建议。",
]


def _link(through, left: str, right: str, pairs) -> None:
    """Insert many-to-many rows with one executemany: for tens of thousands of (id, id) pairs the ORM's
    per-object preparation costs more than the database does."""
    meta = through._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in (left, right))
    rows = list(dict.fromkeys(pairs))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s)", rows[start : start + 5000])  # noqa: S608


def _by_branch(ctx: SeedContext) -> dict[int, list[Member]]:
    """Members grouped by branch once (ctx.members_of scans all members on every call)."""
    grouped: dict[int, list[Member]] = {branch.pk: [] for branch in ctx.branches}
    for member in ctx.members:
        grouped.setdefault(member.organization_id, []).append(member)
    return grouped


def _visitors_by_branch(ctx: SeedContext, by_branch: dict[int, list[Member]]) -> dict[int, list[Member]]:
    """Who goes visiting: the branch's secretary and committee member (accounts), otherwise two
    working-age members standing in for the 支委."""
    result: dict[int, list[Member]] = {}
    for branch in ctx.branches:
        members = by_branch.get(branch.pk, [])
        people = [m for m in members if m.user_id and m.deceased_on is None]
        if len(people) < 2:
            taken = {m.pk for m in people}
            people += [
                m
                for m in members
                if m.pk not in taken
                and m.deceased_on is None
                and m.transferred_out_on is None
                and 30 <= m.age_on(ctx.today) <= 60
            ][: 2 - len(people)]
        result[branch.pk] = people or members[:1]
    return result


def seed_visits(ctx: SeedContext) -> None:
    rng, today = ctx.rng, ctx.today
    on_roll = ctx.on_roll()
    by_branch = _by_branch(ctx)
    visitors = _visitors_by_branch(ctx, by_branch)
    hardship_ids = selectors.active_hardship_member_ids()
    secretary_user = ctx.users.get("shuji1")

    # --- talks: ~70% talked with in the last year, some only longer ago, some never ---
    talks: list[Talk] = []
    links: list[tuple[int, list[Member], list[Member]]] = []
    for member in on_roll:
        roll = rng.random()
        if roll < 0.68:
            day = today - dt.timedelta(days=rng.randint(3, 360))
        elif roll < 0.85:
            day = today - dt.timedelta(days=rng.randint(380, 1000))
        else:
            continue
        if day < member.join_date:
            continue
        hardship = member.pk in hardship_ids
        reason = (
            Talk.Reason.DIFFICULTY
            if hardship and rng.random() < 0.5
            else rng.choices(list(Talk.Reason.values), weights=[60, 8, 4, 3, 4, 4, 8, 5])[0]
        )
        talks.append(
            Talk(
                organization_id=member.organization_id,
                kind=Talk.Kind.INDIVIDUAL,
                talked_on=day,
                reason=reason,
                priority_hardship=hardship,
                priority_weak_awareness=rng.random() < 0.03,
                priority_grievance=rng.random() < 0.03,
                summary=rng.choice(SUMMARIES),
                opinions=rng.choice(OPINIONS),
                follow_up="下季度回访" if rng.random() < 0.2 else "",
                confidential_notes=rng.choice(CONFIDENTIAL) if rng.random() < 0.1 else "",
                created_by=secretary_user,
            )
        )
        links.append((len(talks) - 1, visitors[member.organization_id][:1], [member]))
    # One collective talk per branch before 七一 (集体谈心).
    for branch in ctx.branches:
        group = [m for m in by_branch.get(branch.pk, []) if m.deceased_on is None and m.transferred_out_on is None][:6]
        if len(group) >= 2:
            talks.append(
                Talk(
                    organization_id=branch.pk,
                    kind=Talk.Kind.COLLECTIVE,
                    talked_on=today - dt.timedelta(days=150),
                    reason=Talk.Reason.ANNUAL,
                    summary="七一前集体谈心：重温入党誓词，交流入党以来的感悟，征求对支部的意见。",
                    opinions="希望支部活动形式更丰富",
                    created_by=secretary_user,
                )
            )
            links.append((len(talks) - 1, visitors[branch.pk][:2], group))
    talks = Talk.objects.bulk_create(talks, batch_size=2000)
    _link(
        Talk.interviewers.through,
        "talk",
        "member",
        ((talks[index].pk, m.pk) for index, interviewers, _ in links for m in interviewers),
    )
    _link(
        Talk.participants.through,
        "talk",
        "member",
        ((talks[index].pk, m.pk) for index, _, participants in links for m in participants),
    )

    # --- holiday plans of the last 春节 and 七一, about three quarters done ---
    lead = settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"]
    visits: list[Visit] = []
    visit_visitors: list[list[Member]] = []
    items: list[VisitPlanItem] = []
    item_visit: list[int | None] = []
    item_visitors: list[list[Member]] = []
    for occasion in (Occasion.SPRING_FESTIVAL, Occasion.JULY_FIRST):
        holiday = selectors.last_holiday(occasion, today)
        created_on = holiday - dt.timedelta(days=lead)
        plans = VisitPlan.objects.bulk_create(
            [
                VisitPlan(organization=branch, occasion=occasion, year=holiday.year, holiday=holiday)
                for branch in ctx.branches
            ]
        )
        plan_of = {plan.organization_id: plan for plan in plans}
        for member in on_roll:
            reasons = selectors.target_reasons(member, created_on, hardship_ids=hardship_ids)
            if not reasons:
                continue
            who = visitors[member.organization_id][:2]
            items.append(VisitPlanItem(plan=plan_of[member.organization_id], member=member, reasons="、".join(reasons)))
            item_visitors.append(who)
            if rng.random() < 0.75:
                hardship = member.pk in hardship_ids
                # Holiday 慰问金 from the 党委's and the unions' holiday budgets; money from the care fund goes
                # through the fund officer (funds' seed logs and books a few of those through the services).
                visits.append(
                    Visit(
                        member=member,
                        occasion=occasion,
                        visited_on=holiday - dt.timedelta(days=rng.randint(1, 18)),
                        goods=rng.choice(GOODS),
                        amount=Decimal(rng.choice([200, 300, 500])) if hardship else None,
                        money_source=MoneySource.OTHER if hardship else "",
                        money_source_note=rng.choice(HOLIDAY_MONEY) if hardship else "",
                        notes=rng.choice(NOTES),
                        follow_up="希望帮助申请临时救助" if hardship and rng.random() < 0.3 else "",
                        created_by=secretary_user,
                    )
                )
                visit_visitors.append(who)
                item_visit.append(len(visits) - 1)
            else:
                item_visit.append(None)
    # --- visits the rules call for during the year: illness, routine ---
    for member in rng.sample(on_roll, k=min(len(on_roll), max(len(on_roll) // 12, 1))):
        occasion = rng.choice([Occasion.ILLNESS, Occasion.ROUTINE, Occasion.ROUTINE, Occasion.POLITICAL_BIRTHDAY])
        visits.append(
            Visit(
                member=member,
                occasion=occasion,
                visited_on=today - dt.timedelta(days=rng.randint(1, 330)),
                goods="水果、营养品" if occasion == Occasion.ILLNESS else "",
                notes=rng.choice(NOTES),
                created_by=secretary_user,
                **(
                    {
                        "amount": Decimal("300.00"),
                        "money_source": MoneySource.OTHER,
                        "money_source_note": "单位工会慰问经费",
                    }
                    if occasion == Occasion.ILLNESS and rng.random() < 0.5
                    else {}
                ),
            )
        )
        visit_visitors.append(visitors[member.organization_id][:1])
    visits = Visit.objects.bulk_create(visits, batch_size=2000)
    _link(
        Visit.visitors.through,
        "visit",
        "member",
        ((v.pk, m.pk) for v, who in zip(visits, visit_visitors, strict=True) for m in who),
    )
    for item, index in zip(items, item_visit, strict=True):
        item.visit_id = visits[index].pk if index is not None else None
    items = VisitPlanItem.objects.bulk_create(items, batch_size=2000)
    _link(
        VisitPlanItem.visitors.through,
        "visitplanitem",
        "member",
        ((item.pk, m.pk) for item, who in zip(items, item_visitors, strict=True) for m in who),
    )
    from visits.jobs import care_prompts

    care_prompts(today)  # the illness and bereavement prompts a secretary finds on the home page
    seed_special_groups(ctx)
    seed_must_visit(ctx)


def seed_special_groups(ctx: SeedContext) -> None:
    """离休/退休 and the former employer of the retired cadres, a few 流动党员 with a way to reach them, and a
    family contact for each migrant worker's family (some left without one, so the reminder shows it)."""
    from visits import jobs

    rng, today = ctx.rng, ctx.today
    employers = [
        ("县机械厂", "bankrupt"),
        ("县供销社", "restructured"),
        ("县民政局", "normal"),
        ("县纺织厂", "struggling"),
    ]
    kept = 0
    for member in (m for m in ctx.members if m.is_retired_cadre):
        name, situation = rng.choice(employers)
        reviewed = None
        if situation in Member.CARE_FILE_SITUATIONS:
            # 关爱档案: most reviewed within the year, every third over a year ago or never (the reminder).
            kept += 1
            if kept % 3:
                reviewed = today - dt.timedelta(days=rng.randint(10, 300))
            elif kept % 2:
                reviewed = today - dt.timedelta(days=rng.randint(400, 500))
        Member.objects.filter(pk=member.pk).update(
            retirement="lixiu" if member.birth_date.year < 1935 or rng.random() < 0.15 else "tuixiu",
            former_employer=name,
            former_employer_situation=situation,
            care_file_reviewed_on=reviewed,
        )
    places = ["广东省东莞市", "浙江省宁波市", "江苏省苏州市", "重庆市渝北区"]
    for branch in ctx.branches:
        on_roll = [m for m in ctx.members_of(branch) if m.is_on_roll]
        workers = [m for m in on_roll if m.employment == Member.Employment.MIGRANT]
        helpers = [m for m in on_roll if m.employment != Member.Employment.MIGRANT and 25 <= m.age_on(today) <= 60]
        for index, worker in enumerate(workers):
            away = index % 2 == 0
            Member.objects.filter(pk=worker.pk).update(
                mobility="outflow" if away else "",
                mobility_place=rng.choice(places) if away else "",
                mobility_contact=f"{worker.phone or '本人电话'}（微信同号）" if away else "",
                family_contact=rng.choice(helpers) if helpers and index % 3 != 2 else None,
            )
        if on_roll and rng.random() < 0.5:
            newcomer = rng.choice(on_roll)
            if newcomer.employment != Member.Employment.MIGRANT:
                Member.objects.filter(pk=newcomer.pk).update(
                    mobility="inflow",
                    mobility_place=rng.choice(["四川省绵阳市", "湖北省宜昌市"]),
                    mobility_contact=newcomer.phone or "流入地党组织联系人",
                )
    jobs.migrant_families(today)
    jobs.care_files(today)


def seed_must_visit(ctx: SeedContext) -> None:
    """必访 through the services, each on its own day: life events of every kind (one visited, some open,
    one overdue and gone up to the 组织部), a talk that found 思想波动, 反映情况 (answered, assigned, new),
    old comrades' birthdays."""
    from core import clock
    from visits import jobs, services

    today, rng = ctx.today, ctx.rng
    secretary, committee_user, member_user = ctx.users["shuji1"], ctx.users["zhiwei1"], ctx.users["dangyuan1"]
    me = Member.objects.get(user=secretary)
    branch_members = [
        m for m in ctx.members_of(me.organization) if m.is_on_roll and m.user_id is None and m.pk != me.pk
    ]
    events = [
        (20, "relative_death", "父亲因病去世，家中老母亲需要照料"),
        (10, "disaster", "暴雨致房屋漏水，部分家具损毁"),
        (7, "serious_illness", "肺部感染转重症，在县医院治疗"),
        (3, "hardship", "爱人失业，孩子上学开支大，生活一时困难"),
        (1, "accident", "骑车摔伤住在家中，行动不便"),
    ]
    picked = rng.sample(branch_members, k=min(len(events) + 1, len(branch_members)))
    for member, (days_ago, kind, text) in zip(picked, events, strict=False):
        day = today - dt.timedelta(days=days_ago)
        with clock.at(day):
            event = services.record_life_event(
                by=secretary, member=member, kind=kind, happened_on=day, description=text
            )
        if kind == "relative_death" and event.prompt is not None:
            with clock.at(day + dt.timedelta(days=2)):
                services.log_visit(
                    by=secretary,
                    member=member,
                    visited_on=day + dt.timedelta(days=2),
                    occasion=event.prompt.occasion,
                    visitors=[me],
                    goods="慰问信、慰问品",
                    notes="上门吊唁，慰问家属，了解老人照料安排。",
                )
    if len(picked) > len(events):
        day = today - dt.timedelta(days=5)
        with clock.at(day):
            services.log_talk(
                by=secretary,
                kind=Talk.Kind.INDIVIDUAL,
                talked_on=day,
                interviewers=[me],
                participants=[picked[len(events)]],
                reason=Talk.Reason.WAVERING,
                summary="因岗位调整情绪低落，对组织有些想法。",
                follow_up="两周内再谈一次",
            )
    with clock.at(today - dt.timedelta(days=6)):
        answered = services.submit_concern(by=member_user, message="小区老党员活动室冬天没有暖气，希望协调解决。")
    with clock.at(today - dt.timedelta(days=5)):
        services.assign_concern(by=secretary, concern=answered, assignee=Member.objects.get(user=committee_user))
    with clock.at(today - dt.timedelta(days=3)):
        services.answer_concern(
            by=secretary, concern=answered, answer="已与社区协调，下周起活动室开放空调；王支委负责跟进。"
        )
    with clock.at(today - dt.timedelta(days=2)):
        assigned = services.submit_concern(by=member_user, message="楼道灯坏了半个月，晚上老人上下楼不方便。")
    with clock.at(today - dt.timedelta(days=1)):
        services.assign_concern(by=secretary, concern=assigned, assignee=Member.objects.get(user=committee_user))
        services.submit_concern(by=member_user, message="老伴近来身体不好，想请支部来家里坐坐。", wants_visit=True)
    # Last 七一's collective 政治生日 of the first branch (the other branches show as not yet recorded this year).
    held_on = dt.date(today.year if today >= dt.date(today.year, 6, 28) else today.year - 1, 6, 28)
    attendees = [m for m in ctx.members_of(me.organization) if m.is_on_roll][:12]
    with clock.at(held_on):
        services.record_collective_birthday(
            by=secretary,
            organization=me.organization,
            held_on=held_on,
            attendees=attendees,
            reaffirmed_oath=True,
            shared_reflections=True,
            asked_opinions=True,
            notes="在党员活动室重温入党誓词，老党员讲述入党经历。",
            opinions="希望多组织参观红色教育基地；老党员行动不便的请上门送学。",
        )
    # Old comrades' birthdays of the last fortnight and the coming week; then what is overdue goes up.
    # One old comrade of the first branch has a birthday in four days, so the demo always shows one.
    elders = sorted(
        (
            m
            for m in ctx.members_of(me.organization)
            if m.is_on_roll and m.age_on(today) >= settings.CARE["ELDER_BIRTHDAY_AGE"]
        ),
        key=lambda m: m.birth_date,
    )
    if elders:
        elder, coming = elders[0], today + dt.timedelta(days=4)
        birth = dt.date(elder.birth_date.year, coming.month, min(coming.day, 28 if coming.month == 2 else 31))
        first17 = f"{elder.id_number[:6]}{birth:%Y%m%d}{elder.id_number[14:17]}"
        Member.objects.filter(pk=elder.pk).update(birth_date=birth, id_number=first17 + id_check_digit(first17))
    for offset in range(14, -1, -1):
        jobs.elder_birthdays(today - dt.timedelta(days=offset))
    jobs.prompt_escalation(today)
