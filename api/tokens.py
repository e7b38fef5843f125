"""Issuing, revoking and checking API tokens. A token acts as a service user of its own, holding
Appointments at the token's organization, narrowed to the entries of the role table it grants
(members.access.granted): scoping, masking and the services' own checks then work as for a person.

Which roles the service user holds: for each granted entry, one of the roles the table gives that
entry, among those its issuer holds over the organization (a 组织部 issues 组织部 tokens), the least
powerful first (支委, 书记, 基金管理员, 组织部). Roles matter beyond the table in a few rules that name
them (only a 书记 records the branch meeting, only a 基金管理员 disburses); the grants gate those too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from hmac import compare_digest

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from core.errors import DomainError
from members import access
from members.access import CREATE, EDIT, LIST, VIEW
from members.models import Appointment, Organization, Role, User
from members.scoping import holds_role_over

# The entries a token may be granted: those the API's routes declare, and the ones that decide what
# a route shows (full ID numbers, a ledger line's income, a talk's internal notes, an application's
# reason). tests/api/test_tokens.py keeps this in step with the routes.
GRANTABLE: tuple[tuple[str, str], ...] = (
    ("member", LIST),
    ("member", VIEW),
    ("member_sensitive", VIEW),
    ("ledger", LIST),
    ("ledger", VIEW),
    ("ledger_confidential", VIEW),
    ("pairing", LIST),
    ("pairing", VIEW),
    ("pairing", "progress"),
    ("visit", LIST),
    ("visit", VIEW),
    ("visit", CREATE),
    ("talk", LIST),
    ("talk", VIEW),
    ("talk", CREATE),
    ("talk_confidential", VIEW),
    ("prompt", LIST),
    ("prompt", VIEW),
    ("life_event", LIST),
    ("life_event", CREATE),
    ("concern", LIST),
    ("concern", VIEW),
    ("concern", "answer"),
    ("application", LIST),
    ("application", VIEW),
    ("application_details", VIEW),
    ("application", CREATE),
    ("application", EDIT),
    ("application", "meeting"),
    ("application", "confirm_meeting"),
    ("application", "return"),
    ("application", "approve"),
    ("application", "object"),
    ("application", "resolve"),
    ("application", "disburse"),
    ("fund", LIST),
    ("fund", VIEW),
    ("campaign", VIEW),
)
# Entries that act only with another: a return is made by the reviewer of the step the application is
# at (the branch committee before its meeting, the 组织部 after), so it goes with one of those entries.
GOES_WITH: dict[str, tuple[str, ...]] = {
    "application.return": ("application.meeting", "application.approve"),
}
ROLE_PREFERENCE = (Role.COMMITTEE, Role.SECRETARY, Role.FUND_OFFICER, Role.ORG_DEPT)
KEY_PATTERN = re.compile(r"care_([0-9a-f]{8})_([A-Za-z0-9_-]{43})", re.ASCII)


def entry_label(name: str) -> str:
    kind, action = name.split(".", 1)
    return f"{access.label(kind)} · {access.ACTION_LABELS[action]}"


def grantable_by(user) -> list[str]:
    """The entries a user may put on a token somewhere: those the table lets them do themself."""
    return [
        access.entry(kind, action)
        for kind, action in GRANTABLE
        if access.real_roles(kind, action) and access.may(user, kind, action)
    ]


def _hash(secret: str) -> str:
    # The secret is 32 random bytes: a fast hash is enough (there is nothing to guess by brute force).
    return hashlib.sha256(secret.encode()).hexdigest()


def roles_for_grants(grants: Iterable[str], *, by, organization: Organization) -> list[str]:
    chosen: list[str] = []
    for name in sorted(grants):
        kind, action = name.split(".", 1)
        candidates = [role for role in ROLE_PREFERENCE if role in access.real_roles(kind, action)]
        if any(role in chosen for role in candidates):
            continue
        held = [role for role in candidates if holds_role_over(by, organization, role)]
        if not held:
            raise DomainError(f"您不能授予“{entry_label(name)}”", field="grants")
        chosen.append(held[0])
    return chosen


def max_days() -> int:
    return int(settings.API["TOKEN_MAX_DAYS"])


@transaction.atomic
def issue_token(
    *, by: User, name: str, organization: Organization, grants: Iterable[str], expires_on: dt.date, note: str = ""
) -> tuple[ApiToken, str]:
    """A new token and its key (shown to the issuer once; only its hash is kept)."""
    if not access.may_at(by, "api_token", CREATE, organization):
        raise PermissionDenied("您不能为该组织签发接口令牌")
    name = " ".join(name.split())
    if not name:
        raise DomainError("请填写令牌名称（调用方系统）", field="name")
    grants = sorted(set(grants))
    if not grants:
        raise DomainError("请至少选择一项权限", field="grants")
    known = {access.entry(kind, action) for kind, action in GRANTABLE}
    for each in grants:
        if each not in known:
            raise DomainError(f"没有“{each}”这项权限", field="grants")
        kind, action = each.split(".", 1)
        if not access.may_at(by, kind, action, organization):
            raise DomainError(f"您在该组织没有“{entry_label(each)}”的权限，不能授予", field="grants")
    for each, partners in GOES_WITH.items():
        if each in grants and not set(partners) & set(grants):
            raise DomainError(
                f"“{entry_label(each)}”须与{'或'.join(f'“{entry_label(p)}”' for p in partners)}"
                "一并授予：退回由申请所处环节的审核人办理",
                field="grants",
            )
    today = timezone.localdate()
    if expires_on <= today:
        raise DomainError("有效期应晚于今天", field="expires_on")
    if expires_on > today + dt.timedelta(days=max_days()):
        raise DomainError(f"有效期最长 {max_days()} 天", field="expires_on")
    roles = roles_for_grants(grants, by=by, organization=organization)
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    user = User(username=f"{access.SERVICE_USER_PREFIX}{prefix}", first_name=f"接口：{name}"[:150], is_active=False)
    user.set_unusable_password()
    user.save()
    for role in roles:
        Appointment.objects.create(user=user, organization=organization, role=role)
    expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
    token = ApiToken.objects.create(
        name=name,
        organization=organization,
        grants=grants,
        prefix=prefix,
        key_hash=_hash(secret),
        service_user=user,
        note=note.strip(),
        expires_at=expires_at,
        created_by=by,
    )
    return token, f"care_{prefix}_{secret}"


@transaction.atomic
def revoke_token(*, token_id: int, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("organization").get(pk=token_id)
    if not access.may_at(by, "api_token", EDIT, token.organization):
        raise PermissionDenied("您不能吊销该令牌")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


class Refused(Exception):
    """A key that does not open the API: `code` and a Chinese `message` for the 401 answer; `token`
    when the key was right but the token is expired or revoked (the attempt is logged)."""

    def __init__(self, code: str, message: str, token: ApiToken | None = None):
        super().__init__(message)
        self.code, self.message, self.token = code, message, token


def authenticate(key: str) -> ApiToken:
    """The token a key opens, its service user carrying the token's grants; Refused otherwise."""
    match = KEY_PATTERN.fullmatch(key.strip())
    if match is None:
        raise Refused("authentication_failed", "接口令牌无效")
    prefix, secret = match.groups()
    token = ApiToken.objects.select_related("service_user", "organization").filter(prefix=prefix).first()
    if token is None or not compare_digest(_hash(secret), token.key_hash):
        raise Refused("authentication_failed", "接口令牌无效")
    if token.is_revoked:
        raise Refused("token_revoked", "接口令牌已被吊销", token)
    if token.is_expired:
        raise Refused("token_expired", "接口令牌已过期，请联系组织部重新签发", token)
    user = token.service_user
    user.care_api_grants = frozenset(token.grants)
    return token
