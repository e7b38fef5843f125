"""The form an administrator or the 组织部 issues a token with."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from api import tokens
from core.params import FIRST_YEAR
from members import access
from members.access import CREATE
from members.scoping import organizations_for


class TokenForm(forms.Form):
    name = forms.CharField(
        label="名称（调用方系统）",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：智慧党建平台、党员信息系统同步"}),
    )
    organization = forms.ModelChoiceField(
        label="数据范围", queryset=None, empty_label=None, help_text="令牌只能读写该组织及其下级组织的数据"
    )
    grants = forms.MultipleChoiceField(
        label="权限", widget=forms.CheckboxSelectMultiple, help_text="只勾选调用方需要的；您自己没有的权限不能授予"
    )
    expires_on = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label="说明（可选）", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_for(user, *access.real_roles("api_token", CREATE))
        self.fields["grants"].choices = [(name, tokens.entry_label(name)) for name in tokens.grantable_by(user)]
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=365)

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value.year < FIRST_YEAR:
            raise forms.ValidationError("有效期应晚于今天")
        return value
