"""Validators for the member record. Messages are what a secretary reads next to the field."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ－", "0123456789XXX-")


def normalize_id_number(value: str) -> str:
    """Uppercase X, full-width digits and stray spaces are common in typed and pasted numbers."""
    return (value or "").translate(_FULLWIDTH).replace(" ", "").replace("\u3000", "").strip().upper()


def id_check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def id_birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_gender(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not _ID_PATTERN.match(value):
        raise ValidationError("身份证号应为18位，前17位是数字，最后一位是数字或X", code="id_format")
    if id_birth_date(value) is None:
        raise ValidationError("身份证号中的出生日期（第7–14位）不是有效日期", code="id_birth")
    expected = id_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入", code="id_check")


def normalize_phone(value: str) -> str:
    return (value or "").translate(_FULLWIDTH).replace(" ", "").replace("\u3000", "").strip()


def validate_phone(value: str) -> None:
    value = normalize_phone(value)
    if value and not (_MOBILE.match(value) or _LANDLINE.match(value)):
        raise ValidationError("请填写11位手机号或带区号的固定电话，例如 13812345678 或 0816-2234567", code="phone")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
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
