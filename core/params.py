"""Query and form parameters read safely: an id or a year a user (or an attacker) typed is either a
sane value or None — never an exception deeper down (int('²') raises, 10**30 overflows a bigint,
year 99999 has no dates)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

MAX_ID = 2**63 - 1
FIRST_YEAR = 1921  # the Party's founding: no care record predates it


def id_param(value) -> int | None:
    """A positive database id from ASCII digits, or None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def year_bounds() -> tuple[int, int]:
    return FIRST_YEAR, timezone.localdate().year + 1


def year_param(value, *, default: int | None = None) -> int | None:
    """A year between 1921 and next year, or `default`."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        return default
    low, high = year_bounds()
    year = int(text)
    return year if low <= year <= high else default


class YearField(forms.IntegerField):
    """A year in a form or filter, bounded so that no date arithmetic downstream can overflow."""

    def __init__(self, **kwargs):
        low, high = year_bounds()
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "请填写四位数字的年份",
                "min_value": f"年份不能早于{low}年",
                "max_value": f"年份不能晚于{high}年",
            },
        )
        super().__init__(**kwargs)


def date_bounds() -> tuple[dt.date, dt.date]:
    """Dates of care records: not before 1921, not after today."""
    return dt.date(FIRST_YEAR, 1, 1), timezone.localdate()


class PastDateField(forms.DateField):
    """A date of something that happened: not before 1921 (or `earliest`), not after today."""

    def __init__(self, *, earliest: dt.date | None = None, **kwargs):
        self.earliest = earliest
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        low, high = date_bounds()
        low = self.earliest or low
        if value < low:
            raise forms.ValidationError(f"日期不能早于{low.year}年{low.month}月{low.day}日", code="too_early")
        if value > high:
            raise forms.ValidationError("日期不能晚于今天", code="future")


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with each posted value checked to be an id before it reaches an `__in` lookup:
    there an integer beyond the column's range raised OverflowError (SQLite) or a database error
    (PostgreSQL) instead of the field's own "不是有效的选项"."""

    def clean(self, value):
        if (self.to_field_name or "pk") == "pk" and isinstance(value, list | tuple):
            for each in value:
                if each not in self.empty_values and id_param(each) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": each}
                    )
        return super().clean(value)
