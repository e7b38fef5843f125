"""Who may log, read and plan visits and talks: the role table's answers (members.access) with the
member, talk or plan at hand. Views, templates and services ask here."""

from __future__ import annotations

from members import access
from members.access import CREATE, EDIT, LIST, VIEW
from members.models import Member, Organization
from members.permissions import organization_of


def is_care_manager(user) -> bool:
    """Keeps visits and talks somewhere (the lists, the forms, the home panels)."""
    return access.may(user, "visit", LIST)


def can_log_visit(user, member: Member) -> bool:
    return access.may_at(user, "visit", CREATE, organization_of(member))


def can_log_talk(user, organization: Organization | int) -> bool:
    return access.may_at(user, "talk", CREATE, organization)


def can_see_confidential(user, talk) -> bool:
    """内部记录: the branch's managers and the organization department, never the member talked with,
    even when that member is also a manager (one secretary talking with another)."""
    if not user.is_authenticated:
        return False
    if talk.participants.filter(user=user).exists():
        return False
    return access.may_at(user, "talk_confidential", VIEW, talk.organization_id)


def can_manage_plan(user, plan) -> bool:
    return access.may_at(user, "plan", EDIT, plan.organization_id)
