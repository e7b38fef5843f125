"""Every write of a commendation campaign. The status of a campaign or a nomination moves only
through `_move_campaign` / `_move_nomination`, which check the transition table and record the event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from awards import permissions
from awards.models import (
    CAMPAIGN_FLOW,
    NOMINATION_FLOW,
    WITHDRAWN,
    AwardCampaign,
    AwardCategory,
    AwardEvent,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from core.calendars import WorkCalendar
from core.errors import DomainError
from members.models import Appointment, Member, Organization, Role, User
from notifications.services import notify, settle


def _move_campaign(campaign: AwardCampaign, *, to: str, by: User | None, comment: str = "") -> None:
    CAMPAIGN_FLOW.check(campaign.status, to)
    AwardEvent.objects.create(
        campaign=campaign, actor=by, from_status=campaign.status, to_status=to, comment=comment[:300]
    )
    campaign.status = to


def _move_nomination(nomination: Nomination, *, to: str, by: User | None, comment: str = "") -> None:
    NOMINATION_FLOW.check(nomination.status, to)
    AwardEvent.objects.create(
        campaign_id=nomination.campaign_id,
        nomination=nomination,
        actor=by,
        from_status=nomination.status,
        to_status=to,
        comment=comment[:300],
    )
    nomination.status = to


def _locked_campaign(campaign_id: int) -> AwardCampaign:
    return AwardCampaign.objects.select_for_update().select_related("organizer").get(pk=campaign_id)


def _require_manager(by: User | None, campaign: AwardCampaign) -> None:
    if by is not None and not permissions.can_manage_campaign(by, campaign):
        raise PermissionDenied


# ---------------------------------------------------------------- campaigns


@transaction.atomic
def create_campaign(
    *,
    by: User,
    organizer: Organization,
    year: int,
    title: str,
    nomination_deadline: dt.date,
    categories: Iterable[dict],
    description: str = "",
    today: dt.date | None = None,
) -> AwardCampaign:
    """Open a campaign for nominations. `categories`: dicts of name, quota_per_branch, quota_total."""
    today = today or timezone.localdate()
    if not permissions.organizer_choices(by).filter(pk=organizer.pk).exists():
        raise PermissionDenied
    if nomination_deadline < today:
        raise DomainError("推荐截止日期不能早于今天", field="nomination_deadline")
    categories = [c for c in categories if c.get("name")]
    if not categories:
        raise DomainError("请至少设置一个表彰类别")
    names = [c["name"].strip() for c in categories]
    if len(set(names)) != len(names):
        raise DomainError("表彰类别名称不能重复")
    for category in categories:
        if not (category.get("quota_per_branch") or category.get("quota_total")):
            raise DomainError(f"请为“{category['name']}”设置每支部名额或总名额")
    if AwardCampaign.objects.filter(organizer=organizer, year=year).exclude(status=CampaignStatus.CANCELLED).exists():
        raise DomainError(f"{organizer.name}已有{year}年度的评选活动", field="year")
    campaign = AwardCampaign.objects.create(
        organizer=organizer,
        year=year,
        title=title.strip(),
        description=description.strip(),
        nomination_deadline=nomination_deadline,
        created_by=by,
    )
    for index, c in enumerate(categories):  # one by one (≤ 10): the audit trail sees each category
        AwardCategory.objects.create(
            campaign=campaign,
            name=c["name"].strip(),
            sort_order=index,
            quota_per_branch=c.get("quota_per_branch") or None,
            quota_total=c.get("quota_total") or None,
        )
    AwardEvent.objects.create(
        campaign=campaign,
        actor=by,
        to_status=CampaignStatus.COLLECTING,
        comment=f"推荐截止 {nomination_deadline:%Y-%m-%d}",
    )
    return campaign


@transaction.atomic
def close_nominations(*, campaign_id: int, by: User | None, today: dt.date | None = None) -> AwardCampaign:
    """征集中 → 评审中. By the organization department at any time, or by the daily job after the deadline."""
    today = today or timezone.localdate()
    campaign = _locked_campaign(campaign_id)
    _require_manager(by, campaign)
    if by is None and today <= campaign.nomination_deadline:
        raise DomainError("推荐尚未截止")
    comment = "推荐截止，自动进入评审" if by is None else "组织部截止推荐，进入评审"
    _move_campaign(campaign, to=CampaignStatus.REVIEWING, by=by, comment=comment)
    campaign.save(update_fields=["status"])
    return campaign


@transaction.atomic
def start_notice(*, campaign_id: int, by: User, today: dt.date | None = None) -> AwardCampaign:
    """评审中 → 公示中 for NOTICE_WORKING_DAYS working days (holidays and 调休 counted right)."""
    today = today or timezone.localdate()
    campaign = _locked_campaign(campaign_id)
    _require_manager(by, campaign)
    CAMPAIGN_FLOW.check(campaign.status, CampaignStatus.NOTICE)
    pending = campaign.nominations.filter(status=NominationStatus.SUBMITTED).count()
    if pending:
        raise DomainError(f"还有 {pending} 份推荐未评审，请评审完毕后再公示")
    if not campaign.nominations.filter(status=NominationStatus.APPROVED).exists():
        raise DomainError("没有评审通过的推荐，无法公示")
    days = settings.CARE["NOTICE_WORKING_DAYS"]
    period = WorkCalendar.load().period(today, days)
    campaign.notice_starts_on, campaign.notice_ends_on, campaign.notice_working_days = period.start, period.end, days
    provisional = "（暂定，节假日安排录入后自动重算）" if period.provisional else ""
    _move_campaign(
        campaign,
        to=CampaignStatus.NOTICE,
        by=by,
        comment=f"公示 {days} 个工作日，至 {campaign.notice_ends_on:%Y-%m-%d}{provisional}",
    )
    campaign.save(update_fields=["status", "notice_starts_on", "notice_ends_on", "notice_working_days"])
    return campaign


def recompute_notices(*, by: User | None, year: int, **_) -> int:
    """The working-day calendar changed: every campaign in 公示 gets the end its working days now give.
    A moved end is recorded in the campaign's history and told to the organizer's organization
    department and to the secretaries of the branches whose nominees are on the list. Called inside the
    calendar's transaction; returns how many moved."""
    calendar = WorkCalendar.load()
    moved = 0
    for campaign in (
        AwardCampaign.objects.select_for_update()
        .filter(status=CampaignStatus.NOTICE, notice_starts_on__isnull=False)
        .order_by("pk")
    ):
        days = campaign.notice_working_days or settings.CARE["NOTICE_WORKING_DAYS"]
        period = calendar.period(campaign.notice_starts_on, days)
        if period.end == campaign.notice_ends_on:
            continue
        old, campaign.notice_ends_on = campaign.notice_ends_on, period.end
        campaign.save(update_fields=["notice_ends_on"])
        provisional = "（仍为暂定）" if period.provisional else ""
        comment = f"{year} 年节假日安排录入或调整，公示截止日由 {old:%Y-%m-%d} 改为 {period.end:%Y-%m-%d}{provisional}"
        AwardEvent.objects.create(
            campaign=campaign, actor=by, from_status=campaign.status, to_status=campaign.status, comment=comment[:300]
        )
        branches = campaign.nominations.filter(status=NominationStatus.APPROVED).values("branch")
        recipients = {
            a.user_id: a.user
            for a in Appointment.objects.filter(
                Q(role=Role.ORG_DEPT, organization_id=campaign.organizer_id)
                | Q(role=Role.SECRETARY, organization__in=branches)
            ).select_related("user")
        }
        for user in recipients.values():
            notify(
                recipient=user,
                title=f"{campaign.title}公示截止日调整",
                body=comment,
                link=campaign.get_absolute_url(),
                dedupe_key=f"awards:notice-moved:{campaign.pk}:{period.end:%Y%m%d}:{user.pk}",
            )
        moved += 1
    return moved


