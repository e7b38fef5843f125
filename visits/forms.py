"""Forms: quick to fill on a phone, every member choice scoped to the user."""

from __future__ import annotations

import django_filters
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.db.models import Q
from django.utils import timezone

from core.filters import YearFilter
from core.params import ModelMultipleChoiceField, PastDateField
from hardship.models import MoneySource
from members import access
from members.access import CREATE, EDIT
from members.filters import UserFilterSet
from members.models import Member, Organization
from members.validators import add_years, normalize_search
from members.widgets import MemberPicker, MembersPicker
from visits.models import HOLIDAY_OCCASIONS, Concern, LifeEvent, Occasion, Talk, Visit, VisitPlan, VisitPrompt

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _on_roll(user, kind: str, action: str):
    """Members on the roll where the user may do `action` on `kind` (the form's pickers)."""
    return access.scope(Member.objects.on_roll(), user, kind, action)


class VisitForm(forms.Form):
    member = forms.ModelChoiceField(
        label="走访对象", queryset=Member.objects.none(), widget=MemberPicker, help_text="输入姓名或身份证号后几位搜索"
    )
    occasion = forms.ChoiceField(label="走访事由", choices=Occasion.choices, initial=Occasion.ROUTINE)
    visited_on = PastDateField(label="走访日期", widget=DATE_INPUT)
    visitors = ModelMultipleChoiceField(label="走访人", queryset=Member.objects.none(), widget=MembersPicker)
    amount = forms.DecimalField(
        label="慰问金（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": "慰问金不能为负数"},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    money_source = forms.ChoiceField(
        label="慰问金来源",
        required=False,
        choices=[("", "（无慰问金）"), *MoneySource.choices],
        help_text="从党内关怀基金支出的，由基金管理员列支入账",
    )
    money_source_note = forms.CharField(
        label="其他渠道说明",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：单位工会慰问经费"}),
    )
    goods = forms.CharField(
        label="慰问物品",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：米、油、慰问信"}),
    )
    notes = forms.CharField(label="走访情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(
        label="需跟进的诉求",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="党员提出的困难和需要，留空表示没有",
    )
    plan_item = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # A 病故吊唁 is paid to a deceased member's family; transferred-out members are gone.
        self.fields["member"].queryset = (
            access.scope(Member.objects.all(), user, "visit", CREATE)
            .filter(transferred_out_on__isnull=True)
            .filter(Q(deceased_on__isnull=True) | Q(deceased_on__gte=add_years(timezone.localdate(), -1)))
        )
        self.fields["visitors"].queryset = _on_roll(user, "visit", CREATE)
        self.initial.setdefault("visited_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "member",
            Div(Div("occasion", css_class="col-7"), Div("visited_on", css_class="col-5"), css_class="row g-2"),
            "visitors",
            Div(Div("amount", css_class="col-5"), Div("goods", css_class="col-7"), css_class="row g-2"),
            Div(
                Div("money_source", css_class="col-12 col-md-5"),
                Div("money_source_note", css_class="col-12 col-md-7"),
                css_class="row g-2",
            ),
            "notes",
            "follow_up",
            "plan_item",
        )


