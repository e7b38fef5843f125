"""The fund's rules (amount bounds with their history, the yearly target, 互联共建单位) and the fund
officer's list of visits and pairing help paid from the fund that are still to be booked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import formats
from core.errors import DomainError
from core.params import id_param
from funds import permissions, selectors, services
from funds.forms import BoundForm, PartnerForm, TargetForm, UseForm
from funds.models import Fund, PartnerUnit
from members.access import VIEW, requires


def _fund(request, pk: int, action: str = VIEW) -> Fund:
    return get_object_or_404(Fund.objects.for_user(request.user, action).select_related("organization"), pk=pk)


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


@requires("fund", VIEW)
def rules(request, pk: int):
    """Read by the organization department and the fund officer; changed by the organization department."""
    fund = _fund(request, pk)
    user = request.user
    can_set = permissions.can_set_rules(user, fund)
    bounds = selectors.amount_bounds(fund)
    return render(
        request,
        "funds/rules.html",
        {
            "fund": fund,
            "can_set": can_set,
            "bounds": [
                (
                    bound,
                    BoundForm(
                        initial={"kind": bound.kind, "minimum": bound.minimum, "maximum": bound.maximum},
                        prefix=bound.kind,
                    ),
                )
                for bound in bounds
            ],
            "changes": selectors.bound_changes(fund),
            "target": selectors.target_for(fund),
            "targets": fund.targets.select_related("set_by__member"),
            "partners": fund.partner_units.select_related("liaison").order_by("-is_active", "name"),
            "target_form": TargetForm(),
            "partner_form": PartnerForm(fund=fund),
        },
    )


def _change_rule(request, fund: Fund, form, change, success) -> HttpResponse:
    """A rule-changing form: the form's own checks, then the service's, each refusal as a message."""
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            result = change(fund_id=fund.pk, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success(result))
    return redirect("funds:rules", pk=fund.pk)


@requires("fund", "rules")
@require_POST
def set_bound(request, pk: int):
    fund = _fund(request, pk, "rules")
    return _change_rule(
        request,
        fund,
        BoundForm(request.POST, prefix=request.POST.get("kind", "")),
        services.set_amount_bound,
        lambda bound: (
            f"{bound.get_kind_display()}的金额标准已调整为 "
            f"{formats.money(bound.minimum)}–{formats.money(bound.maximum)} 元"
        ),
    )


@requires("fund", "rules")
@require_POST
def set_target(request, pk: int):
    fund = _fund(request, pk, "rules")
    return _change_rule(
        request,
        fund,
        TargetForm(request.POST),
        services.set_target,
        lambda target: f"{target.year} 年筹集目标已设为 {formats.money(target.amount)} 元",
    )


@requires("fund", "rules")
@require_POST
def add_partner(request, pk: int):
    fund = _fund(request, pk, "rules")
    return _change_rule(
        request,
        fund,
        PartnerForm(request.POST, fund=fund),
        services.add_partner_unit,
        lambda partner: f"已登记互联共建单位“{partner.name}”",
    )


@requires("fund", "rules")
@require_POST
def toggle_partner(request, pk: int):
    partner = get_object_or_404(
        PartnerUnit.objects.filter(fund__in=Fund.objects.for_user(request.user, "rules")), pk=pk
    )
    try:
        partner = services.set_partner_active(partner_id=partner.pk, active=not partner.is_active, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{partner.name}”{'恢复共建' if partner.is_active else '已结束共建'}")
    return redirect("funds:rules", pk=partner.fund_id)


@requires("fund", "disburse")
def uses(request, pk: int):
    """待列支: 慰问金 and pairing help handed over from the care fund, for the fund officer to book."""
    fund = _fund(request, pk, "disburse")
    return render(request, "funds/uses.html", {"fund": fund, "form": UseForm(), **selectors.uses_waiting(fund)})


def _pay(request, pk: int, service, key: str, what: str):
    fund = _fund(request, pk, "disburse")
    form = UseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("funds:uses", pk=fund.pk)
    item_id = id_param(request.POST.get("item"))
    if item_id is None:
        messages.error(request, "请选择要列支的记录")
        return redirect("funds:uses", pk=fund.pk)
    item = get_object_or_404(selectors.uses_waiting(fund)[key], pk=item_id)
    try:
        entry = service(by=request.user, occurred_on=form.cleaned_data["occurred_on"], **{f"{what}_id": item.pk})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已列支 {formats.money(-entry.amount)} 元：{entry.note}")
    return redirect("funds:uses", pk=fund.pk)


@requires("fund", "disburse")
@require_POST
def pay_visit(request, pk: int):
    return _pay(request, pk, services.pay_visit, "visits", "visit")


@requires("fund", "disburse")
@require_POST
def pay_progress(request, pk: int):
    return _pay(request, pk, services.pay_pairing_progress, "progress", "progress")
