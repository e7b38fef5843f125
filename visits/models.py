"""走访慰问 (visits), 谈心谈话 (talks), holiday visit plans and the visit prompts the daily job raises."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.audit import Audited
from hardship.models import MoneySource, money_source_rule
from members.models import Member, Organization
from members.scoping import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class Occasion(models.TextChoices):
    """走访慰问的事由, from 定期走访制度, 患病探望制度, 病故送行制度 and 政治生日制度."""

    SPRING_FESTIVAL = "spring_festival", "春节"
    JULY_FIRST = "july_first", "七一"
    ILLNESS = "illness", "患病探望"
    BEREAVEMENT = "bereavement", "病故吊唁"
    DISASTER = "disaster", "受灾慰问"
    EMERGENCY = "emergency", "突发事件"
    POLITICAL_BIRTHDAY = "political_birthday", "政治生日"
    ROUTINE = "routine", "日常走访"


HOLIDAY_OCCASIONS = (Occasion.SPRING_FESTIVAL, Occasion.JULY_FIRST)


def visit_label(occasion: str) -> str:
    """What the visit is called in a sentence: "春节走访", "日常走访", "患病探望" (never "日常走访走访")."""
    label = str(Occasion(occasion).label)
    return label if label.endswith(("走访", "探望", "吊唁", "慰问")) else f"{label}走访"


class VisitQuerySet(ScopedQuerySet):
    access_kind = "visit"
    org_field = "member__organization"
    own_fields = ("member__user",)


class Visit(Audited, models.Model):
    member = models.ForeignKey(Member, verbose_name="走访对象", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    occasion = models.CharField("走访事由", max_length=30, choices=Occasion.choices, default=Occasion.ROUTINE)
    visitors = models.ManyToManyField(Member, verbose_name="走访人", related_name="visits_made")
    goods = models.CharField("慰问物品", max_length=200, blank=True)
    amount = models.DecimalField("慰问金（元）", **MONEY, null=True, blank=True)
    money_source = models.CharField("慰问金来源", max_length=10, choices=MoneySource.choices, blank=True)
    money_source_note = models.CharField("其他渠道说明", max_length=100, blank=True,
                                         help_text="如：单位工会慰问经费、上级组织部慰问金")
    notes = models.TextField("走访情况", blank=True)
    follow_up = models.TextField("需跟进的诉求", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "走访慰问"
        verbose_name_plural = "走访慰问"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["member", "visited_on"], name="visit_member_day_idx"),
            models.Index(fields=["-visited_on", "-id"], name="visit_recent_idx"),  # the list's order
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="visit_amount_not_negative"
            ),
            money_source_rule("amount", "visit_money_names_source"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_occasion_display()} {self.member}"

    def get_absolute_url(self) -> str:
        return reverse("visits:detail", args=[self.pk])

    def audit_org_path(self) -> str:
        return self.member.organization.path


class TalkQuerySet(ScopedQuerySet):
    """Talks of the organizations in scope; participants also see the talks they took part in."""

    access_kind = "talk"
    own_fields = ("participants__user",)


class Talk(Audited, models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "个别谈话"
        COLLECTIVE = "collective", "集体谈话"

    class Reason(models.TextChoices):
        ANNUAL = "annual", "年度谈心"
        DIFFICULTY = "difficulty", "遇到困难"
        CONFLICT = "conflict", "发生矛盾"
        MISTAKE = "mistake", "出现失误"
        PROBLEM = "problem", "存在问题"
        PROMOTION = "promotion", "提拔使用"
        SELF_REPORTED = "self_reported", "主动反映"
        WAVERING = "wavering", "思想波动"

    organization = models.ForeignKey(
        Organization, verbose_name="所在支部", on_delete=models.PROTECT, related_name="talks"
    )
    kind = models.CharField("谈话形式", max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    talked_on = models.DateField("谈话日期")
    interviewers = models.ManyToManyField(Member, verbose_name="谈话人", related_name="talks_held")
    participants = models.ManyToManyField(Member, verbose_name="谈话对象", related_name="talks")
    reason = models.CharField("谈话事由", max_length=20, choices=Reason.choices, default=Reason.ANNUAL)
    # 三个先谈: these members are talked with first.
    priority_hardship = models.BooleanField("困难党员", default=False)
    priority_weak_awareness = models.BooleanField("党员意识淡薄", default=False)
    priority_grievance = models.BooleanField("有怨气", default=False)
    summary = models.TextField("谈话内容摘要")
    opinions = models.TextField("本人意见和诉求", blank=True)
    follow_up = models.TextField("跟进措施", blank=True)
    confidential_notes = models.TextField(
        "内部记录", blank=True, help_text="仅支部书记、支委和组织部可见，谈话对象本人看不到"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-talked_on", "-id"]
        indexes = [models.Index(fields=["-talked_on", "-id"], name="talk_recent_idx")]  # the list's order

    def __str__(self) -> str:
        return f"{self.talked_on:%Y-%m-%d} {self.get_kind_display()}（{self.get_reason_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("visits:talk_detail", args=[self.pk])

    def audit_org_path(self) -> str:
        return self.organization.path

    @property
    def priority_labels(self) -> list[str]:
        labels = []
        for field in ("priority_hardship", "priority_weak_awareness", "priority_grievance"):
            if getattr(self, field):
                labels.append(str(self._meta.get_field(field).verbose_name))
        return labels


class VisitPlanQuerySet(ScopedQuerySet):
    access_kind = "plan"


class VisitPlan(models.Model):
    """The holiday visit plan of one branch for one occasion (春节/七一) of one year."""

    organization = models.ForeignKey(
        Organization, verbose_name="支部", on_delete=models.PROTECT, related_name="visit_plans"
    )
    occasion = models.CharField(
        "节日", max_length=30, choices=[(o.value, o.label) for o in HOLIDAY_OCCASIONS]
    )
    year = models.PositiveSmallIntegerField("年度")
    holiday = models.DateField("节日日期")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = VisitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "节日走访计划"
        verbose_name_plural = "节日走访计划"
        ordering = ["-holiday", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "occasion", "year"], name="visitplan_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年{self.get_occasion_display()}走访计划"

    def get_absolute_url(self) -> str:
        return reverse("visits:plan_detail", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        return "", self.organization.name


class VisitPlanItem(Audited, models.Model):
    plan = models.ForeignKey(VisitPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(Member, verbose_name="走访对象", on_delete=models.PROTECT, related_name="plan_items")
    reasons = models.CharField("列入原因", max_length=200)
    visitors = models.ManyToManyField(Member, verbose_name="走访人", blank=True, related_name="plan_items_assigned")
    visit = models.OneToOneField(
        Visit, verbose_name="走访记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_item"
    )

    class Meta:
        verbose_name = "走访计划对象"
        verbose_name_plural = "走访计划对象"
        ordering = ["plan", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="visitplanitem_unique_member"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}：{self.member}"

    def audit_org_path(self) -> str:
        return self.plan.organization.path

    @property
    def is_done(self) -> bool:
        return self.visit_id is not None


class VisitPromptQuerySet(ScopedQuerySet):
    access_kind = "prompt"
    org_field = "member__organization"

    def open(self) -> VisitPromptQuerySet:
        return self.filter(closed_on__isnull=True)


class VisitPrompt(models.Model):
    """A visit the rules call for (患病探望, 病故吊唁, 受灾慰问), raised by the daily job when a member's
    record changes. `event_key` names the event, so each event raises one prompt however often the job runs."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="visit_prompts")
    occasion = models.CharField("走访事由", max_length=30, choices=Occasion.choices)
    event_key = models.CharField("事件", max_length=80)
    reason = models.CharField("原因", max_length=200)
    raised_on = models.DateField("提示日期")
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    # The situation itself is over (discharged from hospital): a new hospitalisation is a new event.
    event_over = models.BooleanField("事件已结束", default=False)
    visit = models.ForeignKey(
        Visit, verbose_name="走访记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VisitPromptQuerySet.as_manager()

    class Meta:
        verbose_name = "走访提示"
        verbose_name_plural = "走访提示"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "occasion", "event_key"], name="visitprompt_unique_event"),
            models.UniqueConstraint(
                fields=["member", "occasion"], condition=Q(closed_on__isnull=True), name="visitprompt_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_occasion_display()}"

    def notification_subject(self) -> tuple[str, str]:
        return self.member.name, self.member.organization.name
