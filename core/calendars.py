"""Dates the care work hangs on: 春节 from the lunar calendar, and working days for public notices.

春节 (正月初一) comes from lunar-python (MIT), never from a hand-typed table. Whether a day is a
working day is answered by four sources, most trusted first:

1. the year's schedule entered in the app from the State Council's notice (国务院办公厅关于 YYYY 年
   部分节假日安排的通知): its holidays and 调休 working weekend days (`CalendarYear`, `CalendarDay`);
2. chinesecalendar (MIT) for the years the installed release knows (2004–2026 in 1.11.0);
3. the statutory holidays of 《全国年节及纪念日放假办法》 as revised in 2024 — 元旦 1 day, 春节 4
   (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3, a holiday on a weekend made up on the next
   working day (第六条) — computed for any year by the `holidays` package (MIT) from the lunar calendar;
4. weekends.

The first two are official; a day decided by the last two is *provisional*: the State Council moves
days around (调休) in ways no rule predicts, so every date computed through such a day is shown as
provisional, and entering the year's schedule recomputes the open notices (`schedule_changed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import chinese_calendar
import holidays as holiday_rules
from django.db import transaction
from django.dispatch import Signal
from lunar_python import Lunar

from core import clock
from core.errors import DomainError

if TYPE_CHECKING:
    from core.models import CalendarChange

QIYI = (7, 1)  # 七一, the Party's founding anniversary
ONE_DAY = dt.timedelta(days=1)
LONGEST_HOLIDAY = 10  # days: 春节 and 国庆 run to 8 or 9 with 调休

# Sent inside the transaction that saved a year's schedule; receivers recompute the ends of open
# notices and return how many moved. kwargs: year, by (the user), change (the CalendarChange).
schedule_changed = Signal()

OFFICIAL_NAME = "国务院办公厅公布的节假日安排"
STATUTORY_NAME = "《全国年节及纪念日放假办法》法定节假日"
HOLIDAY_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "国庆节、中秋节"]
WORKDAY_SUFFIX = "（调休上班）"


def spring_festival(year: int) -> dt.date:
    """正月初一 of the lunar year that begins in Gregorian `year`."""
    solar = Lunar.fromYmd(year, 1, 1).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def july_first(year: int) -> dt.date:
    return dt.date(year, *QIYI)


# ---------------------------------------------------------------- the sources


@lru_cache(maxsize=256)
def library_knows(year: int) -> bool:
    """Whether the installed chinesecalendar release has the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=64)
def statutory_holidays(year: int, *, observed: bool = True) -> dict[dt.date, str]:
    """The days off 《全国年节及纪念日放假办法》 gives in `year`, by Chinese name. With `observed`, a holiday
    on a Saturday or Sunday is made up on the next working day (第六条), as the package computes it."""
    rules = holiday_rules.China(years=year, observed=observed, language="zh_CN")
    return {day: name for day, name in sorted(rules.items()) if day.year == year}


def statutory_ranges(year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The statutory holidays of `year` grouped as the notice names them (除夕 goes with 春节)."""
    ranges: list[tuple[str, dt.date, dt.date]] = []
    for day, name in statutory_holidays(year, observed=False).items():
        name = "春节" if "除夕" in name else name.split("; ")[-1]
        if ranges and ranges[-1][0] == name and ranges[-1][2] + ONE_DAY == day:
            ranges[-1] = (name, ranges[-1][1], day)
        else:
            ranges.append((name, day, day))
    return ranges


@dataclass
class WorkCalendar:
    """The entered schedules, read once; answers for any day without further queries."""

    entered_years: frozenset[int]
    entered_days: dict[dt.date, bool]

    @classmethod
    def load(cls) -> WorkCalendar:
        from core.models import CalendarDay, CalendarYear

        return cls(
            frozenset(CalendarYear.objects.values_list("year", flat=True)),
            dict(CalendarDay.objects.values_list("date", "is_workday")),
        )

    def is_official(self, day: dt.date) -> bool:
        return day in self.entered_days or day.year in self.entered_years or library_knows(day.year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.entered_days:
            return self.entered_days[day]
        if day.year in self.entered_years:
            return day.weekday() < 5  # the notice lists every exception of its year
        if library_knows(day.year):
            return chinese_calendar.is_workday(day)
        if day in statutory_holidays(day.year):
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        if days < 0:
            raise ValueError("days must be non-negative")
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day

    def provisional_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Days after `start` up to `end` that no official schedule decided."""
        days, day = [], start
        while day < end:
            day += ONE_DAY
            if not self.is_official(day):
                days.append(day)
        return days

    def period(self, start: dt.date, days: int) -> Period:
        end = self.add_working_days(start, days)
        return Period(start=start, end=end, provisional_days=tuple(self.provisional_days(start, end)))

    def describe(self, start: dt.date | None, end: dt.date | None) -> Period | None:
        if start is None or end is None:
            return None
        return Period(start=start, end=end, provisional_days=tuple(self.provisional_days(start, end)))


@dataclass(frozen=True)
class Period:
    """A notice period and, if some of its days were not in an official schedule, which ones."""

    start: dt.date
    end: dt.date
    provisional_days: tuple[dt.date, ...] = field(default=())

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_days)

    @property
    def basis(self) -> str:
        """One line saying how the end was counted, shown beside it."""
        if not self.provisional:
            return f"按{OFFICIAL_NAME}计算"
        years = sorted({day.year for day in self.provisional_days})
        listed = "、".join(str(year) for year in years)
        return f"暂定：{listed} 年的节假日安排尚未公布或录入，暂按{STATUTORY_NAME}推算；录入后自动重算"


