import pytest

from visits.models import Occasion, Visit, VisitPrompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_records_a_life_event_and_logs_the_visit_it_asks_for_on_a_phone(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.goto(f"{live_server.url}/members/{unit.member1.pk}/")
    page.get_by_role("link", name="登记重大事件").click()
    page.wait_for_url(f"{live_server.url}/visits/events/new/*")
    assert "刘一" in page.locator("#div_id_member").inner_text()  # the member comes from the page
    page.get_by_label("遭受重大灾害").check()
    page.get_by_label("简要情况").fill("暴雨冲毁院墙，厨房进水")
    page.get_by_role("button", name="保存并生成走访提示").click()
    page.wait_for_url(f"{live_server.url}/members/{unit.member1.pk}/")
    assert "已生成走访提示" in page.content()
    page.screenshot(path="test-results/life-event-member-page.png", full_page=True)
    prompt = VisitPrompt.objects.get(member=unit.member1)
    assert prompt.occasion == Occasion.DISASTER and prompt.closed_on is None

    page.locator("li", has_text="暴雨冲毁院墙").get_by_role("link", name="登记走访").click()
    page.wait_for_url(f"{live_server.url}/visits/new/*")
    assert page.get_by_label("走访事由").input_value() == Occasion.DISASTER
    page.get_by_label("慰问物品").fill("大米、食用油")
    page.get_by_label("走访情况").fill("帮助联系村里修缮院墙")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/visits/")
    assert "已登记对刘一的受灾慰问" in page.content()
    prompt.refresh_from_db()
    assert prompt.closed_on is not None and prompt.visit == Visit.objects.get(member=unit.member1)
