"""Forms written for a secretary: every error at once by its field, Chinese messages, "请选择" for an
empty choice, and the server's messages only (no browser pop-ups)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import MemberFactory
from tests.funds.factories import fund_with

pytestmark = pytest.mark.django_db

CREATE_PAGES = [
    "members:create",
    "visits:create",
    "visits:talk_create",
    "funds:application_new",
    "hardship:create",
    "hardship:pairing_create",
]


@pytest.mark.parametrize("name", CREATE_PAGES)
def test_forms_say_please_choose_and_leave_validation_to_the_server(unit, login, name):
    fund_with(unit)
    body = login(unit.shuji1).get(reverse(name)).content.decode()
    assert "---------" not in body
    forms = re.findall(r"<form[^>]*>", body)
    assert forms and all("novalidate" in form for form in forms), forms


def test_every_template_form_is_novalidate():
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for tag in re.findall(r"<form[^>]*>", path.read_text()):
            assert "novalidate" in tag, f"{path}: {tag}"


def test_visit_form_shows_future_date_and_negative_amount_together(unit, login):
    response = login(unit.shuji1).post(
        reverse("visits:create"),
        {
            "member": unit.member1.pk,
            "occasion": "routine",
            "visitors": [unit.shuji1.member.pk],
            "visited_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "amount": "-5",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"visited_on", "amount"}
    assert "日期不能晚于" in errors["visited_on"][0]
    assert errors["amount"] == ["慰问金不能为负数"]


def test_visit_success_message_does_not_double_the_word(unit, login):
    client = login(unit.shuji1)
    response = client.post(
        reverse("visits:create"),
        {
            "member": unit.member1.pk,
            "occasion": "routine",
            "visitors": [unit.shuji1.member.pk],
            "visited_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "已登记对刘一的日常走访" in body and "走访走访" not in body


def _member_post(unit, id_number):
    return {
        "organization": unit.branch1.pk,
        "name": "新党员",
        "gender": "M",
        "birth_date": "1970-05-01",
        "id_number": id_number,
        "phone": "13812345678",
        "join_date": "1995-07-01",
        "full_member_date": "1996-07-01",
        "party_status": "regular",
    }


def test_duplicate_id_names_the_member_to_whoever_may_see_them(unit, login):
    other = MemberFactory(organization=unit.branch1, name="张三")
    response = login(unit.shuji1).post(reverse("members:create"), _member_post(unit, other.id_number.lower()))
    assert response.context["form"].errors["id_number"] == ["该身份证号已登记为张三（第一党支部）"]


def test_duplicate_id_is_neutral_outside_the_users_scope(unit, login):
    other = MemberFactory(organization=unit.branch2, name="李四")
    response = login(unit.shuji1).post(reverse("members:create"), _member_post(unit, other.id_number))
    [message] = response.context["form"].errors["id_number"]
    assert "李四" not in message and "第二党支部" not in message and "已在系统中登记" in message
