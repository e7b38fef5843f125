"""A change bumps every namespace it concerns in one batch (core.cache.changed): once at once and once
more when its transaction commits, merged with the transaction's other changes, in one round trip to
Redis — and a figure cached before the change is never shown after it."""

import datetime as dt
import os

import pytest
from django.db import transaction

from core import cache
from members.models import Member
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def batches(monkeypatch):
    """Every batch bumped, as {namespace: ids or None} — a spy around the real bump."""
    seen: list[dict] = []
    real = cache.bump_batch

    def spy(batch):
        seen.append({namespace: None if ids is None else set(ids) for namespace, ids in batch.items()})
        real(batch)

    monkeypatch.setattr(cache, "bump_batch", spy)
    return seen


def _total(namespace, ids, counted):
    """The visits of these branches, cached per branch under `namespace`."""
    from visits.models import Visit

    def compute(wanted):
        counted.append(sorted(wanted))
        return {org_id: Visit.objects.filter(member__organization_id=org_id).count() for org_id in wanted}

    return cache.cached_by_organization(namespace, ["t"], ids, compute, lambda parts: sum(parts.values()))


@pytest.mark.django_db(transaction=True)
def test_a_visit_with_its_visitors_bumps_each_namespace_once_when_it_commits(unit, batches):
    member = Member.objects.filter(organization=unit.branch1).first()
    visitor = MemberFactory(organization=unit.branch2)
    batches.clear()
    with transaction.atomic():
        visit = VisitFactory(member=member, visited_on=TODAY)
        visit.visitors.add(visitor)
        visit.notes = "又记一笔"
        visit.save()
    at_once, after_commit = batches[:-1], batches[-1]
    # Each change bumped at once (a read in the same transaction sees it), and the commit bumps the
    # whole transaction's changes in one batch, each namespace once: the visited member's branch and
    # the visitor's.
    assert len(at_once) == 3
    assert after_commit["visits:coverage"] == {unit.branch1.pk, unit.branch2.pk}
    assert all(ids is None or unit.branch1.pk in ids for ids in after_commit.values())


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_later_changes_bump(unit, batches):
    member = Member.objects.filter(organization=unit.branch1).first()
    other = Member.objects.filter(organization=unit.branch2).first()
    batches.clear()
    with transaction.atomic():
        try:
            with transaction.atomic():
                VisitFactory(member=member, visited_on=TODAY)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        VisitFactory(member=other, visited_on=TODAY)
    # Two changes at once (the rolled back one too), and after the commit the one that stayed.
    assert len(batches) == 3
    assert batches[-1]["visits:coverage"] == {unit.branch2.pk}


def test_outside_a_transaction_a_change_is_bumped_once(unit, batches):
    member = Member.objects.filter(organization=unit.branch1).first()
    VisitFactory(member=member, visited_on=TODAY)
    assert len(batches) == 1


