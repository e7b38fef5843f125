"""Work measured in a child process: each function does one job for the whole benchmark unit."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def _committee_scope():
    from types import SimpleNamespace

    from reports.scope import resolve_scope

    return resolve_scope(SimpleNamespace(is_authenticated=True, is_superuser=True, pk=None), year=dt.date.today().year)


def annual_workbook():
    from reports import contents

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        contents.write_annual_workbook(_committee_scope(), path=out.name)
        return {"bytes": Path(out.name).stat().st_size}


def _export_querysets():
    """The rows of the annual workbook's detail sheets, per model (what import-export would export)."""
    from bench import history

    return history.export_querysets()


def import_export_export():
    """django-import-export's default path: a ModelResource per model, tablib, xlsx."""
    from import_export.resources import modelresource_factory

    size = 0
    for queryset in _export_querysets():
        resource = modelresource_factory(queryset.model)()
        size += len(resource.export(queryset).export("xlsx"))
    return {"bytes": size}


def xlsxwriter_floor():
    """The same cells written by bare XlsxWriter in constant-memory mode: the practical floor."""
    import xlsxwriter

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        book = xlsxwriter.Workbook(out.name, {"constant_memory": True})
        for queryset in _export_querysets():
            sheet = book.add_worksheet(queryset.model._meta.model_name[:31])
            fields = [f.attname for f in queryset.model._meta.concrete_fields]
            for c, name in enumerate(fields):
                sheet.write_string(0, c, name)
            rows = queryset.prefetch_related(None).values_list(*fields).iterator(chunk_size=5000)
            for r, values in enumerate(rows, start=1):
                for c, value in enumerate(values):
                    if isinstance(value, dt.datetime):
                        value = value.replace(tzinfo=None)
                    if value is None:
                        continue
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, value)
                    elif isinstance(value, bool | int | float):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, str(value))
        book.close()
    return {}


def _roster_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from members.models import Organization
    from members.validators import id_check_digit

    branch = Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("path").first()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "性别", "出生日期", "身份证号", "联系电话", "所在支部", "入党日期", "党员类别", "就业状况"])
    for index in range(rows):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=index % 15000)
        first17 = f"990101{birth:%Y%m%d}{index // 10 % 100:02d}{(index % 5) * 2 + 1}"
        sheet.append(
            [
                "导入测试",
                "男",
                birth,
                first17 + id_check_digit(first17),
                "13800000000",
                branch.name,
                birth + dt.timedelta(days=25 * 366),
                "正式党员",
                "在职",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Rollback(Exception):
    pass


def roster_import():
    """Our import of 10,000 new members (preview and commit), rolled back afterwards."""
    from members import importing
    from members.models import User

    data = _roster_file(10_000)
    admin = User.objects.get(username="admin")
    try:
        with transaction.atomic():
            report = importing.commit_import(data=data, by=admin, confirm_similar=True)
            created = len(report.new)
            raise _Rollback
    except _Rollback:
        pass
    return {"rows": created}


def import_export_row_by_row():
    """The same 10,000 rows through django-import-export's default row-by-row ModelResource import."""
    import tablib
    from import_export.resources import modelresource_factory

    from members.models import Member, Organization
    from members.validators import id_check_digit

    branch = Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("path").first()
    dataset = tablib.Dataset(
        headers=[
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "organization",
            "join_date",
            "party_status",
            "employment",
        ]
    )
    for index in range(10_000):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=index % 15000)
        first17 = f"990101{birth:%Y%m%d}{index // 10 % 100:02d}{(index % 5) * 2 + 1}"
        dataset.append(
            [
                "导入测试",
                "M",
                birth,
                first17 + id_check_digit(first17),
                "13800000000",
                branch.pk,
                birth + dt.timedelta(days=25 * 366),
                "full",
                "employed",
            ]
        )
    resource = modelresource_factory(Member)()
    resource._meta.import_id_fields = ["id_number"]
    try:
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, use_transactions=True)
            rows = result.totals.get("new", 0)
            raise _Rollback
    except _Rollback:
        pass
    return {"rows": rows}


def daily_jobs():
    """run_daily_jobs on the day 春节 plans fall due (with that day's political birthdays), rolled back."""
    from django.conf import settings

    from core import jobs
    from core.calendars import spring_festival
    from members.models import Member

    today = dt.date.today()
    festival = spring_festival(today.year + 1 if today >= spring_festival(today.year) else today.year)
    day = festival - dt.timedelta(days=settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"])
    birthdays = Member.objects.on_roll().filter(join_date__month=day.month, join_date__day=day.day).count()
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            results = jobs.run_daily(day=day)
            raise _Rollback
    except _Rollback:
        pass
    return {
        "day": day.isoformat(),
        "birthdays": birthdays,
        "queries": len(captured.captured_queries),
        "created": dict(results.items()),
    }
