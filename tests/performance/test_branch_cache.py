"""The county's figures are cached per branch (core.cache.cached_by_organization): a visit or a talk
logged in one branch recomputes that branch's figures only, and every page shows it at once."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from core import cache
from members.models import Member
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory
from visits import selectors
from visits.models import Occasion, Talk

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def recomputed(monkeypatch):
    """The organizations each cached figure is computed for, as (namespace, ids) — a spy around the
    real computation."""
    calls: list[tuple[str, list[int]]] = []
    real = cache.cached_by_organization

    def spy(namespace, parts, org_ids, compute, combine, **kwargs):
        def recording(ids):
            calls.append((namespace, sorted(ids)))
            return compute(ids)

        return real(namespace, parts, org_ids, recording, combine, **kwargs)

    monkeypatch.setattr(cache, "cached_by_organization", spy)
    return calls


def _visits_tile(client) -> int:
    body = client.get("/").content.decode()
    return int(re.search(r"今年走访</div><div[^>]*>([\d,]+)<", body).group(1).replace(",", ""))


def _home_due_count(client) -> int:
    body = client.get("/").content.decode()
    return int(re.search(r"本周期未谈心谈话：<a[^>]*>(\d+) 人", body).group(1))


def _log_visit(login, secretary, member):
    response = login(secretary).post(
        reverse("visits:create"),
        {
            "member": member.pk,
            "occasion": Occasion.ROUTINE,
            "visited_on": TODAY.isoformat(),
            "visitors": [secretary.member.pk],
            "notes": "走访",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_visit_in_one_branch_recomputes_that_branch_only_and_is_counted_at_once(login, unit, recomputed):
    client = login(unit.zzb)
    before = _visits_tile(client)
    client.get(reverse("visits:coverage"))
    recomputed.clear()

    _log_visit(login, unit.shuji1, unit.member1)
    client = login(unit.zzb)
    assert _visits_tile(client) == before + 1
    client.get(reverse("visits:coverage"))
    # Every figure computed again is the first branch's, the others' came from the cache; of the
    # branch's headline figures only its visits and talks (the roster, ledger and fund did not change).
    assert recomputed and all(ids == [unit.branch1.pk] for _, ids in recomputed), recomputed
    assert {namespace for namespace, _ in recomputed} == {"reports:parts:care", "visits:coverage"}

    # A visit in the second branch: the first branch's figures are read from the cache.
    recomputed.clear()
    _log_visit(login, unit.shuji2, unit.member2)
    assert _visits_tile(login(unit.zzb)) == before + 2
    assert recomputed and all(ids == [unit.branch2.pk] for _, ids in recomputed), recomputed


def test_a_visit_leaves_the_talks_due_list_cached_and_its_last_visit_is_shown_at_once(login, unit, recomputed):
    """Who is due a talk does not follow visits: a visit recomputes none of the list (a city's merge of
    5,000 branches), and the member's row shows the visit just logged as their last one."""

    def member1_row():
        body = login(unit.zzb).get(reverse("visits:coverage"), {"page_size": 100}).content.decode()
        return re.search(rf"<tr[^>]*>(?:(?!</tr>).)*?{unit.member1.name}(?:(?!</tr>).)*?</tr>", body, re.S).group(0)

    assert TODAY.isoformat() not in member1_row()
    recomputed.clear()
    _log_visit(login, unit.shuji1, unit.member1)
    assert TODAY.isoformat() in member1_row()
    assert recomputed and selectors.DUE_CACHE not in {namespace for namespace, _ in recomputed}, recomputed


def test_a_talk_recomputes_its_branch_and_its_participants_branches(login, unit, recomputed):
    client = login(unit.zzb)
    before = _home_due_count(client)
    recomputed.clear()
    talk = Talk.objects.create(
        organization=unit.branch1,
        kind=Talk.Kind.INDIVIDUAL,
        talked_on=TODAY,
        reason=Talk.Reason.ANNUAL,
        summary="跨支部谈话",
    )
    talk.participants.set([unit.member1, unit.member2])
    assert _home_due_count(client) == before - 2
    assert recomputed and all(ids == sorted([unit.branch1.pk, unit.branch2.pk]) for _, ids in recomputed), recomputed


def test_a_new_member_recomputes_everything(login, unit, recomputed):
    client = login(unit.zzb)
    before = _home_due_count(client)
    recomputed.clear()
    MemberFactory(organization=unit.branch3, name="新来的")
    assert _home_due_count(client) == before + 1
    assert any(len(ids) > 1 for _, ids in recomputed)


