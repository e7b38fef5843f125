"""django-import-export widgets that read what secretaries actually type into Excel."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from import_export import widgets

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
TRUE_WORDS = {"是", "√", "✓", "有", "y", "yes", "true", "1"}
FALSE_WORDS = {"否", "×", "无", "n", "no", "false", "0", ""}


class FlexibleDateWidget(widgets.Widget):
    """Dates as Excel dates, Excel serial numbers, or text like 2020-01-31, 2020/1/31, 2020年1月31日."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 1 <= value <= 80000:
                return EXCEL_EPOCH + dt.timedelta(days=int(value))
            raise ValueError("日期超出范围")
        match = _DATE_TEXT.match(str(value).strip())
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise ValueError(f"“{value}”不是有效日期，请写成 2020-01-31 的格式")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """Accepts the Chinese label (正式党员) or the stored value; renders the label."""

    def __init__(self, choices, *, default=None):
        self.choices = list(choices)
        self.default = default
        self._by_text = {str(label): value for value, label in self.choices}
        self._by_text.update({str(value): value for value, _ in self.choices})

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            if self.default is not None:
                return self.default
            raise ValueError("不能为空")
        text = str(value).strip()
        if text in self._by_text:
            return self._by_text[text]
        options = "、".join(str(label) for value, label in self.choices if value != "")
        if self.default == "":
            options += "，或留空"
        raise ValueError(f"“{text}”不是有效选项，可填：{options}")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"“{value}”应填“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class TextWidget(widgets.Widget):
    """Text cells: numbers Excel turned into floats (phone numbers) come back as digits."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return value or ""


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        try:
            amount = Decimal(str(value).replace(",", "").replace("，", "").replace("元", "").strip())
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是有效金额") from exc
        if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
            raise ValueError(f"金额“{value}”超出合理范围")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"