class TalkForm(forms.Form):
    kind = forms.ChoiceField(
        label="谈话形式", choices=Talk.Kind.choices, initial=Talk.Kind.INDIVIDUAL, widget=forms.RadioSelect
    )
    participants = ModelMultipleChoiceField(
        label="谈话对象", queryset=Member.objects.none(), widget=MembersPicker, help_text="集体谈话可选多人"
    )
    talked_on = PastDateField(label="谈话日期", widget=DATE_INPUT)
    reason = forms.ChoiceField(label="谈话事由", choices=Talk.Reason.choices, initial=Talk.Reason.ANNUAL)
    interviewers = ModelMultipleChoiceField(label="谈话人", queryset=Member.objects.none(), widget=MembersPicker)
    priority_hardship = forms.BooleanField(label="困难党员", required=False)
    priority_weak_awareness = forms.BooleanField(label="党员意识淡薄", required=False)
    priority_grievance = forms.BooleanField(label="有怨气", required=False)
    summary = forms.CharField(label="谈话内容摘要", widget=forms.Textarea(attrs={"rows": 3}))
    opinions = forms.CharField(label="本人意见和诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label="跟进措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confidential_notes = forms.CharField(
        label="内部记录（仅组织掌握）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅支部书记、支委和组织部可见，谈话对象本人看不到",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _on_roll(user, "talk", CREATE)
        self.fields["interviewers"].queryset = _on_roll(user, "talk", CREATE)
        self.initial.setdefault("talked_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            InlineRadios("kind"),
            "participants",
            Div(Div("reason", css_class="col-7"), Div("talked_on", css_class="col-5"), css_class="row g-2"),
            "interviewers",
            Div(
                HTML('<div class="col-12 small text-secondary">三个先谈（符合的请勾选）</div>'),
                Div("priority_hardship", css_class="col-auto"),
                Div("priority_weak_awareness", css_class="col-auto"),
                Div("priority_grievance", css_class="col-auto"),
                css_class="row g-2 border rounded mx-0 mb-3 pt-2 priority-flags",
            ),
            "summary",
            "opinions",
            "follow_up",
            "confidential_notes",
        )


class AssignVisitorsForm(forms.Form):
    visitors = ModelMultipleChoiceField(
        label="走访人", queryset=Member.objects.none(), widget=MembersPicker, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = _on_roll(user, "plan", EDIT)


class VisitFilter(UserFilterSet):
    branch_kind = "visit"
    q = django_filters.CharFilter(label="搜索", method="filter_q")
    organization = django_filters.ModelChoiceFilter(
        label="支部", field_name="member__organization", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    occasion = django_filters.ChoiceFilter(label="事由", choices=Occasion.choices, empty_label="全部事由")
    year = YearFilter(label="年度", field_name="visited_on", lookup_expr="year")

    class Meta:
        model = Visit
        fields = ["q", "organization", "occasion", "year"]

    def filter_q(self, queryset, name, value):
        value = normalize_search(value)
        return queryset.filter(member__name__icontains=value) if value else queryset


class TalkFilter(UserFilterSet):
    branch_kind = "talk"
    q = django_filters.CharFilter(label="搜索", method="filter_q")
    organization = django_filters.ModelChoiceFilter(
        label="支部", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    kind = django_filters.ChoiceFilter(label="形式", choices=Talk.Kind.choices, empty_label="全部形式")
    reason = django_filters.ChoiceFilter(label="事由", choices=Talk.Reason.choices, empty_label="全部事由")
    year = YearFilter(label="年度", field_name="talked_on", lookup_expr="year")

    class Meta:
        model = Talk
        fields = ["q", "organization", "kind", "reason", "year"]

    def filter_q(self, queryset, name, value):
        value = normalize_search(value)
        if not value:
            return queryset
        ids = Talk.participants.through.objects.filter(member__name__icontains=value).values("talk_id")
        return queryset.filter(pk__in=ids)


class PlanFilter(UserFilterSet):
    branch_kind = "plan"
    organization = django_filters.ModelChoiceFilter(
        label="支部", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    occasion = django_filters.ChoiceFilter(
        label="节日", choices=[(o.value, o.label) for o in HOLIDAY_OCCASIONS], empty_label="全部"
    )
    year = YearFilter(label="年度")

    class Meta:
        model = VisitPlan
        fields = ["organization", "occasion", "year"]


class LifeEventForm(forms.Form):
    """One step from the member's page or a phone: what happened, when, in a sentence."""

    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none(), widget=MemberPicker)
    kind = forms.ChoiceField(label="事件", choices=LifeEvent.Kind.choices, widget=forms.RadioSelect)
    happened_on = PastDateField(label="发生日期", widget=DATE_INPUT)
    description = forms.CharField(
        label="简要情况",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：房屋被洪水冲毁，一家暂住亲戚家"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _on_roll(user, "life_event", CREATE)
        self.initial.setdefault("happened_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("member", "kind", "happened_on", "description")


class ConcernForm(forms.Form):
    message = forms.CharField(
        label="要反映的情况",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "您的意见、建议、困难或要求"}),
    )
    wants_visit = forms.BooleanField(label="希望党组织上门走访", required=False)


class ConcernAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="落实专人", queryset=Member.objects.none(), widget=MemberPicker)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _on_roll(user, "concern", "answer")


class ConcernAnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CollectiveBirthdayForm(forms.Form):
    organization = forms.ModelChoiceField(label="支部", queryset=Organization.objects.none(), empty_label=None)
    held_on = PastDateField(label="活动日期", widget=DATE_INPUT)
    attendees = ModelMultipleChoiceField(label="参加党员", queryset=Member.objects.none(), widget=MembersPicker)
    reaffirmed_oath = forms.BooleanField(label="重温入党誓词", required=False, initial=True)
    shared_reflections = forms.BooleanField(label="畅谈入党感悟", required=False, initial=True)
    asked_opinions = forms.BooleanField(label="征询意见建议", required=False, initial=True)
    notes = forms.CharField(label="活动情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    opinions = forms.CharField(label="征询到的意见和建议", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from members.scoping import branches_for

        self.fields["organization"].queryset = branches_for(user, *access.real_roles("collective_birthday", CREATE))
        self.fields["attendees"].queryset = _on_roll(user, "collective_birthday", CREATE)
        self.initial.setdefault("held_on", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(Div("organization", css_class="col-7"), Div("held_on", css_class="col-5"), css_class="row g-2"),
            "attendees",
            "reaffirmed_oath",
            "shared_reflections",
            "asked_opinions",
            "notes",
            "opinions",
        )


class PromptFilter(UserFilterSet):
    """The API's filters over must-visit prompts (the page lists the open ones)."""

    branch_kind = "prompt"
    organization = django_filters.ModelChoiceFilter(
        label="支部", field_name="member__organization", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    occasion = django_filters.ChoiceFilter(label="事由", choices=Occasion.choices, empty_label="全部事由")
    open = django_filters.BooleanFilter(label="未关闭", field_name="closed_on", lookup_expr="isnull")

    class Meta:
        model = VisitPrompt
        fields = ["organization", "occasion", "open"]


class LifeEventFilter(UserFilterSet):
    branch_kind = "life_event"
    organization = django_filters.ModelChoiceFilter(
        label="支部", field_name="member__organization", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    kind = django_filters.ChoiceFilter(label="事件", choices=LifeEvent.Kind.choices, empty_label="全部事件")
    year = YearFilter(label="年度", field_name="happened_on", lookup_expr="year")

    class Meta:
        model = LifeEvent
        fields = ["organization", "kind", "year"]


class ConcernFilter(UserFilterSet):
    branch_kind = "concern"
    organization = django_filters.ModelChoiceFilter(
        label="支部", field_name="member__organization", queryset=Organization.objects.none(), empty_label="全部支部"
    )
    status = django_filters.ChoiceFilter(label="状态", choices=Concern.Status.choices, empty_label="全部状态")

    class Meta:
        model = Concern
        fields = ["organization", "status"]