def test_figures_put_together_from_branches_equal_the_figures_computed_at_once(unit):
    """The merged order of the members due a talk and of the targets not visited is the order of one
    query over every branch."""
    festival = selectors.last_holiday(Occasion.SPRING_FESTIVAL, TODAY)
    for branch in (unit.branch1, unit.branch2, unit.branch3):
        for index in range(4):
            member = MemberFactory(organization=branch, name=f"{branch.name}{index}", is_model_worker=index % 2 == 0)
            if index == 1:
                VisitFactory(member=member, visited_on=festival - dt.timedelta(days=400))
        talk = Talk.objects.create(
            organization=branch,
            kind=Talk.Kind.INDIVIDUAL,
            talked_on=TODAY - dt.timedelta(days=800),
            reason=Talk.Reason.ANNUAL,
            summary="旧谈话",
        )
        talk.participants.set(Member.objects.filter(organization=branch)[:2])
    ids = [unit.branch1.pk, unit.branch2.pk, unit.branch3.pk]
    members = Member.objects.filter(organization__in=ids)
    # Warm one branch's part first so that the page's figures are put together from parts computed apart.
    selectors.talks_due_rows([unit.branch2.pk], TODAY)
    selectors.not_visited_summary([unit.branch2.pk], TODAY)
    due = selectors.talks_due_rows(ids, TODAY)
    expected = list(selectors.talks_due(members, TODAY).values_list("pk", flat=True))
    assert [row[0] for row in due] == expected
    # The home page's head of the list, merged from each branch's first rows, is the list's head.
    selectors.talks_due_head([unit.branch1.pk], TODAY, first=3)
    for first in (1, 3, 5):
        assert selectors.talks_due_head(ids, TODAY, first=first) == (len(due), due[:first])
    not_visited = selectors.not_visited_summary(ids, TODAY)
    for group, (label, _, queryset) in zip(not_visited, selectors.not_visited_targets(members, TODAY), strict=True):
        assert group.label == label
        assert group.count == queryset.count()
        assert [pk for pk, _ in group.first] == list(
            queryset.values_list("pk", flat=True)[: selectors.SHOWN_NOT_VISITED]
        )


def test_a_ledger_line_shows_on_the_home_page_at_once_though_visits_are_cached_per_branch(login, unit):
    from tests.hardship.conftest import ensure_reference_rows
    from tests.hardship.factories import RecordFactory

    ensure_reference_rows()
    client = login(unit.zzb)

    def hardship_tile() -> int:
        body = client.get("/").content.decode()
        return int(re.search(r"困难党员</div><div[^>]*>([\d,]+)<", body).group(1).replace(",", ""))

    before = hardship_tile()
    RecordFactory(member=unit.member3, registered_on=TODAY)
    assert hardship_tile() == before + 1


def test_a_reader_a_few_changes_behind_reads_only_the_organizations_that_changed(unit, monkeypatch):
    """Over a city a scope holds 5,000 organizations: after a visit the next reader learns from the
    change log which branches changed and reads their generations only — and still recomputes them,
    and falls back to reading every generation when the log does not hold the changes."""
    from django.core.cache import cache as django_cache

    ids = list(range(1, 101))  # the test cache (locmem) keeps 300 entries
    computed: list[list[int]] = []

    def compute(wanted):
        computed.append(sorted(wanted))
        return {pk: pk for pk in wanted}

    def total():
        return cache.cached_by_organization("test:log", ["p"], ids, compute, lambda parts: sum(parts.values()))

    read: list[int] = []
    real_get_many = django_cache.get_many
    monkeypatch.setattr(django_cache, "get_many", lambda keys: read.append(len(keys)) or real_get_many(keys))

    assert total() == sum(ids) and computed == [ids]
    cache.bump_organizations("test:log", [7])
    cache.bump_organizations("test:log", [9, 7])
    computed.clear()
    read.clear()
    assert total() == sum(ids)
    assert computed == [[7, 9]]
    # The entry and the count; the two changes; two generations and the parts' buckets (not a
    # generation per organization).
    assert max(read) <= 2 + cache.PARTS_BUCKETS < len(ids)

    # The log no longer holds a change (expired): every generation is read, and nothing is missed.
    cache.bump_organizations("test:log", [11])
    number = django_cache.get("test:log:changes")
    django_cache.delete(f"test:log:changes:{number}")
    computed.clear()
    read.clear()
    assert total() == sum(ids)
    assert computed == [[11]] and max(read) > len(ids)


