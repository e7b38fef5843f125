import datetime as dt

import pytest
from lunar_python import Lunar

from core import clock
from core.calendars import (
    HolidayRange,
    WorkCalendar,
    add_working_days,
    is_workday,
    notice_period,
    save_schedule,
    spring_festival,
    statutory_holidays,
    working_days_between,
    years_needing_schedule,
)
from core.errors import DomainError
from core.models import CalendarChange, CalendarDay

# 正月初一 as published (Gregorian dates of Chinese New Year).
PUBLISHED_SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}

D = dt.date
# A 2027 schedule as a State Council notice could set it (the real one is published in late 2026):
# 春节 除夕 to 初七 off with Saturday 13 February worked, and so on for every holiday.
SCHEDULE_2027 = [
    HolidayRange("元旦", D(2027, 1, 1), D(2027, 1, 3)),
    HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 12), (D(2027, 2, 13),)),
    HolidayRange("清明节", D(2027, 4, 3), D(2027, 4, 5)),
    HolidayRange("劳动节", D(2027, 5, 1), D(2027, 5, 5), (D(2027, 4, 25), D(2027, 5, 8))),
    HolidayRange("端午节", D(2027, 6, 9), D(2027, 6, 9)),
    HolidayRange("中秋节", D(2027, 9, 15), D(2027, 9, 15)),
    HolidayRange("国庆节", D(2027, 10, 1), D(2027, 10, 7), (D(2027, 9, 26), D(2027, 10, 9))),
]


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@pytest.mark.parametrize(("year", "expected"), sorted(PUBLISHED_SPRING_FESTIVAL.items()))
def test_spring_festival_matches_published_dates(year, expected):
    assert spring_festival(year) == expected


@pytest.mark.parametrize("year", range(2027, 2036))
def test_statutory_holidays_follow_the_2024_rules_and_the_lunar_calendar(year):
    """The `holidays` package's China rules checked against lunar-python for the years nobody has entered:
    元旦 1 day, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3."""
    days = statutory_holidays(year, observed=False)
    new_year = spring_festival(year)
    eve = new_year - dt.timedelta(days=1)  # 除夕: the last day of the twelfth month, 29th or 30th
    assert _solar(Lunar.fromYmd(year, 1, 1).next(-1)) == eve
    expected = {
        D(year, 1, 1),
        eve,
        new_year,
        new_year + dt.timedelta(days=1),
        new_year + dt.timedelta(days=2),
        D(year, 5, 1),
        D(year, 5, 2),
        _solar(Lunar.fromYmd(year, 5, 5)),
        _solar(Lunar.fromYmd(year, 8, 15)),
        D(year, 10, 1),
        D(year, 10, 2),
        D(year, 10, 3),
    }
    qingming = [day for day, name in days.items() if "清明" in name]
    assert len(qingming) == 1 and qingming[0] in (D(year, 4, 4), D(year, 4, 5))
    assert set(days) - set(qingming) == expected


