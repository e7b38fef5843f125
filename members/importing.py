"""Roster import: all or nothing, previewed before it is committed, scoped to the importer's branches.

The file is read with the bounded reader of core.uploads, checked for duplicates and scope here,
then run through django-import-export (MemberResource) as a dry run for the field and model rules.
Only a file with no error at all can be committed, and committing runs every check again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from import_export.results import RowResult

from core import cache
from core.errors import DomainError
from core.importing import (  # noqa: F401 - ImportRejected and error_workbook are part of this module's API
    ImportRejected,
    RowError,
    build_dataset,
    check_headers,
    collect_row_results,
    error_workbook,
)
from core.uploads import read_first_sheet
from members import access, permissions
from members.models import ImportConflict, Member, mask_id_number
from members.resources import COLUMNS, HEADER_OF, REQUIRED_HEADERS, MemberResource
from members.scoping import branches_for
from members.validators import normalize_id_number


@dataclass
class PreviewRow:
    row: int
    name: str
    id_number: str
    branch: str
    changes: list[str] = field(default_factory=list)


@dataclass
class SimilarRow:
    row: int
    name: str
    note: str


@dataclass
class ImportReport:
    new: list[PreviewRow] = field(default_factory=list)
    changed: list[PreviewRow] = field(default_factory=list)
    unchanged: list[PreviewRow] = field(default_factory=list)
    similar: list[SimilarRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.new) + len(self.changed) + len(self.unchanged)


def _check_headers(headers: list[str]) -> None:
    check_headers(headers, known=list(HEADER_OF.values()), required=REQUIRED_HEADERS)


# What the importer reads about a number registered where they cannot see: not whose it is, nor where.
OUT_OF_SCOPE_NUMBER = "该身份证号需由上级组织核实后才能导入，已提请组织部处理；请先导入其他人员"


def _prevalidate(by, headers, rows, errors: list[RowError], branches: dict) -> list[SimilarRow]:
    """Checks that span rows or reach outside the file: duplicates, scope, look-alike people."""
    id_col = headers.index("身份证号")
    name_col = headers.index("姓名")
    branch_col = headers.index("所在支部") if "所在支部" in headers else None
    birth_col = headers.index("出生日期") if "出生日期" in headers else None
    numbers: dict[str, int] = {}
    for number, values in rows:
        id_number = normalize_id_number(str(values[id_col] or ""))
        if not id_number:
            continue
        if id_number in numbers:
            errors.append(RowError(number, "身份证号", f"与第 {numbers[id_number]} 行的身份证号重复"))
        else:
            numbers[id_number] = number
    manageable = permissions_org_ids(by)
    existing = {
        m.id_number: m
        for m in Member.objects.filter(id_number__in=list(numbers)).only("id_number", "organization_id", "name")
    }
    values_of = dict(rows)
    for id_number, number in numbers.items():
        member = existing.get(id_number)
        if member is not None and manageable is not None and member.organization_id not in manageable:
            errors.append(RowError(number, "身份证号", OUT_OF_SCOPE_NUMBER))
            values = values_of[number]
            typed_branch = str(values[branch_col] or "").replace(" ", "") if branch_col is not None else ""
            branch = branches.get(typed_branch) or next(iter(branches.values()), None)
            if branch is not None:
                _raise_conflict(
                    member=member, branch=branch, by=by, row=number, typed_name=str(values[name_col] or "").strip()[:50]
                )

    # A new row whose name and birth date match someone already on file is probably the same person
    # with a mistyped number: flag it for the user to decide.
    new_rows = [
        (number, values) for number, values in rows if normalize_id_number(str(values[id_col] or "")) not in existing
    ]
    names = {str(values[name_col] or "").strip() for _, values in new_rows}
    lookalikes = defaultdict(list)
    for member in Member.objects.filter(name__in=names).select_related("organization"):
        lookalikes[(member.name, member.birth_date)].append(member)
    similar: list[SimilarRow] = []
    from members.validators import id_birth_date

    for number, values in new_rows:
        name = str(values[name_col] or "").strip()
        birth = values[birth_col] if birth_col is not None else None
        if birth is None or not hasattr(birth, "year"):
            birth = id_birth_date(normalize_id_number(str(values[id_col] or "")))
        for member in lookalikes.get((name, birth), []):
            # Only look-alikes the importer may see: one elsewhere is not theirs to know of.
            if manageable is None or member.organization_id in manageable:
                similar.append(
                    SimilarRow(
                        number,
                        name,
                        f"与{member.organization.name}的党员“{member.name}”姓名、出生日期相同，身份证号不同",
                    )
                )
    return similar


def _raise_conflict(*, member: Member, branch, by, row: int, typed_name: str) -> None:
    """Record it for the 组织部 over both branches (once while it is open; a repeated preview adds nothing)."""
    ImportConflict.objects.get_or_create(
        existing_member=member,
        branch=branch,
        resolved_at=None,
        defaults={"imported_by": by, "row": row, "typed_name": typed_name},
    )


def permissions_org_ids(by) -> set[int] | None:
    if by.is_superuser:
        return None
    return set(branches_for(by, *access.real_roles("member", access.IMPORT)).values_list("pk", flat=True))


def _collect(result, rows, resource) -> tuple[list[RowError], ImportReport]:
    errors, valid = collect_row_results(result, rows, resource)
    report = ImportReport()
    for excel_row, row_result in valid:
        instance = row_result.instance
        preview = PreviewRow(
            row=excel_row,
            name=instance.name,
            id_number=mask_id_number(instance.id_number),
            branch=instance.organization.name if instance.organization_id else "",
        )
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            report.new.append(preview)
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            original = row_result.original
            for attr, header in COLUMNS:
                before, after = getattr(original, attr), getattr(instance, attr)
                if before != after:
                    widget = resource.fields[attr].widget
                    preview.changes.append(f"{header}：{_show(before, widget)} → {_show(after, widget)}")
            report.changed.append(preview)
        else:
            report.unchanged.append(preview)
    return errors, report


def _show(value, widget) -> str:
    """A value as the file writes it (离休, not lixiu; 是/否; 2020-01-31)."""
    if value is None or value == "":
        return "（空）"
    return str(widget.render(value))


def _run(*, data: bytes, by, dry_run: bool) -> ImportReport:
    if not permissions.can_import_members(by):
        raise PermissionDenied
    sheet = read_first_sheet(data)
    _check_headers(sheet.headers)
    errors: list[RowError] = []
    branches = {b.name.replace(" ", ""): b for b in branches_for(by, *access.real_roles("member", access.IMPORT))}
    similar = _prevalidate(by, sheet.headers, sheet.rows, errors, branches)
    resource = MemberResource(branches=branches)
    dataset = build_dataset(sheet.headers, _normalized_ids(sheet.headers, sheet.rows), known=[h for _, h in COLUMNS])
    if errors:
        # Cross-row problems already doom the file; still run the row checks so the user gets
        # every problem in one go, but never write.
        dry_run = True
    # One pass: a preview is a dry run (written, then rolled back); a commit writes for real, and any
    # error rolls back every row of the file with the transaction around it.
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True, raise_errors=False)
        row_errors, report = _collect(result, sheet.rows, resource)
        errors.extend(row_errors)
        if errors:
            raise ImportRejected(errors, headers=sheet.headers, rows=sheet.rows)
        if result.base_errors:  # a batch the database refused (e.g. a number registered meanwhile)
            raise DomainError(f"导入失败，未写入任何数据：{result.base_errors[0].error}")
        report.similar = similar
        if not dry_run:
            _log_import(result, by)
            cache.bulk_changed.send(sender=Member)  # cached figures (core.cache) over members are stale
    return report


def _normalized_ids(headers: list[str], rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
    """The rows with 身份证号 normalised, so the resource's one-query lookup of members on file finds them."""
    col = headers.index("身份证号")
    return [
        (number, [normalize_id_number(str(v or "")) if i == col else v for i, v in enumerate(values)])
        for number, values in rows
    ]


def _log_import(result, by) -> None:
    """Bulk writes bypass the audit signals: record each member the import created or changed."""
    from auditlog.models import LogEntry

    from core import audit

    created = [r.instance.pk for r in result.rows if r.import_type == RowResult.IMPORT_TYPE_NEW]
    updated = [r.instance.pk for r in result.rows if r.import_type == RowResult.IMPORT_TYPE_UPDATE]
    source = {"来源": ["", "名册导入"]}
    if created:
        audit.log_bulk(model=Member, object_ids=created, changes=source, actor=by, action=LogEntry.Action.CREATE)
    if updated:
        audit.log_bulk(model=Member, object_ids=updated, changes=source, actor=by)


def preview_import(*, data: bytes, by) -> ImportReport:
    return _run(data=data, by=by, dry_run=True)


def commit_import(*, data: bytes, by, confirm_similar: bool) -> ImportReport:
    """Import the file for real, all rows or none."""
    if not confirm_similar:
        report = _run(data=data, by=by, dry_run=True)
        if report.similar:
            raise DomainError("文件中有疑似重复的人员，请核实后勾选确认再导入")
    return _run(data=data, by=by, dry_run=False)
