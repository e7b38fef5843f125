"""The coverage queries (annual review, no helper, stale pairings) and the half-year report figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from hardship import selectors
from hardship.models import HelpType
from tests.factories import MemberFactory
from tests.hardship.factories import PairingFactory, ProgressFactory, RecordFactory

TODAY = dt.date(2026, 11, 20)


def test_not_reviewed_for_a_year(unit):
    branch = unit.branch1
    fresh = RecordFactory(
        member=MemberFactory(organization=branch),
        registered_on=dt.date(2024, 1, 1),
        last_reviewed_on=TODAY - dt.timedelta(days=364),
    )
    stale = RecordFactory(
        member=MemberFactory(organization=branch),
        registered_on=dt.date(2024, 1, 1),
        last_reviewed_on=TODAY - dt.timedelta(days=366),
    )
    never = RecordFactory(
        member=MemberFactory(organization=branch), registered_on=TODAY - dt.timedelta(days=400), last_reviewed_on=None
    )
    new_never = RecordFactory(
        member=MemberFactory(organization=branch), registered_on=TODAY - dt.timedelta(days=30), last_reviewed_on=None
    )
    RecordFactory(
        member=MemberFactory(organization=branch),
        registered_on=dt.date(2020, 1, 1),
        last_reviewed_on=dt.date(2020, 1, 1),
        status="lifted",
    )
    found = set(selectors.needing_review(unit.shuji1, today=TODAY))
    assert found == {stale, never}
    assert fresh not in found and new_never not in found
    assert set(selectors.needing_review(unit.shuji2, today=TODAY)) == set()


def test_without_helper(unit):
    alone = RecordFactory(member=MemberFactory(organization=unit.branch1))
    helped = RecordFactory(member=MemberFactory(organization=unit.branch1))
    PairingFactory(record=helped)
    ended = RecordFactory(member=MemberFactory(organization=unit.branch1))
    PairingFactory(record=ended, status="ended", ended_on=ended.registered_on)
    assert set(selectors.without_helper(unit.shuji1)) == {alone, ended}
    assert set(selectors.without_helper(unit.zzb)) == {alone, ended}
    assert set(selectors.without_helper(unit.shuji2)) == set()


def test_stale_pairings(unit):
    record = RecordFactory(member=MemberFactory(organization=unit.branch1), registered_on=dt.date(2025, 1, 1))
    quiet = PairingFactory(record=record, started_on=dt.date(2025, 1, 1))
    ProgressFactory(pairing=quiet, date=TODAY - dt.timedelta(days=200))
    busy = PairingFactory(
        record=RecordFactory(member=MemberFactory(organization=unit.branch1)), started_on=dt.date(2025, 1, 1)
    )
    ProgressFactory(pairing=busy, date=TODAY - dt.timedelta(days=20))
    young = PairingFactory(
        record=RecordFactory(member=MemberFactory(organization=unit.branch1)), started_on=TODAY - dt.timedelta(days=30)
    )
    found = list(selectors.stale_pairings(unit.shuji1, today=TODAY))
    assert found == [quiet]
    assert busy not in found and young not in found


@pytest.fixture
def report_fixture(unit):
    """Branch 1 in the first half of 2026: three pairings, one ended in May, one started in July
    (outside), one in branch 3 (also under the 党委)."""
    living = HelpType.objects.get(code="living")
    thought = HelpType.objects.get(code="thought")
    a = PairingFactory(
        record=RecordFactory(
            member=MemberFactory(organization=unit.branch1, name="甲"), registered_on=dt.date(2025, 6, 1)
        ),
        helper=MemberFactory(organization=unit.branch1, name="帮甲"),
        started_on=dt.date(2025, 6, 1),
    )
    ProgressFactory(pairing=a, date=dt.date(2025, 12, 31), money=Decimal("999"), help_type=living)  # before
    ProgressFactory(pairing=a, date=dt.date(2026, 1, 1), money=Decimal("200"), help_type=living)
    ProgressFactory(pairing=a, date=dt.date(2026, 6, 30), money=Decimal("300.50"), help_type=living)
    ProgressFactory(pairing=a, date=dt.date(2026, 3, 5), money=Decimal("0"), help_type=thought)
    b = PairingFactory(
        record=RecordFactory(
            member=MemberFactory(organization=unit.branch1, name="乙"), registered_on=dt.date(2025, 1, 1)
        ),
        helper=MemberFactory(organization=unit.branch1, name="帮乙"),
        started_on=dt.date(2025, 1, 1),
        status="ended",
        ended_on=dt.date(2026, 5, 10),
        outcome="脱困",
    )
    ProgressFactory(pairing=b, date=dt.date(2026, 2, 1), money=Decimal("100"), help_type=living)
    PairingFactory(
        record=RecordFactory(
            member=MemberFactory(organization=unit.branch1, name="丙"), registered_on=dt.date(2026, 7, 1)
        ),
        helper=MemberFactory(organization=unit.branch1, name="帮丙"),
        started_on=dt.date(2026, 7, 2),
    )
    PairingFactory(
        record=RecordFactory(
            member=MemberFactory(organization=unit.branch1, name="丁"), registered_on=dt.date(2024, 1, 1)
        ),
        helper=MemberFactory(organization=unit.branch1, name="帮丁"),
        started_on=dt.date(2024, 1, 1),
        status="ended",
        ended_on=dt.date(2025, 12, 1),
    )
    c = PairingFactory(
        record=RecordFactory(
            member=MemberFactory(organization=unit.branch3, name="戊"), registered_on=dt.date(2026, 1, 1)
        ),
        helper=MemberFactory(organization=unit.branch3, name="帮戊"),
        started_on=dt.date(2026, 2, 1),
    )
    return {"a": a, "b": b, "c": c}


def test_half_year_report_figures(unit, report_fixture):
    rows = selectors.half_year_report(unit.zzb, organization=unit.branch1, year=2026, half=1)
    figures = {r.pairing.record.member.name: (r.entries, r.money, r.state) for r in rows}
    assert figures == {
        "甲": (3, Decimal("500.50"), "帮扶中"),
        "乙": (1, Decimal("100.00"), "已结束（2026-05-10）"),
    }
    committee = selectors.half_year_report(unit.zzb, organization=unit.committee, year=2026, half=1)
    assert {r.pairing.record.member.name for r in committee} == {"甲", "乙", "戊"}
    assert selectors.half_year_report(unit.shuji2, organization=unit.committee, year=2026, half=1) == []


def test_half_year_report_page_and_xlsx(unit, login, report_fixture):
    import io

    from openpyxl import load_workbook

    client = login(unit.shuji1)
    params = {"organization": unit.branch1.pk, "year": 2026, "half": 1}
    page = client.get(reverse("hardship:report"), params)
    assert page.context["total_entries"] == 4 and page.context["total_money"] == Decimal("600.50")
    response = client.get(reverse("hardship:report_xlsx"), params)
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert {r[1] for r in rows[:2]} == {"甲", "乙"}
    assert rows[-1][0] == "合计" and rows[-1][7] == pytest.approx(600.5)
    other = login(unit.shuji2).get(reverse("hardship:report"), params)
    assert other.context["rows"] == []
    assert login(unit.dangyuan1).get(reverse("hardship:report")).status_code == 403


def test_current_half():
    assert selectors.current_half(dt.date(2026, 7, 5)) == (2026, 1)
    assert selectors.current_half(dt.date(2026, 1, 5)) == (2025, 2)
