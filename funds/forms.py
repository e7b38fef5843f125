"""Forms validate input and lay it out; the rules themselves are in services."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings

from core import clock
from core.params import PastDateField
from funds.models import CommitteeDecision, Kind, PartnerUnit, Source
from members.models import Member, Organization, Role
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


class ApplicationForm(forms.Form):
    member = forms.ModelChoiceField(label="申请人", queryset=Member.objects.none(), widget=MemberPicker, required=False)
    partner = forms.ModelChoiceField(
        label="或：互联共建单位的困难党员",
        queryset=PartnerUnit.objects.none(),
        required=False,
        empty_label="（本单位党员，不选）",
        help_text="共建单位的困难党员不在本单位名册中，选择单位并填写姓名",
    )
    recipient_name = forms.CharField(label="共建单位困难党员姓名", max_length=50, required=False)
    kind = forms.ChoiceField(
        label="申请类别",
        choices=Kind.choices,
        help_text="年度生活困难补助：每人每年一次，限困难党员台帐在册的年老无固定收入、丧失劳动能力或因病因灾致贫党员",
    )
    amount_requested = forms.DecimalField(
        label="申请金额（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(
        label="申请理由", widget=forms.Textarea(attrs={"rows": 5}), help_text="写明家庭困难情况、致困原因和资金用途"
    )
    is_emergency = forms.BooleanField(label="遇重大灾情或紧急情况，申请先审批、支部大会事后补开", required=False)
    attachments = MultipleFileField(
        label="证明材料",
        required=False,
        help_text=f"PDF、JPG 或 PNG，每个不超过 {settings.CARE['ATTACHMENT_MAX_BYTES'] // 1048576} MB，可多选",
    )

    def __init__(self, *args, user, editing=None, bounds_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["amount_requested"].help_text = bounds_help
        secretary_of = org_ids(user, Role.SECRETARY)
        own = getattr(user, "member", None)
        partners = PartnerUnit.objects.filter(liaison__in=secretary_of, is_active=True).order_by("name")
        if editing is not None:
            for name in ("member", "partner", "recipient_name"):
                del self.fields[name]
            return
        queryset = Member.objects.for_user(user).on_roll().filter(organization__in=secretary_of)
        if own is not None:
            queryset = queryset | Member.objects.filter(pk=own.pk)
        self.fields["member"].queryset = queryset
        self.fields["partner"].queryset = partners
        if not partners.exists():
            del self.fields["partner"]
            del self.fields["recipient_name"]
        if own is not None and not user.is_superuser and not secretary_of:
            # A member applies for themself: no choice to make.
            self.fields["member"].initial = own.pk
            self.fields["member"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if "member" not in self.fields:
            return data
        partner = data.get("partner")
        if partner is not None and data.get("member") is not None:
            raise forms.ValidationError("请选择本单位党员或互联共建单位的困难党员之一")
        if partner is None and data.get("member") is None:
            self.add_error("member", "请选择申请人")
        if partner is not None and not (data.get("recipient_name") or "").strip():
            self.add_error("recipient_name", "请填写共建单位困难党员的姓名")
        return data


VOTES = {"min_value": 0, "max_value": 9999}


class MeetingForm(forms.Form):
    meeting_on = forms.DateField(label="支部党员大会日期", widget=DATE)
    attendees = forms.IntegerField(
        label="到会人数", min_value=1, max_value=9999, help_text="到会的有表决权的正式党员，预备党员和列席人员不计入"
    )
    votes_for = forms.IntegerField(label="赞成", **VOTES)
    votes_against = forms.IntegerField(label="反对", initial=0, **VOTES)
    votes_abstain = forms.IntegerField(label="弃权", initial=0, **VOTES)
    attendee_names = forms.CharField(
        label="到会人员（可选）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_on"].initial = clock.today()


class ConfirmMeetingForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label="核对结果",
        choices=[("1", "与会议记录一致，确认"), ("0", "记录有误，退回重新记录")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    comment = forms.CharField(
        label="说明（退回时必填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommitteeMeetingFields(forms.Form):
    """党委研究: the meeting that decided (approval, reconsideration)."""

    meeting_on = forms.DateField(label="党委会议日期", widget=DATE)
    meeting_kind = forms.ChoiceField(label="会议类型", choices=CommitteeDecision.MeetingKind.choices)
    reference = forms.CharField(
        label="会议纪要或决定文号",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：党委会议纪要〔2027〕3号"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_on"].initial = clock.today()


class ApproveForm(CommitteeMeetingFields):
    amount_approved = forms.DecimalField(
        label="批准金额（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    comment = forms.CharField(
        label="审批意见（可选）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["amount_approved", "meeting_on", "meeting_kind", "reference", "comment"]


class ReconsiderForm(CommitteeMeetingFields):
    keep = forms.TypedChoiceField(
        label="党委复议决定",
        choices=[("1", "维持批准"), ("0", "撤销批准（已发放的予以追回）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="复议理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["keep", "meeting_on", "meeting_kind", "reference", "reason"]


class RecoveryForm(forms.Form):
    note = forms.CharField(
        label="摘要（可选）",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：本人退回现金，收据号 0012"}),
    )


class UseForm(forms.Form):
    occurred_on = forms.DateField(label="列支日期", widget=DATE, required=False, help_text="留空为走访或帮扶当天")


class BoundForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    minimum = forms.DecimalField(label="最低（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    maximum = forms.DecimalField(label="最高（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(
        label="调整依据", max_length=200, widget=forms.TextInput(attrs={"placeholder": "如：党委会议纪要〔2027〕2号"})
    )


class TargetForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="筹集目标（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    decision_ref = forms.CharField(
        label="党委决定依据",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：党委会议纪要〔2027〕1号"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year


class PartnerForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    liaison = forms.ModelChoiceField(
        label="联系支部",
        queryset=Organization.objects.none(),
        help_text="由该支部书记填报共建单位困难党员的申请，并召开支部党员大会评议",
    )
    contact = forms.CharField(label="联系人及电话（可选）", max_length=100, required=False)

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = Organization.objects.filter(
            path__startswith=fund.organization.path, is_active=True
        ).branches()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果",
        choices=[("0", "异议不成立，公示继续"), ("1", "异议成立，驳回申请")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))


class IncomeForm(forms.Form):
    source = forms.ChoiceField(label="收入来源", choices=Source.choices)
    donor = forms.CharField(label="捐助人", required=False, max_length=100, help_text="党员捐助时必填")
    amount = forms.DecimalField(
        label="金额（元）", max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("99999999.99")
    )
    occurred_on = PastDateField(label="到账日期", widget=DATE)
    note = forms.CharField(label="摘要", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = clock.today()

    def clean(self):
        data = super().clean()
        if data.get("source") == Source.DONATION and not (data.get("donor") or "").strip():
            self.add_error("donor", "党员捐助须填写捐助人")
        return data
