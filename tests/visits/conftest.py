import pytest

from hardship.models import HardshipCategory, HardshipRecord


@pytest.fixture
def make_hardship():
    def _make(member, *category_codes, **fields):
        record = HardshipRecord.objects.create(
            member=member, registered_on=fields.pop("registered_on", "2024-01-01"), **fields
        )
        if category_codes:
            record.categories.set(HardshipCategory.objects.filter(code__in=category_codes))
        return record

    return _make
