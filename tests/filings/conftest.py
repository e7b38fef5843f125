import datetime as dt

import pytest

from core import clock


@pytest.fixture(autouse=True)
def _early_march_2026():
    """The pages and services read the day through core.clock: these tests happen in early March 2026,
    when 2025年下半年 and 2025年度 are the periods due (and overdue), whatever day the suite runs."""
    with clock.at(dt.date(2026, 3, 2), hour=10):
        yield
