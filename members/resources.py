"""The roster as a spreadsheet (django-import-export): Chinese headers, rows matched on 身份证号."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader

from core.widgets import ChoiceWidget, FlexibleDateWidget, TextWidget, YesNoWidget
from members.models import Member, Organization
from members.validators import id_birth_date, id_gender, is_ascii_digits, normalize_id_number


@dataclass(frozen=True)
class RosterColumn:
    """One column of the roster workbook: the export writes every one, the import reads the `imported` ones
    (and its template offers them), so a header is spelled once for both directions."""

    attr: str
    header: str
    width: float = 12
    kind: str = "text"
    imported: bool = True


ROSTER: list[RosterColumn] = [
    RosterColumn("name", "姓名", 10),
    RosterColumn("gender", "性别", 6),
    RosterColumn("birth_date", "出生日期", 12, "date"),
    RosterColumn("id_number", "身份证号", 21),
    RosterColumn("phone", "联系电话", 14),
    RosterColumn("address", "家庭住址", 30),
    RosterColumn("organization", "所在支部", 20),
    RosterColumn("join_date", "入党日期", 12, "date"),
    RosterColumn("full_member_date", "转正日期", 12, "date"),
    RosterColumn("party_status", "党员类别", 10),
    RosterColumn("employment", "就业状况", 10),
    RosterColumn("is_retired_cadre", "离退休干部", 10),
    RosterColumn("work_capacity", "劳动能力", 10),
    RosterColumn("health", "健康状况", 16),
    RosterColumn("lives_alone", "独居", 6),
    RosterColumn("is_model_worker", "老模范", 8),
    # Moved only by the transfer and death workflows, never by a file.
    RosterColumn("state", "在册状态", 10, imported=False),
    RosterColumn("retirement", "离休/退休", 9),
    RosterColumn("former_employer", "原工作单位", 20),
    RosterColumn("former_employer_situation", "原单位情况", 10),
    RosterColumn("mobility", "流动党员", 8),
    RosterColumn("mobility_place", "流出去向/流入来源", 20),
    RosterColumn("mobility_contact", "流动期间联系方式", 18),
]
COLUMNS: list[tuple[str, str]] = [(column.attr, column.header) for column in ROSTER if column.imported]
REQUIRED_HEADERS = ["姓名", "身份证号", "所在支部", "入党日期"]
HEADER_OF = dict(COLUMNS)


class OrganizationNameWidget(ChoiceWidget):
    """A branch named in the file, looked up among the branches the importing user keeps."""

    def __init__(self, branches: dict[str, Organization]):
        self.branches = branches

    def clean(self, value, row=None, **kwargs):
        name = "".join(str(value or "").split())
        if not name:
            raise ValueError("不能为空")
        branch = self.branches.get(name)
        if branch is None:
            raise ValueError(f"未找到支部“{name}”，或该支部不在您的管辖范围内")
        return branch

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class MemberResource(resources.ModelResource):
    def __init__(self, *, branches: dict[str, Organization] | None = None):
        super().__init__()
        self.fields["organization"].widget = OrganizationNameWidget(branches or {})

    name = fields.Field("name", "姓名", widget=TextWidget())
    gender = fields.Field("gender", "性别", widget=ChoiceWidget(Member.Gender.choices))
    birth_date = fields.Field("birth_date", "出生日期", widget=FlexibleDateWidget())
    id_number = fields.Field("id_number", "身份证号", widget=TextWidget())
    phone = fields.Field("phone", "联系电话", widget=TextWidget())
    address = fields.Field("address", "家庭住址", widget=TextWidget())
    organization = fields.Field("organization", "所在支部")
    join_date = fields.Field("join_date", "入党日期", widget=FlexibleDateWidget())
    full_member_date = fields.Field("full_member_date", "转正日期", widget=FlexibleDateWidget())
    party_status = fields.Field(
        "party_status", "党员类别", widget=ChoiceWidget(Member.PartyStatus.choices, default=Member.PartyStatus.FULL)
    )
    employment = fields.Field(
        "employment", "就业状况", widget=ChoiceWidget(Member.Employment.choices, default=Member.Employment.EMPLOYED)
    )
    is_retired_cadre = fields.Field("is_retired_cadre", "离退休干部", widget=YesNoWidget())
    work_capacity = fields.Field(
        "work_capacity",
        "劳动能力",
        widget=ChoiceWidget(Member.WorkCapacity.choices, default=Member.WorkCapacity.NORMAL),
    )
    health = fields.Field("health", "健康状况", widget=TextWidget())
    lives_alone = fields.Field("lives_alone", "独居", widget=YesNoWidget())
    is_model_worker = fields.Field("is_model_worker", "老模范", widget=YesNoWidget())
    retirement = fields.Field("retirement", "离休/退休", widget=ChoiceWidget(Member.Retirement.choices, default=""))
    former_employer = fields.Field("former_employer", "原工作单位", widget=TextWidget())
    former_employer_situation = fields.Field(
        "former_employer_situation", "原单位情况", widget=ChoiceWidget(Member.EmployerSituation.choices, default="")
    )
    mobility = fields.Field("mobility", "流动党员", widget=ChoiceWidget(Member.Mobility.choices, default=""))
    mobility_place = fields.Field("mobility_place", "流出去向/流入来源", widget=TextWidget())
    mobility_contact = fields.Field("mobility_contact", "流动期间联系方式", widget=TextWidget())

    class Meta:
        model = Member
        fields = [field for field, _ in COLUMNS]
        import_id_fields = ["id_number"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # The bulk path (performance issue): rows are still read and validated one by one, but the
        # members already on file are loaded in one query (the importer normalises the 身份证号
        # column first so the cache finds them) and the writes go out 1,000 at a time with
        # bulk_create/bulk_update, inside the importer's all-or-nothing transaction.
        use_bulk = True
        batch_size = 1000
        instance_loader_class = CachedInstanceLoader
        store_instance = True
        skip_html_diff = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own rules (fields and Member.clean) without a query per row:
        - no uniqueness query: 身份证号 is the import key, repeated numbers within a file are refused by
          the importer before this runs, and a number already on file loads that member (an update);
        - no database round trip for the check constraint: Member.clean checks 转正日期 > 入党日期
          with a message a secretary understands;
        - no existence query for the branch the widget already resolved from the importer's branches.
        The database's unique index and check constraint still stand behind all three."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if instance.organization_id is not None:
            exclude.add("organization")
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_import_row(self, row, **kwargs):
        """Normalise the 身份证号 and fill 性别 and 出生日期 from it when the file leaves them blank."""
        number = normalize_id_number(str(row.get("身份证号") or ""))
        row["身份证号"] = number
        if len(number) == 18 and is_ascii_digits(number[:17]):
            if not row.get("性别"):
                row["性别"] = id_gender(number)
            if not row.get("出生日期"):
                row["出生日期"] = id_birth_date(number)
