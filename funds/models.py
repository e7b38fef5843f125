"""关怀基金 (the care fund ledger) and 帮扶申请 (assistance applications with their 公示).

Money rules live twice: in `services.py`, which answers in Chinese, and here as database constraints,
so that nothing — a bug, a shell session, a second click — can overdraw a fund or pay twice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from core.audit import Audited
from core.workflow import Transitions
from members.models import Member, Organization
from members.scoping import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class ImmutableError(Exception):
    """A ledger line or a recorded event was about to be changed or deleted."""


class FundQuerySet(ScopedQuerySet):
    access_kind = "fund"


class Fund(Audited, models.Model):
    """关怀基金专户 of one organization. `balance` is kept by the services and equals the sum of entries."""

    organization = models.OneToOneField(
        Organization, verbose_name="所属组织", on_delete=models.PROTECT, related_name="care_fund"
    )
    name = models.CharField("账户名称", max_length=100, default="党内关怀基金专户")
    balance = models.DecimalField("余额（元）", **MONEY, default=ZERO, editable=False)
    created_at = models.DateTimeField("设立时间", auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = "关怀基金"
        verbose_name_plural = "关怀基金"
        ordering = ["organization__path"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="fund_balance_not_negative")]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("funds:ledger", args=[self.pk])

    def audit_org_path(self) -> str:
        return self.organization.path


class Source(models.TextChoices):
    FISCAL = "fiscal", "财政拨款"
    SUPERIOR = "superior", "上级支持"
    DUES = "dues", "党费划拨"
    DONATION = "donation", "党员捐助"
    OTHER = "other", "其他"


class FundEntryQuerySet(ScopedQuerySet):
    """Ledger lines are written one at a time by the services; no bulk path exists."""

    access_kind = "fund"
    org_field = "fund__organization"

    def update(self, **kwargs):
        raise ImmutableError("账目一经记载不能修改，请登记冲正分录")

    def delete(self):
        raise ImmutableError("账目一经记载不能删除，请登记冲正分录")

    def bulk_create(self, *args, **kwargs):
        raise ImmutableError("账目只能由基金服务逐笔登记")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableError("账目一经记载不能修改，请登记冲正分录")


class FundEntry(Audited, models.Model):
    """One immutable ledger line. Income is positive, expense and reversals of income negative."""

    class Kind(models.TextChoices):
        INCOME = "income", "收入"
        EXPENSE = "expense", "支出"
        REVERSAL = "reversal", "冲正"

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    source = models.CharField("收入来源", max_length=10, choices=Source.choices, blank=True)
    donor = models.CharField("捐助人", max_length=100, blank=True)
    amount = models.DecimalField("金额（元）", **MONEY)
    occurred_on = models.DateField("发生日期")
    application = models.OneToOneField(
        "AssistanceApplication", verbose_name="帮扶申请", null=True, blank=True, on_delete=models.PROTECT,
        related_name="payment",
    )
    reverses = models.OneToOneField(
        "self", verbose_name="冲正的分录", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField("摘要", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "基金账目"
        verbose_name_plural = "基金账目"
        ordering = ["-id"]
        indexes = [models.Index(fields=["fund", "occurred_on"], name="fundentry_fund_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="income", amount__gt=0, application__isnull=True, reverses__isnull=True)
                    & ~Q(source="")
                ) | Q(kind="expense", amount__lt=0, application__isnull=False, reverses__isnull=True, source="")
                | (Q(kind="reversal", reverses__isnull=False, application__isnull=True) & ~Q(amount=0)),
                name="fundentry_kind_shape",
            ),
            models.CheckConstraint(
                condition=~Q(source="donation") | ~Q(donor=""), name="fundentry_donation_names_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} 元（{self.occurred_on:%Y-%m-%d}）"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("账目一经记载不能修改，请登记冲正分录")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("账目一经记载不能删除，请登记冲正分录")

    @property
    def source_label(self) -> str:
        if self.kind == self.Kind.EXPENSE and self.application_id:
            return self.application.get_kind_display()
        return self.get_source_display()

    def audit_org_path(self) -> str:
        return self.fund.organization.path


class Kind(models.TextChoices):
    LIVING = "living", "生活困难补助"
    ILLNESS = "illness", "重病救助"
    DISASTER = "disaster", "重灾救助"
    EDUCATION = "education", "子女助学"
    TEMPORARY = "temporary", "临时救助"
    ANNUAL = "annual", "年度困难补助"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    BRANCH_REVIEWED = "branch_reviewed", "支部已评议"
    APPROVED = "approved", "党委已审批"
    IN_NOTICE = "in_notice", "公示中"
    OBJECTION = "objection", "异议处理中"
    NOTICE_PASSED = "notice_passed", "公示无异议"
    DISBURSED = "disbursed", "已发放"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


WORKFLOW = Transitions(
    {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.BRANCH_REVIEWED, Status.APPROVED, Status.REJECTED, Status.RETURNED,
                           Status.WITHDRAWN},
        Status.RETURNED: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.BRANCH_REVIEWED: {Status.APPROVED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN},
        Status.APPROVED: {Status.IN_NOTICE},
        Status.IN_NOTICE: {Status.OBJECTION, Status.NOTICE_PASSED},
        Status.OBJECTION: {Status.IN_NOTICE, Status.REJECTED},
        Status.NOTICE_PASSED: {Status.DISBURSED},
    },
    labels=dict(Status.choices),
)

# Amounts that count against the member's yearly cap: approved and not (yet) refused.
COMMITTED_STATUSES = (Status.APPROVED, Status.IN_NOTICE, Status.OBJECTION, Status.NOTICE_PASSED, Status.DISBURSED)
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.BRANCH_REVIEWED, Status.APPROVED,
                 Status.IN_NOTICE, Status.OBJECTION, Status.NOTICE_PASSED)


def _bounds_constraints() -> list[models.CheckConstraint]:
    """Per-kind amount bounds from settings, also as database constraints on both amounts."""
    condition_requested = Q()
    condition_approved = Q(amount_approved__isnull=True)
    parts_requested = []
    parts_approved = []
    for kind, (low, high) in settings.CARE["APPLICATION_AMOUNT_BOUNDS"].items():
        low, high = Decimal(low), Decimal(high)
        parts_requested.append(Q(kind=kind, amount_requested__gte=low, amount_requested__lte=high))
        parts_approved.append(Q(kind=kind, amount_approved__gte=low, amount_approved__lte=high))
    for part in parts_requested:
        condition_requested = part if not condition_requested else condition_requested | part
    for part in parts_approved:
        condition_approved |= part
    return [
        models.CheckConstraint(condition=condition_requested, name="application_requested_within_bounds"),
        models.CheckConstraint(condition=condition_approved, name="application_approved_within_bounds"),
    ]


class ApplicationQuerySet(ScopedQuerySet):
    """Applications under the user's organizations, plus their own and those they submitted."""

    access_kind = "application"
    own_fields = ("member__user", "submitted_by")


