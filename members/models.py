"""Organizations, people, logins and who holds which role where."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone

from core.audit import Audited
from members.roles import Role
from members.scoping import ScopedQuerySet
from members.validators import (
    add_years,
    full_years_between,
    id_birth_date,
    id_gender,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_person_name,
    validate_phone,
)


class User(AbstractUser):
    """A login. The person behind it, if they are a Party member, is `user.member`."""

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def display_name(self) -> str:
        member = getattr(self, "member", None)
        return member.name if member is not None else (self.get_full_name() or self.username)


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user) -> OrganizationQuerySet:
        """The organizations under those where the user holds any role (the tree they may navigate)."""
        from members.scoping import covers_everything, org_ids

        if covers_everything(user):
            return self
        return self.filter(pk__in=org_ids(user))

    def branches(self) -> OrganizationQuerySet:
        return self.filter(kind=Organization.Kind.BRANCH)


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.BRANCH)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/1/4/9/": a subtree is one indexed prefix query.
    path = models.CharField("路径", max_length=255, editable=False, db_index=True, default="")
    is_active = models.BooleanField("有效", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organization_unique_name_under_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path != old_path:
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Moving an organization moves its whole subtree.
                type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
                )
            self.path = new_path

    def clean(self) -> None:
        if self.parent_id and self.pk:
            under_itself = self.parent_id == self.pk or self.parent.path.startswith(self.path)
            if under_itself:
                raise ValidationError({"parent": "上级组织不能是本组织或其下级组织"})
        if self.kind == self.Kind.BRANCH and self.pk and self.children.exists():
            raise ValidationError({"kind": "已有下级组织的组织不能设为党支部"})


class MemberQuerySet(ScopedQuerySet):
    access_kind = "member"
    own_fields = ("user",)

    def on_roll(self) -> MemberQuerySet:
        """Members still in the organization: neither deceased nor transferred out."""
        return self.filter(deceased_on__isnull=True, transferred_out_on__isnull=True)


def mask_id_number(number: str) -> str:
    """The last four characters only (members.permissions.Disclosure says why)."""
    return f"{'*' * 14}{number[-4:]}" if number else ""


class Member(Audited, models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class PartyStatus(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class Employment(models.TextChoices):
        EMPLOYED = "employed", "在职"
        RETIRED = "retired", "离退休"
        UNEMPLOYED = "unemployed", "失业"
        LANDLESS = "landless", "失地"
        MIGRANT = "migrant", "外出务工"
        FARMING = "farming", "务农"

    class WorkCapacity(models.TextChoices):
        NORMAL = "normal", "正常"
        PARTIAL = "partial", "部分丧失"
        LOST = "lost", "完全丧失"

    class Retirement(models.TextChoices):
        """Seed 004 keeps 离休 and 退休干部党员 apart (separate records, different entitlements)."""

        NONE = "", "—"
        LIXIU = "lixiu", "离休"
        TUIXIU = "tuixiu", "退休"

    class EmployerSituation(models.TextChoices):
        """原工作单位情况: 破产、改制和困难企业的离退休干部党员 get a 关爱档案 reviewed at least yearly
        (`care_file_reviewed_on`; the daily job `visits.care_files` reminds the secretary)."""

        NONE = "", "—"
        NORMAL = "normal", "正常"
        BANKRUPT = "bankrupt", "破产"
        RESTRUCTURED = "restructured", "改制"
        STRUGGLING = "struggling", "困难企业"

    class Mobility(models.TextChoices):
        """流动党员: out of the branch for work or living (流出), or from elsewhere (流入)."""

        NONE = "", "—"
        OUTFLOW = "outflow", "流出"
        INFLOW = "inflow", "流入"

    class State(models.TextChoices):
        ACTIVE = "active", "在册"
        DECEASED = "deceased", "已故"
        TRANSFERRED = "transferred", "已转出"

    organization = models.ForeignKey(
        Organization, verbose_name="所在支部", on_delete=models.PROTECT, related_name="members"
    )
    user = models.OneToOneField(
        User, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    name = models.CharField("姓名", max_length=50, validators=[validate_person_name])
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "身份证号",
        max_length=18,
        unique=True,
        validators=[validate_id_number],
        help_text="18位，最后一位可以是X",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    address = models.CharField("家庭住址", max_length=200, blank=True)
    join_date = models.DateField("入党日期")
    full_member_date = models.DateField("转正日期", null=True, blank=True)
    party_status = models.CharField("党员类别", max_length=20, choices=PartyStatus.choices, default=PartyStatus.FULL)
    employment = models.CharField("就业状况", max_length=20, choices=Employment.choices, default=Employment.EMPLOYED)
    is_retired_cadre = models.BooleanField("离退休干部", default=False)
    retirement = models.CharField("离休/退休", max_length=10, choices=Retirement.choices, blank=True, default="")
    former_employer = models.CharField("原工作单位", max_length=100, blank=True)
    former_employer_situation = models.CharField(
        "原单位情况", max_length=20, choices=EmployerSituation.choices, blank=True, default=""
    )
    care_file_reviewed_on = models.DateField(
        "关爱档案更新日期",
        null=True,
        blank=True,
        help_text="原单位破产、改制或困难的离退休干部党员：关爱档案至少每年更新一次",
    )
    mobility = models.CharField("流动党员", max_length=10, choices=Mobility.choices, blank=True, default="")
    mobility_place = models.CharField(
        "流出去向/流入来源", max_length=100, blank=True, help_text="流出：在哪里务工或居住；流入：从哪里来"
    )
    mobility_contact = models.CharField(
        "流动期间联系方式", max_length=100, blank=True, help_text="电话、微信或当地党组织联系人"
    )
    family_contact = models.ForeignKey(
        "self",
        verbose_name="家庭联系人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="外出务工党员家庭：支部安排的专人，定期探访",
    )
    work_capacity = models.CharField(
        "劳动能力", max_length=20, choices=WorkCapacity.choices, default=WorkCapacity.NORMAL
    )
    health = models.CharField("健康状况", max_length=200, blank=True)
    is_hospitalized = models.BooleanField("生病住院", default=False)
    lives_alone = models.BooleanField("独居", default=False)
    is_model_worker = models.BooleanField("老模范", default=False)
    is_under_discipline = models.BooleanField("处分影响期内", default=False)
    deceased_on = models.DateField("逝世日期", null=True, blank=True)
    transferred_out_on = models.DateField("转出日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["organization_id", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"], name="member_org_name_idx"),
            models.Index(fields=["name"], name="member_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(full_member_date__isnull=True) | Q(full_member_date__gt=models.F("join_date")),
                name="member_full_after_join",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def notification_subject(self) -> tuple[str, str]:
        return self.name, self.organization.name

    def audit_org_path(self) -> str:
        return self.organization.path if self.organization_id else ""

    @property
    def state(self) -> str:
        if self.deceased_on:
            return self.State.DECEASED
        if self.transferred_out_on:
            return self.State.TRANSFERRED
        return self.State.ACTIVE

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def is_on_roll(self) -> bool:
        return self.state == self.State.ACTIVE

    # 原单位 situations whose retired cadres keep a 关爱档案 reviewed at least yearly (seed 004).
    CARE_FILE_SITUATIONS = (EmployerSituation.BANKRUPT, EmployerSituation.RESTRUCTURED, EmployerSituation.STRUGGLING)

    @property
    def needs_care_file(self) -> bool:
        return self.is_retired_cadre and self.former_employer_situation in self.CARE_FILE_SITUATIONS

    def age_on(self, day: dt.date) -> int:
        return full_years_between(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def party_age_on(self, day: dt.date) -> int:
        return full_years_between(self.join_date, day)

    @property
    def party_age(self) -> int:
        return self.party_age_on(timezone.localdate())

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_birth_date(self) -> str:
        return f"{self.birth_date.year}年" if self.birth_date else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.id_number = normalize_id_number(self.id_number)
        self.phone = normalize_phone(self.phone)
        self.name = " ".join((self.name or "").split())
        today = timezone.localdate()
        id_ok = True
        try:
            validate_id_number(self.id_number)
        except ValidationError:
            id_ok = False  # reported by the field validator
        if id_ok:
            embedded = id_birth_date(self.id_number)
            if self.birth_date and embedded != self.birth_date:
                errors["birth_date"] = f"出生日期与身份证号不一致（身份证号中为 {embedded:%Y-%m-%d}）"
            if self.gender and id_gender(self.id_number) != self.gender:
                errors["gender"] = "性别与身份证号不一致（身份证号第17位单数为男、双数为女）"
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = "出生日期不能晚于今天"
        if self.join_date:
            if self.join_date > today:
                errors["join_date"] = "入党日期不能晚于今天"
            elif self.birth_date and self.join_date < add_years(self.birth_date, 18):
                errors["join_date"] = "入党日期不能早于年满18周岁的日期"
        if self.full_member_date:
            if self.join_date and self.full_member_date <= self.join_date:
                errors["full_member_date"] = "转正日期应晚于入党日期"
            elif self.full_member_date > today:
                errors["full_member_date"] = "转正日期不能晚于今天"
            if self.party_status == self.PartyStatus.PROBATIONARY:
                errors["party_status"] = "已填写转正日期的党员应为正式党员"
        for field in ("deceased_on", "transferred_out_on"):
            day = getattr(self, field)
            if day and day > today:
                errors[field] = "日期不能晚于今天"
            elif day and self.birth_date and day < self.birth_date:
                errors[field] = "日期不能早于出生日期"
        if self.organization_id and self.organization.kind != Organization.Kind.BRANCH:
            errors["organization"] = "党员应编入党支部"
        if self.retirement and not self.is_retired_cadre:
            errors["retirement"] = "填写离休或退休的，请同时勾选“离退休干部”"
        if self.mobility and not self.mobility_contact.strip():
            errors["mobility_contact"] = "流动党员请填写流动期间的联系方式，保证联系得上"
        if self.family_contact_id:
            if self.family_contact_id == self.pk:
                errors["family_contact"] = "家庭联系人应是本支部的其他党员"
            elif self.family_contact.organization_id != self.organization_id:
                errors["family_contact"] = "家庭联系人应是本支部的党员"
        if errors:
            raise ValidationError(errors)


class Appointment(Audited, models.Model):
    """A user holds a role in an organization, and with it sight of that organization's subtree."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="appointments")
    organization = models.ForeignKey(
        Organization, verbose_name="组织", on_delete=models.CASCADE, related_name="appointments"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    created_at = models.DateTimeField("任命时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色任命"
        verbose_name_plural = "角色任命"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="appointment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_role_display()}"

    def audit_org_path(self) -> str:
        return self.organization.path


class AccessLog(models.Model):
    """Who read or exported members' personal data, when, what and from where (个人信息保护法: access
    to sensitive personal data is recorded). Written by `members.services.log_access`."""

    class What(models.TextChoices):
        MEMBER = "member", "查看党员信息"
        LEDGER = "ledger", "查看困难党员台帐"
        EXPORT = "export", "导出个人信息"

    user = models.ForeignKey(User, verbose_name="查看人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    what = models.CharField("操作", max_length=20, choices=What.choices)
    target = models.CharField("内容", max_length=200)
    member = models.ForeignKey(
        Member, verbose_name="党员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The ledger line (hardship.HardshipRecord) read, for its own page's list of readers.
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    url = models.CharField("地址", max_length=300, blank=True)
    # The organization the data belongs to: the organization department reads its own subtree's log.
    org_path = models.CharField("组织路径", max_length=255, db_index=True)

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["what", "object_id"], name="accesslog_object_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_what_display()} {self.target}"


class ImportConflict(models.Model):
    """A roster import met a 身份证号 already registered to a member the importer may not see. The
    importer is told only that the number needs checking by the organization above; the 组织部 over
    both branches sees who and where, and resolves it (a transfer, a mistyped number)."""

    existing_member = models.ForeignKey(Member, verbose_name="已登记的党员", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Organization, verbose_name="导入的支部", on_delete=models.CASCADE, related_name="+")
    imported_by = models.ForeignKey(User, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField("导入文件中的姓名", max_length=50, blank=True)
    row = models.PositiveIntegerField("Excel行号")
    raised_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField("处理说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "名册导入冲突"
        verbose_name_plural = "名册导入冲突"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["existing_member", "branch"],
                condition=Q(resolved_at__isnull=True),
                name="importconflict_one_open_per_member_and_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} 导入 {self.typed_name}"
