"""One way of writing an amount: 118,640.00 on pages, in messages and on print."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core import formats


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("118640"), "118,640.00"),
        (Decimal("-4300.5"), "-4,300.50"),
        (0, "0.00"),
        (None, ""),
        ("1234567.891", "1,234,567.89"),
    ],
)
def test_money_has_thousands_separators_and_two_decimals(value, shown):
    assert formats.money(value) == shown


def test_template_filter_is_the_same_helper():
    html = Template('{% load care %}{{ a|money }} {{ b|money:"abs" }} {{ a|yuan }}').render(
        Context({"a": Decimal("118640"), "b": Decimal("-2500")})
    )
    assert html == "118,640.00 2,500.00 ¥118,640.00"


def test_a_workbook_download_streams_from_a_file(unit, login, db):
    from django.http import FileResponse
    from django.urls import reverse

    response = login(unit.zzb).get(reverse("members:export"))
    assert isinstance(response, FileResponse) and response.streaming
    assert response.getvalue()[:2] == b"PK"
    assert "no-store" in response["Cache-Control"]
