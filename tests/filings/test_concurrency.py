"""Two at once on PostgreSQL with real threads: one submission per period and unit, one decision per
submission."""

import datetime as dt
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from core import clock
from core.errors import DomainError
from filings import services
from filings.models import Filing, FilingVersion, Status
from filings.periods import HALF_YEAR, Period

H2 = Period(HALF_YEAR, 2025, 2)
DAY = dt.date(2026, 1, 10)


def _race(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def attempt(call):
        try:
            barrier.wait()
            with clock.at(DAY):
                call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_submitted_twice_at_once_is_submitted_once(unit):
    def submit():
        services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)

    assert _race(submit, submit) == ["ok", "当前状态为“已报送”，不能变更为“已报送”"]
    assert FilingVersion.objects.count() == 1
    # The refused run's workbook is not left in the store.
    _, names = default_storage.listdir(services.FOLDER)
    assert names == [FilingVersion.objects.get().file.name.split("/")[-1]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_department_members_deciding_at_once_decide_once(unit):
    with clock.at(DAY):
        filing = services.submit(by=unit.shuji1, organization=unit.branch1, period=H2)
    outcomes = _race(
        lambda: services.accept(by=unit.zzb, filing_id=filing.pk),
        lambda: services.return_filing(by=unit.zzb2, filing_id=filing.pk, comment="请补充"),
    )
    filing.refresh_from_db()
    assert outcomes[0] == "ok" and outcomes[1].startswith("当前状态为“")
    assert filing.status in (Status.ACCEPTED, Status.RETURNED)
    assert filing.events.count() == 2  # submitted, then one decision
    assert Filing.objects.count() == 1
