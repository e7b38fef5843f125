"""Forms validate input and lay it out; the rules themselves are in services."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone

from core.params import PastDateField
from funds.models import Kind, Source
from members.models import Member, Role
from members.scoping import org_ids
from members.widgets import MemberPicker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        accept = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def bounds_help() -> str:
    parts = [f"{Kind(k).label} {Decimal(lo):.0f}–{Decimal(hi):.0f} 元"
             for k, (lo, hi) in settings.CARE["APPLICATION_AMOUNT_BOUNDS"].items()]
    return "；".join(parts)


class ApplicationForm(forms.Form):
    member = forms.ModelChoiceField(label="申请人", queryset=Member.objects.none(), widget=MemberPicker)
    kind = forms.ChoiceField(label="申请类别", choices=Kind.choices)
    amount_requested = forms.DecimalField(label="申请金额（元）", max_digits=12, decimal_places=2,
                                          min_value=Decimal("0.01"), help_text=bounds_help())
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 5}),
                             help_text="写明家庭困难情况、致困原因和资金用途")
    is_emergency = forms.BooleanField(label="遇重大灾情或紧急情况，申请先审批、支部大会事后补开", required=False)
    attachments = MultipleFileField(
        label="证明材料", required=False,
        help_text=f"PDF、JPG 或 PNG，每个不超过 {settings.CARE['ATTACHMENT_MAX_BYTES'] // 1048576} MB，可多选",
    )

    def __init__(self, *args, user, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        secretary_of = org_ids(user, Role.SECRETARY)
        own = getattr(user, "member", None)
        if editing is not None:
            del self.fields["member"]
        else:
            queryset = Member.objects.for_user(user).on_roll().filter(organization__in=secretary_of)
            if own is not None:
                queryset = queryset | Member.objects.filter(pk=own.pk)
            self.fields["member"].queryset = queryset
            if own is not None and not user.is_superuser and not secretary_of:
                # A member applies for themself: no choice to make.
                self.fields["member"].initial = own.pk
                self.fields["member"].widget = forms.HiddenInput()


class MeetingForm(forms.Form):
    meeting_on = forms.DateField(label="支部党员大会日期", widget=DATE)
    attendees = forms.IntegerField(label="到会党员人数", min_value=1, max_value=10000)
    votes_for = forms.IntegerField(label="赞成", min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label="反对", min_value=0, initial=0, max_value=10000)
    votes_abstain = forms.IntegerField(label="弃权", min_value=0, initial=0, max_value=10000)
    attendee_names = forms.CharField(label="到会人员（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_on"].initial = timezone.localdate()


class ApproveForm(forms.Form):
    amount_approved = forms.DecimalField(label="批准金额（元）", max_digits=12, decimal_places=2,
                                         min_value=Decimal("0.01"))
    comment = forms.CharField(label="审批意见（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果", choices=[("0", "异议不成立，公示继续"), ("1", "异议成立，驳回申请")],
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))


class IncomeForm(forms.Form):
    source = forms.ChoiceField(label="收入来源", choices=Source.choices)
    donor = forms.CharField(label="捐助人", required=False, max_length=100, help_text="党员捐助时必填")
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                                max_value=Decimal("99999999.99"))
    occurred_on = PastDateField(label="到账日期", widget=DATE)
    note = forms.CharField(label="摘要", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("source") == Source.DONATION and not (data.get("donor") or "").strip():
            self.add_error("donor", "党员捐助须填写捐助人")
        return data
