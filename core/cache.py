"""Figures cached per scope and day, invalidated by a generation number that any change bumps.

An app names a namespace, the models its figures are read from (`watch`), and asks for a value with
`cached(namespace, parts, compute)`. The key holds the namespace's generation: a save, a delete or
a many-to-many change of a watched model bumps it, so the next read recomputes (at once within the
request or test that made the change, and once more after its transaction commits, so a reader that
computed from the not-yet-committed state meanwhile cannot keep stale figures). Bulk writes send no
model signals: their service sends `bulk_changed(sender=Model)`; anything else (a raw `update()`)
is caught by the entries' short lifetime.

The cache must never fail a page or a save: when it is unreachable, figures are computed without
it and a bump is skipped (entries expire within TTL anyway).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

TTL = 300
logger = logging.getLogger(__name__)

bulk_changed = Signal()  # sender=the model whose rows a bulk write (bulk_create/update) changed


def _generation_key(namespace: str) -> str:
    return f"{namespace}:generation"


def _fresh() -> int:
    """A first generation number no earlier one can have used: if the number is lost (evicted, the
    cache flushed), entries stored under the old numbers are never read again."""
    return time.time_ns() // 1_000_000


def generation(namespace: str) -> int:
    """The namespace's generation number (raises when the cache is unreachable)."""
    key = _generation_key(namespace)
    value = cache.get(key)
    if value is None:
        first = _fresh()
        cache.add(key, first, None)
        value = cache.get(key, first)
    return value


def bump(namespace: str) -> None:
    """Make every cached figure of the namespace stale. Never raises."""
    key = _generation_key(namespace)
    try:
        cache.incr(key)
    except ValueError:  # no generation yet (or evicted)
        try:
            cache.set(key, _fresh(), None)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s generation not bumped", namespace)
    except Exception:  # noqa: BLE001 - Redis down: entries expire within TTL anyway
        logger.warning("cache unavailable: %s generation not bumped", namespace)


def digest(values: Iterable[Any]) -> str:
    """A short stable digest of a scope (e.g. the ids of the organizations a figure covers)."""
    return hashlib.sha256(",".join(str(v) for v in values).encode()).hexdigest()[:16]


def cached(namespace: str, parts: Iterable[Any], compute: Callable[[], Any], *, ttl: int = TTL) -> Any:
    """The cached value for `parts` (scope, day, ...), or a freshly computed one when the cache is
    unreachable."""
    try:
        key = ":".join([namespace, f"g{generation(namespace)}", *(str(p) for p in parts)])
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - the generation or the get failing: Redis down
        logger.warning("cache unavailable: %s computed without it", namespace)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, ttl)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s not stored", namespace)
    return value


def watch(namespace: str, models: Iterable) -> None:
    """Bump the namespace when any of these models is saved, deleted, or changes a many-to-many
    relation, or a bulk write of it is announced (connected in the app's ready())."""

    def changed(**_kwargs) -> None:
        bump(namespace)
        transaction.on_commit(lambda: bump(namespace))

    for model in models:
        uid = f"core.cache.{namespace}.{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
        bulk_changed.connect(changed, sender=model, dispatch_uid=f"{uid}.bulk", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}.{field.name}",
                                weak=False)
