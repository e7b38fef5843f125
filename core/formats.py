"""How amounts read everywhere: pages (the `money` template filter), notifications and messages, print.
Two decimals, a comma every three digits: 118,640.00. Spreadsheets use the same pattern as their number
format (core.xlsx), so a figure reads the same on the page, on paper and in the workbook."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MONEY_NUMBER_FORMAT = "#,##0.00"


def money(value, *, absolute: bool = False) -> str:
    """ "118,640.00"; "" for none; anything not a number is returned as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if absolute:
        amount = abs(amount)
    return f"{amount:,.2f}"
