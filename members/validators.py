"""Validators for the member record. Messages are what a secretary reads next to the field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
# ASCII only: `\d`, str.isdigit() and int() also take Arabic-Indic and other digits, through which
# a number already on the roster could be entered a second time.
_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?", re.ASCII)
_SPACES = re.compile(r"\s+")


def nfkc(value: str | None) -> str:
    """Unicode compatibility form: full-width digits, letters and spaces become their plain forms."""
    return unicodedata.normalize("NFKC", value or "")


def normalize_id_number(value: str) -> str:
    """Lowercase x, full-width characters and stray spaces are common in typed and pasted numbers.
    What is not then an ASCII digit or X is left for the validator to refuse."""
    return _SPACES.sub("", nfkc(value)).upper()


def is_ascii_digits(value: str) -> bool:
    return bool(value) and value.isascii() and value.isdigit()


def normalize_search(value: str | None) -> str:
    """A search box's text: compatibility form, single spaces, at most 50 characters."""
    return _SPACES.sub(" ", nfkc(value)).strip()[:50]


def id_check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def id_birth_date(value: str) -> dt.date | None:
    if not is_ascii_digits(value[6:14]):
        return None
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not _ID_PATTERN.fullmatch(value):
        raise ValidationError("身份证号应为18位，前17位是数字0–9，最后一位是数字或X", code="id_format")
    if id_birth_date(value) is None:
        raise ValidationError("身份证号中的出生日期（第7–14位）不是有效日期", code="id_birth")
    expected = id_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入", code="id_check")


def normalize_phone(value: str) -> str:
    return _SPACES.sub("", nfkc(value))


def validate_phone(value: str) -> None:
    value = normalize_phone(value)
    if value and not (_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value)):
        raise ValidationError("请填写11位手机号或带区号的固定电话，例如 13812345678 或 0816-2234567", code="phone")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year. Past the calendar's
    ends (a mistyped year 9999 plus 18) the last or first representable day."""
    if not dt.MINYEAR <= day.year + years <= dt.MAXYEAR:
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z·•.\- ]{1,50}$")


def validate_person_name(value: str) -> None:
    """Names are Chinese characters or letters, with the middle dot of minority and foreign names."""
    if not _NAME.match(value or "") or value.strip() != value or not value.strip(" ·•.-"):
        raise ValidationError("姓名只能包含汉字、字母和间隔号“·”，不能以空格开头或结尾", code="name")
