from django import template
from django.utils.http import urlencode

from core import formats

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(sorted(query.items()), doseq=False) if query else "?"


@register.filter
def money(value, arg: str = "") -> str:
    """An amount as every page writes it: 118,640.00 (`|money:"abs"` drops the sign, for a 支出 column)."""
    return formats.money(value, absolute=arg == "abs")


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return "—"
    return f"¥{formats.money(value)}"
