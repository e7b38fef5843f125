"""主题教育期间全面排查 (seed 000 六、患病探望制度): once a year, during the period the 党委 sets, each branch
confirms every member's situation (health, living conditions, family, needs) with one checklist per
member. What the checklists find feeds the 困难党员台帐 and the visit prompts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.audit import Audited
from hardship.models import HardshipCategory, HardshipRecord
from members.models import Member, Organization
from members.scoping import ScopedQuerySet
from visits.models import VisitPrompt


class SurveyPeriodQuerySet(ScopedQuerySet):
    access_kind = "survey"
    org_field = "organization"


class SurveyPeriod(Audited, models.Model):
    """The period a 党委 sets for the year's 全面排查: one per organization per year."""

    organization = models.ForeignKey(
        Organization, verbose_name="组织单位", on_delete=models.PROTECT, related_name="survey_periods"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = SurveyPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "全面排查期间"
        verbose_name_plural = "全面排查期间"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="survey_one_period_per_year"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="survey_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:progress", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        return "", self.organization.name

    def audit_org_path(self) -> str:
        return self.organization.path

    def is_open_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class BranchSurveyQuerySet(ScopedQuerySet):
    access_kind = "survey"
    org_field = "branch"


class BranchSurvey(Audited, models.Model):
    """One branch's part of a period: its checklists, and the secretary's confirmation that it is done."""

    period = models.ForeignKey(SurveyPeriod, verbose_name="排查期间", on_delete=models.CASCADE, related_name="branches")
    branch = models.ForeignKey(
        Organization, verbose_name="党支部", on_delete=models.PROTECT, related_name="branch_surveys"
    )
    done_on = models.DateField("确认完成日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = BranchSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "支部排查"
        verbose_name_plural = "支部排查"
        ordering = ["branch__path"]
        constraints = [models.UniqueConstraint(fields=["period", "branch"], name="survey_one_per_branch")]

    def __str__(self) -> str:
        return f"{self.branch.name} · {self.period.name}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:branch", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        return "", self.branch.name

    def audit_org_path(self) -> str:
        return self.branch.path


class Health(models.TextChoices):
    GOOD = "good", "健康"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
    CHRONIC = "chronic", "患慢性病"
    HOSPITALIZED = "hospitalized", "患病住院"


class Living(models.TextChoices):
    STABLE = "stable", "收入稳定"
    LOW = "low", "收入偏低"
    HARD = "hard", "生活困难"


class Need(models.TextChoices):
    LIVING = "living", "生活帮扶"
    MEDICAL = "medical", "就医"
    EMPLOYMENT = "employment", "就业"
    COUNSELLING = "counselling", "心理疏导"
    HOME_VISIT = "home_visit", "上门走访"


class Contact(models.TextChoices):
    VISITED = "visited", "已上门走访"
    TALKED = "talked", "已谈心谈话"
    PHONE = "phone", "电话了解"
    OTHERS = "others", "向家属、邻居了解"


class LedgerOutcome(models.TextChoices):
    NONE = "", "—"
    PROPOSED = "proposed", "新列入台帐"
    REVIEW = "review", "台帐待复核"
    UNCHANGED = "unchanged", "台帐情况无变化"


class ChecklistQuerySet(ScopedQuerySet):
    access_kind = "survey_checklist"
    org_field = "branch_survey__branch"

    def confirmed(self) -> ChecklistQuerySet:
        return self.filter(confirmed_on__isnull=False)

    def relevant(self) -> ChecklistQuerySet:
        """The checklists a branch must confirm: its members still on the roll (not those who died, left,
        or moved to another branch since), and any already confirmed."""
        return self.filter(
            Q(confirmed_on__isnull=False)
            | Q(
                member__deceased_on__isnull=True,
                member__transferred_out_on__isnull=True,
                member__organization=models.F("branch_survey__branch"),
            )
        )


class Checklist(Audited, models.Model):
    """One member's checklist in one branch's survey: 未排查 until someone confirms it."""

    branch_survey = models.ForeignKey(
        BranchSurvey, verbose_name="支部排查", on_delete=models.CASCADE, related_name="checklists"
    )
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="survey_checklists")
    health = models.CharField("健康状况", max_length=20, choices=Health.choices, blank=True)
    health_note = models.CharField("健康情况说明", max_length=200, blank=True)
    living = models.CharField("生活状况", max_length=10, choices=Living.choices, blank=True)
    hardship_level = models.CharField("困难程度", max_length=10, choices=HardshipRecord.Level.choices, blank=True)
    categories = models.ManyToManyField(HardshipCategory, verbose_name="困难类别", blank=True, related_name="+")
    family_changed = models.BooleanField("家庭情况有变化", default=False)
    family_situation = models.TextField("家庭情况及变化", blank=True)
    needs = models.JSONField("需求", default=list, blank=True)
    needs_note = models.TextField("其他需求", blank=True)
    contact = models.CharField("了解方式", max_length=10, choices=Contact.choices, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the checklist fed: the ledger line it put on the ledger or marked for review, the prompts it raised.
    ledger_outcome = models.CharField(
        "台帐情况", max_length=10, choices=LedgerOutcome.choices, blank=True, default=LedgerOutcome.NONE
    )
    ledger_record = models.ForeignKey(
        HardshipRecord, verbose_name="台帐", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    illness_prompt = models.ForeignKey(
        VisitPrompt, verbose_name="患病探望提示", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit_prompt = models.ForeignKey(
        VisitPrompt, verbose_name="上门走访提示", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = "排查登记表"
        verbose_name_plural = "排查登记表"
        ordering = ["member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["branch_survey", "member"], name="survey_one_checklist_per_member"),
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | (~Q(health="") & ~Q(living="") & ~Q(contact="")),
                name="survey_confirmed_checklist_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.branch_survey}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:checklist", args=[self.pk])

    def audit_org_path(self) -> str:
        return self.branch_survey.branch.path

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_on is not None

    def need_labels(self) -> list[str]:
        return [str(Need(code).label) for code in self.needs if code in Need.values]
