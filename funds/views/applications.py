"""Applications: list, form, detail with its actions, attachments, and the 公示栏."""


from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from core.calendars import calendar_source
from core.errors import DomainError
from core.filters import YearFilter
from core.pagination import PageSizeMixin
from funds import permissions, selectors, services
from funds.forms import ApplicationForm, ApproveForm, MeetingForm, ReasonForm, ResolveForm
from funds.models import (
    AssistanceApplication,
    Attachment,
    Kind,
    Objection,
    Status,
)
from members import access
from members.access import CREATE, EDIT, LIST, VIEW, RuleMixin, requires
from members.models import Organization
from members.scoping import organizations_for
from members.validators import normalize_search

# ---------------------------------------------------------------- applications


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态", empty_label="全部状态")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="类别", empty_label="全部类别")
    year = YearFilter(label="年度")
    organization = django_filters.ModelChoiceFilter(queryset=Organization.objects.none(), label="支部",
                                                    empty_label="全部支部")
    emergency = django_filters.BooleanFilter(field_name="is_emergency", label="紧急救助",
                                             widget=django_filters.widgets.BooleanWidget())
    q = django_filters.CharFilter(method="search", label="姓名")

    class Meta:
        model = AssistanceApplication
        fields = ["status", "kind", "year", "organization"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organizations_for(
            user, *access.real_roles("application", LIST)).filter(kind=Organization.Kind.BRANCH)

    def search(self, queryset, name, value):
        value = normalize_search(value)
        return queryset.filter(member__name__icontains=value) if value else queryset


class ApplicationListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("application", LIST)
    template_name = "funds/application_list.html"
    filterset_class = ApplicationFilter
    context_object_name = "applications"

    def get_queryset(self):
        return AssistanceApplication.objects.for_user(self.request.user, LIST).select_related(
            "member", "organization"
        ).order_by("-status_changed_at", "-pk")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_start"] = permissions.can_start_application(self.request.user)
        return context


def _form_errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


@requires("application", CREATE)
def application_new(request):
    if not permissions.can_start_application(request.user):
        raise PermissionDenied
    form = ApplicationForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                by=request.user, member=data["member"], kind=data["kind"], amount_requested=data["amount_requested"],
                reason=data["reason"], is_emergency=data["is_emergency"], files=data["attachments"],
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
            "member", "member__user", "organization", "fund", "fund__organization", "submitted_by__member",
            "approved_by__member", "disbursed_by__member", "meeting_recorded_by__member",
        ),
        pk=pk,
    )


