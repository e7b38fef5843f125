"""Reports a unit submits to the organization above: the half-year pairing report and the annual
workbook, each kept as the workbook it was when submitted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.audit import Audited
from core.workflow import Transitions
from filings.periods import ANNUAL, HALF_YEAR, KIND_LABELS, Period
from members.models import Organization
from members.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    HALF_YEAR = HALF_YEAR, KIND_LABELS[HALF_YEAR]
    ANNUAL = ANNUAL, KIND_LABELS[ANNUAL]


class Status(models.TextChoices):
    PENDING = "pending", "未报送"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已接收"


TRANSITIONS = Transitions(
    {
        Status.PENDING: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.RETURNED, Status.ACCEPTED},
        Status.RETURNED: {Status.SUBMITTED},
    },
    Status.choices,
)

HALF_CHOICES = [(0, "—"), (1, "上半年"), (2, "下半年")]


class FilingDeadline(Audited, models.Model):
    """A due date the 组织部 set for the units under its organization, for one period (otherwise the
    default of filings.periods applies; the nearest organization above a unit that set one wins)."""

    organization = models.ForeignKey(Organization, verbose_name="组织", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("报送事项", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=HALF_CHOICES, default=0)
    due_on = models.DateField("截止日期")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField("设定时间")

    class Meta:
        verbose_name = "报送截止日期"
        verbose_name_plural = "报送截止日期"
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year", "half"], name="filing_deadline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.period.label} {self.due_on:%Y-%m-%d}"

    @property
    def period(self) -> Period:
        return Period(self.kind, self.year, self.half)

    def audit_org_path(self) -> str:
        return self.organization.path


class FilingQuerySet(ScopedQuerySet):
    access_kind = "filing"

    def of(self, period: Period) -> FilingQuerySet:
        return self.filter(kind=period.kind, year=period.year, half=period.half)


class Filing(Audited, models.Model):
    """One unit's report for one period: where it stands; its submissions are its versions."""

    organization = models.ForeignKey(
        Organization, verbose_name="报送单位", on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField("报送事项", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=HALF_CHOICES, default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收或退回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("接收或退回时间", null=True, blank=True)
    return_comment = models.TextField("退回意见", blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "上级报送"
        verbose_name_plural = "上级报送"
        ordering = ["-year", "-half", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year", "half"], name="filing_unique_per_period"),
            models.CheckConstraint(
                condition=Q(kind=ANNUAL, half=0) | Q(kind=HALF_YEAR, half__in=[1, 2]), name="filing_half_fits_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("filings:detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.kind, self.year, self.half)

    def notification_subject(self) -> tuple[str, str]:
        return self.organization.name, self.organization.name

    def audit_org_path(self) -> str:
        return self.organization.path

    @property
    def is_in(self) -> bool:
        """Submitted and not returned: nothing more is asked of the unit."""
        return self.status in (Status.SUBMITTED, Status.ACCEPTED)


class FilingVersion(models.Model):
    """One submission: the workbook as it was, never changed afterwards. A return keeps it; the
    resubmission is the next version."""

    class State(models.TextChoices):
        BUILDING = "building", "生成中"
        READY = "ready", "已生成"
        FAILED = "failed", "生成失败"

    filing = models.ForeignKey(Filing, verbose_name="报送", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("第几次报送")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间")
    due_on = models.DateField("当时的截止日期")
    note = models.TextField("报送说明", blank=True)
    state = models.CharField("工作簿", max_length=10, choices=State.choices, default=State.BUILDING)
    # A name in the shared file store (default_storage), written once.
    file = models.FileField("工作簿文件", max_length=300, blank=True)
    rows = models.PositiveIntegerField("记录数", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="退回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_comment = models.TextField("退回意见", blank=True)

    class Meta:
        verbose_name = "报送版本"
        verbose_name_plural = "报送版本"
        ordering = ["filing", "-number"]
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.filing} 第{self.number}次报送"

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) > self.due_on


class FilingEvent(models.Model):
    """Every move of a filing's status: who, when, from what to what, and why."""

    filing = models.ForeignKey(Filing, verbose_name="报送", on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["filing", "at", "id"]

    def __str__(self) -> str:
        return f"{self.filing} {self.get_from_status_display()}→{self.get_to_status_display()}"
