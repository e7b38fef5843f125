from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.http import XLSX_MIME, attachment
from members.access import EXPORT, LIST, SIGNED_IN, VIEW, requires
from members.services import log_export
from reports import annual, contents, holiday, services
from reports.models import ReportJob
from reports.scope import BadYear, picker_organizations, resolve_scope


def _scope(request):
    return resolve_scope(request.user, org_id=request.GET.get("org"), year=request.GET.get("year"))


def _export_scope(request):
    """A download names its year: `year=` left empty is refused like `year=abc`, never read as this year."""
    if "year" in request.GET and not request.GET["year"].strip():
        raise BadYear("请选择要导出的年度")
    return _scope(request)


def _refuse_year(request, error: BadYear, to: str = "reports:dashboard"):
    messages.error(request, str(error))
    return redirect(to)


@requires("report", VIEW)
def dashboard_view(request):
    try:
        scope = _scope(request)
    except BadYear as error:
        if "year" in request.GET and request.GET.get("year") != "":
            messages.error(request, str(error))
        scope = resolve_scope(request.user, org_id=request.GET.get("org"))
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "sections": contents.dashboard_sections(scope),
            "organizations": picker_organizations(request.user, scope.organization),
            "years": list(range(this_year, this_year - 6, -1)),
        },
    )


def _holiday(request):
    scope = _scope(request)
    occasion = request.GET.get("occasion")
    if occasion not in dict(holiday.OCCASIONS):
        occasion = holiday.OCCASIONS[0][0]
    return holiday.build(scope, occasion)


@requires("plan", LIST)
def holiday_summary(request):
    try:
        summary = _holiday(request)
    except BadYear as error:
        return _refuse_year(request, error, "reports:holiday")
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/holiday.html",
        {
            "summary": summary,
            "scope": summary.scope,
            "occasions": holiday.OCCASIONS,
            "organizations": picker_organizations(request.user, summary.scope.organization),
            "years": list(range(this_year, this_year - 6, -1)),
        },
    )


@requires("plan", EXPORT)
def holiday_workbook(request):
    try:
        summary = _holiday(request)
    except BadYear as error:
        return _refuse_year(request, error, "reports:holiday")
    log_export(request, target=f"{summary.scope.title}节日走访汇总", organization=summary.scope.organization)
    return attachment(holiday.workbook(summary), filename=holiday.filename(summary))


@requires("report", EXPORT)
def annual_workbook(request):
    try:
        scope = _export_scope(request)
    except BadYear as error:
        return _refuse_year(request, error)
    if services.is_large(scope):
        job = services.request_job(scope=scope)
        return redirect("reports:job", pk=job.pk)
    log_export(request, target=f"{scope.title}年度报表", organization=scope.organization)
    return attachment(contents.write_annual_workbook(scope), filename=annual.filename(scope))


@requires("member", EXPORT)
def roster_export_job(request):
    """A roster export too large for the request (members:export sends it here with its filters)."""
    job = services.request_export(user=request.user, kind=ReportJob.Kind.ROSTER, query=request.GET.urlencode())
    return redirect("reports:job", pk=job.pk)


@requires("visit", EXPORT)
def visit_export_job(request):
    """A visit export too large for the request (visits:export sends it here with its filters)."""
    job = services.request_export(user=request.user, kind=ReportJob.Kind.VISITS, query=request.GET.urlencode())
    return redirect("reports:job", pk=job.pk)


def _own_job(request, pk):
    return get_object_or_404(ReportJob.objects.filter(requested_by=request.user), pk=pk)


@requires(SIGNED_IN.kind)
def job_detail(request, pk: int):
    return render(
        request,
        "reports/job.html",
        {
            "job": _own_job(request, pk),
            "keep_days": settings.CARE["REPORT_FILE_DAYS"],
        },
    )


@requires(SIGNED_IN.kind)
def job_status(request, pk: int):
    job = _own_job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress})


@requires(SIGNED_IN.kind)
def job_download(request, pk: int):
    """Streamed from the shared file store, whichever node or worker wrote it."""
    job = _own_job(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404("报表尚未生成完成")
    if job.kind == ReportJob.Kind.ANNUAL:
        scope = resolve_scope(request.user, org_id=job.organization_id, year=job.year)
        target, organization, filename = f"{scope.title}年度报表", scope.organization, annual.filename(scope)
    else:
        label = job.get_kind_display()
        target, organization = label, None
        filename = f"{label}_{timezone.localtime(job.finished_at):%Y%m%d}.xlsx"
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("报表文件已不存在，请重新生成") from None
    log_export(request, target=target, organization=organization)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_MIME)
    response["Cache-Control"] = "private, no-store"
    return response
