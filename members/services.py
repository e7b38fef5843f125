"""Writes to the roster, and the record of who read members' personal data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.http import client_ip
from members import access, permissions
from members.models import AccessLog, ImportConflict, Member, Organization

# The fields a masked role neither reads nor writes (members.permissions.Disclosure).
SENSITIVE_FIELDS = ("id_number", "birth_date", "address", "health")


@transaction.atomic
def save_member(*, member: Member, by) -> Member:
    """Create or update a member from a validated form instance."""
    if member.pk is None:
        if not (permissions.can_create_member(by) and permissions.can_edit_member(by, member)):
            raise PermissionDenied
    else:
        stored = Member.objects.select_for_update().get(pk=member.pk)
        # Both where the member was and where the form puts them: moving a member out of a branch
        # one does not keep is refused.
        if not (permissions.can_edit_member(by, stored) and permissions.can_edit_member(by, member)):
            raise PermissionDenied
        if not permissions.can_edit_sensitive(by, stored) and any(
            getattr(stored, name) != getattr(member, name) for name in SENSITIVE_FIELDS
        ):
            raise PermissionDenied("身份证号、出生日期、住址和健康情况需由支部书记或组织部修改")
    member.full_clean()
    member.save()
    return member


def log_access(
    request,
    *,
    what: str,
    target: str,
    member: Member | None = None,
    organization: Organization | None = None,
    object_id: int | None = None,
) -> AccessLog:
    """Record that the request's user read or exported personal data: who, when, what, from where."""
    organization = organization or (member.organization if member is not None else None)
    return AccessLog.objects.create(
        user=request.user,
        what=what,
        target=target[:200],
        member=member,
        object_id=object_id,
        ip_address=client_ip(request),
        url=request.get_full_path()[:300],
        org_path=organization.path if organization is not None else "/",
    )


def log_export(request, *, target: str, organization: Organization | None = None, rows: int | None = None) -> None:
    """An export holding personal data: which file, for which organization, how many rows."""
    counted = f"（{rows} 行）" if rows is not None else ""
    log_access(request, what=AccessLog.What.EXPORT, target=f"{target}{counted}", organization=organization)


@transaction.atomic
def resolve_import_conflict(*, conflict_id: int, resolution: str, by) -> ImportConflict:
    from django.utils import timezone

    conflict = (
        ImportConflict.objects.select_for_update()
        .select_related("branch", "existing_member__organization")
        .get(pk=conflict_id)
    )
    if not (
        access.may_at(by, "roster_conflict", access.EDIT, conflict.branch)
        and access.may_at(by, "roster_conflict", access.EDIT, conflict.existing_member.organization)
    ):
        raise PermissionDenied
    if conflict.resolved_at is None:
        conflict.resolved_at, conflict.resolved_by, conflict.resolution = timezone.now(), by, resolution[:200]
        conflict.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return conflict


def save_calendar_year(*, by, year: int, notice: str, ranges):
    """Enter or change a year's holiday schedule; open notices are recomputed (core.calendars)."""
    from core.calendars import save_schedule

    if not permissions.can_manage_calendar(by):
        raise PermissionDenied("节假日安排由组织部和系统管理员录入")
    return save_schedule(year=year, notice=notice, ranges=ranges, by=by)