@pytest.mark.django_db
class TestWorkingDays:
    def test_national_day_holiday_is_skipped(self):
        # 2025: 10月1日–8日放假, 9月28日(日) and 10月11日(六) 调休上班.
        assert not is_workday(D(2025, 10, 3))
        assert is_workday(D(2025, 10, 11))
        # Five working days from Tuesday 30 Sept 2025: 9, 10, 11 (Sat, 调休), 13, 14 October.
        assert add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)
        assert not notice_period(D(2025, 9, 30), 5).provisional

    def test_spring_festival_holiday_is_skipped(self):
        # 2026 春节: 2月15日–23日放假, 2月14日(六) and 2月28日(六) 调休上班.
        assert is_workday(D(2026, 2, 14))
        assert not is_workday(D(2026, 2, 20))
        assert add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)

    def test_counting_between_two_dates(self):
        assert working_days_between(D(2025, 9, 30), D(2025, 10, 14)) == 5

    def test_spring_festival_2027_without_any_schedule_lands_after_the_festival(self):
        """Friday 5 February 2027 is 除夕; 初一 (6th) and 初二 (7th) fall on the weekend and are made up on
        Tuesday 9th and Wednesday 10th (第六条), 初三 is Monday 8th. Five working days: 11, 12, 15, 16, 17."""
        period = notice_period(D(2027, 2, 5), 5)
        assert period.end == D(2027, 2, 17)
        assert period.end > spring_festival(2027) + dt.timedelta(days=2)  # not inside the festival, as before
        assert period.provisional and {day.year for day in period.provisional_days} == {2027}
        assert "2027 年" in period.basis and "暂定" in period.basis

    def test_new_year_2027_is_not_counted_as_a_working_day(self):
        # Monday 28 December 2026 (2026 is official): 29, 30, 31 December; 1 January 2027 (元旦, a Friday) is
        # off, then the weekend; 4 and 5 January. Weekends alone had ended it on 4 January.
        period = notice_period(D(2026, 12, 28), 5)
        assert period.end == D(2027, 1, 5)
        assert period.provisional_days[0] == D(2027, 1, 1)  # the 2026 days are official; 2027's are not

    def test_dragon_boat_2027_is_not_counted_as_a_working_day(self):
        # Monday 7 June 2027: 8; 端午 (五月初五) is Wednesday 9 June; 10, 11, 14, 15.
        assert _solar(Lunar.fromYmd(2027, 5, 5)) == D(2027, 6, 9)
        assert add_working_days(D(2027, 6, 7), 5) == D(2027, 6, 15)

    def test_an_entered_schedule_decides_its_year(self, unit):
        with clock.at(D(2026, 11, 20)):
            change = save_schedule(
                year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知", ranges=SCHEDULE_2027, by=unit.zzb
            )
        assert change.summary.startswith("录入")
        # From 除夕: 6–12 off, Saturday 13 worked (1), Sunday 14 off, then 15, 16, 17, 18.
        period = notice_period(D(2027, 2, 5), 5)
        assert period.end == D(2027, 2, 18) and not period.provisional
        # A day the notice does not list is an ordinary day: Tuesday 9 February is off only through the
        # schedule's range, and Thursday 30 December 2027 — not in any range — is a working day.
        assert not is_workday(D(2027, 2, 9)) and is_workday(D(2027, 12, 30))
        assert is_workday(D(2027, 10, 9))  # a 调休 Saturday
        assert not WorkCalendar.load().provisional_days(D(2027, 1, 1), D(2027, 12, 31))

    def test_unknown_far_year_falls_back_to_statutory_then_weekends(self):
        assert not is_workday(D(2100, 10, 1))  # 国庆 by the statute
        assert is_workday(D(2100, 10, 6))  # a Wednesday
        assert notice_period(D(2100, 10, 6), 1).provisional


@pytest.mark.django_db
class TestEnteringASchedule:
    NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"

    def _save(self, unit, ranges, year=2027):
        with clock.at(D(2026, 11, 20)):
            return save_schedule(year=year, notice=self.NOTICE, ranges=ranges, by=unit.zzb)

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            (HolidayRange("春节", D(2027, 2, 12), D(2027, 2, 5)), "早于开始日期"),
            (HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 20)), "超过 10 天"),
            (HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 12), (D(2027, 2, 17),)), "星期三"),
            (HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 12), (D(2027, 2, 6),)), "已是“春节”的放假日期"),
            (HolidayRange("春节", D(2027, 2, 6), D(2027, 2, 12)), "2027-02-05（星期五）（农历除夕）"),
            (HolidayRange("春节", D(2028, 2, 5), D(2028, 2, 12)), "请确认是 2027 年的安排"),
            (HolidayRange("春节", None, D(2027, 2, 12)), "请填写放假的起止日期"),
            (HolidayRange("", D(2027, 2, 5), D(2027, 2, 12)), "请选择节日名称"),
        ],
    )
    def test_each_line_is_checked_and_nothing_is_saved(self, unit, line, message):
        ranges = [r for r in SCHEDULE_2027 if r.name != "春节"] + [line]
        with pytest.raises(DomainError, match=message):
            self._save(unit, ranges)
        assert not CalendarDay.objects.exists() and not CalendarChange.objects.exists()

    def test_overlapping_holidays_are_refused(self, unit):
        ranges = [*SCHEDULE_2027, HolidayRange("国庆节、中秋节", D(2027, 10, 7), D(2027, 10, 8))]
        with pytest.raises(DomainError, match="重叠"):
            self._save(unit, ranges)

    def test_only_this_year_and_next_or_last(self, unit):
        with pytest.raises(DomainError, match="只能录入 2025—2027 年"):
            self._save(unit, SCHEDULE_2027, year=2029)

    def test_an_edit_records_what_changed(self, unit):
        self._save(unit, SCHEDULE_2027)
        edited = [r if r.name != "春节" else HolidayRange("春节", D(2027, 2, 5), D(2027, 2, 13)) for r in SCHEDULE_2027]
        change = self._save(unit, edited)
        assert "新增放假 02-13" in change.summary and "取消调休上班 02-13" in change.summary
        assert not is_workday(D(2027, 2, 13))
        assert CalendarChange.objects.count() == 2

    def test_schedule_is_asked_for_from_november(self, unit):
        assert years_needing_schedule(D(2026, 10, 31)) == []  # 2026 is in chinesecalendar
        assert years_needing_schedule(D(2026, 11, 1)) == [2027]
        self._save(unit, SCHEDULE_2027)
        assert years_needing_schedule(D(2026, 11, 2)) == []
        assert years_needing_schedule(D(2028, 3, 1)) == [2028]  # a year nobody entered, all year long
