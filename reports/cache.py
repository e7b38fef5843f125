"""Dashboard figures cached per scope and year.

The key holds the organization, the year, the report day and the exact set of organizations the
viewer sees under it (two viewers with the same view share an entry), plus a generation number
that any saved or deleted care record bumps, so a change shows at once; bulk writes that send no
signals are caught by the short lifetime."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from reports.scope import ReportScope

TTL = 300
GENERATION_KEY = "reports:generation"
logger = logging.getLogger(__name__)


class CacheDown(Exception):
    pass


def generation() -> int:
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, None)
            value = cache.get(GENERATION_KEY, 1)
    except Exception as exc:
        raise CacheDown from exc
    return value


def bump(**_kwargs) -> None:
    """Called on every save of a care record: it must never make that save fail."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        try:
            cache.set(GENERATION_KEY, 1, None)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: dashboard generation not bumped")
    except Exception:  # noqa: BLE001 - Redis down: entries expire within TTL anyway
        logger.warning("cache unavailable: dashboard generation not bumped")


def key_for(kind: str, scope: ReportScope) -> str:
    orgs = ",".join(str(pk) for pk in scope.subtree_ids)
    digest = hashlib.sha256(orgs.encode()).hexdigest()[:16]
    return f"reports:{kind}:g{generation()}:{scope.organization.pk}:{scope.year}:{scope.day:%Y%m%d}:{digest}"


def cached(kind: str, scope: ReportScope, compute: Callable[[], Any]) -> Any:
    """The cached figures, or freshly computed ones when the cache is unreachable."""
    try:
        key = key_for(kind, scope)
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - CacheDown or the get itself failing
        logger.warning("cache unavailable: dashboard computed without it")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, TTL)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: dashboard figures not stored")
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
