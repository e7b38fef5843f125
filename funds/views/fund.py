"""The fund: ledger, income and corrections, yearly summary, 党务公开, batch disbursement."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from core import clock, formats
from core.calendars import july_first, spring_festival
from core.errors import DomainError
from core.filters import YearFilter
from core.pagination import PageSizeMixin
from core.params import id_param, year_bounds, year_param
from funds import permissions, selectors, services
from funds.forms import IncomeForm
from funds.models import (
    DisbursementBatch,
    Fund,
    FundEntry,
    Source,
    Status,
)
from members.access import CREATE, EDIT, LIST, VIEW, RuleMixin, requires

MAX_BATCH = 100  # applications paid in one batch: a 党委's pre-holiday list, with room

# ---------------------------------------------------------------- fund ledger


class FundListView(RuleMixin, ListView):
    """The funds' ledgers for their officers and the organization department; everyone else who may
    read 党务公开 is sent there."""

    access = ("fund_public", VIEW)
    template_name = "funds/fund_list.html"
    context_object_name = "funds"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view_funds(request.user):
            return redirect("funds:public")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Fund.objects.for_user(self.request.user, LIST).select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = clock.today().year
        user = self.request.user
        context["rows"] = [
            (
                fund,
                selectors.year_summary(fund, year),
                permissions.can_manage_fund(user, fund),
                permissions.can_set_rules(user, fund),
            )
            for fund in context["funds"]
        ]
        context["year"] = year
        context["openable"] = selectors.organizations_without_fund(self.request.user)
        return context


@requires("fund", CREATE)
@require_POST
def open_fund(request):
    organization = get_object_or_404(
        selectors.organizations_without_fund(request.user), pk=id_param(request.POST.get("organization")) or 0
    )
    try:
        fund = services.open_fund(organization=organization, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funds:index")
    messages.success(request, f"已设立{fund}，请登记第一笔收入")
    return redirect(fund.get_absolute_url())


class EntryFilter(django_filters.FilterSet):
    year = YearFilter(field_name="occurred_on", lookup_expr="year", label="年度")
    kind = django_filters.ChoiceFilter(choices=FundEntry.Kind.choices, label="类型", empty_label="全部类型")
    source = django_filters.ChoiceFilter(choices=Source.choices, label="收入来源", empty_label="全部来源")
    q = django_filters.CharFilter(method="search", label="摘要/捐助人/申请人")

    class Meta:
        model = FundEntry
        fields = ["year", "kind", "source"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(note__icontains=value) | Q(donor__icontains=value) | Q(application__member__name__icontains=value)
        )


class LedgerView(RuleMixin, PageSizeMixin, FilterView):
    access = ("fund", VIEW)
    template_name = "funds/ledger.html"
    filterset_class = EntryFilter
    context_object_name = "entries"

    def get_fund(self) -> Fund:
        if not hasattr(self, "_fund"):
            self._fund = get_object_or_404(
                Fund.objects.for_user(self.request.user, VIEW).select_related("organization"), pk=self.kwargs["pk"]
            )
        return self._fund

    def get_queryset(self):
        return selectors.ledger(self.get_fund())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = self.get_fund()
        user = self.request.user
        context.update(
            fund=fund,
            can_manage=permissions.can_manage_fund(user, fund),
            can_set_rules=permissions.can_set_rules(user, fund),
            target=selectors.target_for(fund),
            income_form=IncomeForm(),
            ledger_sum=selectors.ledger_sum(fund),
        )
        return context


class SummaryView(RuleMixin, TemplateView):
    access = ("fund", VIEW)
    template_name = "funds/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = get_object_or_404(
            Fund.objects.for_user(self.request.user, VIEW).select_related("organization"), pk=kwargs["pk"]
        )
        context.update(_summary_context(self.request, fund))
        return context


def _summary_context(request, fund: Fund) -> dict:
    years = selectors.fund_years(fund) or [clock.today().year]
    raw = request.GET.get("year")
    year = year_param(raw, default=years[0])
    if raw and year_param(raw) is None:
        low, high = year_bounds()
        messages.error(request, f"年度应为{low}年至{high}年之间的四位数字，已显示{year}年")
    return {"fund": fund, "years": years, "summary": selectors.year_summary(fund, year)}


class PublicSummaryView(RuleMixin, TemplateView):
    """党务公开: the fund's income by source and spending by kind, without any person's details."""

    access = ("fund_public", VIEW)
    template_name = "funds/public.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funds = list(selectors.public_funds_for(self.request.user))
        fund = None
        if funds:
            wanted = self.request.GET.get("fund")
            fund = next((f for f in funds if str(f.pk) == wanted), funds[-1])
            context.update(_summary_context(self.request, fund))
        context["funds"] = funds
        context["fund"] = fund
        return context


@requires("fund", EDIT)
@require_POST
def record_income(request, pk: int):
    fund = get_object_or_404(Fund.objects.for_user(request.user, EDIT), pk=pk)
    form = IncomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(fund.get_absolute_url())
    try:
        entry = services.record_income(fund_id=fund.pk, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记{entry.get_source_display()}收入 {formats.money(entry.amount)} 元")
    return redirect(fund.get_absolute_url())


@requires("fund", EDIT)
@require_POST
def reverse_entry(request, pk: int, entry_pk: int):
    fund = get_object_or_404(Fund.objects.for_user(request.user, EDIT), pk=pk)
    entry = get_object_or_404(FundEntry.objects.filter(fund=fund), pk=entry_pk)
    try:
        services.reverse_entry(entry_id=entry.pk, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记冲正分录 -{formats.money(entry.amount)} 元")
    return redirect(fund.get_absolute_url())


class BatchView(RuleMixin, TemplateView):
    """批量发放: every notice-passed application of the fund, disbursed as one selection."""

    access = ("fund", "disburse")
    template_name = "funds/batch.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = get_object_or_404(
            Fund.objects.for_user(self.request.user, "disburse").select_related("organization"), pk=kwargs["pk"]
        )
        today = clock.today()

        occasions = [
            ("春节", spring_festival(today.year)),
            ("春节", spring_festival(today.year + 1)),
            ("七一", july_first(today.year)),
            ("七一", july_first(today.year + 1)),
        ]
        name, day = min((o for o in occasions if o[1] >= today), key=lambda o: o[1])
        context.update(
            fund=fund,
            ready=fund.applications.filter(status=Status.NOTICE_PASSED)
            .select_related("member", "organization", "partner_unit")
            .order_by("organization__path", "member__name"),
            default_title=f"{day.year}年{name}前帮扶资金发放",
            next_occasion=(name, day),
            batches=fund.batches.select_related("created_by")[:10],
        )
        return context


@requires("fund", "disburse")
@require_POST
def disburse_batch(request, pk: int):
    fund = get_object_or_404(Fund.objects.for_user(request.user, "disburse"), pk=pk)
    ids = [id_param(value) for value in request.POST.getlist("applications")]
    if None in ids or len(ids) > MAX_BATCH:
        messages.error(request, f"请从清单中勾选要发放的申请（每批最多 {MAX_BATCH} 笔）。本次未发放任何一笔。")
        return redirect("funds:batch_new", pk=fund.pk)
    try:
        batch = services.disburse_batch(
            fund_id=fund.pk, application_ids=ids, by=request.user, title=request.POST.get("title", "")
        )
    except DomainError as exc:
        messages.error(request, f"{exc.message}。本次未发放任何一笔。")
        return redirect("funds:batch_new", pk=fund.pk)
    messages.success(
        request, f"已发放 {batch.applications.count()} 笔，合计 {formats.money(batch.total)} 元，请打印发放清单签收"
    )
    return redirect(batch.get_absolute_url())


class BatchDetailView(RuleMixin, DetailView):
    access = ("fund", VIEW)
    template_name = "funds/batch_detail.html"
    context_object_name = "batch"

    def get_queryset(self):
        return DisbursementBatch.objects.filter(fund__in=Fund.objects.for_user(self.request.user, VIEW)).select_related(
            "fund__organization", "created_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = self.object.applications.select_related("member", "organization", "partner_unit").order_by(
            "organization__path", "member__name"
        )
        return context