# ---------------------------------------------------------------- the questions the app asks


def is_workday(day: dt.date) -> bool:
    return WorkCalendar.load().is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which a period of `days` working days that starts the day after `start` ends.

    A notice published on a Friday before 国庆 for 5 working days ends on the 5th working day after
    the holiday, counting 调休 Saturdays as working days.
    """
    return WorkCalendar.load().add_working_days(start, days)


def notice_period(start: dt.date, days: int) -> Period:
    return WorkCalendar.load().period(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    calendar = WorkCalendar.load()
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if calendar.is_workday(day):
            count += 1
    return count


def has_official_schedule(year: int) -> bool:
    from core.models import CalendarYear

    return library_knows(year) or CalendarYear.objects.filter(year=year).exists()


def years_needing_schedule(today: dt.date) -> list[int]:
    """This year if nothing official covers it; from 1 November, next year too (the State Council
    publishes it in late October or November)."""
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [year for year in wanted if not has_official_schedule(year)]


# ---------------------------------------------------------------- entering a year's schedule


@dataclass(frozen=True)
class HolidayRange:
    """One line of the notice: a holiday's days off and the weekend days worked in exchange."""

    name: str
    start: dt.date | None
    end: dt.date | None
    workdays: tuple[dt.date, ...] = ()


WEEKDAYS = "一二三四五六日"


def _label(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}（星期{WEEKDAYS[day.weekday()]}）"


def check_schedule(year: int, ranges: Sequence[HolidayRange], *, today: dt.date) -> dict[dt.date, tuple[bool, str]]:
    """The days the schedule sets, {date: (is_workday, name)}, after checking each line is sane.
    Raises DomainError naming the line and what is wrong."""
    if not today.year - 1 <= year <= today.year + 1:
        raise DomainError(f"只能录入 {today.year - 1}—{today.year + 1} 年的节假日安排")
    first, last = dt.date(year - 1, 12, 25), dt.date(year, 12, 31)
    days: dict[dt.date, tuple[bool, str]] = {}
    lines = [line for line in ranges if line.start or line.end or line.workdays]
    if not lines:
        raise DomainError("请至少录入一个节日的放假日期")
    for number, line in enumerate(lines, start=1):
        where = f"第 {number} 行（{line.name or '未填节日'}）"
        if not line.name.strip():
            raise DomainError(f"{where}：请选择节日名称")
        if not line.start or not line.end:
            raise DomainError(f"{where}：请填写放假的起止日期")
        if line.end < line.start:
            raise DomainError(f"{where}：放假结束日期 {line.end:%Y-%m-%d} 早于开始日期 {line.start:%Y-%m-%d}")
        if line.start < first or line.end > last:
            raise DomainError(
                f"{where}：放假日期应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间，请确认是 {year} 年的安排"
            )
        length = (line.end - line.start).days + 1
        if length > LONGEST_HOLIDAY:
            raise DomainError(f"{where}：连续放假 {length} 天，超过 {LONGEST_HOLIDAY} 天，请核对起止日期")
        day = line.start
        while day <= line.end:
            if day in days:
                raise DomainError(f"{where}：{day:%Y-%m-%d} 已在“{days[day][1]}”的放假日期中，两个节日的放假日期重叠")
            days[day] = (False, line.name)
            day += ONE_DAY
    for number, line in enumerate(lines, start=1):
        where = f"第 {number} 行（{line.name}）"
        for workday in line.workdays:
            if workday < first or workday > last:
                raise DomainError(f"{where}：调休上班日 {workday:%Y-%m-%d} 不在 {year} 年安排的范围内")
            if workday.weekday() < 5:
                raise DomainError(
                    f"{where}：调休上班日 {_label(workday)} 本来就是工作日，"
                    "调休上班日应为星期六或星期日，请对照通知核对"
                )
            if workday in days:
                is_workday, name = days[workday]
                what = "调休上班日" if is_workday else "放假日期"
                raise DomainError(f"{where}：{workday:%Y-%m-%d} 已是“{name}”的{what}")
            days[workday] = (True, f"{line.name}{WORKDAY_SUFFIX}")
    for day, name in statutory_holidays(year, observed=False).items():
        if days.get(day, (True, ""))[0]:
            raise DomainError(
                f"法定节假日 {_label(day)}（{name}）不在录入的任何放假日期内，请对照国务院办公厅的通知核对"
            )
    return days


