"""What a user may do with members: the role table's answers (members.access) for the roster, with
the object at hand. Views, templates, exports and services all ask here."""

from __future__ import annotations

import datetime as dt

from members import access
from members.access import CREATE, EDIT, EXPORT, IMPORT, LIST, VIEW
from members.models import Member
from members.scoping import covers_everything, org_ids


def organization_of(member: Member):
    """The member's Organization if it is already loaded (access checks then compare paths without a
    query), otherwise its id (checked against the ids read once per request)."""
    if Member._meta.get_field("organization").is_cached(member):
        return member.organization
    return member.organization_id


def _is_own(user, member: Member) -> bool:
    return member.user_id is not None and member.user_id == user.pk


def can_view_roster(user) -> bool:
    return access.may(user, "member", LIST)


def can_create_member(user) -> bool:
    return access.may(user, "member", CREATE)


def can_import_members(user) -> bool:
    return access.may(user, "member", IMPORT)


def can_export_roster(user) -> bool:
    return access.may(user, "member", EXPORT)


def can_edit_member(user, member: Member) -> bool:
    return access.may_at(user, "member", EDIT, organization_of(member))


def can_see_sensitive(user, member: Member) -> bool:
    """The full 身份证号, birth date, address and health: the member, their secretary, the organization
    department and admins. Committee members see them masked."""
    if not user.is_authenticated:
        return False
    return _is_own(user, member) or access.may_at(user, "member_sensitive", VIEW, organization_of(member))


def can_edit_sensitive(user, member: Member) -> bool:
    """Editing a sensitive field means reading it: a masked role gets a form without them. (Whoever
    may register a member may also type these fields: the table gives CREATE to the same roles.)"""
    if member.pk is None:
        return access.may(user, "member_sensitive", EDIT)
    return access.may_at(user, "member_sensitive", EDIT, organization_of(member))


class Disclosure:
    """What of each member's sensitive fields a user reads, decided once per page or export and then
    per row without a query.

    A masked 身份证号 keeps only its last four characters, and a masked birth date only its year: the
    number's middle eight digits *are* the birth date, and its last is a check digit that recovers
    any one missing digit, so showing the area code, the birth date and the tail side by side (as
    this page once did) gave the whole number back. From what a masked role sees — the tail, the
    gender, the birth year, the age — about thirty numbers remain possible even when the area code
    is guessed."""

    def __init__(self, user, kind: str = "member_sensitive", *, own: bool = True):
        self.user = user
        self.own = own
        roles = access.real_roles(kind, VIEW) if access.granted(user, kind, VIEW) else ()
        self.everything = user.is_authenticated and covers_everything(user, *roles) if roles else False
        self.org_ids = frozenset(org_ids(user, *roles)) if roles and not self.everything else frozenset()

    def full(self, member: Member) -> bool:
        return self.full_for(member.organization_id, member.user_id)

    def full_for(self, organization_id: int, user_id: int | None) -> bool:
        """For rows read as plain values (the annual workbook): the member's branch and login."""
        if self.everything:
            return True
        own = self.own and user_id is not None and user_id == self.user.pk
        return organization_id in self.org_ids or own

    def id_number(self, member: Member) -> str:
        return member.id_number if self.full(member) else member.masked_id_number

    def birth_date(self, member: Member) -> dt.date | str:
        return member.birth_date if self.full(member) else member.masked_birth_date

    def address(self, member: Member) -> str:
        return member.address if self.full(member) else ""

    def health(self, member: Member) -> str:
        return member.health if self.full(member) else ""

    @property
    def searchable_org_ids(self) -> frozenset[int] | None:
        """Where a search may match the tail of a 身份证号 (None: everywhere). A masked role must not
        confirm a guessed number by searching for it."""
        return None if self.everything else self.org_ids


def can_manage_calendar(user) -> bool:
    """The year's holiday schedule (节假日安排): the organization department and administrators."""
    return access.may(user, "calendar", EDIT)
