"""Forms of the 全面排查: opening a period, and a member's checklist (big tap targets for a phone)."""

from __future__ import annotations

from django import forms

from core.params import ModelMultipleChoiceField
from hardship.models import HardshipCategory, HardshipRecord
from members import access
from members.models import Organization
from surveys.models import Contact, Health, Living, Need

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    organization = forms.ModelChoiceField(label="组织单位", queryset=Organization.objects.none(), empty_label="请选择")
    name = forms.CharField(
        label="名称", max_length=100, widget=forms.TextInput(attrs={"placeholder": "如：2027年主题教育期间全面排查"})
    )
    starts_on = forms.DateField(label="开始日期", widget=DATE_INPUT)
    ends_on = forms.DateField(label="结束日期", widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = access.scope(
            Organization.objects.exclude(kind=Organization.Kind.BRANCH).filter(is_active=True),
            user,
            "survey",
            access.CREATE,
            org_field="id",
        )
        self.fields["organization"].queryset = queryset
        if len(queryset) == 1:
            self.initial.setdefault("organization", queryset[0].pk)


class ChecklistForm(forms.Form):
    health = forms.ChoiceField(label="健康状况", choices=Health.choices, widget=forms.RadioSelect)
    health_note = forms.CharField(
        label="健康情况说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：高血压，行动不便"}),
    )
    living = forms.ChoiceField(label="生活状况", choices=Living.choices, widget=forms.RadioSelect)
    hardship_level = forms.ChoiceField(
        label="困难程度（生活困难的填）",
        choices=HardshipRecord.Level.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    categories = ModelMultipleChoiceField(
        label="困难类别（生活困难的填，对照困难党员台帐）",
        queryset=HardshipCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    family_changed = forms.BooleanField(label="家庭情况有变化", required=False)
    family_situation = forms.CharField(
        label="家庭情况及变化",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：老伴去年住院，子女在外地务工"}),
    )
    needs = forms.MultipleChoiceField(
        label="需求", choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    needs_note = forms.CharField(label="其他需求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact = forms.ChoiceField(label="了解方式", choices=Contact.choices, widget=forms.RadioSelect)
    confirmed_on = forms.DateField(label="确认日期", widget=DATE_INPUT)
