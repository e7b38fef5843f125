from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from awards import permissions
from awards.models import DEFAULT_CATEGORIES, AwardCampaign
from members.models import Member
from members.widgets import MemberPicker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = AwardCampaign
        fields = ["year", "title", "organizer", "nomination_deadline", "description"]
        widgets = {
            "nomination_deadline": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = permissions.organizer_choices(user)
        self.fields["organizer"].empty_label = None
        self.fields["year"].widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("year", css_class="col-4 col-md-2"),
                Column("title", css_class="col-8 col-md-6"),
                Column("organizer", css_class="col-md-4"),
            ),
            Row(Column("nomination_deadline", css_class="col-md-4"), Column("description", css_class="col-md-8")),
        )

    def clean_year(self):
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not this_year - 1 <= year <= this_year + 1:
            raise forms.ValidationError(f"年度应在 {this_year - 1}–{this_year + 1} 之间")
        return year


class CategoryForm(forms.Form):
    name = forms.CharField(label="表彰类别", max_length=50, required=False)
    quota_per_branch = forms.IntegerField(label="每支部名额", min_value=1, max_value=100, required=False)
    quota_total = forms.IntegerField(label="总名额", min_value=1, max_value=1000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not (data.get("quota_per_branch") or data.get("quota_total")):
            raise forms.ValidationError("请设置每支部名额或总名额")
        return data


CategoryFormSet = forms.formset_factory(CategoryForm, extra=1, max_num=10)
DEFAULT_CATEGORY_INITIAL = [
    {"name": DEFAULT_CATEGORIES[0], "quota_per_branch": 2, "quota_total": None},
    {"name": DEFAULT_CATEGORIES[1], "quota_per_branch": 1, "quota_total": None},
    {"name": DEFAULT_CATEGORIES[2], "quota_per_branch": 1, "quota_total": None},
]


class NominationForm(forms.Form):
    category = forms.ModelChoiceField(label="表彰类别", queryset=None, empty_label="请选择")
    member = forms.ModelChoiceField(
        label="推荐对象",
        queryset=None,
        widget=MemberPicker(),
        help_text="输入姓名搜索本支部在册党员",
        error_messages={"invalid_choice": "只能推荐本支部的在册党员"},
    )
    deeds = forms.CharField(
        label="主要事迹",
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=20,
        help_text="写明工作表现、突出贡献、兑现承诺情况等，不少于20字",
    )
    meeting_date = forms.DateField(label="支部党员大会日期", widget=DateInput())
    attendees = forms.IntegerField(label="到会党员人数", min_value=1, max_value=10000)
    votes_for = forms.IntegerField(label="赞成票", min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label="反对票", min_value=0, max_value=10000, initial=0)
    votes_abstain = forms.IntegerField(label="弃权票", min_value=0, max_value=10000, initial=0)

    def __init__(self, *args, user, campaign: AwardCampaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = campaign.categories.all()
        # Only on-roll members of the branches the user is secretary of: posting another
        # branch's member id fails validation whatever the picker showed.
        self.fields["member"].queryset = (
            Member.objects.for_user(user)
            .on_roll()
            .filter(organization__in=permissions.nominating_branches(user, campaign))
        )
        for name in ("attendees", "votes_for", "votes_against", "votes_abstain"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("category", css_class="col-md-4"), Column("member", css_class="col-md-8")),
            "deeds",
            Row(
                Column("meeting_date", css_class="col-12 col-md-4"),
                Column("attendees", css_class="col-6 col-md-2"),
                Column("votes_for", css_class="col-6 col-md-2"),
                Column("votes_against", css_class="col-6 col-md-2"),
                Column("votes_abstain", css_class="col-6 col-md-2"),
            ),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label="异议内容",
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=5,
        help_text="请实事求是写明事实和依据。组织部将核实处理，并把结果告诉您。",
    )
