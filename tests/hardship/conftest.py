import importlib

import pytest

from tests.hardship.factories import RecordFactory

_reference = importlib.import_module("hardship.migrations.0002_categories_and_help_types")


def ensure_reference_rows() -> None:
    """The categories and help types come from a data migration; a transactional test elsewhere in the
    run flushes tables, so put them back (idempotent)."""
    from django.apps import apps

    _reference.add_rows(apps, None)


@pytest.fixture(autouse=True)
def _hardship_reference_rows(db):
    ensure_reference_rows()


@pytest.fixture
def record1(unit):
    """A ledger line for 刘一 of branch 1 (shuji1's branch)."""
    return RecordFactory(member=unit.member1)


@pytest.fixture
def record2(unit):
    """A ledger line for 陈二 of branch 2 (shuji2's branch)."""
    return RecordFactory(member=unit.member2)
