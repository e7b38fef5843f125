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

Figures that add up per organization (a branch's visits, its members due a talk) can be cached per
organization instead (`cached_by_organization`): each organization has a generation of its own
beside the namespace's, and `watch_by_organization` bumps only the organizations a saved visit or
talk belongs to. A visit logged in one branch then recomputes that branch's figures (one query over
one branch) and the county's are put together again from the others' cached parts, where a
namespace-wide bump made the next county page recompute everything (~0.7 s over 20,000 members).
"""

from __future__ import annotations

import contextlib
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
# The parts of figures cached per organization live longer: every write to the models they are read
# from is signalled (saves, deletes and many-to-many changes, and `bulk_changed` from the bulk writes),
# so their generations catch it; their lifetime only bounds what a write made outside the application
# (SQL typed into the database) leaves stale. Over a city the parts are minutes of work (5,000 branches):
# when they expired every five minutes, the next reader in every worker recomputed them all at once.
PARTS_TTL = 6 * 3600
# Each figure's parts are kept in this many entries by organization id: after a visit the bucket of its
# branch is written again, not a city's 5,000 parts (which took ~40 ms to pickle on the coverage page).
PARTS_BUCKETS = 32


def _bucket_keys(parts_key: str) -> list[str]:
    return [f"{parts_key}:{bucket}" for bucket in range(PARTS_BUCKETS)]


logger = logging.getLogger(__name__)

bulk_changed = Signal()  # sender=the model whose rows a bulk write (bulk_create/update) changed


def _generation_key(namespace: str) -> str:
    return f"{namespace}:generation"


def _fresh() -> int:
    """A first generation number no earlier one can have used: if the number is lost (evicted, the
    cache flushed), entries stored under the old numbers are never read again."""
    return time.time_ns() // 1_000


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
    return hashlib.sha256(",".join(map(str, values)).encode()).hexdigest()[:16]


# How long a reader waits for another that is computing the same figure before computing it itself.
LOCK_WAIT = 15.0


@contextlib.contextmanager
def one_at_a_time(key: str):
    """Yield True to the one reader that is to compute `key`; a reader that finds another computing it
    waits until that one is done (LOCK_WAIT at most) and gets False, to read what it stored. A figure
    gone cold over a city is minutes of work: computed by every worker that asks at once, it stalled
    them all for the time of four computations on two cores. With the cache unreachable, everyone
    computes."""
    lock = f"{key}:computing"
    try:
        mine = cache.add(lock, 1, int(LOCK_WAIT) + 5)
    except Exception:  # noqa: BLE001
        mine = True
    if mine:
        try:
            yield True
        finally:
            with contextlib.suppress(Exception):
                cache.delete(lock)
        return
    deadline = time.monotonic() + LOCK_WAIT
    with contextlib.suppress(Exception):
        while time.monotonic() < deadline and cache.get(lock) is not None:
            time.sleep(0.05)
    yield False


def _get_quietly(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001
        return None


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
        with one_at_a_time(key) as first:
            if not first:  # another reader computed it meanwhile (or gave up: compute)
                value = _get_quietly(key)
            if value is None:
                value = compute()
        try:
            cache.set(key, value, ttl)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s not stored", namespace)
    return value


# --- per organization --------------------------------------------------------------------------------


def _organization_key(namespace: str, org_id: int) -> str:
    return f"{namespace}:generation:o{org_id}"


def _changes_key(namespace: str) -> str:
    return f"{namespace}:changes"


def _change_key(namespace: str, number: int) -> str:
    return f"{namespace}:changes:{number}"


# How many changes a reader catches up on from the log before it reads every organization's generation.
CHANGE_LOG_READ = 200


def bump_organizations(namespace: str, org_ids: Iterable[int]) -> None:
    """Make the cached figures of these organizations stale (their parts of every scope), and count a
    change in the namespace (a scope's entry is trusted without reading its organizations'
    generations while that count has not moved). Each change is also logged under its number, with
    the organizations it touched: a reader a few changes behind reads those, not the generations of
    the 5,000 organizations a city oversees. Never raises."""
    ids = sorted(set(org_ids))
    for key in [*(_organization_key(namespace, org_id) for org_id in ids), _changes_key(namespace)]:
        try:
            number = cache.incr(key)
        except ValueError:  # never read yet (or evicted): a fresh number no stored part can carry
            try:
                cache.set(key, _fresh(), None)
            except Exception:  # noqa: BLE001
                logger.warning("cache unavailable: %s not bumped", key)
            continue
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s not bumped", key)
            continue
        if key == _changes_key(namespace):
            try:
                cache.set(_change_key(namespace, number), ids, TTL)
            except Exception:  # noqa: BLE001 - a reader missing the entry reads every generation
                logger.warning("cache unavailable: %s change %s not logged", namespace, number)


def _changed_since(namespace: str, since: int, now: int) -> set[int] | None:
    """The organizations the changes after `since` up to `now` touched, or None when the log does not
    hold them all (too many, expired, or a writer that has counted a change and not yet logged it)."""
    if not 0 < now - since <= CHANGE_LOG_READ:
        return None
    keys = [_change_key(namespace, number) for number in range(since + 1, now + 1)]
    found = cache.get_many(keys)
    if len(found) != len(keys):
        return None
    return {org_id for ids in found.values() for org_id in ids}


_ABSENT = ()  # an organization the compute returned nothing for (pickles to itself)
# From how many stale organizations one reader computes while the others wait for it (a branch or two
# after a visit is cheaper to compute twice than to wait for).
ONE_AT_A_TIME_FROM = 50


def cached_by_organization(
    namespace: str,
    parts: Iterable[Any],
    org_ids: Iterable[int],
    compute: Callable[[list[int]], dict[int, Any]],
    combine: Callable[[dict[int, Any]], Any],
    *,
    ttl: int = TTL,
    _waited: bool = False,
) -> Any:
    """`combine({org id: value})` over these organizations, where `compute(ids)` gives the value of
    each of `ids` (organizations it has nothing for may be left out) in one pass.

    Three entries per scope: each organization's value beside the organization's generation when it
    was computed; the combined figure; and the namespace's count of changes it was checked at. While
    that count has not moved, a read is a round trip for two numbers and one for the figure (a city's
    5,000 parts are not unpickled); after a change, the changes logged since (or, when the log does
    not hold them, every organization's generation) and the parts are read, only the organizations
    whose generation moved are computed again, in one call, and the figure is combined anew (the old
    one is not read). With the cache unreachable everything is computed."""
    org_ids = list(org_ids)
    try:
        key = ":".join([namespace, f"g{generation(namespace)}", *(str(p) for p in parts), digest(org_ids)])
        parts_key, checked_key, changes_key = f"{key}:parts", f"{key}:checked", _changes_key(namespace)
        found = cache.get_many([checked_key, changes_key])
        checked, changes = found.get(checked_key), found.get(changes_key)
        if checked is not None and changes is not None and checked == changes:
            combined = cache.get(key, _ABSENT)
            if combined is not _ABSENT:
                return combined
        if changes is None:
            changes = _fresh()
            cache.add(changes_key, changes, None)
            changes = cache.get(changes_key, changes)
        # A reader a few changes behind reads which organizations changed (and only their generations);
        # otherwise every organization's generation is read.
        changed = _changed_since(namespace, checked, changes) if checked is not None else None
        watched = org_ids if changed is None else [org_id for org_id in org_ids if org_id in changed]
        generation_keys = {org_id: _organization_key(namespace, org_id) for org_id in watched}
        bucket_keys = _bucket_keys(parts_key)
        found = cache.get_many([*generation_keys.values(), *bucket_keys])
    except Exception:  # noqa: BLE001 - Redis down
        logger.warning("cache unavailable: %s computed without it", namespace)
        values = compute(org_ids)
        return combine({org_id: values[org_id] for org_id in org_ids if org_id in values})
    generations: dict[int, int] = {}
    unset: dict[str, int] = {}
    first = _fresh()
    for org_id, generation_key in generation_keys.items():
        if generation_key in found:
            generations[org_id] = found[generation_key]
        else:
            generations[org_id] = unset[generation_key] = first
    stored: dict[int, tuple[int, Any]] = {}
    for bucket_key in bucket_keys:
        stored.update(found.get(bucket_key) or {})
    if changed is not None and not all(org_id in stored for org_id in org_ids):
        # The parts were evicted (or never stored for some): every organization is read after all.
        generation_keys = {org_id: _organization_key(namespace, org_id) for org_id in org_ids}
        try:
            found = {**found, **cache.get_many(list(generation_keys.values()))}
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s computed without it", namespace)
            values = compute(org_ids)
            return combine({org_id: values[org_id] for org_id in org_ids if org_id in values})
        for org_id, generation_key in generation_keys.items():
            if org_id not in generations:
                generations[org_id] = found.get(generation_key) or unset.setdefault(generation_key, first)
    stale = [
        org_id for org_id in org_ids if org_id in generations and stored.get(org_id, (None,))[0] != generations[org_id]
    ]
    if checked is not None and not stale:
        try:
            combined = cache.get(key, _ABSENT)
            if combined is not _ABSENT:
                cache.set(checked_key, changes, ttl)
                return combined
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: %s computed without it", namespace)
    if len(stale) >= ONE_AT_A_TIME_FROM and not _waited:
        with one_at_a_time(parts_key) as first:
            if not first:  # another reader has just computed the parts: read them
                return cached_by_organization(namespace, parts, org_ids, compute, combine, ttl=ttl, _waited=True)
            return _combine_and_store(namespace, key, stale, stored, generations, unset, changes, compute, combine, ttl)
    return _combine_and_store(namespace, key, stale, stored, generations, unset, changes, compute, combine, ttl)


def _combine_and_store(namespace, key, stale, stored, generations, unset, changes, compute, combine, ttl) -> Any:
    """Compute the stale organizations' values, combine them with the others' and store the three entries."""
    parts_key, checked_key = f"{key}:parts", f"{key}:checked"
    values = compute(stale) if stale else {}
    stored = {**stored, **{org_id: (generations[org_id], values.get(org_id, _ABSENT)) for org_id in stale}}
    # Only the buckets of the organizations computed are written again.
    changed_buckets = {org_id % PARTS_BUCKETS for org_id in stale}
    buckets: dict[str, dict[int, tuple[int, Any]]] = {}
    bucket_keys = _bucket_keys(parts_key)
    for org_id, part in stored.items():
        bucket = org_id % PARTS_BUCKETS
        if bucket in changed_buckets:
            buckets.setdefault(bucket_keys[bucket], {})[org_id] = part
    combined = combine(
        {org_id: value for org_id, (_, value) in stored.items() if value is not _ABSENT and value != _ABSENT}
    )
    try:
        if unset:
            cache.set_many(unset, None)
        # The parts apart from the figure: a read while nothing changed unpickles the figure alone.
        cache.set_many({key: combined, checked_key: changes}, ttl)
        if buckets:
            cache.set_many(buckets, max(ttl, PARTS_TTL))
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable: %s not stored", namespace)
    return combined


# --- what a change bumps -----------------------------------------------------------------------------
#
# Each watched model has one receiver per signal, whatever the number of namespaces watching it: a change
# finds its organizations once per way of finding them (a visit's branch is one lookup, not one per
# namespace), bumps every namespace it concerns at once in one batch (one round trip to Redis), and
# leaves the same batch to be bumped again when the transaction commits, merged with the transaction's
# other changes (a visit saved with its visitors and its fund entry bumps each namespace once).

Organizations = Callable[[Any], Iterable[int] | None]
_WHOLE: dict[type, set[str]] = {}  # model: namespaces any change of it bumps whole
_BY_ORGANIZATION: dict[type, dict[str, Organizations]] = {}  # model: {namespace: its organizations}
_THROUGH: dict[type, type] = {}  # a many-to-many table: the watched model that owns the relation
Batch = dict[str, set[int] | None]  # namespace: the organizations to bump, None for the whole namespace


def _add(batch: Batch, namespace: str, ids: Iterable[int] | None) -> None:
    if namespace in batch and batch[namespace] is None:
        return
    if ids is None:
        batch[namespace] = None
    else:
        batch.setdefault(namespace, set()).update(ids)  # type: ignore[union-attr]


def _redis_client():
    """The Redis client behind the default cache, or None (the in-process cache of tests and `make run`)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]  # `cache` is a proxy to it
    if not isinstance(backend, RedisCache):
        return None
    # Django's client behind the backend (not public API; what its own incr and set_many use).
    return backend._cache.get_client(write=True)  # type: ignore[attr-defined]


