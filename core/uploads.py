"""Checks every uploaded spreadsheet passes before a parser sees it, and a bounded reader."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from core.errors import DomainError

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # an .xlsx of 5 MB never legitimately inflates past this
MAX_RATIO = 200
MAX_ROWS = 50_000
EMPTY_ROWS_BEFORE_STOP = 50


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
    except zipfile.BadZipFile as exc:
        raise DomainError("文件已损坏或不是 Excel (.xlsx) 格式") from exc


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
    """Read the first sheet with openpyxl in read-only mode (defusedxml guards the XML). Stops at a run
    of empty rows, so a sheet claiming a million rows with three filled costs three rows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError("无法读取该 Excel 文件，请确认文件未加密且未损坏") from exc
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
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
