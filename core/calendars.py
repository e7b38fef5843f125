"""Dates the care work hangs on: 春节 from the lunar calendar, and working days for public notices.

春节 (正月初一) comes from lunar-python (MIT), never from a hand-typed table. Working days honour
China's official holidays and 调休 workdays: first the admin-entered `CalendarDay` rows, then the
chinesecalendar library (MIT) for the years it knows, and weekends alone as the last fallback.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
from lunar_python import Lunar

QIYI = (7, 1)  # 七一, the Party's founding anniversary


def spring_festival(year: int) -> dt.date:
    """正月初一 of the lunar year that begins in Gregorian `year`."""
    solar = Lunar.fromYmd(year, 1, 1).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def july_first(year: int) -> dt.date:
    return dt.date(year, *QIYI)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from core.models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


@lru_cache(maxsize=4096)
def _library_workday(day: dt.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None  # a year the installed release does not know


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    known = _library_workday(day)
    if known is not None:
        return known
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which a period of `days` working days that starts the day after `start` ends.

    A notice published on a Friday before 国庆 for 5 working days ends on the 5th working day after
    the holiday, counting 调休 Saturdays as working days.
    """
    if days < 0:
        raise ValueError("days must be non-negative")
    horizon = start + dt.timedelta(days=days * 3 + 30)
    overrides = _overrides(start, horizon)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon:
            horizon = day + dt.timedelta(days=60)
            overrides.update(_overrides(day, horizon))
        if is_workday(day, overrides):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count


def calendar_source(year: int) -> str:
    """Which source decides working days for a year, shown next to notice periods."""
    from core.models import CalendarDay

    if CalendarDay.objects.filter(date__year=year).exists():
        return "管理员录入的节假日安排"
    if _library_workday(dt.date(year, 6, 1)) is not None:
        return "国务院公布的节假日安排"
    return "仅按周末计算（该年节假日安排尚未录入）"
