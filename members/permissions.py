"""What a user may do with members. Each condition on its own line; views and services both ask."""

from __future__ import annotations

from members.models import Member, Role
from members.scoping import MANAGER_ROLES, has_role, holds_role_over, org_ids_with_role

SENSITIVE_ROLES = (Role.SECRETARY, Role.ORG_DEPT)


def is_manager(user) -> bool:
    """Secretaries, committee members and the organization department keep rosters."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, *MANAGER_ROLES)


def can_view_roster(user) -> bool:
    return is_manager(user)


def can_manage_members(user) -> bool:
    return is_manager(user)


def can_edit_member(user, member: Member) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds_role_over(user, member.organization, *MANAGER_ROLES)


def can_import_members(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.SECRETARY, Role.ORG_DEPT)


def can_see_sensitive(user, member: Member) -> bool:
    """The full 身份证号, health and family details: the member, their secretary, the organization
    department and admins. Committee members and fund officers see them masked."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if member.user_id is not None and member.user_id == user.pk:
        return True
    return holds_role_over(user, member.organization, *SENSITIVE_ROLES)


def sees_sensitive_anywhere(user) -> bool:
    """For lists and exports: whether to show the full columns at all (rows are scoped anyway)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, *SENSITIVE_ROLES)


def sensitive_org_ids(user) -> set[int] | None:
    """Organizations whose members' sensitive fields the user may read in lists and exports;
    None means all (superuser). Read once per list, then checked per row without queries."""
    if user.is_superuser:
        return None
    return set(org_ids_with_role(user, *SENSITIVE_ROLES).values_list("pk", flat=True))


def row_is_sensitive_visible(user, member: Member, allowed: set[int] | None) -> bool:
    if allowed is None:
        return True
    return member.organization_id in allowed or (member.user_id is not None and member.user_id == user.pk)


def can_manage_calendar(user) -> bool:
    """The year's holiday schedule (节假日安排): the organization department and administrators."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.ORG_DEPT)
