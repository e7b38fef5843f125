from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.http import XLSX_MIME, attachment
from members.models import Organization
from members.scoping import organizations_for
from reports import annual, cache, dashboard, holiday, services
from reports.models import ReportJob
from reports.scope import can_view_reports, resolve_scope


def _scope(request):
    if not can_view_reports(request.user):
        raise PermissionDenied("统计报表面向支部书记、支委、组织部和基金管理员")
    return resolve_scope(request.user, org_id=request.GET.get("org"), year=request.GET.get("year"))


@login_required
def dashboard_view(request):
    scope = _scope(request)
    this_year = timezone.localdate().year
    return render(request, "reports/dashboard.html", {
        "scope": scope,
        "sections": cache.cached("dashboard", scope, lambda: dashboard.build(scope)),
        "organizations": organizations_for(request.user).exclude(kind=Organization.Kind.BRANCH)
        | organizations_for(request.user).filter(kind=Organization.Kind.BRANCH),
        "years": list(range(this_year, this_year - 6, -1)),
    })


def _holiday(request):
    scope = _scope(request)
    occasion = request.GET.get("occasion")
    if occasion not in dict(holiday.OCCASIONS):
        occasion = holiday.OCCASIONS[0][0]
    return holiday.build(scope, occasion)


@login_required
def holiday_summary(request):
    summary = _holiday(request)
    this_year = timezone.localdate().year
    return render(request, "reports/holiday.html", {
        "summary": summary, "scope": summary.scope, "occasions": holiday.OCCASIONS,
        "organizations": organizations_for(request.user),
        "years": list(range(this_year, this_year - 6, -1)),
    })


@login_required
def holiday_workbook(request):
    summary = _holiday(request)
    return attachment(holiday.workbook(summary), filename=holiday.filename(summary))


@login_required
def annual_workbook(request):
    scope = _scope(request)
    if services.is_large(scope):
        job = services.request_job(scope=scope)
        return redirect("reports:job", pk=job.pk)
    return attachment(annual.write_annual_workbook(scope), filename=annual.filename(scope))


def _own_job(request, pk):
    return get_object_or_404(ReportJob.objects.filter(requested_by=request.user), pk=pk)


@login_required
def job_detail(request, pk: int):
    return render(request, "reports/job.html", {
        "job": _own_job(request, pk), "keep_days": settings.CARE["REPORT_FILE_DAYS"],
    })


@login_required
def job_status(request, pk: int):
    job = _own_job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress})


@login_required
def job_download(request, pk: int):
    """Streamed from the shared file store, whichever node or worker wrote it."""
    job = _own_job(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404("报表尚未生成完成")
    scope = resolve_scope(request.user, org_id=job.organization_id, year=job.year)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("报表文件已不存在，请重新生成") from None
    response = FileResponse(handle, as_attachment=True, filename=annual.filename(scope), content_type=XLSX_MIME)
    response["Cache-Control"] = "private, no-store"
    return response
