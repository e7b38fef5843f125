from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView
from django_filters.views import FilterView

from core.audit import history_of
from core.errors import DomainError
from core.http import attachment
from core.importing import ImportFlow, import_errors_view, import_view
from core.pagination import PageSizeMixin
from core.params import id_param
from hardship import exports, importing, permissions, selectors, services
from hardship.filters import PairingFilter, RecordFilter
from hardship.forms import (
    AgreementForm,
    CloseForm,
    EmploymentOutcomeForm,
    EndPairingForm,
    FamilyFormSet,
    HalfYearForm,
    PairingForm,
    ProgressForm,
    RecordForm,
    ReviewForm,
    pairable_records,
)
from hardship.models import HardshipRecord, Pairing, PairingProgress
from members.access import CREATE, EDIT, EXPORT, IMPORT, LIST, VIEW, RuleMixin, requires
from members.models import AccessLog
from members.permissions import Disclosure
from members.services import log_access, log_export
from members.validators import normalize_search

# --- the ledger --------------------------------------------------------------------------------


class RecordListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("ledger", LIST)
    template_name = "hardship/record_list.html"
    filterset_class = RecordFilter
    context_object_name = "records"

    def get_queryset(self):
        return selectors.ledger(self.request.user, LIST)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs["data"] is None or "status" not in kwargs["data"]:
            # The ledger opens on the lines in 在册; 已脱困/已注销 are one filter away.
            data = (kwargs["data"] or {}).copy() if kwargs["data"] is not None else {}
            data.setdefault("status", HardshipRecord.Status.ACTIVE)
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        confidential = Disclosure(user, "ledger_confidential", own=False)
        review_cutoff = selectors.review_cutoff()
        for record in context["records"]:
            record.show_income = confidential.full(record.member)
            record.review_overdue = record.status == HardshipRecord.Status.ACTIVE and (
                (record.last_reviewed_on or record.registered_on) < review_cutoff
                or record.review_requested_on is not None
            )
        context["can_create"] = permissions.can_register(user)
        context["can_import"] = permissions.can_import_ledger(user)
        context["can_export"] = permissions.can_export_ledger(user)
        return context


class RecordDetailView(RuleMixin, DetailView):
    access = ("ledger", VIEW)
    template_name = "hardship/record_detail.html"
    context_object_name = "record"

    def get_queryset(self):
        return (
            HardshipRecord.objects.for_user(self.request.user, VIEW)
            .select_related("member__organization", "created_by__member", "consent_recorded_by__member")
            .prefetch_related("categories", "needs")
        )

    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        log_access(
            self.request,
            what=AccessLog.What.LEDGER,
            target=f"困难党员台帐 {record.member.name}",
            member=record.member,
            object_id=record.pk,
        )
        return record

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, record = self.request.user, self.object
        can_manage = permissions.can_review_record(user, record)
        context.update(
            show_confidential=permissions.can_see_confidential(user, record),
            can_manage=can_manage,
            can_edit=permissions.can_edit_record(user, record),
            family=list(record.family.all()),
            reviews=list(record.reviews.select_related("reviewed_by__member")[:20]),
            pairings=list(record.pairings.select_related("helper__organization").prefetch_related("help_types")),
            history=list(history_of(record)[:50]),
            review_overdue=record.status == HardshipRecord.Status.ACTIVE
            and (record.last_reviewed_on or record.registered_on) < selectors.review_cutoff(),
        )
        if can_manage and record.status == HardshipRecord.Status.ACTIVE:
            today = timezone.localdate()
            context["review_form"] = ReviewForm(initial={"reviewed_on": today, "level": record.level})
            context["close_form"] = CloseForm(initial={"closed_on": today})
        if permissions.can_view_access_log(user, record):
            context["access_logs"] = list(
                AccessLog.objects.filter(what=AccessLog.What.LEDGER, object_id=record.pk).select_related(
                    "user__member"
                )[:30]
            )
        return context


