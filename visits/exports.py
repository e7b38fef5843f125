"""The visits list as .xlsx (streamed through core.xlsx). Talks are not exported here: their
confidential notes must never reach a file a member could be handed."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from core.xlsx import Column, Workbook
from members.access import EXPORT
from visits import selectors
from visits.forms import VisitFilter
from visits.models import Visit

VISIT_COLUMNS = [
    Column("走访日期", 12, "date"),
    Column("走访对象", 10),
    Column("所在支部", 20),
    Column("走访事由", 10),
    Column("走访人", 20),
    Column("慰问物品", 20),
    Column("慰问金（元）", 12, "money"),
    Column("走访情况", 40),
    Column("需跟进的诉求", 30),
]


def visit_rows(user, query) -> QuerySet[Visit]:
    """The visits list's rows as filtered by `query` (the list page's parameters), for `user`."""
    queryset = selectors.visit_queryset(user, EXPORT).order_by("-visited_on", "-id")
    return VisitFilter(query, queryset=queryset, user=user).qs


def visit_filename() -> str:
    return f"走访慰问记录_{timezone.localdate():%Y%m%d}.xlsx"


def visit_workbook_of(rows: QuerySet[Visit]) -> BinaryIO:
    return visits_workbook(rows, title=f"走访慰问记录（导出于 {timezone.localdate():%Y年%m月%d日}）")


def export_for(user, query) -> BinaryIO:
    """The export as the worker builds it for a large list (reports' background jobs)."""
    return visit_workbook_of(visit_rows(user, query))


def visits_workbook(queryset: QuerySet[Visit], *, title: str) -> BinaryIO:
    with Workbook() as book:
        sheet = book.sheet("走访慰问", title, VISIT_COLUMNS)
        for visit in queryset.iterator(chunk_size=2000):
            sheet.append(
                [
                    visit.visited_on,
                    visit.member.name,
                    visit.member.organization.name,
                    visit.get_occasion_display(),
                    "、".join(v.name for v in visit.visitor_list),
                    visit.goods,
                    visit.amount,
                    visit.notes,
                    visit.follow_up,
                ]
            )
        sheet.add_totals()
        book.close()
        return book.detach()
