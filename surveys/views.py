"""Pages of the 全面排查: the periods, a branch's members (phone first), a member's checklist, and the
组织部's progress of every branch."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from core.params import id_param
from members import access
from members.access import CREATE, EDIT, LIST, VIEW, requires
from surveys import selectors, services
from surveys.forms import ChecklistForm, PeriodForm
from surveys.models import BranchSurvey, Checklist, SurveyPeriod

RECENT_YEARS = 2


@requires("survey", LIST)
def survey_list(request):
    """The department's periods, and the branch surveys of the user's branches (the secretary's way in)."""
    user = request.user
    since = clock.today().year - RECENT_YEARS + 1
    periods = list(
        SurveyPeriod.objects.for_user(user, "overview").filter(year__gte=since).select_related("organization")
    )
    # Branches of a period the user follows on its progress page are listed there, not here.
    branch_surveys = list(
        selectors.with_progress(
            BranchSurvey.objects.for_user(user, LIST)
            .filter(period__year__gte=since)
            .exclude(period__in=[p.pk for p in periods])
            .select_related("period", "branch")
        ).order_by("-period__starts_on", "branch__path")[:50]
    )
    for row in branch_surveys:
        row.percent = selectors.percent(row.checked, row.total)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "periods": periods,
            "branch_surveys": branch_surveys,
            "can_open": access.may(user, "survey", CREATE),
            "today": clock.today(),
        },
    )


@requires("survey", CREATE)
def period_create(request):
    user = request.user
    today = clock.today()
    form = PeriodForm(
        request.POST or None,
        user=user,
        initial={
            "name": f"{today.year}年主题教育期间全面排查",
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=60),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.open_period(
                organization=data["organization"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied:
            form.add_error("organization", "您不能为这个组织发起全面排查")
        else:
            messages.success(request, f"已发起{period.name}，各支部书记已收到通知。")
            return redirect(period)
    return render(request, "surveys/period_form.html", {"form": form})


@requires("survey", "overview")
def period_progress(request, pk: int):
    period = get_object_or_404(
        SurveyPeriod.objects.for_user(request.user, "overview").select_related("organization"), pk=pk
    )
    generals = list(selectors.general_branches(period))
    chosen_id = id_param(request.GET.get("general"))
    chosen = next((g for g in generals if g.pk == chosen_id), None)
    rows, totals = selectors.progress_rows(period, general_branch=chosen)
    return render(
        request,
        "surveys/period_progress.html",
        {
            "period": period,
            "rows": rows,
            "totals": totals,
            "generals": generals,
            "chosen": chosen,
            "today": clock.today(),
        },
    )


@requires("survey", VIEW)
def branch_detail(request, pk: int):
    user = request.user
    branch_survey = get_object_or_404(
        BranchSurvey.objects.for_user(user, VIEW).select_related("period", "branch", "confirmed_by__member"), pk=pk
    )
    checklists = selectors.branch_checklists(branch_survey)
    checked = sum(c.is_confirmed for c in checklists)
    today = clock.today()
    period = branch_survey.period
    return render(
        request,
        "surveys/branch_detail.html",
        {
            "bs": branch_survey,
            "period": period,
            "checklists": checklists,
            "checked": checked,
            "total": len(checklists),
            "pending": len(checklists) - checked,
            "percent": selectors.percent(checked, len(checklists)),
            "can_fill": access.may_at(user, "survey_checklist", EDIT, branch_survey.branch),
            "can_confirm": branch_survey.done_on is None
            and period.is_open_on(today)
            and access.may_at(user, "survey", "confirm", branch_survey.branch),
            "is_open": period.is_open_on(today),
            "can_see_progress": access.may_at(user, "survey", "overview", period.organization_id),
        },
    )


@requires("survey", "confirm")
@require_POST
def branch_confirm(request, pk: int):
    branch_survey = get_object_or_404(BranchSurvey.objects.for_user(request.user, "confirm"), pk=pk)
    try:
        services.confirm_branch(branch_survey_id=branch_survey.pk, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已确认本支部全面排查完成，组织部可在进度页看到。")
    return redirect(branch_survey)


@requires("survey_checklist", EDIT)
def checklist_edit(request, pk: int):
    user = request.user
    checklist = get_object_or_404(
        Checklist.objects.for_user(user, EDIT).select_related(
            "member__organization", "branch_survey__period", "branch_survey__branch", "confirmed_by__member"
        ),
        pk=pk,
    )
    today = clock.today()
    form = ChecklistForm(request.POST or None, initial=selectors.prefill(checklist, today))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved, findings = services.save_checklist(
                checklist_id=checklist.pk,
                health=data["health"],
                health_note=data["health_note"],
                living=data["living"],
                hardship_level=data["hardship_level"],
                categories=data["categories"],
                family_changed=data["family_changed"],
                family_situation=data["family_situation"],
                needs=data["needs"],
                needs_note=data["needs_note"],
                contact=data["contact"],
                confirmed_on=data["confirmed_on"],
                by=user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记{saved.member.name}的排查情况。")
            for sentence in findings.sentences:
                messages.info(request, sentence)
            following = (
                Checklist.objects.filter(branch_survey=checklist.branch_survey, confirmed_on__isnull=True)
                .relevant()
                .order_by("member__name", "pk")
                .first()
            )
            if following is not None and "next" in request.POST:
                return redirect(following)
            return redirect(checklist.branch_survey)
    return render(
        request,
        "surveys/checklist_form.html",
        {
            "form": form,
            "checklist": checklist,
            "member": checklist.member,
            "period": checklist.branch_survey.period,
            "is_open": checklist.branch_survey.period.is_open_on(today),
            "line": selectors.ledger_line(checklist.member),
            "today": today,
        },
    )