@transaction.atomic
def publish(*, campaign_id: int, by: User | None, today: dt.date | None = None) -> AwardCampaign:
    """公示中 → 已表彰 once the notice period is over and every objection is resolved; notifies each
    awardee and their branch secretaries (deduplicated, so a retried job sends nothing twice)."""
    today = today or timezone.localdate()
    campaign = _locked_campaign(campaign_id)
    _require_manager(by, campaign)
    CAMPAIGN_FLOW.check(campaign.status, CampaignStatus.PUBLISHED)
    if today <= campaign.notice_ends_on:
        raise DomainError(f"公示期至 {campaign.notice_ends_on:%Y年%m月%d日}，期满后才能发布表彰")
    open_objections = Objection.objects.filter(nomination__campaign=campaign, status=ObjectionStatus.OPEN).count()
    if open_objections:
        raise DomainError(f"还有 {open_objections} 条公示异议未处理")
    awardees = list(
        campaign.nominations.filter(status=NominationStatus.APPROVED).select_related(
            "member__user", "category", "branch"
        )
    )
    if not awardees:
        raise DomainError("公示名单中已没有表彰对象")
    campaign.published_on = today
    _move_campaign(
        campaign,
        to=CampaignStatus.PUBLISHED,
        by=by,
        comment="公示期满无异议，自动发布表彰" if by is None else "公示期满，发布表彰",
    )
    campaign.save(update_fields=["status", "published_on"])
    _notify_awardees(campaign, awardees)
    return campaign


