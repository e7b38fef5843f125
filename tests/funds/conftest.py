import pytest

from tests.funds.factories import fund_with


@pytest.fixture
def fund(unit):
    return fund_with(unit)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
