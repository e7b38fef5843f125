from __future__ import annotations

from django import forms

from filings.periods import Period
from members.models import Organization
from members.roles import Role
from members.scoping import organizations_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="报送说明（可不填）", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    # Required by the service (its sentence is shown by the field), not by the form.
    comment = forms.CharField(label="退回意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DeadlineForm(forms.Form):
    organization = forms.ModelChoiceField(label="组织", queryset=Organization.objects.none(), empty_label="请选择")
    period = forms.ChoiceField(label="报送事项")
    due_on = forms.DateField(label="截止日期", widget=DATE_INPUT)

    def __init__(self, *args, user, periods: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        # Where the user is the 组织部: the date applies to the units under it.
        self.fields["organization"].queryset = organizations_for(user, Role.ORG_DEPT).exclude(
            kind=Organization.Kind.BRANCH
        )
        self.fields["period"].choices = [("", "请选择"), *((p.key, p.label) for p in periods)]
        self.periods = {p.key: p for p in periods}

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]
