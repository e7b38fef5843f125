"""Applications: list, form, detail with its actions, attachments, and the 公示栏."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from core import clock
from core.calendars import WorkCalendar
from core.errors import DomainError
from core.filters import YearFilter
from core.pagination import PageSizeMixin
from funds import permissions, selectors, services
from funds.forms import (
    ApplicationForm,
    ApproveForm,
    ConfirmMeetingForm,
    MeetingForm,
    ReasonForm,
    ReconsiderForm,
    RecoveryForm,
    ResolveForm,
)
from funds.models import (
    AssistanceApplication,
    Attachment,
    Kind,
    Objection,
    Status,
)
from members.access import CREATE, EDIT, LIST, VIEW, RuleMixin, requires
from members.filters import UserFilterSet
from members.models import Organization, Role
from members.scoping import org_ids
from members.selectors import voting_members_on
from members.validators import normalize_search

# ---------------------------------------------------------------- applications


class ApplicationFilter(UserFilterSet):
    branch_kind = "application"

    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态", empty_label="全部状态")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="类别", empty_label="全部类别")
    year = YearFilter(label="年度")
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.none(), label="支部", empty_label="全部支部"
    )
    emergency = django_filters.BooleanFilter(
        field_name="is_emergency", label="紧急救助", widget=django_filters.widgets.BooleanWidget()
    )
    meeting = django_filters.ChoiceFilter(
        choices=[("unconfirmed", "支部大会记录待确认")], label="支部大会", empty_label="全部", method="meeting_state"
    )
    q = django_filters.CharFilter(method="search", label="姓名")

    class Meta:
        model = AssistanceApplication
        fields = ["status", "kind", "year", "organization"]

    def meeting_state(self, queryset, name, value):
        return queryset.filter(meeting_on__isnull=False, meeting_confirmed_at__isnull=True)

    def search(self, queryset, name, value):
        value = normalize_search(value)
        if not value:
            return queryset
        return queryset.filter(Q(member__name__icontains=value) | Q(recipient_name__icontains=value))


class ApplicationListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("application", LIST)
    template_name = "funds/application_list.html"
    filterset_class = ApplicationFilter
    context_object_name = "applications"

    def get_queryset(self):
        return (
            AssistanceApplication.objects.for_user(self.request.user, LIST)
            .select_related("member", "organization", "partner_unit")
            .order_by("-status_changed_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_start"] = permissions.can_start_application(self.request.user)
        return context


def _form_errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


def _bounds_help(user) -> str:
    """The amounts of the fund the user's applications are paid from (the first branch they serve)."""
    branch = Organization.objects.filter(pk__in=org_ids(user, Role.SECRETARY)).first()
    member = getattr(user, "member", None)
    organization = branch or (member.organization if member is not None else None)
    return selectors.bounds_text(services.fund_for(organization)) if organization else ""