class AssistanceApplication(Audited, models.Model):
    """帮扶申请: who asks, for what, how much, and where it stands in the workflow."""

    fund = models.ForeignKey(Fund, verbose_name="支付基金", on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(Member, verbose_name="申请人", on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(
        Organization, verbose_name="所在支部", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField("申请类别", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    amount_requested = models.DecimalField("申请金额（元）", **MONEY)
    amount_approved = models.DecimalField("批准金额（元）", **MONEY, null=True, blank=True)
    reason = models.TextField("申请理由")
    is_emergency = models.BooleanField("紧急救助（先审批后补开支部大会）", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField("进入当前状态时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # 支部党员大会评议
    meeting_on = models.DateField("支部大会日期", null=True, blank=True)
    meeting_attendees = models.PositiveSmallIntegerField("到会人数", null=True, blank=True)
    meeting_attendee_names = models.TextField("到会人员", blank=True)
    votes_for = models.PositiveSmallIntegerField("赞成", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("反对", null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField("弃权", null=True, blank=True)
    meeting_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="会议记录人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # 党委审批
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见/驳回理由", blank=True)
    # 公示
    notice_starts_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    # 发放
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    disbursed_at = models.DateTimeField("发放时间", null=True, blank=True)
    batch = models.ForeignKey(
        "DisbursementBatch", verbose_name="发放批次", null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶申请"
        verbose_name_plural = "帮扶申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "year"], name="application_member_year_idx"),
            models.Index(fields=["status", "status_changed_at"], name="application_status_since_idx"),
            models.Index(fields=["-status_changed_at", "-id"], name="application_recent_idx"),  # the list's order
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="application_requested_positive"),
            *_bounds_constraints(),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="application_submitter_does_not_approve",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_by__isnull=True) | Q(approved_by__isnull=True)
                | ~Q(disbursed_by=F("approved_by")),
                name="application_approver_does_not_disburse",
            ),
            models.CheckConstraint(
                condition=Q(meeting_attendees__isnull=True)
                | Q(votes_for__isnull=False, votes_against__isnull=False, votes_abstain__isnull=False,
                    meeting_attendees__gte=F("votes_for") + F("votes_against") + F("votes_abstain")),
                name="application_votes_within_attendance",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=COMMITTED_STATUSES)
                | Q(amount_approved__isnull=False, approved_by__isnull=False),
                name="application_committed_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="disbursed") | Q(disbursed_by__isnull=False, disbursed_at__isnull=False),
                name="application_disbursed_has_payer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.get_kind_display()} · {self.amount_requested} 元"

    def get_absolute_url(self) -> str:
        return reverse("funds:application", args=[self.pk])

    @property
    def meeting_recorded(self) -> bool:
        return self.meeting_on is not None

    @property
    def meeting_passed(self) -> bool:
        return self.meeting_recorded and self.votes_for * 2 > self.meeting_attendees

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def audit_org_path(self) -> str:
        return self.organization.path


class ApplicationVersion(models.Model):
    """What was submitted each time: a returned application resubmitted keeps both versions."""

    application = models.ForeignKey(
        AssistanceApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField("版本")
    kind = models.CharField("申请类别", max_length=20, choices=Kind.choices)
    amount_requested = models.DecimalField("申请金额（元）", **MONEY)
    reason = models.TextField("申请理由")
    is_emergency = models.BooleanField("紧急救助", default=False)
    attachment_names = models.JSONField("附件", default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请版本"
        verbose_name_plural = "申请版本"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="application_version_unique"),
        ]

    def __str__(self) -> str:
        return f"第 {self.number} 版"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("已提交的版本不能修改")
        super().save(*args, **kwargs)


class ApplicationEvent(Audited, models.Model):
    """One step of the timeline: who moved the application from where to where, when, and why."""

    application = models.ForeignKey(
        AssistanceApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT,
                              related_name="+")
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    comment = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请流转记录"
        verbose_name_plural = "申请流转记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("流转记录不能修改")
        super().save(*args, **kwargs)

    @property
    def actor_name(self) -> str:
        return self.actor.display_name if self.actor_id else "系统"

    def audit_org_path(self) -> str:
        return self.application.organization.path


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    return f"funds/attachments/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPG"
        PNG = "image/png", "PNG"

    application = models.ForeignKey(
        AssistanceApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=30, choices=ContentType.choices)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请附件"
        verbose_name_plural = "申请附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(self.content_type, "")


class Objection(Audited, models.Model):
    """异议: raised by a member during the notice, resolved by the organization department."""

    class Outcome(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    application = models.ForeignKey(
        AssistanceApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间", auto_now_add=True)
    outcome = models.CharField("处理结果", max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "raised_by"], condition=Q(outcome="open"), name="objection_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} 号申请的异议（{self.get_outcome_display()}）"

    def audit_org_path(self) -> str:
        return self.application.organization.path


class DisbursementBatch(models.Model):
    """A batch of payments made in one action (before 春节 or 七一), printed as the 发放清单."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT, related_name="batches")
    title = models.CharField("批次名称", max_length=100)
    total = models.DecimalField("合计（元）", **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发放时间", auto_now_add=True)

    class Meta:
        verbose_name = "批量发放"
        verbose_name_plural = "批量发放"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funds:batch", args=[self.pk])
