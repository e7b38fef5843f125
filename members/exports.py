"""The roster as .xlsx, written streaming through core.xlsx; sensitive columns masked per row."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from core.xlsx import Column, Workbook
from members import permissions
from members.access import EXPORT
from members.filters import MemberFilter
from members.models import Member, Organization

ROSTER_COLUMNS = [
    Column("姓名", 10),
    Column("性别", 6),
    Column("出生日期", 12, "date"),
    Column("身份证号", 21),
    Column("联系电话", 14),
    Column("家庭住址", 30),
    Column("所在支部", 20),
    Column("入党日期", 12, "date"),
    Column("转正日期", 12, "date"),
    Column("党员类别", 10),
    Column("就业状况", 10),
    Column("离退休干部", 10),
    Column("劳动能力", 10),
    Column("健康状况", 16),
    Column("独居", 6),
    Column("老模范", 8),
    Column("在册状态", 10),
    Column("离休/退休", 9),
    Column("原工作单位", 20),
    Column("原单位情况", 10),
    Column("流动党员", 8),
    Column("流出去向/流入来源", 20),
    Column("流动期间联系方式", 18),
]


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
        for member in queryset.select_related("organization").iterator(chunk_size=2000):
            sheet.append(
                [
                    member.name,
                    member.get_gender_display(),
                    shown.birth_date(member),
                    shown.id_number(member),
                    member.phone,
                    shown.address(member),
                    member.organization.name,
                    member.join_date,
                    member.full_member_date,
                    member.get_party_status_display(),
                    member.get_employment_display(),
                    "是" if member.is_retired_cadre else "否",
                    member.get_work_capacity_display(),
                    shown.health(member),
                    "是" if member.lives_alone else "否",
                    "是" if member.is_model_worker else "否",
                    member.get_state_display(),
                    member.get_retirement_display() if member.retirement else "",
                    member.former_employer,
                    member.get_former_employer_situation_display() if member.former_employer_situation else "",
                    member.get_mobility_display() if member.mobility else "",
                    member.mobility_place,
                    member.mobility_contact,
                ]
            )
        book.close()
        return book.detach()


def import_template() -> bytes:
    """An empty roster sheet with the headers the import expects and one example row."""
    from members.resources import COLUMNS
    from members.validators import id_check_digit

    columns = [Column(header, 14, "text") for _, header in COLUMNS]
    with Workbook() as book:
        sheet = book.sheet("党员名册", None, columns)
        example_id = "11010119700501001" + id_check_digit("11010119700501001")
        sheet.append(
            [
                "张三",
                "男",
                "1970-05-01",
                example_id,
                "13812345678",
                "某某街道1号",
                "第一党支部",
                "1995-07-01",
                "1996-07-01",
                "正式党员",
                "离退休",
                "是",
                "正常",
                "良好",
                "否",
                "否",
            ]
        )
        book.close()
        return book.getvalue()


def export_filename(prefix: str) -> str:
    return f"{prefix}_{timezone.localdate():%Y%m%d}.xlsx"