def _fresh_incr(pipe, key: str, first: int) -> None:
    # A number never read yet (or evicted) starts from a fresh one no stored part can carry.
    pipe.set(key, first, nx=True)
    pipe.incr(key)


def bump_batch(batch: Batch) -> None:
    """Bump every namespace of the batch (whole, or the organizations named) in one round trip to Redis
    (and one more for the change log); one by one on another cache. Never raises."""
    if not batch:
        return
    try:
        client = _redis_client()
    except Exception:  # noqa: BLE001
        client = None
    if client is None:
        for namespace, ids in batch.items():
            if ids is None:
                bump(namespace)
            else:
                bump_organizations(namespace, ids)
        return
    try:
        first = _fresh()
        pipe = client.pipeline(transaction=False)
        counted: list[tuple[str, list[int] | None]] = []  # in the pipeline's order
        for namespace, ids in batch.items():
            if ids is None:
                _fresh_incr(pipe, cache.make_key(_generation_key(namespace)), first)
                counted.append((namespace, None))
                continue
            org_ids = sorted(ids)
            for org_id in org_ids:
                _fresh_incr(pipe, cache.make_key(_organization_key(namespace, org_id)), first)
            _fresh_incr(pipe, cache.make_key(_changes_key(namespace)), first)
            counted.append((namespace, org_ids))
        numbers = pipe.execute()
        # Each key is a SET NX and an INCR; a namespace bumped per organization ends with its change count.
        log: dict[str, list[int]] = {}
        position = 0
        for namespace, named in counted:
            position += 2 if named is None else 2 * (len(named) + 1)
            if named is not None:
                log[_change_key(namespace, numbers[position - 1])] = named
        if log:
            cache.set_many(log, TTL)
    except Exception:  # noqa: BLE001 - Redis down: entries expire within TTL anyway
        logger.warning("cache unavailable: %s not bumped", ", ".join(batch))


