"""The one place that writes .xlsx files: XlsxWriter in constant-memory mode, so memory does not
grow with rows, with Chinese headers, a title row, a frozen header, fitted widths, real dates and
money cells. Text that a spreadsheet would run as a formula is neutralised.

Every sheet is ready to filter and to print: an autofilter on its header row, landscape A4 fitted to the
page width with the title and header repeated on every page, and a footer with the unit, the period and
the page number. A sheet without rows says so ("本年度无记录") rather than showing a bare header."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import _datetime_to_excel_datetime  # what write_datetime uses (pinned version)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
# Excel has no dates before 1900 (a year-0001 date became the serial -693594): such a date is
# written as the text it is.
EXCEL_FIRST_YEAR = 1900
_ZERO = Decimal(0)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: str) -> str:
    """Neutralise text a spreadsheet would evaluate (CSV/formula injection) and drop control
    characters that XML cannot hold. Called for every text cell, so the common case (printable
    text not starting with a trigger) costs two C-level checks."""
    if not value.isprintable():  # every control character is unprintable: only then the regex
        value = _CONTROL.sub("", value)
    if value and value[0] in _TRIGGER_CHARS:
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = "text"  # text | date | money | int | percent (a number such as 60.0 shown as 60.0%)


class Sheet:
    def __init__(self, book: Workbook, name: str, title: str | None, columns: Sequence[Column]):
        """With a title, row 1 holds it and row 2 the headers; without (import templates), the
        headers are row 1."""
        self._book = book
        self._ws = book._wb.add_worksheet(name)
        self._columns = list(columns)
        self._totals: dict[int, Decimal] = {}
        self._indexes = range(len(self._columns))
        self._kinds = [column.kind for column in self._columns]
        ws = self._ws
        for index, column in enumerate(self._columns):
            ws.set_column(index, index, column.width)
        header_row = 0
        self._has_title = title is not None
        if title is not None:
            ws.merge_range(0, 0, 0, max(len(self._columns) - 1, 0), title, book.fmt_title)
            ws.set_row(0, 24)
            header_row = 1
        for index, column in enumerate(self._columns):
            ws.write_string(header_row, index, column.header, book.fmt_header)
        ws.freeze_panes(header_row + 1, 0)
        self._header_row = header_row
        self._first_data_row = self._row = header_row + 1
        self._last_data_row = header_row  # rows a filter covers: the data, not the totals below them
        book._sheets.append(self)

    def append(self, values: Iterable[Any], *, bold: bool = False) -> None:
        """Write one row. Money and int columns add up for `add_totals`, unless the row is `bold`
        (a totals row the caller computed itself). Empty values ("" or None) leave the cell blank."""
        if bold:
            self._append_bold(values)
            return
        ws, book, row, totals = self._ws, self._book, self._row, self._totals
        for index, kind, value in zip(self._indexes, self._kinds, values, strict=False):
            if value is None:
                continue
            if value.__class__ is str:
                if not value:
                    continue
                if kind == "text" or kind == "date" or kind == "percent":  # a percent not to be had: "—"
                    ws.write_string(row, index, safe_text(value))
                    continue
            if kind == "text":
                if value != "":
                    ws.write_string(row, index, safe_text(str(value)))
            elif kind == "date" and isinstance(value, dt.date):
                if value.year < EXCEL_FIRST_YEAR:
                    ws.write_string(row, index, value.isoformat()[:10])
                elif value.__class__ is dt.date:
                    ws.write_number(row, index, book.excel_date(value), book.fmt_date)
                else:
                    if isinstance(value, dt.datetime):
                        value = value.replace(tzinfo=None)
                    ws.write_datetime(row, index, value, book.fmt_date)
            elif kind == "money":
                amount = Decimal(value)
                totals[index] = totals.get(index, _ZERO) + amount
                ws.write_number(row, index, float(amount), book.fmt_money)
            elif kind == "int":
                ws.write_number(row, index, int(value))
                totals[index] = totals.get(index, _ZERO) + int(value)
            elif kind == "percent":
                ws.write_number(row, index, float(value) / 100, book.fmt_percent)
            elif value != "":
                ws.write_string(row, index, safe_text(str(value)))
        self._last_data_row = row
        self._row = row + 1

    def _append_bold(self, values: Iterable[Any]) -> None:
        ws, book = self._ws, self._book
        for index, (column, value) in enumerate(zip(self._columns, values, strict=False)):
            if value is None or value == "":
                continue  # a blank cell without a format writes nothing
            if column.kind == "date" and isinstance(value, dt.date) and value.year < EXCEL_FIRST_YEAR:
                ws.write_string(self._row, index, value.isoformat()[:10], book.fmt_bold)
            elif column.kind == "date" and isinstance(value, dt.date):
                if isinstance(value, dt.datetime):
                    value = value.replace(tzinfo=None)
                ws.write_datetime(self._row, index, value, book.fmt_date)
            elif column.kind == "money":
                ws.write_number(self._row, index, float(Decimal(value)), book.fmt_money_total)
            elif column.kind == "int":
                ws.write_number(self._row, index, int(value), book.fmt_bold)
            elif column.kind == "percent" and not isinstance(value, str):
                ws.write_number(self._row, index, float(value) / 100, book.fmt_percent_total)
            else:
                ws.write_string(self._row, index, safe_text(str(value)), book.fmt_bold)
        self._row += 1

    def add_totals(self, label: str = "合计") -> None:
        if not self._totals:
            return
        ws, book = self._ws, self._book
        ws.write_string(self._row, 0, label, book.fmt_bold)
        for index, total in self._totals.items():
            fmt = book.fmt_money_total if self._columns[index].kind == "money" else book.fmt_bold
            ws.write_number(self._row, index, float(total), fmt)
        self._row += 1

    @property
    def rows_written(self) -> int:
        return self._row - self._first_data_row

    def finish(self) -> None:
        """Filter, print setup and footer; the note of an empty sheet. Called by `Workbook.close`."""
        ws, book = self._ws, self._book
        last_column = max(len(self._columns) - 1, 0)
        if self._row == self._first_data_row and self._has_title:  # never in an import template
            ws.merge_range(self._row, 0, self._row, last_column, book.empty_text, book.fmt_empty)
            self._row += 1
        ws.autofilter(self._header_row, 0, max(self._last_data_row, self._header_row), last_column)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # the width of one page, as many pages down as it takes
        ws.repeat_rows(0, self._header_row)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
        ws.set_footer(f"&L{_footer_text(book.unit)}&C{_footer_text(book.period)}&R第 &P 页，共 &N 页")


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


class Workbook:
    """Usage: with Workbook() as book: sheet = book.sheet(...); ...; return book.detach() (a file to stream)
    or book.getvalue() (bytes, for small files and tests)."""

    def __init__(self, path: str | None = None, *, unit: str = "", period: str = "", empty_text: str = "无记录"):
        """`unit` and `period` ("2026年度") go into every page's footer; `empty_text` fills a sheet without
        rows."""
        self.unit, self.period, self.empty_text = unit, period, empty_text
        self._sheets: list[Sheet] = []
        self._closed = False
        self._tmp: BinaryIO | None = None
        target: str | BinaryIO
        if path is None:
            # An unnamed file on disk, gone when closed: the download streams from it (`detach`).
            self._tmp = target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed in __exit__
        else:
            target = path
        self.path = path
        self._wb = xlsxwriter.Workbook(
            target, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_formulas": False}
        )
        wb = self._wb
        self.fmt_title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.fmt_header = wb.add_format(
            {"bold": True, "bg_color": "#F2DEDE", "border": 1, "align": "center", "text_wrap": True}
        )
        self.fmt_bold = wb.add_format({"bold": True})
        self.fmt_date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.fmt_money = wb.add_format({"num_format": '"¥"#,##0.00'})
        self.fmt_money_total = wb.add_format({"num_format": '"¥"#,##0.00', "bold": True})
        self.fmt_percent = wb.add_format({"num_format": "0.0%"})
        self.fmt_percent_total = wb.add_format({"num_format": "0.0%", "bold": True})
        self.fmt_empty = wb.add_format({"align": "center", "font_color": "#6C757D", "italic": True})
        self._serials: dict[dt.date, float] = {}

    def excel_date(self, day: dt.date) -> float:
        """The serial number XlsxWriter's write_datetime would store for `day`, once per distinct date
        (a date cell is that number with a date format)."""
        serial = self._serials.get(day)
        if serial is None:
            serial = self._serials[day] = _datetime_to_excel_datetime(day, self._wb.date_1904, False)
        return serial

    def sheet(self, name: str, title: str | None, columns: Sequence[Column]) -> Sheet:
        return Sheet(self, name, title, columns)

    def close(self) -> None:
        if self._closed:
            return
        for sheet in self._sheets:
            sheet.finish()
        self._wb.close()
        self._closed = True

    def getvalue(self) -> bytes:
        if self._tmp is not None:
            self._tmp.seek(0)
            return self._tmp.read()
        with open(str(self.path), "rb") as fh:
            return fh.read()

    def detach(self) -> BinaryIO:
        """The written file, at its start, for a download to stream (`core.http.attachment` closes it, and
        so removes it, when sent): never read into memory."""
        self.close()
        if self._tmp is None:
            return open(str(self.path), "rb")
        handle, self._tmp = self._tmp, None
        handle.seek(0)
        return handle

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            self._tmp.close()