def test_after_a_change_only_the_changed_organizations_bucket_of_parts_is_written_again(unit, monkeypatch):
    """A city's 5,000 parts were pickled whole after every visit; now only the bucket holding the
    branch that changed is written, and a reader still finds every part."""
    from django.core.cache import cache as django_cache

    ids = list(range(1, 101))
    computed: list[list[int]] = []

    def compute(wanted):
        computed.append(sorted(wanted))
        return {pk: pk * 10 for pk in wanted}

    def total():
        return cache.cached_by_organization("test:buckets", ["p"], ids, compute, lambda parts: sum(parts.values()))

    assert total() == 10 * sum(ids)
    written: list[dict] = []
    real_set_many = django_cache.set_many
    monkeypatch.setattr(
        django_cache, "set_many", lambda data, *a, **k: written.append(data) or real_set_many(data, *a, **k)
    )
    cache.bump_organizations("test:buckets", [7])
    computed.clear()
    assert total() == 10 * sum(ids) and computed == [[7]]
    parts = {key: value for data in written for key, value in data.items() if ":parts:" in key}
    assert len(parts) == 1
    [bucket] = parts.values()
    assert bucket[7][1] == 70 and set(bucket) == {pk for pk in ids if pk % cache.PARTS_BUCKETS == 7}
    computed.clear()
    assert total() == 10 * sum(ids) and computed == []  # nothing recomputed: every part is found


def test_a_visit_recomputes_its_branchs_part_of_the_monthly_and_holiday_sections(login, unit, recomputed):
    client = login(unit.zzb)

    def visits_this_month() -> int:
        response = client.get(reverse("reports:dashboard"))
        section = next(s for s in response.context["sections"] if s.title == "每月走访与谈话")
        row = next((r for r in section.rows if r.cells[0] == f"{TODAY.month}月"), None)
        return row.cells[1] if row else 0

    before = visits_this_month()
    recomputed.clear()
    _log_visit(login, unit.shuji1, unit.member1)
    assert visits_this_month() == before + 1
    parts = [ids for namespace, ids in recomputed if namespace.startswith("reports:parts:section:")]
    assert parts and all(ids == [unit.branch1.pk] for ids in parts), recomputed
    assert {namespace for namespace, _ in recomputed if namespace.startswith("reports:parts:section:")} == {
        "reports:parts:section:monthly",
        "reports:parts:section:holiday",
        "reports:parts:section:spending",
    }


def test_the_combined_talks_due_list_keeps_every_field_through_its_packed_form():
    """The coverage page pages through the list as cached (packed records): never-talked members keep
    "从未" (None, not day zero), dates and flags come back as they went in, and a page is a slice."""
    rows = [
        (7, None, True, False),
        (3, dt.date(2024, 5, 1).toordinal(), False, True),
        (11, dt.date(2023, 1, 9).toordinal(), False, False),
    ]
    packed = selectors.PackedDueRows(rows)
    assert len(packed) == 3
    assert list(packed) == rows
    assert packed[1:] == rows[1:]
    assert packed[-1] == rows[-1]
    with pytest.raises(IndexError):
        packed[3]


def test_a_coverage_page_past_the_cached_head_of_the_talks_due_list_shows_the_right_members(unit, monkeypatch):
    """Only the head of the talks-due list is kept combined; a page past it reads the list again and
    shows what the full order puts there (a row straddling the head's end included)."""
    for branch in (unit.branch1, unit.branch2):
        for index in range(3):
            MemberFactory(organization=branch, name=f"{branch.name}成员{index}")
    ids = [unit.branch1.pk, unit.branch2.pk]
    expected = list(
        selectors.talks_due(Member.objects.filter(organization__in=ids), TODAY).values_list("pk", flat=True)
    )
    monkeypatch.setattr(selectors, "DUE_HEAD", 2)
    cache.bump(selectors.DUE_CACHE)
    due = selectors.talks_due_rows(ids, TODAY)
    assert len(due) == len(expected) and len(due.head) == 2
    assert [row[0] for row in due[0:2]] == expected[0:2]
    assert [row[0] for row in due[1:4]] == expected[1:4]
    assert [row[0] for row in due[3:]] == expected[3:]
    assert due[-1][0] == expected[-1]
    again = selectors.talks_due_rows(ids, TODAY)  # from the cache: the head as stored, the rest read again
    assert [row[0] for row in again] == expected
