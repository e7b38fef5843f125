"""The periods a unit reports on, and their default due dates.

Seed 004 asks that 结对帮扶情况 be reported upward every half-year (每半年向上级报告一次) and the
year's work once a year (每年向上级组织报告一次); it names no date. Ours, which the 组织部 may move
for its units (filings.models.FilingDeadline): the half-year report on 15 July (上半年) and 15 January
of the next year (下半年), the annual workbook on 31 January of the next year — a fortnight or a month
after the period closes, as 党内统计年报 are usually asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hardship.selectors import current_half, half_year_bounds

HALF_YEAR, ANNUAL = "half_year", "annual"
KIND_LABELS = {HALF_YEAR: "半年结对帮扶报告", ANNUAL: "年度报表"}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    half: int = 0  # 1 or 2 for a half-year report, 0 for the annual one

    @property
    def key(self) -> str:
        """The period in a URL: "half_year-2026-1", "annual-2025"."""
        return f"{self.kind}-{self.year}-{self.half}" if self.kind == HALF_YEAR else f"{self.kind}-{self.year}"

    @classmethod
    def from_key(cls, key: str) -> Period | None:
        parts = (key or "").split("-")
        try:
            if parts[0] == HALF_YEAR and len(parts) == 3 and parts[2] in ("1", "2"):
                return cls(HALF_YEAR, int(parts[1]), int(parts[2]))
            if parts[0] == ANNUAL and len(parts) == 2:
                return cls(ANNUAL, int(parts[1]))
        except ValueError:
            return None
        return None

    @property
    def start(self) -> dt.date:
        return half_year_bounds(self.year, self.half)[0] if self.kind == HALF_YEAR else dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return half_year_bounds(self.year, self.half)[1] if self.kind == HALF_YEAR else dt.date(self.year, 12, 31)

    @property
    def default_due(self) -> dt.date:
        if self.kind == ANNUAL:
            return dt.date(self.year + 1, 1, 31)
        return dt.date(self.year, 7, 15) if self.half == 1 else dt.date(self.year + 1, 1, 15)

    @property
    def label(self) -> str:
        if self.kind == ANNUAL:
            return f"{self.year}年度报表"
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年结对帮扶报告"

    def has_ended(self, day: dt.date) -> bool:
        """A period is reported once it is over (its last day included: 30 June, 31 December)."""
        return day >= self.end

    def __str__(self) -> str:
        return self.label


def current_periods(day: dt.date) -> list[Period]:
    """The periods to report now: the half-year just finished and the year before."""
    year, half = current_half(day)
    return [Period(HALF_YEAR, year, half), Period(ANNUAL, day.year - 1)]


def recent_periods(day: dt.date, *, halves: int = 4, years: int = 3) -> list[Period]:
    """Periods that have ended, newest first: the choices of the overview page and what the daily job
    looks at."""
    periods: list[Period] = []
    year, half = current_half(day)
    for _ in range(halves):
        periods.append(Period(HALF_YEAR, year, half))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    periods += [Period(ANNUAL, day.year - 1 - n) for n in range(years)]
    return periods


def deadline_periods(day: dt.date) -> list[Period]:
    """The periods whose due date the 组织部 may set: those under way (set ahead) and those just ended."""
    upcoming = [Period(HALF_YEAR, day.year, 1 if day.month <= 6 else 2), Period(ANNUAL, day.year)]
    return list(dict.fromkeys([*upcoming, *recent_periods(day, halves=2, years=1)]))
