"""A secretary registers a hardship record with two family members and assigns a helper, on a phone."""

import datetime as dt

import pytest

from hardship.models import HardshipRecord, Pairing
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick_member(page, field_id: str, query: str, label: str) -> None:
    """The member picker is a search box (Tom Select): type, then choose the suggestion."""
    page.locator(f"#{field_id}-ts-control").click()
    page.locator(f"#{field_id}-ts-control").fill(query)
    page.locator(".ts-dropdown .option", has_text=label).first.click()


def test_secretary_registers_a_hardship_record_and_assigns_a_helper(unit, sign_in, live_server):
    from tests.hardship.conftest import ensure_reference_rows

    ensure_reference_rows()
    MemberFactory(organization=unit.branch1, name="周帮扶")
    page = sign_in("shuji1")
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="党员", exact=True).click()
    page.get_by_role("link", name="困难党员台帐").click()
    page.wait_for_url(f"{live_server.url}/hardship/")
    page.get_by_role("link", name="登记困难党员").click()
    page.wait_for_url(f"{live_server.url}/hardship/new/")

    _pick_member(page, "id_member", "刘一", "刘一")
    page.get_by_label("因病致贫").check()
    page.get_by_label("帮生活").check()
    page.get_by_label("知情同意日期").fill(dt.date.today().isoformat())
    page.get_by_label("同意方式").select_option(label="本人书面签字")
    page.get_by_label("家庭人口").fill("3")
    page.get_by_label("家庭年收入（元）").fill("15000")
    page.locator("#id_family-0-name").fill("王桂兰")
    page.locator("#id_family-0-relation").fill("配偶")
    page.locator("#id_family-0-age").fill("66")
    page.get_by_role("button", name="再添加一名家庭成员").click()
    page.locator("#id_family-1-name").fill("刘小明")
    page.locator("#id_family-1-relation").fill("儿子")
    page.locator("#id_family-1-age").fill("30")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    record = HardshipRecord.objects.get(member=unit.member1)
    page.wait_for_url(f"{live_server.url}/hardship/{record.pk}/")
    body = page.content()
    assert "王桂兰" in body and "刘小明" in body and "¥15000.00" in body
    assert sorted(record.family.values_list("name", flat=True)) == ["刘小明", "王桂兰"]

    page.get_by_role("link", name="安排帮扶人").click()
    page.wait_for_url(f"{live_server.url}/hardship/pairings/new/?record={record.pk}")
    _pick_member(page, "id_helper", "周帮扶", "周帮扶")
    page.get_by_label("帮思想").check()
    page.get_by_label("帮生活").check()
    page.get_by_label("帮扶目标").fill("稳定基本生活，协助就医")
    page.get_by_role("button", name="确认结对").click()

    pairing = Pairing.objects.get(record=record)
    page.wait_for_url(f"{live_server.url}/hardship/pairings/{pairing.pk}/")
    assert "周帮扶" in page.content() and "稳定基本生活" in page.content()
    assert pairing.helper.name == "周帮扶" and pairing.status == Pairing.Status.ACTIVE
    assert sorted(pairing.help_types.values_list("name", flat=True)) == ["帮思想", "帮生活"]
