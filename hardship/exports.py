"""The ledger, the half-year pairing report and the import template as .xlsx (through core.xlsx)."""

from __future__ import annotations

from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from core.xlsx import Column, Workbook
from members.permissions import Disclosure

LEDGER_COLUMNS = [
    Column("姓名", 10),
    Column("所在支部", 20),
    Column("身份证号", 21),
    Column("困难类别", 24),
    Column("困难程度", 10),
    Column("家庭人口", 9, "int"),
    Column("家庭年收入（元）", 14, "money"),
    Column("人均年收入（元）", 14, "money"),
    Column("致困原因", 24),
    Column("主要困难", 24),
    Column("帮扶需求", 18),
    Column("特长", 12),
    Column("帮扶人", 14),
    Column("状态", 8),
    Column("登记日期", 12, "date"),
    Column("最近复核日期", 12, "date"),
    Column("知情同意日期", 12, "date"),
]


def ledger_workbook(queryset: QuerySet, *, user) -> BinaryIO:
    """Income and the full 身份证号 only for rows the user may read in full; masked elsewhere."""
    ids, confidential = Disclosure(user), Disclosure(user, "ledger_confidential", own=False)
    title = f"困难党员台帐（导出于 {timezone.localdate():%Y年%m月%d日}）"
    with Workbook() as book:
        sheet = book.sheet("困难党员台帐", title, LEDGER_COLUMNS)
        for record in queryset.prefetch_related("needs").iterator(chunk_size=1000):
            member = record.member
            full = confidential.full(member)
            sheet.append(
                [
                    member.name,
                    member.organization.name,
                    ids.id_number(member),
                    "、".join(c.name for c in record.categories.all()),
                    record.get_level_display(),
                    record.household_size,
                    record.annual_household_income if full else None,
                    record.per_capita_income if full else None,
                    record.causes if full else "",
                    record.main_difficulties if full else "",
                    "、".join(n.name for n in record.needs.all()),
                    record.skills,
                    "、".join(p.helper.name for p in record.active_pairings),
                    record.get_status_display(),
                    record.registered_on,
                    record.last_reviewed_on,
                    record.consent_on,
                ]
            )
        book.close()
        return book.detach()


REPORT_COLUMNS = [
    Column("所在支部", 18),
    Column("帮扶对象", 10),
    Column("困难程度", 10),
    Column("帮扶人", 10),
    Column("帮扶内容", 24),
    Column("开始日期", 12, "date"),
    Column("帮扶次数", 9, "int"),
    Column("帮扶资金（元）", 14, "money"),
    Column("状态", 18),
    Column("帮扶成效", 30),
]


def report_workbook(rows, *, organization, year: int, half: int) -> BinaryIO:
    label = "上半年" if half == 1 else "下半年"
    title = f"{organization.name} {year}年{label}结对帮扶情况报告"
    with Workbook() as book:
        sheet = book.sheet("结对帮扶", title, REPORT_COLUMNS)
        for row in rows:
            pairing = row.pairing
            sheet.append(
                [
                    pairing.record.member.organization.name,
                    pairing.record.member.name,
                    pairing.record.get_level_display(),
                    pairing.helper.name,
                    "、".join(h.name for h in pairing.help_types.all()),
                    pairing.started_on,
                    row.entries,
                    row.money,
                    row.state,
                    pairing.outcome,
                ]
            )
        sheet.add_totals()
        book.close()
        return book.detach()


def import_template() -> bytes:
    from hardship.importing import COLUMNS
    from hardship.models import HardshipCategory

    headers = ["姓名"] + [header for _, header in COLUMNS]
    columns = [Column(header, 14) for header in headers]
    categories = "、".join(HardshipCategory.objects.values_list("name", flat=True)[:3])
    with Workbook() as book:
        sheet = book.sheet("困难党员台帐", None, columns)
        sheet.append(
            [
                "张三",
                "110101197005010011",
                categories,
                "一般困难",
                3,
                "18000",
                "老伴长期患病",
                "医药费负担重",
                "帮生活、医疗",
                "木工",
                timezone.localdate().isoformat(),
                "",
                timezone.localdate().isoformat(),
                "本人书面签字",
            ]
        )
        book.close()
        return book.getvalue()
