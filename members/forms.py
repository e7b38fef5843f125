from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from members.models import Member
from members.scoping import MANAGER_ROLES, branches_for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "organization", "name", "gender", "birth_date", "id_number", "phone", "address",
            "join_date", "full_member_date", "party_status", "employment", "is_retired_cadre",
            "work_capacity", "health", "is_hospitalized", "lives_alone", "is_model_worker",
            "is_under_discipline", "deceased_on", "transferred_out_on",
        ]
        widgets = {
            "birth_date": DateInput(),
            "join_date": DateInput(),
            "full_member_date": DateInput(),
            "deceased_on": DateInput(),
            "transferred_out_on": DateInput(),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The dropdown lists only branches the user keeps: an unscoped dropdown leaks names.
        self.fields["organization"].queryset = branches_for(user, *MANAGER_ROLES)
        self.fields["organization"].empty_label = "请选择支部"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "基本信息",
                Row(Column("name", css_class="col-md-4"), Column("gender", css_class="col-md-2"),
                    Column("birth_date", css_class="col-md-3"), Column("organization", css_class="col-md-3")),
                Row(Column("id_number", css_class="col-md-4"), Column("phone", css_class="col-md-3"),
                    Column("address", css_class="col-md-5")),
            ),
            Fieldset(
                "党籍信息",
                Row(Column("join_date", css_class="col-md-4"), Column("full_member_date", css_class="col-md-4"),
                    Column("party_status", css_class="col-md-4")),
            ),
            Fieldset(
                "关怀相关情况",
                Row(Column("employment", css_class="col-md-4"), Column("work_capacity", css_class="col-md-4"),
                    Column("health", css_class="col-md-4")),
                Row(Column("is_retired_cadre", css_class="col-6 col-md-2"),
                    Column("is_hospitalized", css_class="col-6 col-md-2"),
                    Column("lives_alone", css_class="col-6 col-md-2"),
                    Column("is_model_worker", css_class="col-6 col-md-2"),
                    Column("is_under_discipline", css_class="col-6 col-md-4")),
            ),
            Fieldset(
                "组织关系变动",
                Row(Column("deceased_on", css_class="col-md-4"), Column("transferred_out_on", css_class="col-md-4")),
            ),
            Submit("submit", "保存", css_class="btn-danger"),
        )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True, label="Excel 文件（.xlsx）", help_text="不超过 5 MB；第一行为表头，列名见下载的模板"
    )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    confirm_similar = forms.BooleanField(
        label="我已核实：上面标出的疑似重复人员确实不是同一人，仍要导入", required=False
    )
