import datetime as dt

import pytest

from core.calendars import add_working_days, calendar_source, is_workday, spring_festival, working_days_between
from core.models import CalendarDay

# 正月初一 as published (Gregorian dates of Chinese New Year).
PUBLISHED_SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3), 2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11), 2033: dt.date(2033, 1, 31), 2034: dt.date(2034, 2, 19), 2035: dt.date(2035, 2, 8),
}


@pytest.mark.parametrize(("year", "expected"), sorted(PUBLISHED_SPRING_FESTIVAL.items()))
def test_spring_festival_matches_published_dates(year, expected):
    assert spring_festival(year) == expected


@pytest.mark.django_db
class TestWorkingDays:
    def test_national_day_holiday_is_skipped(self):
        # 2025: 10月1日–8日放假, 9月28日(日) and 10月11日(六) 调休上班.
        assert not is_workday(dt.date(2025, 10, 3))
        assert is_workday(dt.date(2025, 10, 11))
        # Five working days from Tuesday 30 Sept 2025: 9, 10, 11 (Sat, 调休), 13, 14 October.
        assert add_working_days(dt.date(2025, 9, 30), 5) == dt.date(2025, 10, 14)

    def test_spring_festival_holiday_is_skipped(self):
        # 2026 春节: 2月15日–23日放假, 2月14日(六) and 2月28日(六) 调休上班.
        assert is_workday(dt.date(2026, 2, 14))
        assert not is_workday(dt.date(2026, 2, 20))
        assert add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)

    def test_counting_between_two_dates(self):
        assert working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 14)) == 5

    def test_unknown_year_falls_back_to_weekends(self):
        # Friday 1 Oct 2100: no library data, no admin rows → an ordinary Friday.
        assert is_workday(dt.date(2100, 10, 1))
        assert add_working_days(dt.date(2100, 10, 1), 1) == dt.date(2100, 10, 4)
        assert "仅按周末" in calendar_source(2100)

    def test_admin_rows_override_everything(self):
        CalendarDay.objects.create(date=dt.date(2100, 10, 4), is_workday=False, name="国庆节")
        assert not is_workday(dt.date(2100, 10, 4))
        assert add_working_days(dt.date(2100, 10, 1), 1) == dt.date(2100, 10, 5)
        assert calendar_source(2100) == "管理员录入的节假日安排"