@requires("application", EDIT)
def application_edit(request, pk: int):
    application = _scoped_application(request, pk, EDIT)
    if not permissions.can_edit(request.user, application):
        messages.error(request, "只有草稿或退回修改的申请可以修改")
        return redirect(application.get_absolute_url())
    initial = {"kind": application.kind, "amount_requested": application.amount_requested,
               "reason": application.reason, "is_emergency": application.is_emergency}
    form = ApplicationForm(request.POST or None, request.FILES or None, user=request.user, editing=application,
                           initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_application(
                application_id=application.pk, by=request.user, kind=data["kind"],
                amount_requested=data["amount_requested"], reason=data["reason"], is_emergency=data["is_emergency"],
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
        status = app.status
        can = {
            "edit": permissions.can_edit(user, app),
            "withdraw": permissions.can_withdraw(user, app) and app.status in (
                Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.BRANCH_REVIEWED),
            "meeting": permissions.can_record_meeting(user, app) and not app.meeting_recorded and (
                status == Status.SUBMITTED or (app.is_emergency and app.approved_by_id)),
            "approve": permissions.can_approve(user, app) and (
                status == Status.BRANCH_REVIEWED or (status == Status.SUBMITTED and app.is_emergency)),
            "return": permissions.can_return(user, app) and status in (Status.SUBMITTED, Status.BRANCH_REVIEWED),
            "object": permissions.can_object(user, app) and status in (Status.IN_NOTICE, Status.OBJECTION)
            and not permissions.is_approver(user, app),
            "resolve": permissions.can_resolve_objection(user, app) and status == Status.OBJECTION,
            "disburse": permissions.can_disburse(user, app) and status == Status.NOTICE_PASSED,
            "history": permissions.can_see_history(user, app),
        }
        show_details = permissions.can_see_details(user, app)
        context.update(
            can=can,
            events=app.events.select_related("actor", "actor__member"),
            versions=app.versions.select_related("submitted_by__member"),
            show_details=show_details,
            attachments=app.attachments.all() if show_details else [],
            objections=app.objections.select_related("raised_by__member", "resolved_by__member") if (
                can["resolve"] or can["history"]) else app.objections.filter(raised_by=user),
            meeting_form=MeetingForm(), approve_form=ApproveForm(initial={"amount_approved": app.amount_requested}),
            reason_form=ReasonForm(), resolve_form=ResolveForm(),
            calendar_source=calendar_source(app.notice_ends_on.year) if app.notice_ends_on else "",
        )
        if can["history"] and show_details:
            context["history"] = selectors.member_history(app.member)
            context["hardship"] = selectors.hardship_line(app.member)
        return context


def _act(request, pk: int, action, success: str, *, step: str):
    application = _scoped_application(request, pk, step)
    try:
        action(application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(application.get_absolute_url())


@requires("application", EDIT)
@require_POST
def submit(request, pk: int):
    return _act(request, pk, lambda a: services.submit(application_id=a.pk, by=request.user), "申请已提交", step=EDIT)


@requires("application", EDIT)
@require_POST
def withdraw(request, pk: int):
    return _act(request, pk, lambda a: services.withdraw(application_id=a.pk, by=request.user,
                                                         comment=request.POST.get("reason", "")),
                "申请已撤回", step=EDIT)


@requires("application", "return")
@require_POST
def return_for_revision(request, pk: int):
    return _act(request, pk, lambda a: services.return_for_revision(
        application_id=a.pk, by=request.user, reason=request.POST.get("reason", "")), "已退回申请人修改",
                step="return")


@requires("application", "meeting")
@require_POST
def record_meeting(request, pk: int):
    form = MeetingForm(request.POST)

    def action(application):
        if not form.is_valid():
            raise DomainError(_form_errors(form))
        services.record_meeting(application_id=application.pk, by=request.user, **form.cleaned_data)

    return _act(request, pk, action, "支部大会评议情况已记录", step="meeting")


@requires("application", "approve")
@require_POST
def approve(request, pk: int):
    form = ApproveForm(request.POST)

    def action(application):
        if not form.is_valid():
            raise DomainError(_form_errors(form))
        services.approve(application_id=application.pk, by=request.user, **form.cleaned_data)

    return _act(request, pk, action, "已批准，公示已开始", step="approve")


@requires("application", "approve")
@require_POST
def reject(request, pk: int):
    return _act(request, pk, lambda a: services.reject(application_id=a.pk, by=request.user,
                                                       reason=request.POST.get("reason", "")), "已驳回", step="approve")


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
    return _act(request, pk, lambda a: services.resolve_objection(
        objection_id=objection.pk, by=request.user, **form.cleaned_data), "异议已处理", step="resolve")


@requires("application", "disburse")
@require_POST
def disburse(request, pk: int):
    return _act(request, pk, lambda a: services.disburse(application_id=a.pk, by=request.user),
                "已发放，已记入基金账目", step="disburse")


@requires("application_details", VIEW)
def attachment_download(request, pk: int):
    """Attachments are never public media: only those who may read the application's details."""
    attachment = get_object_or_404(
        Attachment.objects.filter(application__in=AssistanceApplication.objects.for_user(
            request.user, VIEW, kind="application_details")), pk=pk
    )
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class NoticeBoardView(RuleMixin, ListView):
    """公示栏: name, kind, amount and notice dates — never income, ID number or health."""

    access = ("notice", VIEW)
    template_name = "funds/notices.html"
    context_object_name = "notices"

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        allowed = permissions.objection_org_ids(user)
        context["rows"] = [
            (n, n.organization_id in allowed and n.member.user_id != user.pk) for n in context["notices"]
        ]
        years = {n.notice_ends_on.year for n in context["notices"]} or {timezone.localdate().year}
        context["calendar_sources"] = sorted({calendar_source(y) for y in years})
        context["reason_form"] = ReasonForm()
        return context
