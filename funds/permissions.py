"""Who may do what with the fund and with applications. Views and services both ask; each rule on its line."""

from __future__ import annotations

from funds.models import AssistanceApplication, Fund
from members import access
from members.models import Member, Role
from members.scoping import has_role, holds_role_over, org_ids


def _holds(user, role: str, organization_id: int) -> bool:
    return holds_role_over(user, organization_id, role)


def _is_own(user, application: AssistanceApplication) -> bool:
    return application.member.user_id is not None and application.member.user_id == user.pk


def can_view_funds(user) -> bool:
    """The ledger itself: fund officers and the organization department (members read 党务公开)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.FUND_OFFICER, Role.ORG_DEPT)


def can_manage_fund(user, fund: Fund) -> bool:
    """Record income and corrections: the fund officer of the fund's organization."""
    if not user.is_authenticated:
        return False
    return _holds(user, Role.FUND_OFFICER, fund.organization_id)


def can_apply_for(user, member: Member) -> bool:
    """A member applies for themself; a secretary on behalf of a member of their branch."""
    if not user.is_authenticated:
        return False
    if not member.is_on_roll:
        return False
    if member.user_id == user.pk:
        return True
    return _holds(user, Role.SECRETARY, member.organization_id)


def can_start_application(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "member", None) is not None:
        return True
    return has_role(user, Role.SECRETARY)


def can_edit(user, application: AssistanceApplication) -> bool:
    """Drafts and returned applications are edited by the applicant or whoever filled them in."""
    if application.status not in ("draft", "returned"):
        return False
    return _is_own(user, application) or application.submitted_by_id == user.pk


def can_withdraw(user, application: AssistanceApplication) -> bool:
    return _is_own(user, application) or application.submitted_by_id == user.pk


def can_record_meeting(user, application: AssistanceApplication) -> bool:
    if not user.is_authenticated:
        return False
    return _holds(user, Role.SECRETARY, application.organization_id)


def is_approver(user, application: AssistanceApplication) -> bool:
    """The organization department over the applicant's branch (the 党委's decision)."""
    if not user.is_authenticated:
        return False
    return _holds(user, Role.ORG_DEPT, application.organization_id)


def can_approve(user, application: AssistanceApplication) -> bool:
    if not is_approver(user, application):
        return False
    if application.submitted_by_id == user.pk:
        return False
    return not _is_own(user, application)


def can_return(user, application: AssistanceApplication) -> bool:
    """Any reviewer: the branch secretary while the branch reviews, the organization department after."""
    if _is_own(user, application) or application.submitted_by_id == user.pk:
        return False
    if application.status == "submitted" and can_record_meeting(user, application):
        return True
    return is_approver(user, application)


def can_resolve_objection(user, application: AssistanceApplication) -> bool:
    return is_approver(user, application) and not _is_own(user, application)


def can_object(user, application: AssistanceApplication) -> bool:
    """Any member of the organization in whose notice the application stands, or a manager over it."""
    if not user.is_authenticated:
        return False
    if _is_own(user, application):
        return False
    member = getattr(user, "member", None)
    if member is not None and member.organization_id == application.organization_id:
        return True
    return holds_role_over(user, application.organization_id, Role.SECRETARY, Role.COMMITTEE, Role.ORG_DEPT)


def objection_org_ids(user) -> set[int]:
    """Organizations in whose notices the user may raise an objection (read once per page)."""
    if not user.is_authenticated:
        return set()
    ids = set(org_ids(user, Role.SECRETARY, Role.COMMITTEE, Role.ORG_DEPT))
    member = getattr(user, "member", None)
    if member is not None:
        ids.add(member.organization_id)
    return ids


def can_disburse(user, application: AssistanceApplication) -> bool:
    if not user.is_authenticated:
        return False
    if not _holds(user, Role.FUND_OFFICER, application.fund.organization_id):
        return False
    if application.approved_by_id == user.pk:
        return False
    return not _is_own(user, application)


def can_see_details(user, application: AssistanceApplication) -> bool:
    """The reason, attachments and earlier versions: the applicant, whoever filled it in, and the
    table's roles over the branch. A fund officer pays by name and amount."""
    if not user.is_authenticated:
        return False
    if _is_own(user, application) or application.submitted_by_id == user.pk:
        return True
    return access.may_at(user, "application_details", access.VIEW, application.organization_id)


def can_see_history(user, application: AssistanceApplication) -> bool:
    """The member's assistance history and ledger line: the reviewers, not the public."""
    return can_record_meeting(user, application) or is_approver(user, application) or user.is_superuser
