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

from core import clock, formats
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
    created_at = models.DateTimeField("设立时间", default=clock.now)

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


NO_PURPOSE = {"application__isnull": True, "visit__isnull": True, "pairing_progress__isnull": True}


class Use(models.TextChoices):
    """What an expense paid for, besides the kinds of application (the summary's 支出用途)."""

    VISIT = "visit", "走访慰问"
    PAIRING = "pairing", "结对帮扶"


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
        "AssistanceApplication",
        verbose_name="帮扶申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    # 走访慰问 and 结对帮扶 paid from the fund (seed 004 第五篇: 救助金用于……走访慰问).
    visit = models.OneToOneField(
        "visits.Visit",
        verbose_name="走访慰问",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_payment",
    )
    pairing_progress = models.OneToOneField(
        "hardship.PairingProgress",
        verbose_name="结对帮扶进展",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_payment",
    )
    reverses = models.OneToOneField(
        "self", verbose_name="冲正的分录", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField("摘要", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=clock.now)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "基金账目"
        verbose_name_plural = "基金账目"
        ordering = ["-id"]
        indexes = [models.Index(fields=["fund", "occurred_on"], name="fundentry_fund_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="income", amount__gt=0, reverses__isnull=True, **NO_PURPOSE) & ~Q(source=""))
                | (
                    Q(kind="expense", amount__lt=0, reverses__isnull=True, source="")
                    & (
                        Q(application__isnull=False, visit__isnull=True, pairing_progress__isnull=True)
                        | Q(application__isnull=True, visit__isnull=False, pairing_progress__isnull=True)
                        | Q(application__isnull=True, visit__isnull=True, pairing_progress__isnull=False)
                    )
                )
                | (Q(kind="reversal", reverses__isnull=False, **NO_PURPOSE) & ~Q(amount=0)),
                name="fundentry_kind_shape",
            ),
            models.CheckConstraint(
                condition=~Q(source="donation") | ~Q(donor=""), name="fundentry_donation_names_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {formats.money(self.amount)} 元（{self.occurred_on:%Y-%m-%d}）"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("账目一经记载不能修改，请登记冲正分录")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("账目一经记载不能删除，请登记冲正分录")

    @property
    def source_label(self) -> str:
        """来源/用途: the source of income, or what an expense (or the recovery of one) paid for."""
        entry = self.reverses if self.kind == self.Kind.REVERSAL and not self.source else self
        if entry.application_id:
            return entry.application.get_kind_display()
        if entry.visit_id:
            return Use.VISIT.label
        if entry.pairing_progress_id:
            return Use.PAIRING.label
        return self.get_source_display()

    def audit_org_path(self) -> str:
        return self.fund.organization.path


class Kind(models.TextChoices):
    LIVING = "living", "生活救济补助"
    ILLNESS = "illness", "重病救助"
    DISASTER = "disaster", "重灾救助"
    EDUCATION = "education", "子女助学"
    TEMPORARY = "temporary", "临时救助"
    # Seed 000 第一篇五/第二篇四: 年老无固定收入、丧失劳动能力或因病因灾致贫的生活比较困难党员，统一登记建档，
    # 每年安排200-300元的生活困难补助. One a year, for members on the ledger in one of those categories.
    ANNUAL = "annual", "年度生活困难补助"


# The ledger categories (hardship.HardshipCategory codes) that make a member eligible for ANNUAL.
ANNUAL_SUBSIDY_CATEGORIES = ("old_no_income", "lost_capacity", "illness", "disaster")
# Per-kind amount bounds a new fund starts with (元); the organization department changes them per fund.
DEFAULT_AMOUNT_BOUNDS = {
    "living": ("50.00", "5000.00"),
    "illness": ("100.00", "20000.00"),
    "disaster": ("100.00", "20000.00"),
    "education": ("100.00", "10000.00"),
    "temporary": ("50.00", "3000.00"),
    "annual": ("200.00", "300.00"),
}


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
    # 紧急救助: the branch meeting held afterwards did not pass it; the 党委 decides.
    RECONSIDERATION = "reconsideration", "待党委复议"
    RECOVERY_DUE = "recovery_due", "待追回资金"
    RECOVERED = "recovered", "已追回"


# Where an application may stand while the 党委 reconsiders it, and so where it may go back to.
RECONSIDERABLE = (Status.IN_NOTICE, Status.OBJECTION, Status.NOTICE_PASSED, Status.DISBURSED)

WORKFLOW = Transitions(
    {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.BRANCH_REVIEWED, Status.APPROVED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN},
        Status.RETURNED: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.BRANCH_REVIEWED: {Status.APPROVED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN},
        Status.APPROVED: {Status.IN_NOTICE},
        Status.IN_NOTICE: {Status.OBJECTION, Status.NOTICE_PASSED, Status.RECONSIDERATION},
        Status.OBJECTION: {Status.IN_NOTICE, Status.REJECTED, Status.RECONSIDERATION},
        Status.NOTICE_PASSED: {Status.DISBURSED, Status.RECONSIDERATION},
        Status.DISBURSED: {Status.RECONSIDERATION},
        Status.RECONSIDERATION: {*RECONSIDERABLE, Status.REJECTED, Status.RECOVERY_DUE},
        Status.RECOVERY_DUE: {Status.RECOVERED},
    },
    labels=dict(Status.choices),
)

# Amounts that count against the member's yearly cap: approved and not (yet) refused or recovered.
COMMITTED_STATUSES = (
    Status.APPROVED,
    Status.IN_NOTICE,
    Status.OBJECTION,
    Status.NOTICE_PASSED,
    Status.DISBURSED,
    Status.RECONSIDERATION,
    Status.RECOVERY_DUE,
)
# Applications that no longer stand: a second one of the same kind and year may be made.
ENDED_WITHOUT_PAYMENT = (Status.REJECTED, Status.WITHDRAWN, Status.RECOVERED)
# The 公示 is running: its end moves when the working-day calendar changes.
NOTICE_RUNNING = (Status.IN_NOTICE, Status.OBJECTION)


class ApplicationQuerySet(ScopedQuerySet):
    """Applications under the user's organizations, plus their own and those they submitted."""

    access_kind = "application"
    own_fields = ("member__user", "submitted_by")


class AssistanceApplication(Audited, models.Model):
    """帮扶申请: who asks, for what, how much, and where it stands in the workflow."""

    fund = models.ForeignKey(Fund, verbose_name="支付基金", on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(
        Member, verbose_name="申请人", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # A 困难党员 of a 互联共建单位: not on the roster, named here with the partner unit.
    partner_unit = models.ForeignKey(
        "PartnerUnit",
        verbose_name="互联共建单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    recipient_name = models.CharField("共建单位困难党员姓名", max_length=50, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="所在支部",
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="申请人所在支部；互联共建单位的困难党员为负责联系该单位的支部",
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
    meeting_roster_count = models.PositiveSmallIntegerField(
        "应到会人数（名册）",
        null=True,
        blank=True,
        help_text="会议当天名册中该支部有表决权的正式党员人数，到会须超过其半数",
    )
    meeting_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="会议记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A secretary recording the meeting on an application they filled in themself needs a second
    # committee member (or the organization department) to confirm the record before it counts.
    meeting_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="会议记录确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting_confirmed_at = models.DateTimeField("会议记录生效时间", null=True, blank=True)
    # 党委审批
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见/驳回理由", blank=True)
    # 公示
    notice_starts_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    notice_working_days = models.PositiveSmallIntegerField("公示工作日数", null=True, blank=True)
    # 党委复议 (emergency approved, then not passed by the branch meeting): the status it stood in.
    held_status = models.CharField("复议前状态", max_length=20, choices=Status.choices, blank=True)
    # 发放
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发放人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disbursed_at = models.DateTimeField("发放时间", null=True, blank=True)
    batch = models.ForeignKey(
        "DisbursementBatch",
        verbose_name="发放批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    created_at = models.DateTimeField("创建时间", default=clock.now)

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
            # Per-kind bounds are data (AmountBound, checked by the services under the fund's lock);
            # what holds for every kind and every fund is here.
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="application_requested_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="application_approved_positive",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False, partner_unit__isnull=True, recipient_name="")
                | (Q(member__isnull=True, partner_unit__isnull=False) & ~Q(recipient_name="")),
                name="application_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(kind="annual") | Q(member__isnull=False), name="application_annual_subsidy_for_members"
            ),
            # 每年安排200-300元的生活困难补助: one a year per member, whatever else is pending or paid.
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=Q(kind="annual") & ~Q(status__in=ENDED_WITHOUT_PAYMENT),
                name="application_one_annual_subsidy_a_year",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="application_submitter_does_not_approve",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_by__isnull=True)
                | Q(approved_by__isnull=True)
                | ~Q(disbursed_by=F("approved_by")),
                name="application_approver_does_not_disburse",
            ),
            models.CheckConstraint(
                condition=Q(meeting_attendees__isnull=True)
                | Q(
                    votes_for__isnull=False,
                    votes_against__isnull=False,
                    votes_abstain__isnull=False,
                    meeting_attendees__gte=F("votes_for") + F("votes_against") + F("votes_abstain"),
                ),
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
        return f"{self.recipient_label} · {self.get_kind_display()} · {formats.money(self.amount_requested)} 元"

    def get_absolute_url(self) -> str:
        return reverse("funds:application", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        """Whom a notification about it names: the recipient, and the branch that applied."""
        return self.recipient_label, self.organization.name

    @property
    def recipient_label(self) -> str:
        """Who the money is for: a member's name, or a partner unit's member with the unit."""
        if self.member_id:
            return self.member.name
        return f"{self.recipient_name}（{self.partner_unit.name}）"

    @property
    def is_partner_recipient(self) -> bool:
        return self.partner_unit_id is not None

    @property
    def meeting_recorded(self) -> bool:
        return self.meeting_on is not None

    @property
    def meeting_awaiting_confirmation(self) -> bool:
        return self.meeting_recorded and self.meeting_confirmed_at is None

    @property
    def meeting_passed(self) -> bool:
        return self.meeting_recorded and self.votes_for * 2 > self.meeting_attendees

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
    submitted_at = models.DateTimeField("提交时间", default=clock.now)

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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    comment = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", default=clock.now)

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
    uploaded_at = models.DateTimeField("上传时间", default=clock.now)

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
    raised_at = models.DateTimeField("提出时间", default=clock.now)
    outcome = models.CharField("处理结果", max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
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
    created_at = models.DateTimeField("发放时间", default=clock.now)

    class Meta:
        verbose_name = "批量发放"
        verbose_name_plural = "批量发放"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funds:batch", args=[self.pk])


class CommitteeDecision(Audited, models.Model):
    """党委研究: the 党委 meeting that decided an application (seed 000 第三篇 第七条: 提交党委研究), recorded
    by the organization department. An approval and each reconsideration has one; it is never edited."""

    class Purpose(models.TextChoices):
        APPROVAL = "approval", "审批"
        CONFIRM = "confirm", "复议：维持批准"
        REVOKE = "revoke", "复议：撤销批准"

    class MeetingKind(models.TextChoices):
        COMMITTEE = "committee", "党委会议"
        STANDING = "standing", "党委常委会议"
        EMERGENCY = "emergency", "党委书记专题会议（紧急救助）"

    application = models.ForeignKey(
        AssistanceApplication, verbose_name="申请", on_delete=models.CASCADE, related_name="decisions"
    )
    purpose = models.CharField("事项", max_length=10, choices=Purpose.choices)
    meeting_on = models.DateField("会议日期")
    meeting_kind = models.CharField("会议类型", max_length=10, choices=MeetingKind.choices)
    reference = models.CharField("会议纪要或决定文号", max_length=100)
    note = models.TextField("决定内容", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", default=clock.now)

    class Meta:
        verbose_name = "党委研究决定"
        verbose_name_plural = "党委研究决定"
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_on:%Y-%m-%d}{self.get_meeting_kind_display()}（{self.reference}）"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("党委研究决定一经记录不能修改")
        super().save(*args, **kwargs)

    def audit_org_path(self) -> str:
        return self.application.organization.path


class AmountBound(Audited, models.Model):
    """The amounts a fund pays for one kind of application, set by the organization department.
    The services check both the requested and the approved amount against it, under its row lock."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.CASCADE, related_name="amount_bounds")
    kind = models.CharField("申请类别", max_length=20, choices=Kind.choices)
    minimum = models.DecimalField("最低（元）", **MONEY)
    maximum = models.DecimalField("最高（元）", **MONEY)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("设定时间", default=clock.now)

    class Meta:
        verbose_name = "申请金额标准"
        verbose_name_plural = "申请金额标准"
        ordering = ["fund", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind"], name="amount_bound_one_per_kind"),
            models.CheckConstraint(condition=Q(minimum__gt=0) & Q(maximum__gte=F("minimum")), name="amount_bound_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {formats.money(self.minimum)}–{formats.money(self.maximum)} 元"

    def audit_org_path(self) -> str:
        return self.fund.organization.path


class AmountBoundChange(models.Model):
    """History of a bound: who changed it, from what to what, when and why."""

    bound = models.ForeignKey(AmountBound, verbose_name="金额标准", on_delete=models.CASCADE, related_name="changes")
    old_minimum = models.DecimalField("原最低", **MONEY, null=True, blank=True)
    old_maximum = models.DecimalField("原最高", **MONEY, null=True, blank=True)
    new_minimum = models.DecimalField("新最低", **MONEY)
    new_maximum = models.DecimalField("新最高", **MONEY)
    reason = models.CharField("调整依据", max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("调整时间", default=clock.now)

    class Meta:
        verbose_name = "金额标准调整记录"
        verbose_name_plural = "金额标准调整记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bound.get_kind_display()} {self.changed_at:%Y-%m-%d}"


class FundTarget(Audited, models.Model):
    """The year's fund-raising target the 党委 sets (seed 000 第二篇一: 筹集5000元资金)."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("筹集目标（元）", **MONEY)
    decision_ref = models.CharField("党委决定依据", max_length=100, help_text="如：党委会议纪要〔2027〕1号")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField("设定时间", default=clock.now)

    class Meta:
        verbose_name = "年度筹集目标"
        verbose_name_plural = "年度筹集目标"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="fund_target_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年筹集目标 {formats.money(self.amount)} 元"

    def audit_org_path(self) -> str:
        return self.fund.organization.path


class PartnerUnit(Audited, models.Model):
    """互联共建单位 named on the fund (seed 000: 用于解决本单位和互联共建单位困难党员的实际问题). Its
    困难党员 are not on our roster; the branch that keeps the 共建 relationship files and reviews their
    applications, which go through the same approval and 公示."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.CASCADE, related_name="partner_units")
    name = models.CharField("单位名称", max_length=100)
    liaison = models.ForeignKey(
        Organization,
        verbose_name="联系支部",
        on_delete=models.PROTECT,
        related_name="partner_units",
        help_text="负责与该单位共建的本单位党支部：由其书记填报申请、召开支部党员大会评议",
    )
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    is_active = models.BooleanField("共建中", default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField("登记时间", default=clock.now)

    class Meta:
        verbose_name = "互联共建单位"
        verbose_name_plural = "互联共建单位"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["fund", "name"], name="partner_unit_unique_name")]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.liaison.path
