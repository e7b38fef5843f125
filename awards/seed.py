"""Demo commendations: last year's campaign published with its honour roll, this year's collecting
nominations, and a 党总支's campaign in public notice. Bulk inserts, so 20,000 members stay fast."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from awards.models import (
    DEFAULT_CATEGORIES,
    AwardCampaign,
    AwardCategory,
    AwardEvent,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from core.calendars import add_working_days
from members.models import Member, Organization

DEEDS = {
    DEFAULT_CATEGORIES[0]: [
        "坚持学习党的创新理论，带头参加“三会一课”，全年无缺勤。",
        "在防汛抗洪一线连续值守十余天，协助转移群众三十余人。",
        "立足岗位、任劳任怨，所负责的窗口全年零投诉，群众满意度名列前茅。",
        "主动结对帮扶困难党员两户，逢年过节上门走访，帮助解决就医、就学难题。",
        "牵头完成单位重点改革任务，提出的流程优化建议被采纳推广。",
        "热心社区公益，组织党员志愿服务队开展义诊、义剪等活动二十余次。",
    ],
    DEFAULT_CATEGORIES[1]: [
        "认真落实“三会一课”、主题党日等组织生活制度，支部台账规范完整。",
        "扎实做好党员发展和教育管理工作，全年发展党员两名，组织专题培训六期。",
        "建立困难党员台帐并逐户走访，推动结对帮扶全覆盖。",
        "创新开展“党员积分制”管理，支部凝聚力明显增强，被评为标准化建设示范支部。",
        "按时足额收缴党费，及时做好党员组织关系转接，党务工作零差错。",
    ],
    DEFAULT_CATEGORIES[2]: [
        "年初公开承诺为群众办实事五件，年底全部兑现，群众评议满意率百分之百。",
        "承诺帮助两户困难家庭子女就业，经多方联系均已落实稳定工作。",
        "承诺每月参加社区志愿服务不少于两次，全年累计服务时长超过六十小时。",
        "承诺带头推进垃圾分类，所在小区分类准确率由六成提升到九成以上。",
    ],
}


def _deeds(rng, category: str, name: str) -> str:
    picks = rng.sample(DEEDS[category], k=min(3, len(DEEDS[category])))
    return f"{name}同志" + "".join(picks) + "在党员群众中树立了良好形象，经支部党员大会讨论，一致同意推荐。"


def _candidates(roster: list[Member], used: set[tuple[int, int]], category_index: int, rng) -> list[Member]:
    members = [
        m
        for m in roster
        if m.deceased_on is None
        and m.transferred_out_on is None
        and not m.is_under_discipline
        and (m.pk, category_index) not in used
    ]
    rng.shuffle(members)
    return members


def _rosters(ctx) -> dict[int, list[Member]]:
    """Members per branch, built once (ctx.members_of scans every member on each call)."""
    rosters = ctx.extra.get("awards_rosters")
    if rosters is None:
        rosters = {}
        for member in ctx.members:
            rosters.setdefault(member.organization_id, []).append(member)
        ctx.extra["awards_rosters"] = rosters
    return rosters


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _campaign_with_nominations(
    ctx, *, organizer, year, title, status, deadline, per_branch, branches, approve_rate, notice_start=None, zzb=None
) -> tuple[AwardCampaign, list[Nomination]]:
    """One campaign with its categories, nominations and timeline, dated as if it had really run:
    called a month before the deadline, nominations after each branch meeting, review within a week."""
    rng = ctx.rng
    today = ctx.today
    notice_end = add_working_days(notice_start, settings.CARE["NOTICE_WORKING_DAYS"]) if notice_start else None
    published_on = notice_end + dt.timedelta(days=1) if status == CampaignStatus.PUBLISHED else None
    campaign = AwardCampaign.objects.create(
        organizer=organizer,
        year=year,
        title=title,
        nomination_deadline=deadline,
        status=status,
        description="请各支部严格标准、好中选优，推荐对象须经支部党员大会讨论，到会党员半数以上同意。",
        notice_starts_on=notice_start,
        notice_ends_on=notice_end,
        published_on=published_on,
        created_by=zzb,
    )
    categories = AwardCategory.objects.bulk_create(
        [
            AwardCategory(campaign=campaign, name=name, quota_per_branch=quota, sort_order=index)
            for index, (name, quota) in enumerate(per_branch)
        ]
    )
    if categories[0].pk is None:
        categories = list(campaign.categories.order_by("sort_order"))
    opened = min(deadline - dt.timedelta(days=30), today)
    secretaries = {ctx.branches[0].pk: ctx.users.get("shuji1"), ctx.branches[1].pk: ctx.users.get("shuji2")}
    nominations: list[Nomination] = []
    used: set[tuple[int, int]] = set()
    rosters = _rosters(ctx)
    for branch in branches:
        roster = rosters.get(branch.pk, [])
        size = len(roster)
        meeting = min(opened + dt.timedelta(days=rng.randint(3, 25)), today)
        submitted = _at(
            min(meeting + dt.timedelta(days=rng.randint(0, 2)), today, deadline), rng.randint(8, 17), rng.randint(0, 59)
        )
        for index, category in enumerate(categories):
            take = min(category.quota_per_branch, 1 + rng.randint(0, category.quota_per_branch))
            for member in _candidates(roster, used, index, rng)[:take]:
                used.add((member.pk, index))
                attendees = max(rng.randint(size * 2 // 3, size) if size > 3 else size, 1)
                votes_for = min(max(attendees - rng.randint(0, 2), attendees // 2 + 1), attendees)
                nominations.append(
                    Nomination(
                        campaign=campaign,
                        category=category,
                        member=member,
                        branch=branch,
                        deeds=_deeds(rng, category.name, member.name),
                        meeting_date=meeting,
                        attendees=attendees,
                        votes_for=votes_for,
                        votes_against=0,
                        votes_abstain=attendees - votes_for,
                        status=NominationStatus.SUBMITTED,
                        nominated_by=secretaries.get(branch.pk),
                        created_at=submitted,
                    )
                )
    if approve_rate is not None:
        for nomination in nominations:
            if rng.random() < approve_rate:
                nomination.status = NominationStatus.APPROVED
            else:
                nomination.status = NominationStatus.REJECTED
                nomination.review_comment = rng.choice(["事迹材料不够具体，不符合评选条件", "本年度已获其他表彰"])
            nomination.reviewed_by = zzb
            nomination.reviewed_at = _at(
                min(deadline + dt.timedelta(days=rng.randint(1, 4)), today), rng.randint(9, 17), rng.randint(0, 59)
            )
    nominations = Nomination.objects.bulk_create(nominations, batch_size=1000)
    if nominations and nominations[0].pk is None:
        nominations = list(campaign.nominations.all())
    events = [
        AwardEvent(
            campaign=campaign,
            actor=zzb,
            to_status=CampaignStatus.COLLECTING,
            at=_at(opened, 9),
            comment=f"推荐截止 {deadline:%Y-%m-%d}",
        )
    ]
    for nomination in nominations:
        events.append(
            AwardEvent(
                campaign=campaign,
                nomination=nomination,
                actor=nomination.nominated_by,
                to_status=NominationStatus.SUBMITTED,
                at=nomination.created_at,
                comment=f"{nomination.branch.name}推荐",
            )
        )
        if nomination.status != NominationStatus.SUBMITTED:
            events.append(
                AwardEvent(
                    campaign=campaign,
                    nomination=nomination,
                    actor=zzb,
                    at=nomination.reviewed_at,
                    from_status=NominationStatus.SUBMITTED,
                    to_status=nomination.status,
                    comment=nomination.review_comment,
                )
            )
    steps = {
        CampaignStatus.REVIEWING: ["reviewing"],
        CampaignStatus.NOTICE: ["reviewing", "notice"],
        CampaignStatus.PUBLISHED: ["reviewing", "notice", "published"],
    }.get(status, [])
    len_days = settings.CARE["NOTICE_WORKING_DAYS"]
    moments = {
        "reviewing": (None, _at(min(deadline + dt.timedelta(days=1), today), 1, 5), "推荐截止，自动进入评审"),
        "notice": (
            zzb,
            _at(notice_start, 9) if notice_start else None,
            f"公示 {len_days} 个工作日，至 {notice_end:%Y-%m-%d}" if notice_end else "",
        ),
        "published": (zzb, _at(published_on, 9) if published_on else None, "公示期满，发布表彰"),
    }
    previous = CampaignStatus.COLLECTING
    for step in steps:
        actor, at, comment = moments[step]
        events.append(
            AwardEvent(campaign=campaign, actor=actor, from_status=previous, to_status=step, at=at, comment=comment)
        )
        previous = step
    AwardEvent.objects.bulk_create(events, batch_size=2000)
    return campaign, nominations


def seed_awards(ctx) -> None:
    today = ctx.today
    zzb = ctx.users.get("zzb")
    defaults = [(DEFAULT_CATEGORIES[0], 2), (DEFAULT_CATEGORIES[1], 1), (DEFAULT_CATEGORIES[2], 1)]

    # Last year's campaign: called in November, noticed early December, published.
    last = today.year - 1
    notice_start = dt.date(last, 12, 3)
    campaign, nominations = _campaign_with_nominations(
        ctx,
        organizer=ctx.committee,
        year=last,
        title=f"{last}年度“两优一先”评选表彰",
        status=CampaignStatus.PUBLISHED,
        deadline=dt.date(last, 11, 20),
        per_branch=defaults,
        branches=ctx.branches,
        approve_rate=0.85,
        notice_start=notice_start,
        zzb=zzb,
    )
    # dangyuan1 was honoured last year: /me/ shows it. A colleague's objection was looked into.
    dangyuan1 = ctx.users.get("dangyuan1")
    own = next((m for m in ctx.members if dangyuan1 and m.user_id == dangyuan1.pk), None)
    if own is not None and not any(
        n.member_id == own.pk and n.status == NominationStatus.APPROVED for n in nominations
    ):
        # Give one of the branch's approved places to dangyuan1, keeping every quota as it was.
        Nomination.objects.filter(campaign=campaign, member=own).delete()
        nominations = [n for n in nominations if n.member_id != own.pk]
        place = next(
            (n for n in nominations if n.branch_id == own.organization_id and n.status == NominationStatus.APPROVED),
            None,
        )
        if place is not None:
            place.member = own
            place.deeds = _deeds(ctx.rng, place.category.name, own.name)
            place.save(update_fields=["member", "deeds"])
    approved = [n for n in nominations if n.status == NominationStatus.APPROVED and n.member.user_id is None]
    raiser = ctx.users.get("zhiwei1")
    if approved and raiser is not None:
        Objection.objects.create(
            nomination=approved[0],
            raised_by=raiser,
            reason="听说该同志年内有迟到早退情况，请组织核实。",
            status=ObjectionStatus.DISMISSED,
            resolution="经核实考勤记录，该同志全年无迟到早退，异议不成立。",
            resolved_by=zzb,
            resolved_at=_at(campaign.notice_ends_on, 15),
        )

    # This year's campaign is collecting: some branches have put names forward, branch 1 has room left.
    deadline = today + dt.timedelta(days=14)
    _campaign_with_nominations(
        ctx,
        organizer=ctx.committee,
        year=today.year,
        title=f"{today.year}年度“两优一先”评选表彰",
        status=CampaignStatus.COLLECTING,
        deadline=deadline,
        per_branch=defaults,
        branches=ctx.branches[1 : min(len(ctx.branches), 60)],
        approve_rate=None,
        zzb=zzb,
    )

    # A 党总支's own campaign in public notice, so the notice board and objections can be seen.
    general = Organization.objects.filter(parent=ctx.committee, kind=Organization.Kind.GENERAL_BRANCH).first()
    if general is not None:
        under = [b for b in ctx.branches if b.parent_id == general.pk][:10]
        start = today - dt.timedelta(days=2)
        _campaign_with_nominations(
            ctx,
            organizer=general,
            year=today.year,
            title=f"{general.name}{today.year}年度兑现承诺先进个人评选",
            status=CampaignStatus.NOTICE,
            deadline=start - dt.timedelta(days=7),
            per_branch=[(DEFAULT_CATEGORIES[2], 1)],
            branches=under,
            approve_rate=1.0,
            notice_start=start,
            zzb=zzb,
        )
