from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from core.params import ModelMultipleChoiceField, YearField
from hardship.models import (
    EmploymentOutcome,
    FamilyMember,
    HardshipCategory,
    HardshipRecord,
    HelpType,
    MoneySource,
    Pairing,
    PairingProgress,
)
from members import access
from members.access import CREATE
from members.forms import DateInput
from members.models import Member
from members.widgets import MemberPicker, SearchPicker


def _registrable_members(user):
    """Members a ledger line may be registered for: on the roll where the user may register lines."""
    return access.scope(Member.objects.on_roll(), user, "ledger", CREATE)


class RecordForm(forms.ModelForm):
    class Meta:
        model = HardshipRecord
        fields = [
            "member",
            "categories",
            "level",
            "household_size",
            "annual_household_income",
            "causes",
            "main_difficulties",
            "needs",
            "skills",
            "registered_on",
            "consent_on",
            "consent_method",
        ]
        field_classes = {"categories": ModelMultipleChoiceField, "needs": ModelMultipleChoiceField}
        widgets = {
            "member": MemberPicker(),
            "categories": forms.CheckboxSelectMultiple,
            "needs": forms.CheckboxSelectMultiple,
            "registered_on": DateInput(),
            "consent_on": DateInput(),
            "causes": forms.Textarea(attrs={"rows": 2}),
            "main_difficulties": forms.Textarea(attrs={"rows": 2}),
            "annual_household_income": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        }
        help_texts = {
            "consent_on": "党员本人同意保存其家庭收入、健康和家庭成员信息的日期；未登记同意时这些信息不能保存",
            "annual_household_income": "家庭全体成员上一年度的总收入，人均收入自动计算",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _registrable_members(user)
        self.fields["member"].label = "困难党员"
        if self.instance.pk:
            # A line belongs to one member; re-registering someone else is a new line.
            self.fields["member"].disabled = True
            self.fields["member"].queryset = Member.objects.filter(pk=self.instance.member_id)
        elif not self.is_bound:
            self.initial["registered_on"] = self.initial.get("registered_on") or timezone.localdate()
        self.fields["categories"].queryset = HardshipCategory.objects.all()
        self.fields["needs"].queryset = HelpType.objects.all()
        self.fields["consent_method"].choices = [("", "请选择"), *HardshipRecord.ConsentMethod.choices]

    def clean(self):
        data = super().clean()
        if not data.get("consent_on"):
            if data.get("annual_household_income") is not None:
                self.add_error("annual_household_income", "未登记知情同意，不能填写家庭收入")
        elif not data.get("consent_method"):
            self.add_error("consent_method", "请选择同意方式")
        registered = data.get("registered_on")
        if registered and registered > timezone.localdate():
            self.add_error("registered_on", "登记日期不能晚于今天")
        return data


class FamilyMemberForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["name", "relation", "age", "occupation", "health", "annual_income"]
        widgets = {
            "age": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "annual_income": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        }


FamilyFormSet = forms.inlineformset_factory(
    HardshipRecord,
    FamilyMember,
    form=FamilyMemberForm,
    extra=1,
    can_delete=True,
    max_num=20,
)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="复核日期", widget=DateInput())
    level = forms.ChoiceField(label="复核后困难程度", choices=HardshipRecord.Level.choices)
    note = forms.CharField(
        label="复核情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="如：家庭情况无变化、收入有所增加、病情加重等",
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="处理结果",
        choices=[(HardshipRecord.Status.LIFTED, "已脱困"), (HardshipRecord.Status.CLOSED, "已注销")],
        widget=forms.RadioSelect,
    )
    closed_on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


def pairable_records(user):
    """Active ledger lines where the user may arrange pairings: what a helper can be assigned to."""
    return (
        access.scope(HardshipRecord.objects.active(), user, "pairing", CREATE, org_field="member__organization")
        .select_related("member__organization")
        .order_by("member__organization__path", "member__name")
    )


class PairingForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["record", "helper", "help_types", "started_on", "goals", "measures", "items", "expected_results"]
        field_classes = {"help_types": ModelMultipleChoiceField}
        widgets = {
            "record": SearchPicker(
                reverse_lazy("hardship:record_search"),
                label=lambda r: f"{r.member.name}（{r.member.organization.name}）",
            ),
            "helper": MemberPicker(),
            "help_types": forms.CheckboxSelectMultiple,
            "started_on": DateInput(),
            "goals": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "items": forms.Textarea(attrs={"rows": 2}),
            "expected_results": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = pairable_records(user)
        self.fields["helper"].queryset = access.scope(Member.objects.on_roll(), user, "pairing", CREATE)
        self.fields["helper"].help_text = "可选择范围内的任何党员：党员领导干部、机关干部或普通党员"
        self.fields["help_types"].queryset = HelpType.objects.filter(is_pairing_help=True)
        self.initial["started_on"] = self.initial.get("started_on") or timezone.localdate()


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["help_types", "goals", "measures", "items", "expected_results"]
        field_classes = {"help_types": ModelMultipleChoiceField}
        widgets = {
            "help_types": forms.CheckboxSelectMultiple,
            "goals": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "items": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_types"].queryset = HelpType.objects.filter(is_pairing_help=True)


class ProgressForm(forms.ModelForm):
    class Meta:
        model = PairingProgress
        fields = [
            "date",
            "help_type",
            "description",
            "money",
            "money_source",
            "money_source_note",
            "goods",
            "employment_step",
            "employment_outcome",
        ]
        widgets = {
            "date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
            "money": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["help_type"].queryset = HelpType.objects.filter(is_pairing_help=True)
        self.fields["help_type"].empty_label = "请选择"
        self.fields["money_source"].choices = [("", "（无资金）"), *MoneySource.choices]
        self.fields["money_source"].help_text = "从党内关怀基金支出的，由基金管理员列支入账"
        self.initial["date"] = self.initial.get("date") or timezone.localdate()


class EmploymentOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="帮就业结果", choices=EmploymentOutcome.choices)
    note = forms.CharField(
        label="结果说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：已在县物流公司上岗"}),
    )


class EndPairingForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DateInput())
    outcome = forms.CharField(label="帮扶成效", widget=forms.Textarea(attrs={"rows": 3}))


class HalfYearForm(forms.Form):
    organization = forms.ModelChoiceField(label="组织", queryset=None, empty_label=None)
    year = YearField(label="年度")
    half = forms.TypedChoiceField(label="半年", choices=[(1, "上半年"), (2, "下半年")], coerce=int)

    def __init__(self, *args, user, **kwargs):
        from members.scoping import organizations_for

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user, *access.real_roles("pairing", access.EXPORT))
