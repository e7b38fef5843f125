"""Deep pages read through the deferred join show exactly the rows a plain OFFSET would."""

from __future__ import annotations

import datetime as dt

import pytest

from core.pagination import DeferredJoinPaginator
from tests.visits.factories import VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _visit_ids(response) -> list[int]:
    return [visit.pk for visit in response.context["visits"]]


def test_a_deep_page_shows_the_same_visits_in_the_same_order(unit, login, monkeypatch):
    today = dt.date.today()
    for index in range(12):
        # Pairs on the same day: the order falls back to the id, as the list's ordering says.
        VisitFactory(member=unit.member1, visited_on=today - dt.timedelta(days=index // 2))
    expected = list(Visit.objects.order_by("-visited_on", "-id").values_list("pk", flat=True))
    client = login(unit.zzb)
    plain = [_visit_ids(client.get(f"/visits/?page_size=5&page={page}")) for page in (1, 2, 3)]
    monkeypatch.setattr(DeferredJoinPaginator, "DEFER_AFTER", 5)
    deferred = [_visit_ids(client.get(f"/visits/?page_size=5&page={page}")) for page in (1, 2, 3)]
    assert deferred == plain
    assert [pk for page in plain for pk in page] == expected[:15]


def test_a_deep_page_keeps_its_joins_and_prefetches(unit, login, monkeypatch):
    for _ in range(6):
        VisitFactory(member=unit.member1, visitors=[unit.member2])
    monkeypatch.setattr(DeferredJoinPaginator, "DEFER_AFTER", 3)
    client = login(unit.zzb)
    response = client.get("/visits/?page_size=3&page=2")
    assert response.status_code == 200
    body = response.content.decode()
    assert unit.member1.name in body and unit.member2.name in body
    assert len(response.context["visits"]) == 3


def test_a_deep_page_costs_as_many_queries_as_the_first(unit, login, monkeypatch):
    """A county's deep page is above the deferral threshold, a city's below it: the page's queries must
    not depend on which side it is (the keys are picked in a subquery of the same statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(9):
        VisitFactory(member=unit.member1, visitors=[unit.member2])
    client = login(unit.zzb)
    client.get("/visits/?page_size=3&page=3")  # the session and the menu's cached figures warm
    counts = {}
    for threshold in (1000, 3):
        monkeypatch.setattr(DeferredJoinPaginator, "DEFER_AFTER", threshold)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/visits/?page_size=3&page=3")
        assert len(response.context["visits"]) == 3
        counts[threshold] = len(captured.captured_queries)
    assert counts[3] == counts[1000]
