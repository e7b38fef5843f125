"""Pages of 上级报送: the overview per period, submitting, receiving or returning, the due dates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core import clock
from core.errors import DomainError
from core.http import attachment
from core.params import id_param
from filings import selectors, services
from filings.forms import DeadlineForm, ReturnForm, SubmitForm
from filings.models import Filing, FilingDeadline, FilingVersion, Status
from filings.periods import Period, current_periods, deadline_periods, recent_periods
from members import access
from members.access import LIST, VIEW, requires
from members.roles import Role
from members.scoping import organizations_for
from members.services import log_export

STATUS_FILTERS = {
    "missing": ("未报送或已退回", lambda row: not row.is_in),
    "overdue": ("逾期未报送", lambda row: row.is_overdue),
    "submitted": ("待接收", lambda row: row.status == Status.SUBMITTED),
    "accepted": ("已接收", lambda row: row.status == Status.ACCEPTED),
}


def _period(request, today) -> Period:
    chosen = Period.from_key(request.GET.get("period", ""))
    return chosen if chosen in recent_periods(today) else current_periods(today)[0]


@requires("filing", LIST)
@require_GET
def index(request):
    """Every unit expected to report for the period that the user may see: submitted or not, late,
    returned. A secretary sees their own unit; the 组织部 every unit under it."""
    user = request.user
    today = clock.today()
    period = _period(request, today)
    rows = selectors.overview(selectors.reporting_units(user), period, today=today)
    tally = selectors.tally(period, rows)
    status = request.GET.get("status", "")
    if status in STATUS_FILTERS:
        rows = [row for row in rows if STATUS_FILTERS[status][1](row)]
    submitter_of = (
        {unit.pk for unit in selectors.secretary_units(user)} if access.may(user, "filing", "submit") else set()
    )
    return render(
        request,
        "filings/index.html",
        {
            "period": period,
            "periods": recent_periods(today),
            "rows": rows,
            "tally": tally,
            "status": status,
            "status_filters": [(key, label) for key, (label, _) in STATUS_FILTERS.items()],
            "submitter_of": submitter_of,
            "can_submit_now": period.has_ended(today),
            "can_set_deadlines": access.may(user, "filing", "deadline"),
            "today": today,
        },
    )


@requires("filing", "submit")
def submit(request):
    """The secretary's one step: the unit and period, what will be sent, a note, 确认报送."""
    user = request.user
    today = clock.today()
    params = request.POST if request.method == "POST" else request.GET
    period = Period.from_key(params.get("period", ""))
    unit_id = id_param(params.get("organization"))
    if period is None or period not in recent_periods(today) or unit_id is None:
        units = selectors.secretary_units(user)
        if len(units) == 1 and period is None:
            # From the menu: the secretary's unit and the half-year report just due.
            return redirect(
                f"{reverse('filings:submit')}?organization={units[0].pk}&period={current_periods(today)[0].key}"
            )
        messages.info(request, "请在列表中选择要报送的单位和报告")
        return redirect("filings:index")
    unit = get_object_or_404(selectors.reporting_units(user), pk=unit_id)
    if not selectors.may_submit(user, unit):
        raise PermissionDenied("只有本单位的书记可以报送")
    filing = (
        Filing.objects.of(period).filter(organization=unit).prefetch_related(selectors.versions_newest_first()).first()
    )
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.submit(by=user, organization=unit, period=period, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已向上级报送{unit.name}的{period.label}")
            return redirect(filing)
    return render(
        request,
        "filings/submit.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "filing": filing,
            "due_on": selectors.due_on(unit, period),
            "has_ended": period.has_ended(today),
            "background": services.builds_in_background(user=user, unit=unit, period=period),
            "today": today,
        },
    )


def _filing(request, pk: int, action: str = VIEW) -> Filing:
    return get_object_or_404(
        Filing.objects.for_user(request.user, action)
        .select_related("organization", "submitted_by__member", "reviewed_by__member")
        .prefetch_related(selectors.versions_newest_first()),
        pk=pk,
    )


@requires("filing", VIEW)
@require_GET
def detail(request, pk: int):
    user = request.user
    filing = _filing(request, pk)
    today = clock.today()
    unit = filing.organization
    events = list(filing.events.select_related("by__member"))
    return render(
        request,
        "filings/detail.html",
        {
            "filing": filing,
            "row": selectors.Row(unit, filing, selectors.due_on(unit, filing.period), today),
            "versions": list(filing.versions.all()),
            "events": events,
            "can_download": access.may_at(user, "filing", "download", unit),
            "can_receive": filing.status == Status.SUBMITTED and access.may_at(user, "filing", "receive", unit),
            "can_submit": filing.status in (Status.PENDING, Status.RETURNED)
            and filing.period.has_ended(today)
            and selectors.may_submit(user, unit),
            "return_form": ReturnForm(),
        },
    )


@requires("filing", "receive")
@require_POST
def accept(request, pk: int):
    filing = _filing(request, pk, "receive")
    try:
        services.accept(by=request.user, filing_id=filing.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已接收{filing.organization.name}的{filing.period.label}")
    return redirect(filing)


@requires("filing", "receive")
def return_filing(request, pk: int):
    filing = _filing(request, pk, "receive")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_filing(by=request.user, filing_id=filing.pk, comment=form.cleaned_data["comment"])
        except DomainError as exc:
            form.add_error("comment" if exc.field == "comment" else None, exc.message)
        else:
            messages.success(request, f"已退回{filing.organization.name}的{filing.period.label}，并通知书记")
            return redirect(filing)
    return render(request, "filings/return.html", {"filing": filing, "form": form})


@requires("filing", "download")
@require_GET
def download(request, pk: int):
    """A submission's workbook as it was submitted, from the shared file store."""
    version = get_object_or_404(
        FilingVersion.objects.filter(filing__in=Filing.objects.for_user(request.user, "download")).select_related(
            "filing__organization"
        ),
        pk=pk,
    )
    if version.state != FilingVersion.State.READY or not version.file:
        raise Http404("报送的工作簿尚未生成")
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("报送的工作簿文件已不存在") from None
    filing = version.filing
    name = f"{filing.organization.name}{filing.period.label}（第{version.number}次报送）"
    log_export(request, target=name, organization=filing.organization, rows=version.rows)
    return attachment(handle, filename=f"{name}.xlsx")


@requires("filing", "deadline")
def deadlines(request):
    user = request.user
    today = clock.today()
    periods = deadline_periods(today)
    form = DeadlineForm(request.POST or None, user=user, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_deadline(
                by=user, organization=data["organization"], period=data["period"], due_on=data["due_on"]
            )
        except DomainError as exc:
            form.add_error("due_on" if exc.field == "due_on" else None, exc.message)
        else:
            messages.success(
                request,
                f"{data['organization'].name}所属单位的{data['period'].label}截止日期已设为{data['due_on']:%Y年%m月%d日}",
            )
            return redirect("filings:deadlines")
    own = organizations_for(user, Role.ORG_DEPT).values_list("pk", flat=True)
    set_rows = list(
        FilingDeadline.objects.filter(organization__in=own)
        .select_related("organization", "set_by__member")
        .order_by("-year", "-half", "organization__path")[:50]
    )
    return render(
        request,
        "filings/deadlines.html",
        {"form": form, "periods": periods, "set_rows": set_rows},
    )