def _notify_awardees(campaign: AwardCampaign, awardees: list[Nomination]) -> None:
    link = campaign.get_absolute_url()
    by_branch: dict[int, list[Nomination]] = {}
    for nomination in awardees:
        by_branch.setdefault(nomination.branch_id, []).append(nomination)
        if nomination.member.user is not None:
            notify(
                recipient=nomination.member.user,
                title=f"祝贺您获评“{nomination.category.name}”",
                body=f"您在{campaign.title}中获评“{nomination.category.name}”。感谢您的付出，望再接再厉。",
                link=link,
                dedupe_key=f"awards:honour:{nomination.pk}",
            )
    secretaries = Appointment.objects.filter(role=Role.SECRETARY, organization_id__in=by_branch).select_related(
        "user", "organization"
    )
    for appointment in secretaries:
        names = "、".join(f"{n.member.name}（{n.category.name}）" for n in by_branch[appointment.organization_id])
        notify(
            recipient=appointment.user,
            title=f"{campaign.title}：本支部 {len(by_branch[appointment.organization_id])} 人获表彰",
            body=f"{appointment.organization.name}获表彰党员：{names}。",
            link=link,
            dedupe_key=f"awards:branch:{campaign.pk}:{appointment.organization_id}:{appointment.user_id}",
        )


@transaction.atomic
def cancel_campaign(*, campaign_id: int, by: User, reason: str) -> AwardCampaign:
    campaign = _locked_campaign(campaign_id)
    _require_manager(by, campaign)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写取消原因", field="reason")
    _move_campaign(campaign, to=CampaignStatus.CANCELLED, by=by, comment=reason)
    campaign.cancel_reason = reason[:200]
    campaign.save(update_fields=["status", "cancel_reason"])
    return campaign


# ---------------------------------------------------------------- nominations


