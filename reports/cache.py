"""Dashboard figures cached per scope and year.

The key holds the organization, the year, the report day and the exact set of organizations the
viewer sees under it (two viewers with the same view share an entry), plus a generation number
that any saved or deleted care record bumps, so a change shows at once; bulk writes that send no
signals are caught by the short lifetime."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from reports.scope import ReportScope

TTL = 300
GENERATION_KEY = "reports:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def bump(**_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def key_for(kind: str, scope: ReportScope) -> str:
    orgs = ",".join(str(pk) for pk in scope.subtree_ids)
    digest = hashlib.sha256(orgs.encode()).hexdigest()[:16]
    return f"reports:{kind}:g{generation()}:{scope.organization.pk}:{scope.year}:{scope.day:%Y%m%d}:{digest}"


def cached(kind: str, scope: ReportScope, compute: Callable[[], Any]) -> Any:
    key = key_for(kind, scope)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


def watch(models) -> None:
    """Bump the generation when any of these models is saved or deleted (connected in ready())."""
    for model in models:
        uid = f"reports.cache.{model._meta.label_lower}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(bump, sender=field.remote_field.through, dispatch_uid=f"{uid}.{field.name}",
                                weak=False)