@pytest.mark.redis
def test_on_redis_a_batch_bumps_in_one_round_trip_and_the_next_reader_recomputes_the_changed_branch(
    unit, settings, batches
):
    """The pipeline path: generations never read start from a fresh number, the change is logged with
    the branches it touched, and a figure cached before a visit is recomputed for its branch only."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",  # production's backend
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"batch-test-{os.getpid()}",
        }
    }
    from django.core.cache import cache as django_cache

    django_cache.clear()
    from django.core.cache import caches

    client = caches["default"]._cache
    assert client.get_client(write=True) is client.get_client(write=True)  # one client, not one per call
    branches = [unit.branch1.pk, unit.branch2.pk]
    counted: list[list[int]] = []
    before = _total("test:batch", branches, counted)
    assert counted == [sorted(branches)]
    assert _total("test:batch", branches, counted) == before and len(counted) == 1  # cached

    changes = django_cache.get("test:batch:changes")
    cache.bump_batch({"test:batch": {unit.branch1.pk}, "test:whole": None})
    assert django_cache.get("test:batch:changes") == changes + 1
    assert django_cache.get(f"test:batch:changes:{changes + 1}") == [unit.branch1.pk]
    assert django_cache.get("test:whole:generation") > 1_000_000  # a fresh number, not 1

    counted.clear()
    assert _total("test:batch", branches, counted) == before
    assert counted == [[unit.branch1.pk]]  # the branch the change named, not the other

    member = Member.objects.filter(organization=unit.branch1).first()
    VisitFactory(member=member, visited_on=TODAY)  # bumps the namespaces watching visits, on Redis
    assert cache.generation("visits:coverage") > 1_000_000
    counted.clear()
    cache.bump_batch({"test:batch": {unit.branch1.pk}})
    assert _total("test:batch", branches, counted) == before + 1
    assert counted == [[unit.branch1.pk]]
    django_cache.clear()


def test_when_a_figure_expires_it_is_put_together_again_from_its_branches_parts(unit):
    """Over a city the parts are minutes of work: the figure's five minutes passing (here one second)
    recombines it from the parts kept, and only a branch that changed is computed again."""
    import time

    ids = [unit.branch1.pk, unit.branch2.pk, unit.branch3.pk]
    computed: list[list[int]] = []

    def compute(wanted):
        computed.append(sorted(wanted))
        return {pk: Member.objects.filter(organization_id=pk).count() for pk in wanted}

    def total():
        return cache.cached_by_organization("test:expiry", ["p"], ids, compute, lambda p: sum(p.values()), ttl=1)

    first = total()
    assert computed == [sorted(ids)]
    time.sleep(1.1)
    assert total() == first and computed == [sorted(ids)]  # recombined, nothing computed
    MemberFactory(organization=unit.branch2)
    cache.bump_organizations("test:expiry", [unit.branch2.pk])
    time.sleep(1.1)
    assert total() == first + 1
    assert computed[-1] == [unit.branch2.pk]


def _another_worker_computes(key, value, after=0.3):
    """Another worker holding `key`'s lock, storing `value` and releasing the lock after `after` s."""
    import threading
    import time

    from django.core.cache import caches

    store = caches["default"]
    assert store.add(f"{key}:computing", 1, 30)

    def finish():
        time.sleep(after)
        if value is not None:
            store.set(key, value, 300)
        store.delete(f"{key}:computing")

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_reader_finding_a_figure_being_computed_waits_for_it_and_computes_nothing(db):
    computed = []
    key = f"test:flight:g{cache.generation('test:flight')}:p"
    worker = _another_worker_computes(key, 42)
    assert cache.cached("test:flight", ["p"], lambda: computed.append(1) or 41) == 42
    worker.join()
    assert computed == []


def test_a_reader_waits_no_longer_than_the_lock_and_then_computes(db, monkeypatch):
    """A worker that died computing leaves its lock: the next reader computes after LOCK_WAIT."""
    monkeypatch.setattr(cache, "LOCK_WAIT", 0.2)
    key = f"test:flight:g{cache.generation('test:flight')}:q"
    worker = _another_worker_computes(key, None, after=1.0)
    assert cache.cached("test:flight", ["q"], lambda: 7) == 7
    worker.join()


def test_many_organizations_gone_cold_are_computed_by_one_reader(db):
    """Over a city every branch's part can be stale at once (a new day): the first reader computes them
    and a reader asking meanwhile waits and reads its parts instead of computing 5,000 branches again."""
    import threading
    import time

    ids = list(range(1, cache.ONE_AT_A_TIME_FROM + 11))
    computed: list[int] = []

    def compute(wanted):
        computed.append(len(wanted))
        time.sleep(0.5)  # minutes over a city
        return dict.fromkeys(wanted, 1)

    def total():
        return cache.cached_by_organization("test:cold", ["d"], ids, compute, lambda p: sum(p.values()))

    results = []
    first = threading.Thread(target=lambda: results.append(total()))
    first.start()
    time.sleep(0.2)  # the first reader is computing
    assert total() == len(ids)
    first.join()
    assert results == [len(ids)]
    assert computed == [len(ids)]  # once, by the first reader
