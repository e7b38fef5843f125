"""Who may log, read and plan visits and talks. Each condition on its own line; views and services ask."""

from __future__ import annotations

from members.models import Member, Organization
from members.scoping import MANAGER_ROLES, has_role, holds_role_over


def is_care_manager(user) -> bool:
    """Secretaries, committee members and the organization department keep visits and talks."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, *MANAGER_ROLES)


def manages_organization(user, organization: Organization | int) -> bool:
    """`organization` as an Organization (no query: its path is compared) or as an id."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds_role_over(user, organization, *MANAGER_ROLES)


def can_log_visit(user, member: Member) -> bool:
    return manages_organization(user, member.organization)


def can_log_talk(user, organization: Organization) -> bool:
    return manages_organization(user, organization.pk)


def can_see_confidential(user, talk) -> bool:
    """内部记录: the branch's managers and the organization department, never the member talked with,
    even when that member is also a manager (one secretary talking with another)."""
    if not user.is_authenticated:
        return False
    if talk.participants.filter(user=user).exists():
        return False
    return manages_organization(user, talk.organization_id)


def can_manage_plan(user, plan) -> bool:
    return manages_organization(user, plan.organization_id)
