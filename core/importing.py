"""The spreadsheet import pipeline every import shares: read → check headers → dry run → every error
or a preview → stash the file → confirm → import for real, all rows or none.

An app supplies an `ImportFlow` (what its file looks like, how to preview and commit it, where to go
afterwards); `import_view` and `import_errors_view` run the upload/preview/confirm pages, so the
roster and the hardship ledger behave the same way for the user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from import_export.results import RowResult

from core.errors import DomainError
from core.http import attachment
from core.jobs import daily_job
from core.uploads import read_upload

# Uploaded files wait here, in the file store every web node shares, between preview and confirm.
STASH_FOLDER = "imports"
# "<unix time of the upload>-<random>": the age is read from the name, without asking the store.
_TOKEN = re.compile(r"^(?P<stamp>[0-9]{10})-[A-Za-z0-9_-]{22}$")
EXPIRED = "导入会话已过期，请重新上传文件"


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(DomainError):
    """A file with at least one bad row: nothing was imported; every problem is listed."""

    def __init__(self, errors: list[RowError], *, headers: list[str], rows: list[tuple[int, list]]):
        super().__init__(f"文件中有 {len({e.row for e in errors})} 行存在问题，未导入任何数据。请修改后重新上传。")
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        self.headers = headers
        self.rows = rows


def check_headers(headers: list[str], *, known: Sequence[str], required: Sequence[str]) -> None:
    missing = [h for h in required if h not in headers]
    if missing:
        raise DomainError(f"表头缺少必填列：{'、'.join(missing)}。请使用下载的导入模板。")
    known_set = set(known)
    duplicated = [h for h, n in Counter(h for h in headers if h in known_set).items() if n > 1]
    if duplicated:
        raise DomainError(f"表头中的列重复出现：{'、'.join(duplicated)}")


def build_dataset(headers: list[str], rows: list[tuple[int, list]], *, known: Sequence[str]) -> tablib.Dataset:
    """The known columns of the sheet, in the order the resource declares them."""
    present = [h for h in known if h in headers]
    positions = [headers.index(h) for h in present]
    dataset = tablib.Dataset(headers=present)
    for _, values in rows:
        dataset.append([values[i] for i in positions])
    return dataset


def plain_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return "无法导入此行，请检查各列内容"


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [m for e in value for m in e.messages] for key, value in error.error_dict.items()}
    return {"__all__": error.messages}


def collect_row_results(result, rows: list[tuple[int, list]], resource) -> tuple[list[RowError], list[tuple[int, Any]]]:
    """Errors of a django-import-export dry run by Excel row and column, and the valid row results."""
    header_of_attr = {name: f.column_name for name, f in resource.fields.items()}
    errors: list[RowError] = []
    valid: list[tuple[int, Any]] = []
    for index, row_result in enumerate(result.rows):
        excel_row = rows[index][0]
        if row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            for attr, texts in error_dict(row_result.validation_error).items():
                column = header_of_attr.get(attr, "（整行）")
                errors.extend(RowError(excel_row, column, text) for text in texts)
        elif row_result.import_type == RowResult.IMPORT_TYPE_ERROR:
            errors.extend(RowError(excel_row, "（整行）", plain_message(err.error)) for err in row_result.errors)
        else:
            valid.append((excel_row, row_result))
    return errors, valid


def error_workbook(rejected: ImportRejected) -> bytes:
    """The uploaded rows again, with a column saying what is wrong in each bad row."""
    from core.xlsx import Column, Workbook

    by_row: dict[int, list[str]] = defaultdict(list)
    for error in rejected.errors:
        by_row[error.row].append(f"{error.column}：{error.message}")
    columns = [Column("Excel行号", 9, "int"), Column("错误说明", 50)]
    columns += [Column(h or "（无表头）", 14) for h in rejected.headers]
    with Workbook() as book:
        sheet = book.sheet("错误标注", "导入错误标注（仅列出有问题的行）", columns)
        for number, values in rejected.rows:
            if number in by_row:
                sheet.append([number, "；".join(by_row[number]), *values])
        book.close()
        return book.getvalue()


# --- the uploaded file between preview and confirm -------------------------------------------------


def _expiry() -> dt.timedelta:
    return dt.timedelta(hours=settings.IMPORT_UPLOAD_EXPIRY_HOURS)


def _stash_name(token: str) -> str:
    return f"{STASH_FOLDER}/{token}.xlsx"


def _uploaded_at(token: str) -> dt.datetime | None:
    match = _TOKEN.match(token)
    return dt.datetime.fromtimestamp(int(match["stamp"]), tz=dt.UTC) if match else None


def stash(request, data: bytes) -> str:
    """Keep the previewed file in the shared file store, so the confirm may reach any web node; the
    session holds its digest, so only this user can confirm it and a file changed in between is refused."""
    token = f"{int(timezone.now().timestamp())}-{secrets.token_urlsafe(16)}"
    default_storage.save(_stash_name(token), ContentFile(data))
    request.session[f"import:{token}"] = hashlib.sha256(data).hexdigest()
    return token


def unstash(request, token: str) -> bytes:
    digest = request.session.get(f"import:{token}")
    uploaded_at = _uploaded_at(token)
    if not digest or uploaded_at is None:
        raise DomainError(EXPIRED)
    if timezone.now() - uploaded_at > _expiry():
        discard(request, token)
        raise DomainError(EXPIRED)
    try:
        with default_storage.open(_stash_name(token), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DomainError(EXPIRED) from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise DomainError(EXPIRED)
    return data


def discard(request, token: str) -> None:
    request.session.pop(f"import:{token}", None)
    if _uploaded_at(token) is not None:
        default_storage.delete(_stash_name(token))


def delete_expired_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete the uploads nobody confirmed within the expiry (they hold full ID numbers)."""
    cutoff = (now or timezone.now()) - _expiry()
    try:
        _, names = default_storage.listdir(STASH_FOLDER)
    except FileNotFoundError:  # nothing was ever uploaded
        return 0
    deleted = 0
    for name in names:
        uploaded_at = _uploaded_at(name.removesuffix(".xlsx"))
        if uploaded_at is None or uploaded_at < cutoff:  # not ours, or expired
            default_storage.delete(f"{STASH_FOLDER}/{name}")
            deleted += 1
    return deleted


