"""The visits list as .xlsx (streamed through core.xlsx). Talks are not exported here: their
confidential notes must never reach a file a member could be handed."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet

from core.xlsx import Column, Workbook
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
                    "、".join(v.name for v in visit.visitors.all()),
                    visit.goods,
                    visit.amount,
                    visit.notes,
                    visit.follow_up,
                ]
            )
        sheet.add_totals()
        book.close()
        return book.detach()
