"""Who may do what with the ledger and pairings: the role table's answers (members.access) with the
line or pairing at hand. Views, templates and services ask here."""

from __future__ import annotations

from members import access
from members.access import CREATE, EDIT, EXPORT, IMPORT, LIST, VIEW
from members.permissions import organization_of


def can_view_ledger(user) -> bool:
    return access.may(user, "ledger", LIST)


def can_arrange_pairings(user) -> bool:
    """May arrange pairings somewhere (shows the 安排结对 button)."""
    return access.may(user, "pairing", CREATE)


def can_register(user) -> bool:
    """May register ledger lines: the form holds income and family, so only roles that may read them."""
    return access.may(user, "ledger", CREATE)


def can_export_ledger(user) -> bool:
    return access.may(user, "ledger", EXPORT)


def can_import_ledger(user) -> bool:
    return access.may(user, "ledger", IMPORT)


def _organization(record):
    """The member's Organization when it is loaded (compared by path, no query), else its id."""
    return organization_of(record.member)


def can_review_record(user, record) -> bool:
    """Review and close a line: managers of the member's branch (or above)."""
    return access.may_at(user, "ledger", "review", _organization(record))


def can_see_confidential(user, record) -> bool:
    """Income, health and family details: the secretary of the member's branch, the organization
    department and admins. Committee members see them masked; the member reads their own line on
    /me/ without them (the family's data is not only theirs)."""
    return access.may_at(user, "ledger_confidential", VIEW, _organization(record))


def can_edit_record(user, record) -> bool:
    """Edit a line (its form shows income and family): only roles that may also read them."""
    return access.may_at(user, "ledger", EDIT, _organization(record))


def can_view_access_log(user, record) -> bool:
    return access.may_at(user, "access_log", VIEW, _organization(record))


def can_pair(user, record) -> bool:
    """Arrange a pairing for this line: managers over the member's branch."""
    return access.may_at(user, "pairing", CREATE, _organization(record))


def can_manage_pairing(user, pairing) -> bool:
    """Edit the agreement and end the pairing: managers over the helped member's branch."""
    return access.may_at(user, "pairing", EDIT, _organization(pairing.record))


def can_log_progress(user, pairing) -> bool:
    """The managers, and the helper themself."""
    if pairing.helper.user_id is not None and pairing.helper.user_id == user.pk:
        return True
    return access.may_at(user, "pairing", "progress", _organization(pairing.record))


def can_see_coverage(user) -> bool:
    """The home-page coverage panel: whoever may list the ledger."""
    return access.may(user, "ledger", LIST)
