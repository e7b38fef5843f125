"""Who may do what with the fund and with applications. Views, templates and services all ask here.

Two kinds of question, each condition on its own line:

- `may_*(user, obj)` — *who*: the role, the unit, and the separation of duties (nobody approves what
  they filled in or what is their own; whoever approved does not object to it, rule on objections to
  it or pay it; whoever raised an objection does not rule on it). A service that gets `False` raises
  `PermissionDenied`.
- `can_*(user, obj)` — *who and now*: `may_*` and the object's state allows the action (`can_approve`
  is false once approved). Views show a button only when it is true; a service checks the state
  itself and answers a wrong state with a `DomainError` that says what is wrong.
"""

from __future__ import annotations

from django.utils import timezone

from core import clock
from funds.models import (
    COMMITTED_STATUSES,
    NOTICE_RUNNING,
    AssistanceApplication,
    Fund,
    Objection,
    PartnerUnit,
    Status,
)
from members import access
from members.access import CREATE, EDIT, LIST
from members.models import Member
from members.scoping import org_ids


def _may(user, action: str, organization_id: int, kind: str = "application") -> bool:
    """The role table's answer for `action` over the organization (the *who* of every rule below)."""
    return access.may_at(user, kind, action, organization_id)


def _is_own(user, application: AssistanceApplication) -> bool:
    member = application.member if application.member_id else None
    return member is not None and member.user_id is not None and member.user_id == user.pk


def _filled_in(user, application: AssistanceApplication) -> bool:
    return application.submitted_by_id == user.pk


# ---------------------------------------------------------------- the fund


def can_view_funds(user) -> bool:
    """The ledger itself: fund officers and the organization department (members read 党务公开)."""
    return access.may(user, "fund", LIST)


def can_manage_fund(user, fund: Fund) -> bool:
    """Record income, corrections, payments and recoveries: the fund officer of the fund's organization."""
    return _may(user, EDIT, fund.organization_id, kind="fund")


def can_open_fund(user, organization) -> bool:
    """Open the organization's fund: its fund officer."""
    return _may(user, CREATE, organization.pk, kind="fund")


def can_set_rules(user, fund: Fund) -> bool:
    """Amount bounds, the yearly target and partner units: the 党委, through its organization department."""
    return _may(user, "rules", fund.organization_id, kind="fund")


# ---------------------------------------------------------------- applying


def can_apply_for(user, member: Member) -> bool:
    """A member applies for themself; a secretary on behalf of a member of their branch."""
    if not user.is_authenticated:
        return False
    if not member.is_on_roll:
        return False
    if member.user_id == user.pk:
        return True
    return _may(user, CREATE, member.organization_id)


def can_apply_for_partner(user, partner: PartnerUnit) -> bool:
    """For a 困难党员 of a 互联共建单位: the secretary of the branch that keeps the partnership."""
    if not user.is_authenticated:
        return False
    if not partner.is_active:
        return False
    return _may(user, CREATE, partner.liaison_id)


def can_start_application(user) -> bool:
    """A member for themself, a secretary for a member of their branch (the table's CREATE)."""
    return access.may(user, "application", CREATE)


def may_edit(user, application: AssistanceApplication) -> bool:
    """The applicant or whoever filled the application in."""
    return _is_own(user, application) or _filled_in(user, application)


def can_edit(user, application: AssistanceApplication) -> bool:
    """Drafts and returned applications."""
    if application.status not in (Status.DRAFT, Status.RETURNED):
        return False
    return may_edit(user, application)


def can_withdraw(user, application: AssistanceApplication) -> bool:
    if application.status not in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.BRANCH_REVIEWED):
        return False
    return may_edit(user, application)


# ---------------------------------------------------------------- the branch meeting


def may_record_meeting(user, application: AssistanceApplication) -> bool:
    """The branch's secretary or a committee member (支委), never for their own application."""
    if not user.is_authenticated:
        return False
    if _is_own(user, application):
        return False
    return _may(user, "meeting", application.organization_id)


def meeting_is_due(application: AssistanceApplication) -> bool:
    """Before the 党委 decides; or, for an emergency approved first, afterwards (补录)."""
    if application.meeting_recorded:
        return False
    if application.status == Status.SUBMITTED:
        return True
    return application.is_emergency and application.status in COMMITTED_STATUSES


def can_record_meeting(user, application: AssistanceApplication) -> bool:
    return meeting_is_due(application) and may_record_meeting(user, application)


def needs_confirmation(user, application: AssistanceApplication) -> bool:
    """A record made by whoever filled the application in counts once a second person confirms it."""
    return _filled_in(user, application)


def may_confirm_meeting(user, application: AssistanceApplication) -> bool:
    """Another member of the branch committee, or the organization department over the branch;
    never the one who recorded it, filled the application in, or is applying."""
    if not user.is_authenticated:
        return False
    if application.meeting_recorded_by_id == user.pk:
        return False
    if _filled_in(user, application):
        return False
    if _is_own(user, application):
        return False
    return _may(user, "confirm_meeting", application.organization_id)