@requires("application", CREATE)
def application_new(request):
    if not permissions.can_start_application(request.user):
        raise PermissionDenied
    form = ApplicationForm(
        request.POST or None, request.FILES or None, user=request.user, bounds_help=_bounds_help(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                by=request.user,
                member=data.get("member"),
                partner=data.get("partner"),
                recipient_name=data.get("recipient_name") or "",
                kind=data["kind"],
                amount_requested=data["amount_requested"],
                reason=data["reason"],
                is_emergency=data["is_emergency"],
                files=data["attachments"],
                submit="submit" in request.POST,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            done = "已提交，等待支部评议" if application.status == Status.SUBMITTED else "已保存为草稿"
            messages.success(request, f"申请{done}")
            return redirect(application.get_absolute_url())
    return render(request, "funds/application_form.html", {"form": form, "editing": None})


def _scoped_application(request, pk: int, action: str = VIEW) -> AssistanceApplication:
    return get_object_or_404(
        AssistanceApplication.objects.for_user(request.user, action).select_related(
            "member",
            "member__user",
            "organization",
            "fund",
            "fund__organization",
            "submitted_by__member",
            "approved_by__member",
            "disbursed_by__member",
            "meeting_recorded_by__member",
            "meeting_confirmed_by__member",
            "partner_unit",
        ),
        pk=pk,
    )


@requires("application", EDIT)
def application_edit(request, pk: int):
    application = _scoped_application(request, pk, EDIT)
    if not permissions.can_edit(request.user, application):
        messages.error(request, "只有草稿或退回修改的申请可以修改")
        return redirect(application.get_absolute_url())
    initial = {
        "kind": application.kind,
        "amount_requested": application.amount_requested,
        "reason": application.reason,
        "is_emergency": application.is_emergency,
    }
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        editing=application,
        initial=initial,
        bounds_help=selectors.bounds_text(application.fund),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_application(
                application_id=application.pk,
                by=request.user,
                kind=data["kind"],
                amount_requested=data["amount_requested"],
                reason=data["reason"],
                is_emergency=data["is_emergency"],
                files=data["attachments"],
            )
            if "submit" in request.POST:
                services.submit(application_id=application.pk, by=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已重新提交" if "submit" in request.POST else "修改已保存")
            return redirect(application.get_absolute_url())
    return render(request, "funds/application_form.html", {"form": form, "editing": application})


class ApplicationDetailView(RuleMixin, DetailView):
    access = ("application", VIEW)
    template_name = "funds/application_detail.html"
    context_object_name = "application"

    def get_object(self, queryset=None):
        return _scoped_application(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app, user = self.object, self.request.user
        can = {
            "edit": permissions.can_edit(user, app),
            "withdraw": permissions.can_withdraw(user, app),
            "meeting": permissions.can_record_meeting(user, app),
            "confirm_meeting": permissions.can_confirm_meeting(user, app),
            "approve": permissions.can_approve(user, app),
            "reject": permissions.can_reject(user, app),
            "return": permissions.can_return(user, app),
            "object": permissions.can_object(user, app),
            "resolve": permissions.can_resolve_objection(user, app),
            "reconsider": permissions.can_reconsider(user, app),
            "disburse": permissions.can_disburse(user, app),
            "recover": permissions.can_record_recovery(user, app),
            "history": permissions.can_see_history(user, app),
        }
        objections = list(
            app.objections.select_related("raised_by__member", "resolved_by__member")
            if (can["resolve"] or can["history"] or permissions.is_approver(user, app))
            else app.objections.filter(raised_by=user)
        )
        for objection in objections:
            objection.can_resolve = permissions.can_resolve_objection(user, app, objection)
        show_details = permissions.can_see_details(user, app)
        context.update(
            can=can,
            events=app.events.select_related("actor", "actor__member"),
            versions=app.versions.select_related("submitted_by__member"),
            show_details=show_details,
            attachments=app.attachments.all() if show_details else [],
            objections=objections,
            decisions=app.decisions.select_related("recorded_by__member"),
            meeting_form=MeetingForm(),
            approve_form=ApproveForm(initial={"amount_approved": app.amount_requested}),
            reason_form=ReasonForm(),
            resolve_form=ResolveForm(),
            confirm_form=ConfirmMeetingForm(),
            reconsider_form=ReconsiderForm(),
            recovery_form=RecoveryForm(),
            period=WorkCalendar.load().describe(app.notice_starts_on, app.notice_ends_on),
            emergency_overdue=permissions.emergency_meeting_overdue(app, _emergency_days()),
        )
        if can["meeting"]:
            roster = voting_members_on(app.organization_id, clock.today()).count()
            context.update(roster_today=roster, quorum_today=roster // 2 + 1)
        if app.kind == Kind.ANNUAL and (can["history"] or can["approve"]):
            context["eligibility"] = services.annual_subsidy_eligibility(app.member if app.member_id else None)
        if can["history"] and show_details:
            context["history"] = selectors.member_history(app)
            context["hardship"] = selectors.hardship_line(app.member if app.member_id else None)
        return context


def _emergency_days() -> int:
    from django.conf import settings

    return settings.CARE["EMERGENCY_MEETING_DAYS"]


def _act(request, pk: int, action, success: str, *, step: str):
    """Load the application where the role table lets the user do `step`, run the service, say how it
    went. A refusal of *who* is a 403 (PermissionDenied propagates); a refusal of *what* is a message
    on the application's page."""
    application = _scoped_application(request, pk, step)
    try:
        action(application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(application.get_absolute_url())


def _with_form(form_class, service, data, **fixed):
    """An action whose input is a form: invalid input is a message, valid input goes to the service."""

    def action(application):
        form = form_class(data)
        if not form.is_valid():
            raise DomainError(_form_errors(form))
        service(application_id=application.pk, **fixed, **form.cleaned_data)

    return action


@requires("application", EDIT)
@require_POST
def submit(request, pk: int):
    return _act(request, pk, lambda a: services.submit(application_id=a.pk, by=request.user), "申请已提交", step=EDIT)


@requires("application", EDIT)
@require_POST
def withdraw(request, pk: int):
    return _act(
        request,
        pk,
        lambda a: services.withdraw(application_id=a.pk, by=request.user, comment=request.POST.get("reason", "")),
        "申请已撤回",
        step=EDIT,
    )


@requires("application", "return")
@require_POST
def return_for_revision(request, pk: int):
    return _act(
        request,
        pk,
        lambda a: services.return_for_revision(
            application_id=a.pk, by=request.user, reason=request.POST.get("reason", "")
        ),
        "已退回申请人修改",
        step="return",
    )


@requires("application", "meeting")
@require_POST
def record_meeting(request, pk: int):
    return _act(
        request,
        pk,
        _with_form(MeetingForm, services.record_meeting, request.POST, by=request.user),
        "支部大会评议情况已记录",
        step="meeting",
    )


@requires("application", "confirm_meeting")
@require_POST
def confirm_meeting(request, pk: int):
    return _act(
        request,
        pk,
        _with_form(ConfirmMeetingForm, services.confirm_meeting, data=request.POST, by=request.user),
        "已处理支部大会记录",
        step="confirm_meeting",
    )


@requires("application", "approve")
@require_POST
def approve(request, pk: int):
    return _act(
        request,
        pk,
        _with_form(ApproveForm, services.approve, request.POST, by=request.user),
        "已批准，公示已开始",
        step="approve",
    )


@requires("application", "approve")
@require_POST
def reject(request, pk: int):
    return _act(
        request,
        pk,
        lambda a: services.reject(application_id=a.pk, by=request.user, reason=request.POST.get("reason", "")),
        "已驳回",
        step="approve",
    )


@requires("application", "approve")
@require_POST
def reconsider(request, pk: int):
    return _act(
        request,
        pk,
        _with_form(ReconsiderForm, services.reconsider, request.POST, by=request.user),
        "党委复议决定已记录",
        step="approve",
    )


@requires("application", "object")
@require_POST
def raise_objection(request, pk: int):
    application = get_object_or_404(selectors.notices_for(request.user), pk=pk)
    try:
        services.raise_objection(application_id=application.pk, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "异议已提交，党委组织部将调查核实后答复")
    if request.POST.get("next") == "detail":
        return redirect(application.get_absolute_url())
    return redirect("funds:notices")


@requires("application", "resolve")
@require_POST
def resolve_objection(request, pk: int, objection_pk: int):
    application = _scoped_application(request, pk, "resolve")
    objection = get_object_or_404(Objection.objects.filter(application=application), pk=objection_pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(application.get_absolute_url())
    return _act(
        request,
        pk,
        lambda a: services.resolve_objection(objection_id=objection.pk, by=request.user, **form.cleaned_data),
        "异议已处理",
        step="resolve",
    )


@requires("application", "disburse")
@require_POST
def disburse(request, pk: int):
    return _act(
        request,
        pk,
        lambda a: services.disburse(application_id=a.pk, by=request.user),
        "已发放，已记入基金账目",
        step="disburse",
    )


@requires("application", "disburse")
@require_POST
def record_recovery(request, pk: int):
    return _act(
        request,
        pk,
        _with_form(RecoveryForm, services.record_recovery, request.POST, by=request.user),
        "追回的资金已入账，原发放分录已冲正",
        step="disburse",
    )


@requires("application_details", VIEW)
def attachment_download(request, pk: int):
    """Attachments are never public media: only those who may read the application's details."""
    attachment = get_object_or_404(
        Attachment.objects.filter(
            application__in=AssistanceApplication.objects.for_user(request.user, VIEW, kind="application_details")
        ),
        pk=pk,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class NoticeBoardView(RuleMixin, ListView):
    """公示栏: name, kind, amount and notice dates — never income, ID number or health. A notice end
    counted through days of a year without an official schedule is marked 暂定, date by date."""

    access = ("notice", VIEW)
    template_name = "funds/notices.html"
    context_object_name = "notices"

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        allowed = permissions.objection_org_ids(user)
        calendar = WorkCalendar.load()
        context["rows"] = [
            (
                n,
                calendar.describe(n.notice_starts_on, n.notice_ends_on),
                n.organization_id in allowed
                and (n.member_id is None or n.member.user_id != user.pk)
                and n.approved_by_id != user.pk
                and permissions.notice_open(n),
            )
            for n in context["notices"]
        ]
        context["reason_form"] = ReasonForm()
        return context
