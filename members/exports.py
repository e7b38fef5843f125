"""The roster as .xlsx, written streaming through core.xlsx; sensitive columns masked per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from django.db.models import BooleanField, QuerySet
from django.utils import timezone

from core.xlsx import Column, Workbook
from members import permissions
from members.access import EXPORT
from members.filters import MemberFilter
from members.models import Member, Organization
from members.resources import ROSTER

ROSTER_COLUMNS = [Column(column.header, column.width, column.kind) for column in ROSTER]
# Columns shown in full or masked per row (permissions.Disclosure has a method of the same name).
MASKED = ("birth_date", "id_number", "address", "health")


def roster_rows(user, query) -> tuple[QuerySet[Member], Organization | None]:
    """The roster's rows as filtered by `query` (the list page's parameters), for `user`, and the branch
    chosen in the filter, if any."""
    queryset = Member.objects.for_user(user, EXPORT).order_by("organization__path", "name", "id")
    filterset = MemberFilter(query, queryset=queryset, user=user)
    chosen = filterset.form.cleaned_data.get("organization") if filterset.is_bound and filterset.is_valid() else None
    return filterset.qs, chosen


def roster_title() -> str:
    return f"党员名册（导出于 {timezone.localdate():%Y年%m月%d日}）"


def export_for(user, query) -> BinaryIO:
    """The export as the worker builds it for a large list (reports' background jobs)."""
    rows, _ = roster_rows(user, query)
    return roster_workbook(rows, user=user, title=roster_title())


def roster_workbook(queryset: QuerySet[Member], *, user, title: str) -> BinaryIO:
    """The full 身份证号, birth date, address and health only on rows the user may read in full: a
    masked row has the number's last four characters and the birth year (as text)."""
    shown = permissions.Disclosure(user)
    with Workbook() as book:
        sheet = book.sheet("党员名册", title, ROSTER_COLUMNS)
        cells = [_cell_reader(column.attr, shown) for column in ROSTER]
        for member in queryset.select_related("organization").iterator(chunk_size=2000):
            sheet.append([read(member) for read in cells])
        book.close()
        return book.detach()


def _cell_reader(attr: str, shown: permissions.Disclosure) -> Callable[[Member], object]:
    """How one roster column is written for people: choices by their label (blank when unset, not "—"),
    yes/no as 是/否, the branch by its name, sensitive columns through the disclosure rules."""
    if attr in MASKED:
        return getattr(shown, attr)
    if attr == "organization":
        return lambda member: member.organization.name
    if attr == "state":  # a property read from the transfer and death records, not a field
        return lambda member: member.get_state_display()
    field = Member._meta.get_field(attr)
    if field.choices:
        return lambda member: getattr(member, f"get_{attr}_display")() if getattr(member, attr) else ""
    if isinstance(field, BooleanField):
        return lambda member: "是" if getattr(member, attr) else "否"
    return lambda member: getattr(member, attr)


# The template's example row, by field (columns it does not name are left blank).
TEMPLATE_EXAMPLE = {
    "name": "张三",
    "gender": "男",
    "birth_date": "1970-05-01",
    "phone": "13812345678",
    "address": "某某街道1号",
    "organization": "第一党支部",
    "join_date": "1995-07-01",
    "full_member_date": "1996-07-01",
    "party_status": "正式党员",
    "employment": "离退休",
    "is_retired_cadre": "是",
    "work_capacity": "正常",
    "health": "良好",
    "lives_alone": "否",
    "is_model_worker": "否",
    "retirement": "退休",
    "former_employer": "县农机厂",
    "former_employer_situation": "改制",
}


def import_template() -> bytes:
    """An empty roster sheet with the headers the import expects and one example row."""
    from members.validators import id_check_digit

    imported = [column for column in ROSTER if column.imported]
    columns = [Column(column.header, 14, "text") for column in imported]
    example = dict(TEMPLATE_EXAMPLE, id_number="11010119700501001" + id_check_digit("11010119700501001"))
    with Workbook() as book:
        sheet = book.sheet("党员名册", None, columns)
        sheet.append([example.get(column.attr, "") for column in imported])
        book.close()
        return book.getvalue()


def export_filename(prefix: str) -> str:
    return f"{prefix}_{timezone.localdate():%Y%m%d}.xlsx"