def _pending(connection) -> Batch | None:
    """The batch this connection's transaction bumps when it commits, while its callback is still
    registered (a rolled back savepoint drops the callback: a new one is registered)."""
    pending = getattr(connection, "_care_cache_pending", None)
    if pending is None:
        return None
    batch, flush = pending
    if any(callback is flush for _, callback, *_ in connection.run_on_commit):
        return batch
    return None


def changed(batch: Batch) -> None:
    """Bump the batch now (a read later in the same transaction sees the change) and once more after
    the transaction commits, so a reader that computed from the not-yet-committed state meanwhile cannot
    keep stale figures; outside a transaction the change is already committed: once is enough."""
    if not batch:
        return
    bump_batch(batch)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    pending = _pending(connection)
    if pending is None:
        pending = {}

        def flush() -> None:
            if getattr(connection, "_care_cache_pending", (None,))[0] is pending:
                del connection._care_cache_pending
            bump_batch(pending)

        connection._care_cache_pending = (pending, flush)
        transaction.on_commit(flush)
    for namespace, ids in batch.items():
        _add(pending, namespace, ids)


def _batch_for(model: Any, instance: Any = None, members: Iterable[int] | None = None) -> Batch:
    """What a change of `instance` (None: of rows unknown, a bulk write) bumps; `members`: the ids of
    members a many-to-many change added or removed (their organizations are bumped too)."""
    batch: Batch = dict.fromkeys(_WHOLE.get(model, ()))
    found: dict[Organizations, set[int] | None] = {}
    member_organizations: set[int] | None = None
    for namespace, organizations in _BY_ORGANIZATION.get(model, {}).items():
        if instance is None:
            ids = None
        else:
            if organizations not in found:
                try:
                    named = organizations(instance)
                except Exception:  # noqa: BLE001 - e.g. the member already deleted: bump everything
                    named = None
                found[organizations] = None if named is None else set(named)
            ids = found[organizations]
            if ids is not None and members:
                if member_organizations is None:
                    from members.models import Member

                    member_organizations = set(
                        Member.objects.filter(pk__in=members).values_list("organization_id", flat=True)
                    )
                ids = ids | member_organizations
        _add(batch, namespace, ids)
    return batch


