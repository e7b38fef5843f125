"""Ledger import: lines for members already on the roll, all or nothing, through core.importing.

A row names its member by 身份证号 (the member must be on the roll in a branch the importer keeps);
a member with a line 在册 has it updated, anyone else gets a new line. The same rules as the form
hold: categories required, no income without 知情同意, nobody deceased or transferred out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import RowResult

from core.errors import DomainError
from core.importing import (
    ImportRejected,
    RowError,
    build_dataset,
    check_headers,
    collect_row_results,
)
from core.uploads import read_first_sheet
from core.widgets import ChoiceWidget, FlexibleDateWidget, MoneyWidget, TextWidget
from hardship import permissions
from hardship.models import HardshipCategory, HardshipRecord, HelpType
from members import access
from members.access import IMPORT
from members.models import Member
from members.validators import normalize_id_number

COLUMNS: list[tuple[str, str]] = [
    ("member", "身份证号"),
    ("categories", "困难类别"),
    ("level", "困难程度"),
    ("household_size", "家庭人口"),
    ("annual_household_income", "家庭年收入"),
    ("causes", "致困原因"),
    ("main_difficulties", "主要困难"),
    ("needs", "帮扶需求"),
    ("skills", "特长"),
    ("registered_on", "登记日期"),
    ("last_reviewed_on", "最近复核日期"),
    ("consent_on", "知情同意日期"),
    ("consent_method", "同意方式"),
]
HEADERS = [header for _, header in COLUMNS] + ["姓名"]
REQUIRED_HEADERS = ["身份证号", "姓名", "困难类别"]
_SEPARATORS = re.compile(r"[、，,；;/\s]+")


class MemberByIdNumberWidget(widgets.Widget):
    def __init__(self, members: dict[str, Member]):
        self.members = members

    def clean(self, value, row=None, **kwargs):
        number = normalize_id_number(str(value or ""))
        if not number:
            raise ValueError("不能为空")
        member = self.members.get(number)
        if member is None:
            raise ValueError("未找到该身份证号的党员，或该党员不在您管辖的支部；请先在党员名册中登记")
        if member.deceased_on is not None:
            raise ValueError(f"{member.name}已逝世，不能列入在册台帐")
        if member.transferred_out_on is not None:
            raise ValueError(f"{member.name}已转出，不能列入在册台帐")
        name = "".join(str((row or {}).get("姓名") or "").split())
        if name and name != member.name:
            raise ValueError(f"身份证号对应的党员是“{member.name}”，与姓名“{name}”不一致")
        return member

    def render(self, value, obj=None, **kwargs):
        return value.id_number if value else ""


class NamesWidget(widgets.ManyToManyWidget):
    """Names separated by 、 or commas; an unknown name is an error, not silently dropped."""

    def __init__(self, model, *, what: str, required: bool):
        super().__init__(model, field="name")
        self.by_name = {obj.name: obj for obj in model.objects.all()}
        self.what = what
        self.required = required

    def clean(self, value, row=None, **kwargs):
        names = [n for n in _SEPARATORS.split(str(value or "")) if n]
        if not names:
            if self.required:
                raise ValueError(f"请至少填写一个{self.what}")
            return []
        unknown = [n for n in names if n not in self.by_name]
        if unknown:
            raise ValueError(f"“{'、'.join(unknown)}”不是有效的{self.what}，可填：{'、'.join(self.by_name)}")
        return [self.by_name[n] for n in dict.fromkeys(names)]

    def render(self, value, obj=None, **kwargs):
        return "、".join(v.name for v in value.all()) if value is not None else ""


class HouseholdWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return 1
        try:
            number = int(float(str(value).replace("人", "").strip()))
        except ValueError as exc:
            raise ValueError(f"“{value}”不是有效人数") from exc
        if not 1 <= number <= 30:
            raise ValueError("家庭人口应在 1 到 30 之间")
        return number


class LedgerResource(resources.ModelResource):
    member = fields.Field("member", "身份证号")
    categories = fields.Field("categories", "困难类别", m2m_add=False)
    level = fields.Field(
        "level", "困难程度", widget=ChoiceWidget(HardshipRecord.Level.choices, default=HardshipRecord.Level.GENERAL)
    )
    household_size = fields.Field("household_size", "家庭人口", widget=HouseholdWidget())
    annual_household_income = fields.Field("annual_household_income", "家庭年收入", widget=MoneyWidget())
    causes = fields.Field("causes", "致困原因", widget=TextWidget())
    main_difficulties = fields.Field("main_difficulties", "主要困难", widget=TextWidget())
    needs = fields.Field("needs", "帮扶需求")
    skills = fields.Field("skills", "特长", widget=TextWidget())
    registered_on = fields.Field("registered_on", "登记日期", widget=FlexibleDateWidget())
    last_reviewed_on = fields.Field("last_reviewed_on", "最近复核日期", widget=FlexibleDateWidget())
    consent_on = fields.Field("consent_on", "知情同意日期", widget=FlexibleDateWidget())
    consent_method = fields.Field(
        "consent_method", "同意方式", widget=ChoiceWidget(HardshipRecord.ConsentMethod.choices, default="")
    )

    class Meta:
        model = HardshipRecord
        fields = [name for name, _ in COLUMNS]
        import_id_fields = ["member"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, members: dict[str, Member], by):
        super().__init__()
        self.by = by
        self.fields["member"].widget = MemberByIdNumberWidget(members)
        self.fields["categories"].widget = NamesWidget(HardshipCategory, what="困难类别", required=True)
        self.fields["needs"].widget = NamesWidget(HelpType, what="帮扶需求", required=False)

    def get_queryset(self):
        # Rows match the member's line in 在册; closed lines stay history.
        return HardshipRecord.objects.active()

    def get_instance(self, instance_loader, row):
        # A member who cannot be found is reported against the 身份证号 column when the row's
        # fields are imported, not as an anonymous whole-row failure here.
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ValidationError):
            return None

    def before_import_row(self, row, **kwargs):
        if not row.get("登记日期"):
            row["登记日期"] = timezone.localdate()

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        # Many-to-many columns are only written after the save; check them now so a bad name is
        # reported against its column together with the row's other problems.
        for name in ("categories", "needs"):
            column = self.fields[name].column_name
            try:
                self.fields[name].widget.clean(row.get(column))
            except ValueError as exc:
                errors[name] = [str(exc)]
        today = timezone.localdate()
        if instance.consent_on is None and instance.annual_household_income is not None:
            errors["annual_household_income"] = ["未登记知情同意日期，不能导入家庭收入"]
        if instance.consent_on is not None:
            if not instance.consent_method:
                errors["consent_method"] = ["填写了知情同意日期时须填写同意方式"]
            if instance.consent_on > today:
                errors["consent_on"] = ["知情同意日期不能晚于今天"]
        if instance.registered_on and instance.registered_on > today:
            errors["registered_on"] = ["登记日期不能晚于今天"]
        if instance.last_reviewed_on and instance.registered_on and instance.last_reviewed_on < instance.registered_on:
            errors["last_reviewed_on"] = ["最近复核日期不能早于登记日期"]
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.created_by = self.by
            instance.last_reviewed_on = instance.last_reviewed_on or instance.registered_on
        if instance.consent_on is not None and instance.consent_recorded_by_id is None:
            instance.consent_recorded_by = self.by


@dataclass
class PreviewRow:
    row: int
    name: str
    branch: str
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    new: list[PreviewRow] = field(default_factory=list)
    changed: list[PreviewRow] = field(default_factory=list)
    unchanged: list[PreviewRow] = field(default_factory=list)
    similar: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.new) + len(self.changed) + len(self.unchanged)


def _members_for(by, numbers: list[str]) -> dict[str, Member]:
    queryset = access.scope(Member.objects.filter(id_number__in=numbers), by, "ledger", IMPORT)
    return {m.id_number: m for m in queryset.select_related("organization")}


def _run(*, data: bytes, by, dry_run: bool) -> ImportReport:
    if not permissions.can_import_ledger(by):
        raise PermissionDenied
    sheet = read_first_sheet(data)
    check_headers(sheet.headers, known=HEADERS, required=REQUIRED_HEADERS)
    id_col = sheet.headers.index("身份证号")
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, values in sheet.rows:
        id_number = normalize_id_number(str(values[id_col] or ""))
        if id_number in seen:
            errors.append(RowError(number, "身份证号", f"与第 {seen[id_number]} 行是同一名党员，每人只能有一行"))
        elif id_number:
            seen[id_number] = number
    known = [h for _, h in COLUMNS] + ["姓名"]
    dataset = build_dataset(sheet.headers, sheet.rows, known=known)
    resource = LedgerResource(members=_members_for(by, list(seen)), by=by)
    resource._meta.store_instance = True
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=True, use_transactions=True, raise_errors=False)
        row_errors, valid = collect_row_results(result, sheet.rows, resource)
        errors.extend(row_errors)
        if errors:
            raise ImportRejected(errors, headers=sheet.headers, rows=sheet.rows)
        report = ImportReport()
        for excel_row, row_result in valid:
            member = row_result.instance.member
            preview = PreviewRow(row=excel_row, name=member.name, branch=member.organization.name)
            if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
                report.new.append(preview)
            elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
                preview.changes = [
                    f"{header}"
                    for attr, header in COLUMNS[2:]
                    if attr not in ("categories", "needs")
                    and getattr(row_result.original, attr) != getattr(row_result.instance, attr)
                ]
                report.changed.append(preview)
            else:
                report.unchanged.append(preview)
        if not dry_run:
            resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    return report


def preview_import(*, data: bytes, by) -> ImportReport:
    return _run(data=data, by=by, dry_run=True)


def commit_import(*, data: bytes, by, confirm_similar: bool = False) -> ImportReport:
    """Import for real, every row or none; every check runs again."""
    report = _run(data=data, by=by, dry_run=False)
    if report.total == 0:
        raise DomainError("文件中没有可导入的行")
    return report
