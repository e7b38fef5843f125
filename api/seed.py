"""Demo data: API tokens as the token pages show them, one with a known key for trying the API (the
README's example uses it). Demo only, like the demo passwords."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from api import tokens
from api.models import ApiToken, ApiTokenUse

DEMO_PREFIX = "00000001"
DEMO_SECRET = "DEMO-only-never-in-production-0123456789abc"  # noqa: S105 - the demo data's, printed in README
DEMO_KEY = f"care_{DEMO_PREFIX}_{DEMO_SECRET}"
DEMO_GRANTS = [
    "member.list",
    "member.view",
    "visit.list",
    "visit.view",
    "visit.create",
    "talk.list",
    "talk.view",
    "talk.create",
    "pairing.list",
    "pairing.view",
    "pairing.progress",
]


def seed_tokens(ctx) -> None:
    department, branch = ctx.users["zzb"], ctx.branches[0]
    token, _ = tokens.issue_token(
        by=department,
        name="智慧党建平台（演示）",
        organization=branch,
        grants=DEMO_GRANTS,
        expires_on=ctx.today + dt.timedelta(days=365),
        note="演示用令牌，见 README",
    )
    ApiToken.objects.filter(pk=token.pk).update(
        prefix=DEMO_PREFIX, key_hash=hashlib.sha256(DEMO_SECRET.encode()).hexdigest()
    )
    token.service_user.username = f"api:{DEMO_PREFIX}"
    token.service_user.save(update_fields=["username"])
    for days, path, status in (
        (2, "/api/v1/members/", 200),
        (1, "/api/v1/changes/?since=0", 200),
        (0, "/api/v1/visits/", 201),
    ):
        use = ApiTokenUse.objects.create(
            token=token, method="POST" if status == 201 else "GET", path=path, status=status, ip_address="10.0.0.8"
        )
        ApiTokenUse.objects.filter(pk=use.pk).update(at=timezone.now() - dt.timedelta(days=days))
    old, _ = tokens.issue_token(
        by=department,
        name="党员信息系统同步（已停用）",
        organization=ctx.committee,
        grants=["member.list", "member.view"],
        expires_on=ctx.today + dt.timedelta(days=30),
    )
    tokens.revoke_token(token_id=old.pk, by=department)
