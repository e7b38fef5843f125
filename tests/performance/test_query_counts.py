"""Regression guard for the performance issue: the query count of every list page (and the coverage
page, the home page, the roster import) stays the same when the data grows tenfold.

Counts, never timings: a page whose queries grow with its rows (a lookup per row, a prefetch gone
missing) is what turns a 20-member test unit's 50 ms into a county's seconds.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import AssistanceApplication
from hardship.models import HardshipRecord, HelpType, Pairing, PairingProgress
from members.models import Member, Organization
from tests.factories import MemberFactory, OrganizationFactory
from tests.funds.factories import fund_with
from tests.hardship.factories import PairingFactory, RecordFactory
from tests.visits.factories import VisitFactory, make_talk

pytestmark = pytest.mark.django_db

_serial = itertools.count()


def grow(unit, fund, rows: int) -> None:
    """`rows` more of everything, spread over the unit's branches and a new branch per call."""
    branch = OrganizationFactory(name=f"新增第{next(_serial)}党支部", parent=unit.committee)
    branches = [unit.branch1, unit.branch2, unit.branch3, branch]
    living = HelpType.objects.get(code="living")
    today = dt.date.today()
    for index in range(rows):
        where = branches[index % len(branches)]
        member, helper = MemberFactory(organization=where), MemberFactory(organization=where)
        record = RecordFactory(member=member)
        pairing = PairingFactory(record=record, helper=helper)
        PairingProgress.objects.create(pairing=pairing, date=today, help_type=living, description="送米送油")
        VisitFactory(member=member, visitors=[helper], visited_on=today - dt.timedelta(days=index))
        make_talk([member], [helper], talked_on=today - dt.timedelta(days=index + 400))
        AssistanceApplication.objects.create(
            fund=fund,
            member=member,
            organization=where,
            kind="living",
            year=today.year,
            amount_requested=Decimal("500.00"),
            reason="家庭困难",
            status="submitted",
            status_changed_at=dt.datetime.now(dt.UTC),
            submitted_by=unit.shuji1,
        )


LISTS = [
    "/members/",
    "/members/?q=王",
    "/members/?page=2",
    "/hardship/",
    "/hardship/?q=王",
    "/hardship/pairings/",
    "/visits/",
    "/visits/?q=王",
    "/visits/talks/",
    "/visits/talks/?q=王",
    "/funds/applications/",
    "/funds/applications/?q=王",
    "/visits/coverage/",
    "/",
]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["zzb", "shuji1"])
def test_list_pages_query_count_does_not_grow_with_the_data(unit, login, who):
    fund = fund_with(unit)
    grow(unit, fund, 3)
    client = login(getattr(unit, who))
    small = {url: _count(client, url) for url in LISTS}
    grow(unit, fund, 30)
    assert HardshipRecord.objects.count() >= 33 and Pairing.objects.count() >= 33
    large = {url: _count(client, url) for url in LISTS}
    assert large == small
    assert max(n for url, n in large.items() if url != "/") <= 15


def test_detail_pages_query_count_does_not_grow_with_the_data(unit, login):
    fund = fund_with(unit)
    grow(unit, fund, 3)
    member = Member.objects.filter(organization=unit.branch1, hardship_records__isnull=False).first()
    record = HardshipRecord.objects.get(member=member)
    urls = [
        f"/members/{member.pk}/",
        f"/hardship/{record.pk}/",
        f"/visits/{member.visits.first().pk}/",
        f"/visits/talks/{member.talks.first().pk}/",
        f"/funds/applications/{member.applications.first().pk}/",
    ]
    client = login(unit.zzb)
    small = {url: _count(client, url) for url in urls}
    grow(unit, fund, 30)
    large = {url: _count(client, url) for url in urls}
    # The hardship detail logs each opening (one insert per view), so compare like with like.
    assert large == small


def test_the_organization_department_home_page_sums_up_a_county(unit, login):
    for index in range(15):
        MemberFactory(organization=OrganizationFactory(name=f"村第{index}党支部", parent=unit.committee), phone="")
    response = login(unit.zzb).get("/")
    html = response.content.decode()
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH).count()
    assert f"全部 {branches} 个支部" in html
    assert "缺电话最多的支部" in html
    assert html.count("村第") <= 12  # the attention list, not all the branches