def _saved(sender, instance, **_kwargs) -> None:
    changed(_batch_for(sender, instance))


def _bulk(sender, **_kwargs) -> None:
    changed(_batch_for(sender))


def _m2m(sender, instance, action, reverse, model, pk_set, **_kwargs) -> None:
    if not action.startswith("post_") and action != "pre_clear":
        return
    owner = _THROUGH[sender]
    if reverse or action == "pre_clear" or not pk_set:
        # The rows touched are not known per organization (or nothing was added): bump whole.
        changed(_batch_for(owner, None if reverse or action == "pre_clear" else instance))
        return
    members = pk_set if model._meta.label_lower == "members.member" else None
    changed(_batch_for(owner, instance, members))


def _connect(model: Any) -> None:
    uid = f"core.cache.{model._meta.label_lower}"
    post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save")
    post_delete.connect(_saved, sender=model, dispatch_uid=f"{uid}.delete")
    bulk_changed.connect(_bulk, sender=model, dispatch_uid=f"{uid}.bulk")
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        _THROUGH[through] = model
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"{uid}.{field.name}")


def watch(namespace: str, models: Iterable) -> None:
    """Bump the namespace when any of these models is saved, deleted, or changes a many-to-many
    relation, or a bulk write of it is announced (connected in the app's ready())."""
    for model in models:
        _WHOLE.setdefault(model, set()).add(namespace)
        _connect(model)


def watch_by_organization(namespace: str, models: dict, everything: Iterable = ()) -> None:
    """Bump, when one of `models` changes, the generations of the organizations `models[model](instance)`
    names (None: bump the whole namespace); when one of `everything` changes, the whole namespace. A
    many-to-many change to members also bumps the members' organizations (a talk's participants); a
    bulk write of one of `models` bumps the whole namespace."""
    for model, organizations in models.items():
        _BY_ORGANIZATION.setdefault(model, {})[namespace] = organizations
        _connect(model)
    watch(namespace, everything)