def _record_form_page(request, record: HardshipRecord | None):
    user = request.user
    instance = record or HardshipRecord()
    form = RecordForm(request.POST or None, instance=instance, user=user)
    formset = FamilyFormSet(request.POST or None, instance=instance, prefix="family")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        family = formset.save(commit=False)
        try:
            saved = services.save_record(
                record=form.instance,
                categories=form.cleaned_data["categories"],
                needs=form.cleaned_data["needs"],
                family=family,
                remove_family=formset.deleted_objects,
                by=user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已保存{saved.member.name}的困难党员台帐")
            return redirect("hardship:detail", pk=saved.pk)
    return render(request, "hardship/record_form.html", {"form": form, "formset": formset, "record": record})


@requires("ledger", CREATE)
def record_create(request):
    return _record_form_page(request, None)


@requires("ledger", EDIT)
def record_edit(request, pk: int):
    record = get_object_or_404(HardshipRecord.objects.for_user(request.user, EDIT).select_related("member"), pk=pk)
    if record.status != HardshipRecord.Status.ACTIVE:
        messages.error(request, "该台帐已脱困或注销，不能再修改")
        return redirect("hardship:detail", pk=pk)
    return _record_form_page(request, record)


def _reviewable_record(request, pk: int) -> HardshipRecord:
    return get_object_or_404(HardshipRecord.objects.for_user(request.user, "review").select_related("member"), pk=pk)


@requires("ledger", "review")
@require_POST
def record_review(request, pk: int):
    record = _reviewable_record(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写复核日期和困难程度")
        return redirect("hardship:detail", pk=pk)
    try:
        services.review_record(
            record_id=record.pk,
            level=form.cleaned_data["level"],
            note=form.cleaned_data["note"],
            on=form.cleaned_data["reviewed_on"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已完成{record.member.name}的年度复核")
    return redirect("hardship:detail", pk=pk)


@requires("ledger", "review")
@require_POST
def record_close(request, pk: int):
    record = _reviewable_record(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结果并填写日期和原因")
        return redirect("hardship:detail", pk=pk)
    try:
        closed = services.close_record(
            record_id=record.pk,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["closed_on"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{closed.member.name}的台帐已标记为“{closed.get_status_display()}”")
    return redirect("hardship:detail", pk=pk)


@requires("ledger", EXPORT)
def export_ledger(request):
    filterset = RecordFilter(
        request.GET or {"status": HardshipRecord.Status.ACTIVE},
        queryset=selectors.ledger(request.user, EXPORT),
        user=request.user,
    )
    content = exports.ledger_workbook(filterset.qs, user=request.user)
    log_export(request, target="困难党员台帐", rows=filterset.qs.count())
    return attachment(content, filename=f"困难党员台帐_{timezone.localdate():%Y%m%d}.xlsx")


def _ledger_import_flow() -> ImportFlow:
    return ImportFlow(
        template="hardship/import.html",
        url_name="hardship:import",
        done_url_name="hardship:list",
        allowed=permissions.can_import_ledger,
        refused_message="只有支部书记和组织部可以导入困难党员台帐",
        preview=importing.preview_import,
        commit=importing.commit_import,
        done_message=lambda report: (
            f"导入完成：新增台帐 {len(report.new)} 条，更新 {len(report.changed)} 条，未变化 {len(report.unchanged)} 条"
        ),
    )


@requires("ledger", IMPORT)
def import_ledger(request):
    return import_view(request, _ledger_import_flow())


@requires("ledger", IMPORT)
def import_ledger_errors(request, token: str):
    return import_errors_view(request, token, _ledger_import_flow(), filename="台帐导入错误标注.xlsx")


@requires("ledger", IMPORT)
def import_ledger_template(request):
    return attachment(exports.import_template(), filename="困难党员台帐导入模板.xlsx")


# --- pairing ------------------------------------------------------------------------------------


class PairingListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("pairing", LIST)
    template_name = "hardship/pairing_list.html"
    filterset_class = PairingFilter
    context_object_name = "pairings"

    def get_queryset(self):
        # Only what the rows show: the pairing's goals, measures and plans are long texts, and each
        # member carries twenty columns; a page of 100 rows built ~300 full instances.
        return (
            selectors.pairings(self.request.user, LIST)
            .select_related(None)
            .select_related("helper", "record__member__organization")
            .only(
                "id",
                "status",
                "started_on",
                "ended_on",
                "helper__id",
                "helper__name",
                "record__id",
                "record__member__id",
                "record__member__name",
                "record__member__organization__id",
                "record__member__organization__name",
                "record__member__organization__path",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stale_cutoff"] = selectors.progress_cutoff()
        context["can_create"] = permissions.can_arrange_pairings(self.request.user)
        return context


def _scoped_pairing(request, pk: int, action: str = VIEW) -> Pairing:
    return get_object_or_404(
        Pairing.objects.for_user(request.user, action)
        .select_related("helper__organization", "record__member__organization", "created_by")
        .prefetch_related("help_types"),
        pk=pk,
    )


@requires("pairing", VIEW)
def pairing_detail(request, pk: int):
    pairing = _scoped_pairing(request, pk)
    user = request.user
    can_manage = permissions.can_manage_pairing(user, pairing)
    can_log = permissions.can_log_progress(user, pairing)
    if not (can_manage or can_log or permissions.can_view_ledger(user)):
        # The helped member reads their pairing on /me/.
        return redirect("me")
    active = pairing.status == Pairing.Status.ACTIVE
    context = {
        "pairing": pairing,
        "can_manage": can_manage,
        "progress": list(pairing.progress.select_related("help_type", "recorded_by", "fund_payment")),
        "history": list(history_of(pairing)[:30]) if can_manage else [],
        "progress_form": ProgressForm() if active and can_log else None,
        "outcome_form": EmploymentOutcomeForm() if can_log else None,
        "end_form": EndPairingForm(initial={"ended_on": timezone.localdate()}) if active and can_manage else None,
    }
    return render(request, "hardship/pairing_detail.html", context)


@requires("pairing", CREATE)
def pairing_create(request):
    initial = {}
    if (record_id := id_param(request.GET.get("record"))) is not None:
        initial["record"] = record_id
    form = PairingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = services.create_pairing(
                record=data["record"],
                helper=data["helper"],
                help_types=data["help_types"],
                started_on=data["started_on"],
                goals=data["goals"],
                measures=data["measures"],
                items=data["items"],
                expected_results=data["expected_results"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已安排{pairing.helper.name}结对帮扶{pairing.record.member.name}")
            return redirect("hardship:pairing_detail", pk=pairing.pk)
    return render(request, "hardship/pairing_form.html", {"form": form, "max_households": services.max_households()})


@requires("pairing", EDIT)
def pairing_agreement_edit(request, pk: int):
    pairing = _scoped_pairing(request, pk, EDIT)
    form = AgreementForm(request.POST or None, instance=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_agreement(
                    pairing=form.instance, help_types=form.cleaned_data["help_types"], by=request.user
                )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存帮扶责任书")
            return redirect("hardship:pairing_detail", pk=pk)
    return render(request, "hardship/agreement_form.html", {"form": form, "pairing": pairing})


@requires("pairing", VIEW)
def pairing_agreement_print(request, pk: int):
    pairing = _scoped_pairing(request, pk)
    return render(request, "hardship/agreement_print.html", {"pairing": pairing, "today": timezone.localdate()})


@requires("pairing", "progress")
@require_POST
def pairing_progress_add(request, pk: int):
    pairing = _scoped_pairing(request, pk, "progress")
    if not permissions.can_log_progress(request.user, pairing):
        raise PermissionDenied("帮扶进展由帮扶人或支部登记")
    form = ProgressForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("hardship:pairing_detail", pk=pk)
    try:
        services.add_progress(pairing_id=pairing.pk, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已登记帮扶进展")
    return redirect("hardship:pairing_detail", pk=pk)


@requires("pairing", "progress")
@require_POST
def progress_outcome(request, pk: int):
    """帮就业: what came of a training or a job referral, recorded when it is known."""
    entry = get_object_or_404(
        PairingProgress.objects.filter(pairing__in=Pairing.objects.for_user(request.user, "progress")), pk=pk
    )
    form = EmploymentOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择帮就业结果")
    else:
        try:
            services.record_employment_outcome(
                progress_id=entry.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            raise PermissionDenied("帮扶进展由帮扶人或支部登记") from None
        else:
            messages.success(request, "已登记帮就业结果")
    return redirect("hardship:pairing_detail", pk=entry.pairing_id)


@requires("pairing", EDIT)
@require_POST
def pairing_end(request, pk: int):
    pairing = _scoped_pairing(request, pk, EDIT)
    form = EndPairingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写结束日期和帮扶成效")
        return redirect("hardship:pairing_detail", pk=pk)
    try:
        services.end_pairing(
            pairing_id=pairing.pk,
            outcome=form.cleaned_data["outcome"],
            on=form.cleaned_data["ended_on"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "结对帮扶已结束")
    return redirect("hardship:pairing_detail", pk=pk)


# --- the half-year report -------------------------------------------------------------------------


def _report_params(request):
    year, half = selectors.current_half()
    form = HalfYearForm(request.GET or None, user=request.user, initial={"year": year, "half": half})
    organization = form.fields["organization"].queryset.first()
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["organization"], form.cleaned_data["year"], form.cleaned_data["half"]
    if form.is_bound:
        return form, None, year, half
    form.initial["organization"] = organization
    return form, organization, year, half


@requires("pairing", EXPORT)
def half_year_report(request):
    form, organization, year, half = _report_params(request)
    rows = (
        selectors.half_year_report(request.user, organization=organization, year=year, half=half)
        if organization
        else []
    )
    start, end = selectors.half_year_bounds(year, half)
    context = {
        "form": form,
        "organization": organization,
        "year": year,
        "half": half,
        "rows": rows,
        "start": start,
        "end": end,
        "total_entries": sum(r.entries for r in rows),
        "total_money": sum((r.money for r in rows), 0),
        "no_progress": sum(1 for r in rows if r.entries == 0),
        "query": request.GET.urlencode()
        or (f"organization={organization.pk}&year={year}&half={half}" if organization else ""),
    }
    return render(request, "hardship/report.html", context)


@requires("pairing", EXPORT)
def half_year_report_xlsx(request):
    _form, organization, year, half = _report_params(request)
    if organization is None:
        messages.error(request, "请选择组织、年度和半年")
        return redirect("hardship:report")
    rows = selectors.half_year_report(request.user, organization=organization, year=year, half=half)
    content = exports.report_workbook(rows, organization=organization, year=year, half=half)
    log_export(
        request,
        target=f"结对帮扶半年报告（{year}年{'上' if half == 1 else '下'}半年）",
        organization=organization,
        rows=len(rows),
    )
    label = "上半年" if half == 1 else "下半年"
    return attachment(content, filename=f"结对帮扶半年报告_{organization.name}_{year}{label}.xlsx")


@requires("pairing", CREATE)
@require_GET
def record_search(request):
    """The 帮扶对象 picker: active ledger lines the user keeps, matching a name."""
    query = normalize_search(request.GET.get("q", ""))
    records = pairable_records(request.user)
    if query:
        records = records.filter(member__name__icontains=query)
    results = [{"id": r.pk, "text": f"{r.member.name}（{r.member.organization.name}）"} for r in records[:20]]
    return JsonResponse({"results": results})
