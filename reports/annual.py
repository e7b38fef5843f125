"""The annual report workbook (年度报表): one code path for the URL, the command and the task.

Sheets are written in order, streaming through core.xlsx (constant memory). 汇总 comes from the
same metrics as the dashboards, computed a part of the tree at a time (`metrics.streamed_table`). The
sheets, in order, are `reports.contents.SHEETS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from core.xlsx import Column, Workbook
from reports import metrics
from reports.scope import ReportScope

Progress = Callable[[int], None]


@dataclass(frozen=True)
class SheetSpec:
    name: str
    build: Callable[[ReportScope, Workbook], None]
    weight: int = 1  # share of the progress bar
    access_kind: str = "report"  # the role table's kind: a sheet is written only for those who may export it


def summary_sheet(scope: ReportScope, book: Workbook, all_metrics: list[metrics.Metric]) -> None:
    kind_of = {"int": "int", "money": "money", "percent": "percent", "text": "text"}
    shown = metrics.visible(scope, all_metrics, "export")
    columns = [Column("支部", 22)] + [Column(m.header, 26 if m.kind == "text" else 12, kind_of[m.kind]) for m in shown]
    sheet = book.sheet("汇总", f"{scope.title}党内关怀帮扶工作汇总", columns)

    def cell(metric, value):
        if metric.kind == "percent":
            return "—" if value is None else value  # a number with a percent format
        return metric.shown(value)

    for row in metrics.streamed_table(scope, shown):
        sheet.append([row["label"], *(cell(m, row[m.key]) for m in shown)], bold=row.get("totals", False))


def write(
    scope: ReportScope, specs: list[SheetSpec], *, path: str | None = None, progress: Progress | None = None
) -> BinaryIO | None:
    """Write every sheet the viewer may export for the scope: to `path` if given (nothing is read back
    into memory), else returns the written file to stream."""
    sheets = [spec for spec in specs if scope.shows(spec.access_kind, "export")]
    total = sum(spec.weight for spec in sheets)
    done = 0
    with Workbook(path, unit=scope.organization.name, period=f"{scope.year}年度", empty_text="本年度无记录") as book:
        for spec in sheets:
            spec.build(scope, book)
            done += spec.weight
            if progress:
                progress(int(100 * done / total))
        book.close()
        return None if path else book.detach()


def filename(scope: ReportScope) -> str:
    return f"{scope.organization.name}{scope.year}年度党内关怀帮扶报表.xlsx"
