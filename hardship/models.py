"""困难党员台帐 (the hardship ledger) and 结对帮扶 (one-to-one pairing)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.audit import Audited
from members.models import Member
from members.scoping import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class MoneySource(models.TextChoices):
    """Where money handed over at a visit or in pairing help came from. Money from the care fund is
    booked by the fund officer as a fund expense linked to the visit or the progress entry."""

    CARE_FUND = "care_fund", "党内关怀基金"
    OTHER = "other", "其他渠道"


def money_source_rule(amount_field: str, name: str) -> models.CheckConstraint:
    """Money handed over names its source (and an `other` source says which); no money, no source."""
    return models.CheckConstraint(
        condition=(
            Q(**{f"{amount_field}__gt": 0})
            & ~Q(money_source="")
            & (~Q(money_source="other") | ~Q(money_source_note=""))
        )
        | (~Q(**{f"{amount_field}__gt": 0}) & Q(money_source="", money_source_note="")),
        name=name,
        violation_error_message="有资金时请选择资金来源（党内关怀基金或其他渠道，其他渠道须写明来源）；没有资金时不填来源",
    )


class HardshipCategory(models.Model):
    """A kind of hardship from the seeds (年老无固定收入, 因病致贫 …); rows come from a data migration."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "困难类别"
        verbose_name_plural = "困难类别"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class HelpType(models.Model):
    """帮思想 帮生活 帮生产 帮就业 帮信息 (the five helps of pairing), plus 医疗 and 助学 as needs."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    is_pairing_help = models.BooleanField("结对帮扶的“五帮”", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "帮扶类型"
        verbose_name_plural = "帮扶类型"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class HardshipRecordQuerySet(ScopedQuerySet):
    access_kind = "ledger"
    org_field = "member__organization"
    own_fields = ("member__user",)

    def active(self) -> HardshipRecordQuerySet:
        return self.filter(status=HardshipRecord.Status.ACTIVE)


class HardshipRecord(Audited, models.Model):
    """One line of the 困难党员台帐."""

    class Level(models.TextChoices):
        GENERAL = "general", "一般困难"
        SPECIAL = "special", "特别困难"

    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        LIFTED = "lifted", "已脱困"
        CLOSED = "closed", "已注销"

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", "本人书面签字"
        ORAL = "oral", "本人口头同意并记录"
        GUARDIAN = "guardian", "监护人代为同意"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="hardship_records")
    categories = models.ManyToManyField(HardshipCategory, verbose_name="困难类别", related_name="records")
    level = models.CharField("困难程度", max_length=10, choices=Level.choices, default=Level.GENERAL)
    household_size = models.PositiveSmallIntegerField(
        "家庭人口", default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    annual_household_income = models.DecimalField(
        "家庭年收入（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    causes = models.TextField("致困原因", blank=True)
    main_difficulties = models.TextField("主要困难", blank=True)
    needs = models.ManyToManyField(HelpType, verbose_name="帮扶需求", blank=True, related_name="needed_by")
    skills = models.CharField("特长", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField("登记日期")
    last_reviewed_on = models.DateField("最近复核日期", null=True, blank=True)
    # Someone saw the household's situation change (the yearly 全面排查): the line waits for its 复核,
    # which clears this. The request says who asked and what changed.
    review_requested_on = models.DateField("待复核（提出日期）", null=True, blank=True)
    review_request = models.CharField("待复核原因", max_length=300, blank=True)
    closed_on = models.DateField("脱困/注销日期", null=True, blank=True)
    close_reason = models.CharField("脱困/注销原因", max_length=200, blank=True)
    # 知情同意 (PIPL): without consent, income, health and family details stay empty.
    consent_on = models.DateField("知情同意日期", null=True, blank=True)
    consent_method = models.CharField("同意方式", max_length=10, choices=ConsentMethod.choices, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="同意记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = HardshipRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "困难党员台帐"
        verbose_name_plural = "困难党员台帐"
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="hardship_one_active_record_per_member"
            ),
            models.CheckConstraint(
                condition=Q(annual_household_income__isnull=True) | Q(annual_household_income__gte=0),
                name="hardship_income_not_negative",
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="hardship_household_at_least_one"),
        ]
        indexes = [models.Index(fields=["status", "last_reviewed_on"], name="hardship_status_review_idx")]

    def __str__(self) -> str:
        return f"{self.member.name}（{self.get_status_display()}）"

    @property
    def per_capita_income(self) -> Decimal | None:
        if self.annual_household_income is None or not self.household_size:
            return None
        return (self.annual_household_income / self.household_size).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def has_consent(self) -> bool:
        return self.consent_on is not None

    def audit_org_path(self) -> str:
        return self.member.organization.path


class FamilyMember(Audited, models.Model):
    record = models.ForeignKey(HardshipRecord, verbose_name="台帐", on_delete=models.CASCADE, related_name="family")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与党员关系", max_length=20)
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True, validators=[MaxValueValidator(130)])
    occupation = models.CharField("职业", max_length=50, blank=True)
    health = models.CharField("健康状况", max_length=100, blank=True)
    annual_income = models.DecimalField(
        "年收入（元）", **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"

    def audit_org_path(self) -> str:
        return self.record.member.organization.path


class PairingQuerySet(ScopedQuerySet):
    """Pairings of records in scope; helpers and helped members also see their own."""

    access_kind = "pairing"
    org_field = "record__member__organization"
    own_fields = ("record__member__user", "helper__user")

    def active(self) -> PairingQuerySet:
        return self.filter(status=Pairing.Status.ACTIVE)


class Pairing(Audited, models.Model):
    """结对帮扶: a helper member paired with a hardship household, with its 帮扶责任书."""

    class Status(models.TextChoices):
        ACTIVE = "active", "帮扶中"
        ENDED = "ended", "已结束"

    helper = models.ForeignKey(
        Member, verbose_name="帮扶人", on_delete=models.PROTECT, related_name="pairings_as_helper"
    )
    record = models.ForeignKey(
        HardshipRecord, verbose_name="帮扶对象", on_delete=models.PROTECT, related_name="pairings"
    )
    help_types = models.ManyToManyField(
        HelpType, verbose_name="帮扶内容", related_name="pairings", limit_choices_to={"is_pairing_help": True}
    )
    # 帮扶责任书
    goals = models.TextField("帮扶目标", blank=True)
    measures = models.TextField("帮扶措施", blank=True)
    items = models.TextField("帮扶事项", blank=True)
    expected_results = models.TextField("预期效果", blank=True)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    outcome = models.TextField("帮扶成效", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["-started_on", "-id"], name="pairing_recent_idx")]  # the list's order
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "record"], condition=Q(status="active"), name="pairing_no_duplicate_active_pair"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper.name} → {self.record.member.name}"

    def audit_org_path(self) -> str:
        return self.record.member.organization.path


class EmploymentStep(models.TextChoices):
    TRAINING = "training", "职业技能培训"
    REFERRAL = "referral", "就业推荐"


class EmploymentOutcome(models.TextChoices):
    PENDING = "pending", "待跟进"
    TRAINED = "trained", "已完成培训"
    EMPLOYED = "employed", "已就业"
    NOT_HIRED = "not_hired", "未成功"


class PairingProgress(Audited, models.Model):
    """A progress entry of a pairing: what was done, and any money or goods given."""

    pairing = models.ForeignKey(Pairing, verbose_name="结对", on_delete=models.CASCADE, related_name="progress")
    date = models.DateField("日期")
    help_type = models.ForeignKey(HelpType, verbose_name="帮扶类型", on_delete=models.PROTECT, related_name="+")
    description = models.TextField("帮扶内容")
    money = models.DecimalField(
        "资金（元）", **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    money_source = models.CharField("资金来源", max_length=10, choices=MoneySource.choices, blank=True)
    money_source_note = models.CharField("其他渠道说明", max_length=100, blank=True)
    goods = models.CharField("物品", max_length=200, blank=True)
    # 帮就业 for 失业、失地党员 (seed 000 五): 职业技能培训 or 就业推荐, and what came of it.
    employment_step = models.CharField("帮就业方式", max_length=20, choices=EmploymentStep.choices, blank=True)
    employment_outcome = models.CharField("帮就业结果", max_length=20, choices=EmploymentOutcome.choices, blank=True)
    outcome_note = models.CharField("结果说明", max_length=200, blank=True)
    outcome_on = models.DateField("结果登记日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶进展"
        verbose_name_plural = "帮扶进展"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(money__gte=0), name="pairing_progress_money_not_negative"),
            money_source_rule("money", "pairing_progress_money_names_source"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.help_type}"

    def audit_org_path(self) -> str:
        return self.pairing.record.member.organization.path


RECORD_TRANSITIONS_TABLE = {
    HardshipRecord.Status.ACTIVE: [HardshipRecord.Status.LIFTED, HardshipRecord.Status.CLOSED],
}
PAIRING_TRANSITIONS_TABLE = {Pairing.Status.ACTIVE: [Pairing.Status.ENDED]}


class HardshipReview(Audited, models.Model):
    """An annual 复核 of a ledger line: who checked it, when, and what they concluded."""

    record = models.ForeignKey(HardshipRecord, verbose_name="台帐", on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("复核日期")
    level = models.CharField("复核后困难程度", max_length=10, choices=HardshipRecord.Level.choices)
    note = models.TextField("复核情况", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "台帐复核"
        verbose_name_plural = "台帐复核"
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.record.member.name} {self.reviewed_on:%Y-%m-%d} 复核"

    def audit_org_path(self) -> str:
        return self.record.member.organization.path