def test_the_summed_up_roster_follows_the_roster_and_is_cached_summed_up(unit, login):
    """Over more than 12 branches the home page's roster panel is cached as the unit's totals and the
    attention list (a city's 5,000 branch rows were unpickled on every home page): a member added, or
    given a phone number, changes the figures on the next page."""
    from members import selectors

    for index in range(15):
        MemberFactory(organization=OrganizationFactory(name=f"村第{index}党支部", parent=unit.committee), phone="")
    client = login(unit.zzb)
    summary = selectors.home_summary(unit.zzb)
    on_roll = Member.objects.filter(deceased_on__isnull=True, transferred_out_on__isnull=True)
    assert summary["totals"]["total"] == on_roll.count()
    assert summary["totals"]["without_phone"] == on_roll.filter(phone="").count()
    assert len(summary["branches"]) == 12 and summary["branch_count"] > 12
    assert f"全部 {summary['branch_count']} 个支部" in client.get("/").content.decode()

    newcomer = MemberFactory(organization=unit.branch1, phone="")
    assert selectors.home_summary(unit.zzb)["totals"]["total"] == on_roll.count() == summary["totals"]["total"] + 1
    newcomer.phone = "13900000000"
    newcomer.save()
    assert selectors.home_summary(unit.zzb)["totals"]["without_phone"] == summary["totals"]["without_phone"]


DASHBOARDS = ["/", "/visits/coverage/", "/visits/coverage/?page=2&page_size=5"]


@pytest.mark.parametrize("who", ["zzb", "shuji1"])
def test_home_and_coverage_pages_query_counts_cold_and_warm_do_not_grow_with_the_data(unit, login, who):
    """The home page and the coverage page read their county-wide figures from the cache
    (core.cache): computed on the first request (cold) and read on the next (warm). Both counts
    stay the same when the data grows tenfold; a warm page stays within a list page's budget."""
    from django.core.cache import cache

    fund = fund_with(unit)
    grow(unit, fund, 3)
    client = login(getattr(unit, who))

    def counts():
        cache.clear()
        cold = {url: _count(client, url) for url in DASHBOARDS}
        warm = {url: _count(client, url) for url in DASHBOARDS}
        return cold, warm

    small = counts()
    grow(unit, fund, 30)
    large = counts()
    assert large == small
    cold, warm = large
    assert warm["/visits/coverage/"] <= 8 and warm["/visits/coverage/?page=2&page_size=5"] <= 8
    # 16 (15 today, for both roles): a warm home page reads live only what is the viewer's own and
    # changes by the minute (the session and appointments, the plans and their open items, the open
    # prompts, the members due a talk shown by name, the 反映情况 not answered, the unread notices,
    # the roster imports awaiting the 组织部, a helper's own pairings); every figure over the county,
    # the to-dos, the commendation panel, the reports due upward and the 全面排查 totals are cached.
    assert warm["/"] <= 16
    assert all(warm[url] <= cold[url] for url in DASHBOARDS)


def test_a_members_page_stays_within_a_detail_pages_budget(unit, login):
    """A helper with visits, talks and an application: their page reads each domain's section once
    (the pairings they are in and those they carry in one query, the visitors and the interviewers in
    one, what they received with their applications) — within the 15 queries of a detail page."""
    fund = fund_with(unit)
    grow(unit, fund, 3)
    helper = Pairing.objects.filter(helper__organization=unit.branch1).first().helper
    VisitFactory(member=helper, visitors=[unit.member1])
    make_talk([helper], [unit.member1])
    AssistanceApplication.objects.create(
        fund=fund,
        member=helper,
        organization=helper.organization,
        kind="living",
        year=dt.date.today().year,
        amount_requested=Decimal("300.00"),
        reason="家庭困难",
        status="submitted",
        status_changed_at=dt.datetime.now(dt.UTC),
        submitted_by=unit.shuji1,
    )
    client = login(unit.zzb)
    client.get(f"/members/{helper.pk}/")  # the session and the menu's cached figures warm
    assert _count(client, f"/members/{helper.pk}/") <= 15


def _garbage_of_a_warm_request(client, url: str) -> int:
    """How many objects one request leaves in reference cycles (a request is in one: Django's lazy
    user holds it), for the garbage collector to trace: its figures read from the cache first."""
    client.get(url)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert client.get(url).status_code == 200
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()


@pytest.mark.parametrize("url", ["/", "/reports/", "/visits/coverage/"])
def test_a_dashboard_leaves_no_garbage_per_organization(unit, login, settings, url):
    """The 组织部's dashboards read the organizations they cover on every request (a city's 5,500),
    and what a request holds is freed by the garbage collector. Kept as a few columns, they leave the
    same garbage however many organizations there are; as a tuple each, a city's pages left 5,500
    objects each, and a 10–30 ms collection every few pages was their slowest requests."""
    # A cache that keeps every entry, as Redis does: the test cache culls at 300 and would recompute.
    settings.CACHES = {"default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 100_000}}}
    general = OrganizationFactory(name="新增党总支", kind=Organization.Kind.GENERAL_BRANCH, parent=unit.committee)
    MemberFactory(organization=OrganizationFactory(name="新增党支部", parent=general))
    client = login(unit.zzb)
    before = _garbage_of_a_warm_request(client, url)
    for index in range(60):
        OrganizationFactory(name=f"新增第{index}党支部", parent=general)
    after = _garbage_of_a_warm_request(client, url)
    assert after - before < 60