@daily_job("core.expired_import_uploads", label="删除过期未确认的导入文件", order=90)
def expired_import_uploads(day: dt.date) -> dict[str, int]:
    # Expiry is a matter of hours, not of the business day: measured from now whatever `day` is.
    return {"删除过期导入文件": delete_expired_uploads()}


# --- the pages ---------------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True, label="Excel 文件（.xlsx）", help_text="不超过 5 MB；第一行为表头，列名见下载的模板"
    )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    confirm_similar = forms.BooleanField(label="我已核实：上面标出的疑似问题不影响导入，仍要导入", required=False)

    def __init__(self, *args, similar_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if similar_label:
            self.fields["confirm_similar"].label = similar_label


@dataclass
class ImportFlow:
    """One import as the pages see it. `preview(data=, by=)` and `commit(data=, by=, confirm_similar=)`
    raise ImportRejected or DomainError; `done_message(report)` is shown after the commit."""

    template: str
    url_name: str
    done_url_name: str
    allowed: Callable[[Any], bool]
    preview: Callable[..., Any]
    commit: Callable[..., Any]
    done_message: Callable[[Any], str]
    refused_message: str = "您没有导入权限"
    similar_label: str = ""  # the confirm box's label, for what this import calls a suspected problem
    extra_context: dict = field(default_factory=dict)


def import_view(request, flow: ImportFlow):
    """Upload → (errors | preview) → confirm. Nothing is written before the confirm."""
    if not flow.allowed(request.user):
        raise PermissionDenied(flow.refused_message)
    context = {
        "form": ImportUploadForm(),
        "flow": flow,
        "errors_url_name": f"{flow.url_name}_errors",
        "template_url_name": f"{flow.url_name}_template",
        **flow.extra_context,
    }
    if request.method == "POST" and "token" not in request.POST:
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            data = b""
            try:
                data = read_upload(form.cleaned_data["file"], max_bytes=settings.IMPORT_MAX_BYTES)
                report = flow.preview(data=data, by=request.user)
            except ImportRejected as rejected:
                context.update(rejected=rejected, error_token=stash(request, data))
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                token = stash(request, data)
                context.update(
                    report=report,
                    confirm_form=ImportConfirmForm(initial={"token": token}, similar_label=flow.similar_label),
                )
        return render(request, flow.template, context)
    if request.method == "POST":
        confirm = ImportConfirmForm(request.POST)
        if not confirm.is_valid():
            messages.error(request, "导入会话已过期，请重新上传文件")
            return redirect(flow.url_name)
        token = confirm.cleaned_data["token"]
        try:
            data = unstash(request, token)
            report = flow.commit(
                data=data, by=request.user, confirm_similar=confirm.cleaned_data.get("confirm_similar", False)
            )
        except ImportRejected as rejected:
            context.update(rejected=rejected, error_token=token)
            return render(request, flow.template, context)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(flow.url_name)
        discard(request, token)
        messages.success(request, flow.done_message(report))
        return redirect(flow.done_url_name)
    return render(request, flow.template, context)


def import_errors_view(request, token: str, flow: ImportFlow, *, filename: str = "导入错误标注.xlsx"):
    """The rejected file again with each bad row's problems in a column."""
    if not flow.allowed(request.user):
        raise PermissionDenied
    try:
        data = unstash(request, token)
        flow.preview(data=data, by=request.user)
    except ImportRejected as rejected:
        return attachment(error_workbook(rejected), filename=filename)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(flow.url_name)
    raise Http404
