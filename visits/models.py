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
    # 必访 beyond the holidays (seed 000 四、六、七; 第七条; seed 004 五项措施: 四个必访).
    ACCIDENT = "accident", "意外慰问"
    RELATIVE_DEATH = "relative_death", "亲属病逝慰问"
    SERIOUS_ILLNESS = "serious_illness", "病重探望"
    HARDSHIP = "hardship", "特殊困难慰问"
    FOLLOW_UP = "follow_up", "思想波动跟进"
    CONCERN = "concern", "反映情况走访"
    ELDER_BIRTHDAY = "elder_birthday", "老同志生日"
    FAMILY_CONTACT = "family_contact", "外出务工家庭探访"


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
    money_source_note = models.CharField(
        "其他渠道说明", max_length=100, blank=True, help_text="如：单位工会慰问经费、上级组织部慰问金"
    )
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
    occasion = models.CharField("节日", max_length=30, choices=[(o.value, o.label) for o in HOLIDAY_OCCASIONS])
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
    """A visit the rules call for (必访): raised by the daily job when a member's record changes (患病探望,
    病故吊唁, 因灾台帐, 老同志生日), or at once by a recorded life event, a talk flagged 思想波动 or a
    反映情况 asking for a visit. `event_key` names the event, so each event raises one prompt however often
    the job runs. Past `due_on`, or in a branch with no secretary, the prompt goes up (`escalation`)."""

    class Escalation(models.IntegerChoices):
        NONE = 0, "本支部"
        GENERAL_BRANCH = 1, "已报上级党组织"
        ORG_DEPT = 2, "已报组织部"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="visit_prompts")
    occasion = models.CharField("走访事由", max_length=30, choices=Occasion.choices)
    event_key = models.CharField("事件", max_length=80)
    reason = models.CharField("原因", max_length=200)
    raised_on = models.DateField("提示日期")
    due_on = models.DateField("应走访日期", null=True, blank=True)
    escalation = models.PositiveSmallIntegerField("上报情况", choices=Escalation.choices, default=Escalation.NONE)
    escalated_on = models.DateField("上报日期", null=True, blank=True)
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
        indexes = [
            # The home page's newest open prompts: read in order and stopped at eight, not sorted after
            # joining every member of a city.
            models.Index(
                fields=["-raised_on", "-id"], condition=Q(closed_on__isnull=True), name="visitprompt_open_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_occasion_display()}"

    def notification_subject(self) -> tuple[str, str]:
        return self.member.name, self.member.organization.name

    def is_overdue_on(self, day) -> bool:
        return self.closed_on is None and self.due_on is not None and self.due_on < day


class LifeEventQuerySet(ScopedQuerySet):
    access_kind = "life_event"
    org_field = "member__organization"


class LifeEvent(Audited, models.Model):
    """家庭发生意外、重大灾害、直系亲属病逝、病重、生活遇到特殊困难: recorded in one step; each raises
    a visit prompt."""

    class Kind(models.TextChoices):
        ACCIDENT = "accident", "家庭发生意外、突发事件"
        DISASTER = "disaster", "遭受重大灾害"
        RELATIVE_DEATH = "relative_death", "直系亲属病逝"
        SERIOUS_ILLNESS = "serious_illness", "病重"
        HARDSHIP = "hardship", "生活遇到特殊困难"

    OCCASIONS = {
        Kind.ACCIDENT: Occasion.ACCIDENT,
        Kind.DISASTER: Occasion.DISASTER,
        Kind.RELATIVE_DEATH: Occasion.RELATIVE_DEATH,
        Kind.SERIOUS_ILLNESS: Occasion.SERIOUS_ILLNESS,
        Kind.HARDSHIP: Occasion.HARDSHIP,
    }

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="life_events")
    kind = models.CharField("事件", max_length=20, choices=Kind.choices)
    happened_on = models.DateField("发生日期")
    description = models.CharField("简要情况", max_length=300)
    prompt = models.ForeignKey(
        VisitPrompt, verbose_name="走访提示", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = LifeEventQuerySet.as_manager()

    class Meta:
        verbose_name = "党员家庭重大事件"
        verbose_name_plural = "党员家庭重大事件"
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.happened_on:%Y-%m-%d} {self.member} {self.get_kind_display()}"

    def audit_org_path(self) -> str:
        return self.member.organization.path


class ConcernQuerySet(ScopedQuerySet):
    access_kind = "concern"
    org_field = "member__organization"
    own_fields = ("member__user",)


class Concern(Audited, models.Model):
    """反映情况: a member writes to the branch from /me/; the secretary assigns someone and answers.
    反映情况必访 (seed 004): asking for a visit raises a visit prompt."""

    class Status(models.TextChoices):
        NEW = "new", "待处理"
        ASSIGNED = "assigned", "已安排专人"
        ANSWERED = "answered", "已答复"

    member = models.ForeignKey(Member, verbose_name="反映人", on_delete=models.PROTECT, related_name="concerns")
    message = models.TextField("反映的情况", max_length=1000)
    wants_visit = models.BooleanField("希望上门走访", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        Member, verbose_name="落实专人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField("答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    prompt = models.ForeignKey(
        VisitPrompt, verbose_name="走访提示", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField("反映日期")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = "反映情况"
        verbose_name_plural = "反映情况"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.created_on:%Y-%m-%d} 反映情况"

    def get_absolute_url(self) -> str:
        return reverse("visits:concern_detail", args=[self.pk])

    def audit_org_path(self) -> str:
        return self.member.organization.path


class CollectiveBirthdayQuerySet(ScopedQuerySet):
    access_kind = "collective_birthday"


class CollectiveBirthday(Audited, models.Model):
    """政治生日制度: 在“七一”前后，党组织组织党员集体过“政治生日” — recorded as what happened, not only reminded."""

    organization = models.ForeignKey(
        Organization, verbose_name="支部", on_delete=models.PROTECT, related_name="collective_birthdays"
    )
    held_on = models.DateField("活动日期")
    attendees = models.ManyToManyField(Member, verbose_name="参加党员", related_name="collective_birthdays")
    reaffirmed_oath = models.BooleanField("重温入党誓词", default=False)
    shared_reflections = models.BooleanField("畅谈入党感悟", default=False)
    asked_opinions = models.BooleanField("征询意见建议", default=False)
    notes = models.TextField("活动情况", blank=True)
    opinions = models.TextField("征询到的意见和建议", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = CollectiveBirthdayQuerySet.as_manager()

    class Meta:
        verbose_name = "集体过政治生日"
        verbose_name_plural = "集体过政治生日"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organization} {self.held_on:%Y-%m-%d} 集体过政治生日"

    def audit_org_path(self) -> str:
        return self.organization.path

    @property
    def activity_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in ("reaffirmed_oath", "shared_reflections", "asked_opinions")
            if getattr(self, name)
        ]
