"""Checks every uploaded spreadsheet passes before a parser sees it, and a bounded reader."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import time
import unicodedata
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from core.errors import DomainError

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # an .xlsx of 5 MB never legitimately inflates past this
MAX_RATIO = 200
MAX_ROWS = 50_000
EMPTY_ROWS_BEFORE_STOP = 50
# Bounds on the work, not only the bytes: a 795 KB file can hold one row of six million cells, which
# openpyxl would build in memory (2.8 GB) before we saw a value. The sheet's XML is counted first, as
# a stream, and refused at the first bound it crosses.
MAX_COLUMNS = 200  # our templates have under 30 columns
MAX_CELLS = 2_000_000
MAX_SECONDS = 20.0
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
DAMAGED = "无法读取该 Excel 文件，请确认文件未加密且未损坏，或用 Excel、WPS 重新保存后再导入"


def read_upload(upload, *, max_bytes: int) -> bytes:
    if upload is None:
        raise DomainError("请选择要导入的 Excel 文件")
    if upload.size == 0:
        raise DomainError("文件是空的，请检查后重新选择")
    if upload.size > max_bytes:
        raise DomainError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请拆分后分批导入")
    if not upload.name.lower().endswith(".xlsx"):
        raise DomainError("只能导入 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(f"文件超过 {max_bytes // (1024 * 1024)} MB，请拆分后分批导入")
    check_xlsx(data)
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse what is not an .xlsx, and zip bombs, before any XML is parsed."""
    if not data.startswith(b"PK\x03\x04"):
        raise DomainError("文件内容不是 Excel (.xlsx) 格式，请用 Excel 或 WPS 另存为 .xlsx 后再导入")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            total = sum(info.file_size for info in infos)
            if "xl/workbook.xml" not in names:
                raise DomainError("文件内容不是 Excel (.xlsx) 格式，请用 Excel 或 WPS 另存为 .xlsx 后再导入")
            if total > MAX_UNCOMPRESSED or total > MAX_RATIO * max(len(data), 1):
                raise DomainError("文件解压后过大，疑似异常文件，已拒绝")
            _count_first_sheet(archive, names)
    except (
        zipfile.BadZipFile,
        KeyError,
        ElementTree.ParseError,
        DefusedXmlException,
        EOFError,
        zipfile.LargeZipFile,
        OSError,
    ) as exc:
        raise DomainError(DAMAGED) from exc


def first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The zip member holding the workbook's first sheet, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        raise DomainError("Excel 文件中没有工作表")
    rel_id = sheet.get(f"{_DOC_REL}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((rel.get("Target") for rel in rels.iter(f"{_REL}Relationship") if rel.get("Id") == rel_id), None)
    if not target:
        raise DomainError(DAMAGED)
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in names:
        raise DomainError("Excel 文件中的第一个工作表缺失，请用 Excel 或 WPS 重新保存后再导入")
    return path


def _count_first_sheet(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Stream the first sheet's XML counting rows and cells; refuse at the first bound crossed."""
    started = time.monotonic()
    rows = cells = in_row = 0
    with archive.open(first_sheet_path(archive, names)) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_MAIN}row":
                    rows, in_row = rows + 1, 0
                    if rows > MAX_ROWS + EMPTY_ROWS_BEFORE_STOP + 1:
                        raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请拆分后分批导入")
                elif element.tag == f"{_MAIN}c":
                    in_row, cells = in_row + 1, cells + 1
                    if in_row > MAX_COLUMNS:
                        raise DomainError(f"第 {rows} 行超过 {MAX_COLUMNS} 列，请只保留模板中的列后再导入")
                    if cells > MAX_CELLS:
                        raise DomainError("表格的单元格过多，请拆分后分批导入")
                    if cells % 10_000 == 0 and time.monotonic() - started > MAX_SECONDS:
                        raise DomainError("文件处理时间过长，请拆分后分批导入")
            elif element.tag in (f"{_MAIN}c", f"{_MAIN}row"):
                element.clear()


def normalize_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split())


def normalize_cell(value):
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).replace("\u3000", " ").strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


@dataclass
class SheetData:
    headers: list[str]
    rows: list[tuple[int, list]]  # (Excel row number, values)


def read_first_sheet(data: bytes) -> SheetData:
    """Read the first sheet with openpyxl in read-only mode (defusedxml guards the XML), after
    `check_xlsx` has bounded its size and cells. Stops at a run of empty rows, so a sheet claiming a
    million rows with three filled costs three rows."""
    check_xlsx(data)
    try:
        return _read_first_sheet(data)
    except DomainError:
        raise
    except Exception as exc:
        # openpyxl meets a damaged part lazily, while rows are read, with whatever error its parser
        # raises (KeyError, ParseError, zipfile's): all of them mean the same thing to the user.
        raise DomainError(DAMAGED) from exc


def _read_first_sheet(data: bytes) -> SheetData:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header_row = next(rows_iter, None)
        if header_row is None or not any(cell not in (None, "") for cell in header_row):
            raise DomainError("表格是空的：第一行应为表头，从第二行开始填写数据")
        headers = [normalize_header(cell) for cell in header_row]
        while headers and not headers[-1]:
            headers.pop()
        rows: list[tuple[int, list]] = []
        empty_run = 0
        for number, raw in enumerate(rows_iter, start=2):
            values = [normalize_cell(cell) for cell in raw[: len(headers)]]
            values += [None] * (len(headers) - len(values))
            if all(value is None for value in values):
                empty_run += 1
                if empty_run >= EMPTY_ROWS_BEFORE_STOP:
                    break
                continue
            empty_run = 0
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请拆分后分批导入")
    finally:
        book.close()
    if not rows:
        raise DomainError("表格中没有数据行：请从第二行开始填写")
    return SheetData(headers=headers, rows=rows)