@transaction.atomic
def nominate(
    *,
    by: User,
    campaign_id: int,
    category_id: int,
    member_id: int,
    deeds: str,
    meeting_date: dt.date,
    attendees: int,
    votes_for: int,
    votes_against: int = 0,
    votes_abstain: int = 0,
    today: dt.date | None = None,
) -> Nomination:
    """A secretary puts a member of their branch forward, with the deeds and the branch meeting's vote."""
    today = today or timezone.localdate()
    campaign = _locked_campaign(campaign_id)
    if campaign.status != CampaignStatus.COLLECTING:
        raise DomainError(f"该评选当前为“{campaign.get_status_display()}”，已不接受推荐")
    if today > campaign.nomination_deadline:
        raise DomainError(f"推荐已于 {campaign.nomination_deadline:%Y年%m月%d日} 截止")
    # The category row is locked so two secretaries cannot both take the last place of a quota.
    category = AwardCategory.objects.select_for_update().filter(campaign=campaign, pk=category_id).first()
    if category is None:
        raise DomainError("请选择本次评选的表彰类别", field="category")
    member = Member.objects.select_related("organization").filter(pk=member_id).first()
    branches = permissions.nominating_branches(by, campaign)
    if member is None or not branches.filter(pk=member.organization_id).exists():
        raise DomainError("只能推荐本支部的党员", field="member")
    if not member.is_on_roll:
        raise DomainError(f"{member.name}已{member.get_state_display()}，不能推荐", field="member")
    if member.is_under_discipline:
        raise DomainError(f"{member.name}处于处分影响期内，不能推荐", field="member")
    if Nomination.objects.filter(category=category, member=member).exists():
        raise DomainError(f"{member.name}已被推荐为“{category.name}”，同一党员同一类别只能推荐一次", field="member")
    _check_vote(
        meeting_date=meeting_date,
        attendees=attendees,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        today=today,
    )
    counted = category.nominations.counting_against_quota()
    if category.quota_per_branch and counted.filter(branch=member.organization).count() >= category.quota_per_branch:
        raise DomainError(
            f"“{category.name}”每支部限推荐 {category.quota_per_branch} 名，本支部名额已满", field="category"
        )
    if category.quota_total and counted.count() >= category.quota_total:
        raise DomainError(f"“{category.name}”总名额 {category.quota_total} 名已满", field="category")
    deeds = deeds.strip()
    if len(deeds) < 20:
        raise DomainError("请填写主要事迹（不少于20字）", field="deeds")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                campaign=campaign,
                category=category,
                member=member,
                branch=member.organization,
                deeds=deeds,
                meeting_date=meeting_date,
                attendees=attendees,
                votes_for=votes_for,
                votes_against=votes_against,
                votes_abstain=votes_abstain,
                nominated_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(f"{member.name}已被推荐为“{category.name}”", field="member") from exc
    AwardEvent.objects.create(
        campaign=campaign,
        nomination=nomination,
        actor=by,
        to_status=NominationStatus.SUBMITTED,
        comment=f"{member.organization.name}推荐",
    )
    return nomination


def _check_vote(*, meeting_date, attendees, votes_for, votes_against, votes_abstain, today) -> None:
    if meeting_date > today:
        raise DomainError("支部党员大会日期不能晚于今天", field="meeting_date")
    if attendees <= 0:
        raise DomainError("请填写到会党员人数", field="attendees")
    if votes_for + votes_against + votes_abstain > attendees:
        raise DomainError("赞成、反对、弃权票之和不能超过到会人数", field="votes_for")
    if votes_for * 2 <= attendees:
        raise DomainError("推荐须经到会党员半数以上同意", field="votes_for")


@transaction.atomic
def withdraw_nomination(*, nomination_id: int, by: User) -> None:
    """A secretary takes a nomination back while the campaign still collects (the place is freed)."""
    nomination = Nomination.objects.select_for_update().select_related("campaign__organizer").get(pk=nomination_id)
    if nomination.campaign.status != CampaignStatus.COLLECTING:
        raise DomainError("推荐已截止，不能撤回")
    if not permissions.can_withdraw(by, nomination):
        raise PermissionDenied
    AwardEvent.objects.create(
        campaign=nomination.campaign,
        actor=by,
        from_status=nomination.status,
        to_status=WITHDRAWN,
        comment=f"{nomination.member}（{nomination.category}）",
    )
    nomination.delete()


@transaction.atomic
def review_nomination(*, nomination_id: int, by: User, approve: bool, comment: str = "") -> Nomination:
    nomination = (
        Nomination.objects.select_for_update().select_related("campaign__organizer", "member").get(pk=nomination_id)
    )
    campaign = nomination.campaign
    _require_manager(by, campaign)
    if campaign.status != CampaignStatus.REVIEWING:
        raise DomainError(f"评选当前为“{campaign.get_status_display()}”，不在评审阶段")
    comment = comment.strip()
    if not approve and not comment:
        raise DomainError("不通过时请填写理由", field="comment")
    _move_nomination(
        nomination, to=NominationStatus.APPROVED if approve else NominationStatus.REJECTED, by=by, comment=comment
    )
    nomination.review_comment = comment[:300]
    nomination.reviewed_by = by
    nomination.reviewed_at = timezone.now()
    nomination.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    if not approve and nomination.nominated_by_id:
        notify(
            recipient=nomination.nominated_by,
            title=f"对{nomination.member.name}的推荐未通过评审",
            body=f"{campaign.title}：{comment}",
            about=nomination,
            dedupe_key=f"awards:rejected:{nomination.pk}",
        )
    return nomination


