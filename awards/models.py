"""表彰奖励: the annual commendation campaign (“优时有人奖”), its branch nominations, the public
notice with its objections, and the honour roll."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.audit import Audited
from core.workflow import Transitions
from members.models import Member, Organization
from members.scoping import ScopedQuerySet, ancestor_org_ids, covers_everything, org_ids

WITHDRAWN = "withdrawn"  # an event only: a withdrawn nomination is deleted, its place freed
DEFAULT_CATEGORIES = ("优秀共产党员", "优秀党务工作者", "党员兑现承诺先进个人")


class CampaignStatus(models.TextChoices):
    COLLECTING = "collecting", "征集中"
    REVIEWING = "reviewing", "评审中"
    NOTICE = "notice", "公示中"
    PUBLISHED = "published", "已表彰"
    CANCELLED = "cancelled", "已取消"


CAMPAIGN_FLOW = Transitions(
    {
        CampaignStatus.COLLECTING: {CampaignStatus.REVIEWING, CampaignStatus.CANCELLED},
        CampaignStatus.REVIEWING: {CampaignStatus.NOTICE, CampaignStatus.CANCELLED},
        CampaignStatus.NOTICE: {CampaignStatus.PUBLISHED, CampaignStatus.CANCELLED},
    },
    dict(CampaignStatus.choices),
)


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待评审"
    APPROVED = "approved", "评审通过"
    REJECTED = "rejected", "未通过"


NOMINATION_FLOW = Transitions(
    {
        NominationStatus.SUBMITTED: {NominationStatus.APPROVED, NominationStatus.REJECTED},
        # An objection upheld during the notice takes an approved nominee off the list.
        NominationStatus.APPROVED: {NominationStatus.REJECTED},
    },
    dict(NominationStatus.choices),
)


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view") -> CampaignQuerySet:
        """Campaigns the user oversees (the table's roles over the organizer), and, for the actions
        open to Party members, those run by an organization above the user's branch or role."""
        from members import access

        if not user.is_authenticated:
            return self.none()
        roles = access.real_roles("campaign", action)
        if user.is_superuser or (roles and covers_everything(user, *roles)):
            return self  # the organizer is NOT NULL and lies in the user's tree
        condition = Q(organizer__in=org_ids(user, *roles)) if roles else Q(pk__in=[])
        if access.admits_members("campaign", action):
            condition |= Q(organizer_id__in=ancestor_org_ids(user))
        return self.filter(condition)


class AwardCampaign(Audited, models.Model):
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("评选名称", max_length=100)
    organizer = models.ForeignKey(
        Organization, verbose_name="组织单位", on_delete=models.PROTECT, related_name="award_campaigns"
    )
    description = models.TextField("评选说明", blank=True, help_text="评选条件、推荐要求等，支部书记推荐时可见")
    nomination_deadline = models.DateField("推荐截止日期")
    status = models.CharField(
        "状态", max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.COLLECTING, db_index=True
    )
    notice_starts_on = models.DateField("公示开始日期", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止日期", null=True, blank=True)
    notice_working_days = models.PositiveSmallIntegerField("公示工作日数", null=True, blank=True)
    published_on = models.DateField("表彰日期", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "评选活动"
        verbose_name_plural = "评选活动"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "year"], condition=~Q(status="cancelled"), name="award_campaign_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(notice_ends_on__isnull=True) | Q(notice_ends_on__gte=models.F("notice_starts_on")),
                name="award_campaign_notice_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("awards:detail", args=[self.pk])

    @property
    def is_collecting(self) -> bool:
        return self.status == CampaignStatus.COLLECTING

    @property
    def is_in_notice(self) -> bool:
        return self.status == CampaignStatus.NOTICE

    @property
    def is_published(self) -> bool:
        return self.status == CampaignStatus.PUBLISHED

    @property
    def shows_list(self) -> bool:
        """The approved list is public from the notice on."""
        return self.status in (CampaignStatus.NOTICE, CampaignStatus.PUBLISHED)

    def audit_org_path(self) -> str:
        return self.organizer.path


class AwardCategory(Audited, models.Model):
    """One honour of a campaign with its quota: per branch, in total, or both."""

    campaign = models.ForeignKey(
        AwardCampaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField("表彰类别", max_length=50)
    quota_per_branch = models.PositiveSmallIntegerField("每支部名额", null=True, blank=True)
    quota_total = models.PositiveSmallIntegerField("总名额", null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "表彰类别"
        verbose_name_plural = "表彰类别"
        ordering = ["campaign_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="award_category_unique_name"),
            models.CheckConstraint(
                condition=Q(quota_per_branch__gt=0) | Q(quota_total__gt=0), name="award_category_has_quota"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quota_text(self) -> str:
        parts = []
        if self.quota_per_branch:
            parts.append(f"每支部 {self.quota_per_branch} 名")
        if self.quota_total:
            parts.append(f"总计 {self.quota_total} 名")
        return "，".join(parts)

    def audit_org_path(self) -> str:
        return self.campaign.organizer.path


class NominationQuerySet(ScopedQuerySet):
    """Nomination files (deeds, votes, review): the branches the user keeps, and the member's own."""

    access_kind = "nomination"
    org_field = "branch"
    own_fields = ("member__user",)

    def counting_against_quota(self) -> NominationQuerySet:
        return self.exclude(status=NominationStatus.REJECTED)

    def honours(self) -> NominationQuerySet:
        """Honours actually conferred: approved nominations of published campaigns."""
        return self.filter(status=NominationStatus.APPROVED, campaign__status=CampaignStatus.PUBLISHED)


class Nomination(Audited, models.Model):
    campaign = models.ForeignKey(
        AwardCampaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="nominations"
    )
    category = models.ForeignKey(
        AwardCategory, verbose_name="表彰类别", on_delete=models.PROTECT, related_name="nominations"
    )
    member = models.ForeignKey(Member, verbose_name="推荐对象", on_delete=models.PROTECT, related_name="nominations")
    # The branch at the time of nomination: quotas and scoping stay right if the member moves later.
    branch = models.ForeignKey(
        Organization, verbose_name="推荐支部", on_delete=models.PROTECT, related_name="award_nominations"
    )
    deeds = models.TextField("主要事迹")
    meeting_date = models.DateField("支部党员大会日期")
    attendees = models.PositiveSmallIntegerField("到会党员人数")
    votes_for = models.PositiveSmallIntegerField("赞成票")
    votes_against = models.PositiveSmallIntegerField("反对票", default=0)
    votes_abstain = models.PositiveSmallIntegerField("弃权票", default=0)
    status = models.CharField(
        "评审状态", max_length=20, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED, db_index=True
    )
    review_comment = models.CharField("评审意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评审人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("评审时间", null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("推荐时间", default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = "表彰推荐"
        verbose_name_plural = "表彰推荐"
        ordering = ["category__sort_order", "branch__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "member"], name="nomination_one_per_member_per_category"),
            models.CheckConstraint(
                condition=Q(votes_for__lte=models.F("attendees")), name="nomination_votes_within_attendees"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.category}"

    def get_absolute_url(self) -> str:
        return reverse("awards:nomination", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        return self.member.name, self.branch.name

    def audit_org_path(self) -> str:
        return self.branch.path


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(Audited, models.Model):
    """异议: raised by a member during the notice, resolved by the organization department."""

    nomination = models.ForeignKey(
        Nomination, verbose_name="公示对象", on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("异议内容")
    status = models.CharField(
        "处理状态", max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN, db_index=True
    )
    resolution = models.CharField("处理意见", max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "raised_by"], name="objection_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"对{self.nomination.member}的异议"

    def audit_org_path(self) -> str:
        return self.nomination.branch.path


class AwardEvent(models.Model):
    """Every state change of a campaign or a nomination: who, from, to, when, why."""

    campaign = models.ForeignKey(
        AwardCampaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="events"
    )
    nomination = models.ForeignKey(
        Nomination, verbose_name="推荐", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    comment = models.CharField("说明", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "状态记录"
        verbose_name_plural = "状态记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def summary(self) -> str:
        """How the timeline reads: “发起评选”, “提交推荐”, “评审中 → 公示中”."""
        if self.to_status == WITHDRAWN:
            return "撤回推荐"
        if not self.from_status:
            return "提交推荐" if self.nomination_id else "发起评选"
        names = {**CAMPAIGN_FLOW.labels, **NOMINATION_FLOW.labels}
        return f"{names.get(self.from_status, self.from_status)} → {names.get(self.to_status, self.to_status)}"