def can_confirm_meeting(user, application: AssistanceApplication) -> bool:
    return application.meeting_awaiting_confirmation and may_confirm_meeting(user, application)


# ---------------------------------------------------------------- the 党委's decision


def is_approver(user, application: AssistanceApplication) -> bool:
    """The organization department over the applicant's branch (recording the 党委's decision)."""
    return _may(user, "approve", application.organization_id)


def may_approve(user, application: AssistanceApplication) -> bool:
    if not is_approver(user, application):
        return False
    if _filled_in(user, application):
        return False
    return not _is_own(user, application)


def can_approve(user, application: AssistanceApplication) -> bool:
    if application.meeting_awaiting_confirmation:
        return False
    ready = application.status == Status.BRANCH_REVIEWED or (
        application.status == Status.SUBMITTED and application.is_emergency
    )
    return ready and may_approve(user, application)


def can_reject(user, application: AssistanceApplication) -> bool:
    if application.status not in (Status.SUBMITTED, Status.BRANCH_REVIEWED):
        return False
    return may_approve(user, application)


def may_return(user, application: AssistanceApplication) -> bool:
    """Any reviewer: the branch committee while the branch reviews, the organization department after."""
    if _is_own(user, application) or _filled_in(user, application):
        return False
    if application.status == Status.SUBMITTED and may_record_meeting(user, application):
        return True
    return is_approver(user, application)


def can_return(user, application: AssistanceApplication) -> bool:
    if application.status not in (Status.SUBMITTED, Status.BRANCH_REVIEWED):
        return False
    return may_return(user, application)


def may_reconsider(user, application: AssistanceApplication) -> bool:
    """Record the 党委's reconsideration of an emergency the branch meeting did not pass."""
    return may_approve(user, application)


def can_reconsider(user, application: AssistanceApplication) -> bool:
    return application.status == Status.RECONSIDERATION and may_reconsider(user, application)


# ---------------------------------------------------------------- the 公示 and its objections


def may_object(user, application: AssistanceApplication) -> bool:
    """Any member of the organization in whose notice the application stands, or a manager over it —
    not the applicant, and not whoever approved it."""
    if not user.is_authenticated:
        return False
    if _is_own(user, application):
        return False
    if application.approved_by_id == user.pk:
        return False
    member = getattr(user, "member", None)
    if member is not None and member.organization_id == application.organization_id:
        return True  # the table's 党员: a member of the branch in whose notice it stands
    return _may(user, "object", application.organization_id)


def notice_open(application: AssistanceApplication) -> bool:
    return application.status in NOTICE_RUNNING and (
        application.notice_ends_on is None or clock.today() <= application.notice_ends_on
    )


def can_object(user, application: AssistanceApplication) -> bool:
    return notice_open(application) and may_object(user, application)


def objection_org_ids(user) -> set[int]:
    """Organizations in whose notices the user may raise an objection (read once per page)."""
    if not user.is_authenticated:
        return set()
    ids = set(org_ids(user, *access.real_roles("application", "object")))
    member = getattr(user, "member", None)
    if member is not None:
        ids.add(member.organization_id)
    return ids


def may_resolve_objection(user, application: AssistanceApplication, objection: Objection | None = None) -> bool:
    """The organization department — not whoever approved the application, filled it in or applies,
    and not whoever raised the objection."""
    if not _may(user, "resolve", application.organization_id):
        return False
    if _is_own(user, application) or _filled_in(user, application):
        return False
    if application.approved_by_id == user.pk:
        return False
    return objection is None or objection.raised_by_id != user.pk


def can_resolve_objection(user, application: AssistanceApplication, objection: Objection | None = None) -> bool:
    if application.status != Status.OBJECTION:
        return False
    if objection is not None and objection.outcome != Objection.Outcome.OPEN:
        return False
    return may_resolve_objection(user, application, objection)


# ---------------------------------------------------------------- money out and back


def may_disburse(user, application: AssistanceApplication) -> bool:
    if not _may(user, "disburse", application.fund.organization_id):
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


def can_disburse(user, application: AssistanceApplication) -> bool:
    return application.status == Status.NOTICE_PASSED and may_disburse(user, application)


def may_record_recovery(user, application: AssistanceApplication) -> bool:
    if _is_own(user, application):
        return False
    return _may(user, "disburse", application.fund.organization_id)


def can_record_recovery(user, application: AssistanceApplication) -> bool:
    return application.status == Status.RECOVERY_DUE and may_record_recovery(user, application)


def can_see_history(user, application: AssistanceApplication) -> bool:
    """The member's assistance history and ledger line: the reviewers, not the public."""
    return may_record_meeting(user, application) or is_approver(user, application) or user.is_superuser


def emergency_meeting_overdue(application: AssistanceApplication, days: int) -> bool:
    """An emergency approved first whose branch meeting has not been recorded within `days`."""
    if not application.is_emergency or application.meeting_recorded or not application.approved_at:
        return False
    return (clock.today() - timezone.localtime(application.approved_at).date()).days >= days
