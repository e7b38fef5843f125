"""Writes to the roster. Every one re-checks that the acting user keeps the branch concerned."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from members import permissions
from members.models import Member


@transaction.atomic
def save_member(*, member: Member, by) -> Member:
    """Create or update a member from a validated form instance."""
    if not permissions.can_edit_member(by, member):
        raise PermissionDenied
    if member.pk:
        stored = Member.objects.select_for_update().get(pk=member.pk)
        if not permissions.can_edit_member(by, stored):
            raise PermissionDenied  # moving a member out of a branch one does not keep
    member.full_clean()
    member.save()
    return member


def save_calendar_year(*, by, year: int, notice: str, ranges):
    """Enter or change a year's holiday schedule; open notices are recomputed (core.calendars)."""
    from core.calendars import save_schedule

    if not permissions.can_manage_calendar(by):
        raise PermissionDenied("节假日安排由组织部和系统管理员录入")
    return save_schedule(year=year, notice=notice, ranges=ranges, by=by)