# ---------------------------------------------------------------- objections


@transaction.atomic
def raise_objection(*, nomination_id: int, by: User, reason: str, today: dt.date | None = None) -> Objection:
    today = today or timezone.localdate()
    nomination = Nomination.objects.select_related("campaign__organizer", "member", "category").get(pk=nomination_id)
    campaign = nomination.campaign
    if campaign.status != CampaignStatus.NOTICE or nomination.status != NominationStatus.APPROVED:
        raise DomainError("该名单不在公示期，不能提出异议")
    if today > campaign.notice_ends_on:
        raise DomainError(f"公示已于 {campaign.notice_ends_on:%Y年%m月%d日} 期满")
    member = permissions.objecting_member(by, campaign)
    if member is None:
        raise DomainError("只有本单位在册党员可以对公示名单提出异议")
    if member.pk == nomination.member_id:
        raise DomainError("不能对本人的公示提出异议")
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError("请具体写明异议内容", field="reason")
    if Objection.objects.filter(nomination=nomination, raised_by=by).exists():
        raise DomainError("您已对该公示对象提出过异议，组织部正在核实")
    objection = Objection.objects.create(nomination=nomination, raised_by=by, reason=reason)
    for appointment in Appointment.objects.filter(
        role=Role.ORG_DEPT, organization_id=campaign.organizer_id
    ).select_related("user"):
        notify(
            recipient=appointment.user,
            title=f"{campaign.title}公示收到异议",
            body=f"有党员对{nomination.member.name}（{nomination.category.name}）提出异议，请核实处理。",
            about=nomination,
            todo=True,
            dedupe_key=f"awards:objection:{objection.pk}:{appointment.user_id}",
        )
    return objection


@transaction.atomic
def resolve_objection(*, objection_id: int, by: User, upheld: bool, resolution: str) -> Objection:
    """异议成立 takes the nominee off the list; 不成立 keeps them. Either way the raiser is told."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("nomination__campaign__organizer", "nomination__member", "nomination__category")
        .get(pk=objection_id)
    )
    nomination = objection.nomination
    _require_manager(by, nomination.campaign)
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError("该异议已处理")
    if nomination.campaign.status != CampaignStatus.NOTICE:
        raise DomainError("评选已不在公示阶段")
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("请填写核实情况和处理意见", field="resolution")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.resolution = resolution[:300]
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    if upheld:
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status == NominationStatus.APPROVED:
            _move_nomination(nomination, to=NominationStatus.REJECTED, by=by, comment=f"公示异议成立：{resolution}")
            nomination.review_comment = f"公示异议成立：{resolution}"[:300]
            nomination.save(update_fields=["status", "review_comment"])
    settle(about=nomination, note=f"异议已处理：{objection.get_status_display()}")
    notify(
        recipient=objection.raised_by,
        title="您提出的公示异议已处理",
        body=f"{objection.get_status_display()}：{resolution}",
        link=objection.nomination.campaign.get_absolute_url(),
        dedupe_key=f"awards:objection-resolved:{objection.pk}",
    )
    return objection


# ---------------------------------------------------------------- the daily job


def run_daily(*, day: dt.date) -> dict[str, int]:
    """Close nominations past their deadline and publish campaigns whose notice ended without open
    objections. Anything that fell due while the job was not running is caught up; a campaign already
    moved is skipped, so a second run does nothing."""
    closed = published = 0
    for campaign_id in AwardCampaign.objects.filter(
        status=CampaignStatus.COLLECTING, nomination_deadline__lt=day
    ).values_list("pk", flat=True):
        try:
            close_nominations(campaign_id=campaign_id, by=None, today=day)
            closed += 1
        except DomainError:
            pass
    for campaign_id in AwardCampaign.objects.filter(status=CampaignStatus.NOTICE, notice_ends_on__lt=day).values_list(
        "pk", flat=True
    ):
        try:
            publish(campaign_id=campaign_id, by=None, today=day)
            published += 1
        except DomainError:
            pass  # open objections: published once the organization department resolves them
    return {"截止推荐": closed, "发布表彰": published}
