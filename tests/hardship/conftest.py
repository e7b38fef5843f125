import pytest

from tests.hardship.factories import RecordFactory


@pytest.fixture
def record1(unit):
    """A ledger line for 刘一 of branch 1 (shuji1's branch)."""
    return RecordFactory(member=unit.member1)


@pytest.fixture
def record2(unit):
    """A ledger line for 陈二 of branch 2 (shuji2's branch)."""
    return RecordFactory(member=unit.member2)
