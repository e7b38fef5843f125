from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from members import access, permissions
from members.models import Member
from members.scoping import branches_for
from members.services import SENSITIVE_FIELDS
from members.validators import normalize_id_number
from members.widgets import MemberPicker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def duplicate_id_message(user, other: Member) -> str:
    """Who already holds an ID number, told only to a user who may see that member."""
    if Member.objects.for_user(user, access.VIEW).filter(pk=other.pk).exists():
        return f"该身份证号已登记为{other.name}（{other.organization.name}）"
    return "该身份证号已在系统中登记（不在您的管理范围内），请联系党委组织部核实"


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "organization",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "address",
            "join_date",
            "full_member_date",
            "party_status",
            "employment",
            "is_retired_cadre",
            "work_capacity",
            "health",
            "is_hospitalized",
            "lives_alone",
            "is_model_worker",
            "is_under_discipline",
            "retirement",
            "former_employer",
            "former_employer_situation",
            "care_file_reviewed_on",
            "mobility",
            "mobility_place",
            "mobility_contact",
            "family_contact",
            "deceased_on",
            "transferred_out_on",
        ]
        widgets = {
            "birth_date": DateInput(),
            "join_date": DateInput(),
            "full_member_date": DateInput(),
            "deceased_on": DateInput(),
            "transferred_out_on": DateInput(),
            "care_file_reviewed_on": DateInput(),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "family_contact": MemberPicker(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The dropdown lists only branches where the user may do this: an unscoped dropdown leaks names.
        action = access.EDIT if self.instance.pk else access.CREATE
        self.fields["organization"].queryset = branches_for(user, *access.real_roles("member", action))
        self.fields["organization"].empty_label = "请选择支部"
        self.fields["family_contact"].queryset = access.scope(Member.objects.on_roll(), user, "member", action)
        # A masked role (支委) edits the rest of the record but never receives these fields' values.
        sensitive = permissions.can_edit_sensitive(user, self.instance)
        if not sensitive:
            for name in SENSITIVE_FIELDS:
                del self.fields[name]

        def row(*columns: tuple[str, str]) -> Row:
            return Row(*(Column(name, css_class=css) for name, css in columns if name in self.fields))

        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}  # one way of validation everywhere: the server's messages
        self.helper.layout = Layout(
            Fieldset(
                "基本信息",
                row(
                    ("name", "col-md-4"),
                    ("gender", "col-md-2"),
                    ("birth_date", "col-md-3"),
                    ("organization", "col-md-3"),
                ),
                row(("id_number", "col-md-4"), ("phone", "col-md-3"), ("address", "col-md-5")),
            ),
            Fieldset(
                "党籍信息",
                row(("join_date", "col-md-4"), ("full_member_date", "col-md-4"), ("party_status", "col-md-4")),
            ),
            Fieldset(
                "关怀相关情况",
                row(("employment", "col-md-4"), ("work_capacity", "col-md-4"), ("health", "col-md-4")),
                row(
                    ("is_retired_cadre", "col-6 col-md-2"),
                    ("is_hospitalized", "col-6 col-md-2"),
                    ("lives_alone", "col-6 col-md-2"),
                    ("is_model_worker", "col-6 col-md-2"),
                    ("is_under_discipline", "col-6 col-md-4"),
                ),
                row(
                    ("retirement", "col-md-2"),
                    ("former_employer", "col-md-4"),
                    ("former_employer_situation", "col-md-3"),
                    ("care_file_reviewed_on", "col-md-3"),
                ),
            ),
            Fieldset(
                "流动党员、外出务工家庭",
                row(("mobility", "col-md-2"), ("mobility_place", "col-md-5"), ("mobility_contact", "col-md-5")),
                row(
                    ("family_contact", "col-md-6"),
                ),
            ),
            Fieldset(
                "组织关系变动",
                row(("deceased_on", "col-md-4"), ("transferred_out_on", "col-md-4")),
            ),
            Submit("submit", "保存", css_class="btn-danger"),
        )

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("id_number") or "")
        other = (
            Member.objects.filter(id_number=value).exclude(pk=self.instance.pk).select_related("organization").first()
        )
        if value and other is not None:
            raise forms.ValidationError(duplicate_id_message(self.user, other), code="unique")
        return value
