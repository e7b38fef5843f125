"""Demo ledger: about one member in ten, across the categories, most with a helper, some without,
some lines overdue for 复核, progress entries over the past year. Bulk inserts throughout."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal

from auditlog.models import LogEntry

from core import audit
from hardship.models import (
    FamilyMember,
    HardshipCategory,
    HardshipRecord,
    HardshipReview,
    HelpType,
    MoneySource,
    Pairing,
    PairingProgress,
)
from members.models import Member

CAUSES = {
    "old_no_income": ("年老体弱，无固定收入来源", "日常生活开支困难"),
    "lost_capacity": ("因伤病丧失劳动能力", "生活不能完全自理，需要家人照料"),
    "illness": ("本人或家属患重病，长期治疗", "医药费负担重，家庭积蓄已用完"),
    "disaster": ("住房在洪灾中受损", "房屋维修资金缺口较大"),
    "unemployed_landless": ("企业改制后失业，土地被征用", "再就业困难，收入不稳定"),
    "migrant_family": ("子女外出务工，老人留守", "无人照料，农忙时缺劳力"),
    "minimum_living": ("家庭人均收入低于低保标准", "基本生活保障不足"),
    "below_average": ("家庭收入低于当地平均生活水平", "子女上学费用负担重"),
    "alone": ("丧偶，无子女", "独自生活，缺少照料"),
    "low_pension": ("退休较早，离退休费偏低", "物价上涨后生活拮据"),
    "spouse_no_income": ("配偶长期无业无收入", "全家仅靠一人收入"),
    "child_employment": ("子女毕业后长期未就业", "家庭负担较重"),
    "sudden_accident": ("家中突发事故", "一次性支出大，临时困难"),
    "old_member": ("入党五十年以上的老党员，年事已高", "行动不便，需要经常看望"),
    "retired_cadre": ("离退休干部，原单位经营困难", "医药费报销不及时，生活拮据"),
    "hospitalized": ("本人生病住院", "住院期间无人照料，费用负担重"),
    "bereaved": ("直系亲属病逝", "丧葬支出大，家中老人需要照料"),
    "frail": ("体弱多病，常年服药", "医药费开支大"),
    "rural_hardship": ("农村家庭，收入主要靠种地", "遇到年成不好收入骤减"),
    "laid_off": ("企业下岗后一直未能稳定就业", "收入低且不稳定"),
}
RELATIONS = [("配偶", 30, 90), ("儿子", 5, 60), ("女儿", 5, 60), ("孙子", 1, 20), ("母亲", 70, 98)]
OCCUPATIONS = ["务农", "无业", "学生", "退休", "个体经营", "外出务工", "灵活就业"]
FAMILY_HEALTH = ["良好", "良好", "一般", "高血压", "慢性病", "残疾", "长期卧床"]
SKILLS = ["", "", "", "木工", "种植", "养殖", "电工", "裁缝", "书法", "厨艺"]
REVIEW_NOTES = ["家庭情况无明显变化，继续列入台帐", "收入略有增加，困难仍较突出"]
GOODS = ["", "大米一袋、食用油一桶", "棉被一床"]
PROGRESS = {
    "thought": ["上门谈心，了解思想状况，鼓励树立信心", "一起学习党的政策，讲解惠民措施"],
    "living": ["送去米、油等生活用品", "帮助打扫卫生、检修电器", "陪同就医，协助办理医保报销"],
    "production": ["联系农技员指导种植", "帮助购买种苗和化肥"],
    "employment": ["推荐到社区公益岗位", "联系企业提供招聘信息", "帮助报名参加职业技能培训"],
    "information": ["送去农产品市场行情信息", "告知临时救助申请办法"],
}


def _categories_for(member: Member, rng, by_code: dict[str, HardshipCategory]) -> list[HardshipCategory]:
    codes = []
    if member.work_capacity == Member.WorkCapacity.LOST:
        codes.append("lost_capacity")
    if member.employment in (Member.Employment.UNEMPLOYED, Member.Employment.LANDLESS):
        codes.append("unemployed_landless")
    if member.employment == Member.Employment.MIGRANT:
        codes.append("migrant_family")
    if member.employment == Member.Employment.RETIRED and rng.random() < 0.4:
        codes.append("low_pension")
    if member.lives_alone:
        codes.append("alone")
    if member.health in ("慢性病", "糖尿病", "长期卧床") or rng.random() < 0.25:
        codes.append("illness")
    extra = rng.choice(list(by_code))
    if len(codes) < 2 and extra not in codes:
        codes.append(extra)
    return [by_code[c] for c in codes[:3]]


def _score(member: Member, today: dt.date) -> float:
    score = 0.0
    score += 3 if member.work_capacity == Member.WorkCapacity.LOST else 1 if member.work_capacity != "normal" else 0
    score += 2 if member.employment in ("unemployed", "landless") else 0
    score += 1 if member.lives_alone else 0
    score += 1 if member.age_on(today) >= 75 else 0
    return score


def seed_hardship(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    by_code = {c.code: c for c in HardshipCategory.objects.all()}
    helps = {h.code: h for h in HelpType.objects.all()}
    pairing_helps = [h for h in helps.values() if h.is_pairing_help]
    shuji = ctx.users.get("shuji1")
    dangyuan = ctx.users.get("dangyuan1")

    by_branch: dict[int, list[Member]] = defaultdict(list)  # ctx.members_of scans everyone: once here
    for member in ctx.members:
        by_branch[member.organization_id].append(member)
    records: list[HardshipRecord] = []
    chosen: list[Member] = []
    for branch in ctx.branches:
        on_roll = [m for m in by_branch[branch.pk] if m.deceased_on is None and m.transferred_out_on is None]
        on_roll.sort(key=lambda m: (-_score(m, today), rng.random()))
        count = max(1, round(len(on_roll) * 0.1))
        picked = [m for m in on_roll if m.user_id is None or (dangyuan and m.user_id == dangyuan.pk)][:count]
        chosen.extend(picked)
    if dangyuan and not any(m.user_id == dangyuan.pk for m in chosen):
        own = next((m for m in ctx.members if m.user_id == dangyuan.pk), None)
        if own is not None:
            chosen.append(own)

    plan = []
    for index, member in enumerate(chosen):
        registered = today - dt.timedelta(days=rng.randint(60, 1100))
        roll = rng.random()
        if roll < 0.15:
            reviewed = registered if (today - registered).days > 400 else None  # overdue for 复核
            reviewed = registered + dt.timedelta(days=rng.randint(0, 30)) if reviewed else None
        else:
            reviewed = max(registered, today - dt.timedelta(days=rng.randint(10, 330)))
        status = HardshipRecord.Status.ACTIVE
        closed_on, reason = None, ""
        if index % 17 == 5:
            status, closed_on = HardshipRecord.Status.LIFTED, today - dt.timedelta(days=rng.randint(20, 200))
            closed_on = max(closed_on, registered)
            reason = rng.choice(["子女就业后家庭收入稳定", "病情好转，恢复劳动能力", "享受养老保险后收入提高"])
        consent = rng.random() < 0.88
        size = rng.choice([1, 2, 2, 3, 3, 4, 5])
        income = Decimal(size * rng.randint(25, 90) * 100) if consent else None  # 2,500–9,000 元 a head
        categories = _categories_for(member, rng, by_code)
        cause, difficulty = CAUSES[categories[0].code]
        records.append(
            HardshipRecord(
                member=member,
                level=HardshipRecord.Level.SPECIAL if rng.random() < 0.25 else HardshipRecord.Level.GENERAL,
                household_size=size,
                annual_household_income=income,
                causes=cause,
                main_difficulties=difficulty,
                skills=rng.choice(SKILLS),
                status=status,
                registered_on=registered,
                last_reviewed_on=reviewed if reviewed is None or reviewed <= today else today,
                closed_on=closed_on,
                close_reason=reason,
                consent_on=registered if consent else None,
                consent_method=rng.choice(["written", "written", "oral"]) if consent else "",
                consent_recorded_by=shuji if consent else None,
                created_by=shuji,
            )
        )
        plan.append((categories, size, consent))
    records = HardshipRecord.objects.bulk_create(records, batch_size=1000)
    if records and records[0].pk is None:
        records = list(HardshipRecord.objects.order_by("pk"))

    category_links, need_links, family, reviews = [], [], [], []
    category_link = HardshipRecord.categories.through
    need_link = HardshipRecord.needs.through
    for record, (categories, size, consent) in zip(records, plan, strict=True):
        category_links += [category_link(hardshiprecord_id=record.pk, hardshipcategory_id=c.pk) for c in categories]
        needs = rng.sample(list(helps.values()), rng.randint(1, 3))
        need_links += [need_link(hardshiprecord_id=record.pk, helptype_id=h.pk) for h in needs]
        if consent:
            for relation, low, high in rng.sample(RELATIONS, min(size - 1, len(RELATIONS))):
                family.append(
                    FamilyMember(
                        record=record,
                        name=ctx.faker.name(),
                        relation=relation,
                        age=rng.randint(low, high),
                        occupation=rng.choice(OCCUPATIONS),
                        health=rng.choice(FAMILY_HEALTH),
                        annual_income=Decimal(rng.randint(0, 30) * 100),
                    )
                )
        if record.last_reviewed_on and record.last_reviewed_on > record.registered_on:
            reviews.append(
                HardshipReview(
                    record=record,
                    reviewed_on=record.last_reviewed_on,
                    level=record.level,
                    note=rng.choice(REVIEW_NOTES),
                    reviewed_by=shuji,
                )
            )
    category_link.objects.bulk_create(category_links, batch_size=2000)
    need_link.objects.bulk_create(need_links, batch_size=2000)
    FamilyMember.objects.bulk_create(family, batch_size=2000)
    HardshipReview.objects.bulk_create(reviews, batch_size=2000)

    # Pairings: most active lines get a helper from their own branch (each helper ≤ 2 households).
    on_ledger = {r.member_id for r in records}
    carried: dict[int, int] = defaultdict(int)
    helpers_by_branch: dict[int, list[Member]] = {}
    for branch in ctx.branches:
        helpers = [
            m
            for m in by_branch[branch.pk]
            if m.deceased_on is None
            and m.transferred_out_on is None
            and m.pk not in on_ledger
            and 25 <= m.age_on(today) <= 65
        ]
        rng.shuffle(helpers)
        helpers.sort(key=lambda m: m.user_id is None)  # the demo accounts help first
        helpers_by_branch[branch.pk] = helpers
    pairings, pairing_records = [], []
    seen_in_branch: dict[int, int] = defaultdict(int)
    for record in records:
        branch_id = record.member.organization_id
        seen_in_branch[branch_id] += 1
        if record.status == HardshipRecord.Status.ACTIVE and (rng.random() < 0.15 or seen_in_branch[branch_id] == 3):
            continue  # no helper yet: every branch's coverage panel has something to show
        helper = next((h for h in helpers_by_branch.get(record.member.organization_id, []) if carried[h.pk] < 2), None)
        if helper is None:
            continue
        carried[helper.pk] += 1
        started = record.registered_on + dt.timedelta(days=rng.randint(3, 40))
        started = min(started, today)
        pairing = Pairing(
            helper=helper,
            record=record,
            started_on=started,
            goals=f"帮助{record.member.name}家庭渡过难关，{rng.choice(['稳定基本生活', '解决就医难题', '实现再就业'])}",
            measures="每月至少上门走访一次，及时了解困难和需求；协调落实救助政策",
            items="定期走访、送政策送信息、协助申请临时救助",
            expected_results="年内家庭生活困难得到明显缓解",
            created_by=shuji,
        )
        if record.status != HardshipRecord.Status.ACTIVE:
            pairing.status, pairing.ended_on = Pairing.Status.ENDED, max(record.closed_on, started)
            pairing.outcome = f"台帐已脱困：{record.close_reason}"
        pairings.append(pairing)
        pairing_records.append(record)
    pairings = Pairing.objects.bulk_create(pairings, batch_size=1000)
    if pairings and pairings[0].pk is None:
        pairings = list(Pairing.objects.order_by("pk"))
    help_link = Pairing.help_types.through
    links, progress = [], []
    employment_turns = itertools.count()
    for pairing in pairings:
        chosen_helps = rng.sample(pairing_helps, rng.randint(2, 4))
        links += [help_link(pairing_id=pairing.pk, helptype_id=h.pk) for h in chosen_helps]
        last_day = pairing.ended_on or today
        first_day = max(pairing.started_on, today - dt.timedelta(days=365))
        span = (last_day - first_day).days
        if span <= 0:
            continue
        stale = rng.random() < 0.12  # nothing reported for half a year
        count = rng.randint(0, 2) if stale else rng.randint(2, 7)
        for _ in range(count):
            day = first_day + dt.timedelta(days=rng.randint(0, span))
            if stale:
                day = min(day, today - dt.timedelta(days=200))
                if day < pairing.started_on:
                    continue
            help_type = rng.choice(chosen_helps)
            money = Decimal(rng.choice([0, 0, 0, 100, 200, 300, 500])) if help_type.code == "living" else Decimal(0)
            # 帮就业 names its way (training or a referral) and, once known, its outcome: taken in turn, so
            # that every outcome shows whatever the day (not from the shared random stream, so the rest
            # of the demo stays as it was; from the day, "employed" could never come out).
            step = outcome = ""
            if help_type.code == "employment":
                turn = next(employment_turns)
                step = "referral" if turn % 8 < 4 else "training"
                done = "trained" if step == "training" else "employed"
                outcome = ["pending", done, "not_hired", done][turn % 4]
            progress.append(
                PairingProgress(
                    employment_step=step,
                    employment_outcome=outcome,
                    outcome_note={"employed": "已在县里企业上岗", "trained": "取得培训结业证书"}.get(outcome, ""),
                    outcome_on=day if outcome not in ("", "pending") else None,
                    pairing=pairing,
                    date=day,
                    help_type=help_type,
                    description=rng.choice(PROGRESS[help_type.code]),
                    money=money,
                    goods=rng.choice(GOODS) if help_type.code == "living" else "",
                    # The helper's own help; money from the care fund is booked by the fund officer (funds' seed).
                    money_source=MoneySource.OTHER if money else "",
                    money_source_note="帮扶人个人资助" if money else "",
                    recorded_by=shuji,
                )
            )
    help_link.objects.bulk_create(links, batch_size=2000)
    PairingProgress.objects.bulk_create(progress, batch_size=2000)
    # Bulk inserts bypass the audit signals: record that these rows were created by the seed.
    seeded = {"来源": ["", "演示数据批量生成"]}
    audit.log_bulk(
        model=HardshipRecord,
        object_ids=[r.pk for r in records],
        changes=seeded,
        actor=shuji,
        action=LogEntry.Action.CREATE,
    )
    audit.log_bulk(
        model=Pairing, object_ids=[p.pk for p in pairings], changes=seeded, actor=shuji, action=LogEntry.Action.CREATE
    )