def _describe_changes(old: dict[dt.date, tuple[bool, str]], new: dict[dt.date, tuple[bool, str]]) -> str:
    def listed(days: Iterable[dt.date]) -> str:
        return "、".join(f"{day:%m-%d}" for day in sorted(days))

    if not old:
        holidays_ = [day for day, (work, _) in new.items() if not work]
        workdays = [day for day, (work, _) in new.items() if work]
        return f"录入：放假 {len(holidays_)} 天，调休上班 {len(workdays)} 天（{listed(workdays) or '无'}）"
    lines = []
    for label, wanted in (("放假", False), ("调休上班", True)):
        before = {day for day, (work, _) in old.items() if work == wanted}
        after = {day for day, (work, _) in new.items() if work == wanted}
        if after - before:
            lines.append(f"新增{label} {listed(after - before)}")
        if before - after:
            lines.append(f"取消{label} {listed(before - after)}")
    return "修改：" + ("；".join(lines) if lines else "日期未变（仅更新说明）")


@transaction.atomic
def save_schedule(*, year: int, notice: str, ranges: Sequence[HolidayRange], by) -> CalendarChange:
    """Enter or replace a year's schedule, record what changed, and let the apps recompute their open
    notices (`schedule_changed`). The caller has checked that `by` may do this."""
    from core.models import CalendarChange, CalendarDay, CalendarYear

    notice = " ".join(notice.split())
    if not notice:
        raise DomainError("请填写通知名称或文号，例如：国务院办公厅关于2027年部分节假日安排的通知")
    if len(notice) > 200:
        raise DomainError("通知名称或文号不能超过 200 个字")
    new = check_schedule(year, ranges, today=clock.today())
    schedule, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"notice": notice, "entered_by": by}
    )
    taken = CalendarDay.objects.filter(date__in=list(new)).exclude(schedule=schedule).select_related("schedule")
    for day in taken[:1]:
        raise DomainError(f"{day.date:%Y-%m-%d} 已在 {day.schedule.year} 年的节假日安排中录入，请核对")
    old = {day.date: (day.is_workday, day.name) for day in schedule.days.all()}
    schedule.days.all().delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(schedule=schedule, date=day, is_workday=work, name=name)
        for day, (work, name) in sorted(new.items())
    )
    schedule.notice, schedule.updated_at = notice, clock.now()
    schedule.save(update_fields=["notice", "updated_at"])
    change = CalendarChange.objects.create(
        schedule=schedule, changed_by=by, summary=_describe_changes({} if created else old, new)
    )
    moved = sum(
        int(count or 0) for _, count in schedule_changed.send(sender=CalendarYear, year=year, by=by, change=change)
    )
    if moved:
        change.notices_moved = moved
        change.save(update_fields=["notices_moved"])
    return change


def ranges_of(schedule) -> list[HolidayRange]:
    """A saved schedule back as the lines of its notice (for the edit form)."""
    lines: list[list] = []
    workdays: list[tuple[dt.date, str]] = []
    for day in schedule.days.order_by("date"):
        if day.is_workday:
            workdays.append((day.date, day.name.removesuffix(WORKDAY_SUFFIX)))
        elif lines and lines[-1][0] == day.name and lines[-1][2] + ONE_DAY == day.date:
            lines[-1][2] = day.date
        else:
            lines.append([day.name, day.date, day.date, []])
    for day, name in workdays:
        owner = next((line for line in lines if line[0] == name), None)
        if owner is None and lines:  # a day entered under another name: the nearest holiday's
            owner = min(lines, key=lambda line: abs((line[1] - day).days))
        if owner is not None:
            owner[3].append(day)
    return [HolidayRange(name, start, end, tuple(days)) for name, start, end, days in lines]
