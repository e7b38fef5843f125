"""Who may do what with the ledger and pairings. Each condition on its own line; views and services ask."""

from __future__ import annotations

from members import permissions as member_permissions
from members.permissions import SENSITIVE_ROLES
from members.scoping import MANAGER_ROLES, has_role, holds_role_over


def can_view_ledger(user) -> bool:
    """The ledger pages: secretaries, committee members, the organization department, admins."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, *MANAGER_ROLES)


def can_keep_ledger(user) -> bool:
    """May arrange pairings somewhere (shows the 安排结对 button)."""
    return can_view_ledger(user)


def can_register(user) -> bool:
    """May register ledger lines: the form holds income and family, so only roles that may read them."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, *SENSITIVE_ROLES)


def can_manage_record(user, record) -> bool:
    """Edit, review, close a line, and run its pairings: managers of the member's branch (or above)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds_role_over(user, record.member.organization, *MANAGER_ROLES)


def can_see_confidential(user, record) -> bool:
    """Income, health and family details: the secretary of the member's branch, the organization
    department and admins. Committee members see them masked; the member reads their own line on
    /me/ without them (the family's data is not only theirs)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds_role_over(user, record.member.organization, *SENSITIVE_ROLES)


def can_edit_record(user, record) -> bool:
    """Edit a line (its form shows income and family): managers who may also read them. Committee
    members review, close and pair, but do not open the confidential form."""
    return can_manage_record(user, record) and can_see_confidential(user, record)


def confidential_org_ids(user) -> set[int] | None:
    """For lists and exports: organizations whose lines show income in full (None: all)."""
    return member_permissions.sensitive_org_ids(user)


def can_import_ledger(user) -> bool:
    return member_permissions.can_import_members(user)


def can_view_access_log(user) -> bool:
    return user.is_authenticated and user.is_superuser


def can_see_coverage(user) -> bool:
    """The home-page coverage panel: secretaries and the organization department (and admins)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from members.models import Role

    return has_role(user, Role.SECRETARY, Role.ORG_DEPT)
