"""A secretary submits the half-year report on a phone, the 组织部 returns it, the secretary submits it
again, the 组织部 accepts it: every step at 390 px, with no sideways scrolling."""

import pytest
from django.utils import timezone

from filings.models import Filing, Status
from filings.periods import current_periods

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_report_goes_up_is_returned_and_goes_up_again_on_a_phone(unit, sign_in, live_server):
    half = current_periods(timezone.localdate())[0]
    page = sign_in("shuji1")
    panel = page.locator(".card", has_text="上级报送")
    panel.locator("li", has_text="第一党支部").first.get_by_role("link", name="报送").click()
    page.wait_for_url(f"{live_server.url}/filings/submit/*")
    assert f"报送{half.label}" in page.content() and _fits(page)
    page.get_by_label("报送说明（可不填）").fill("已经支委会审核")
    page.get_by_role("button", name="确认报送").click()
    page.wait_for_url(f"{live_server.url}/filings/*/")
    assert "已向上级报送第一党支部" in page.content() and _fits(page)
    page.screenshot(path="test-results/filing-submitted.png", full_page=True)

    page.context.clear_cookies()
    page = sign_in("zzb")
    page.locator(".card", has_text="上级报送").get_by_role("link", name="待接收 1").click()
    page.get_by_role("link", name="第一党支部").click()
    page.get_by_role("link", name="退回").click()
    page.get_by_label("退回意见").fill("请补登帮就业的结果")
    assert _fits(page)
    page.get_by_role("button", name="退回").click()
    page.wait_for_url(f"{live_server.url}/filings/*/")
    assert "已退回第一党支部" in page.content()
    assert Filing.objects.get().status == Status.RETURNED

    page.context.clear_cookies()
    page = sign_in("shuji1")
    page.locator(".card", has_text="上级报送").get_by_role("link", name="重新报送").first.click()
    assert "上次报送已退回：请补登帮就业的结果" in page.content() and _fits(page)
    page.get_by_role("button", name="确认报送").click()
    page.wait_for_url(f"{live_server.url}/filings/*/")
    assert "第2次报送" in page.content() and "第1次报送" in page.content()

    page.context.clear_cookies()
    page = sign_in("zzb")
    page.goto(f"{live_server.url}{Filing.objects.get().get_absolute_url()}")
    page.get_by_role("button", name="接收").click()
    page.wait_for_url(f"{live_server.url}/filings/*/")
    assert "已接收第一党支部" in page.content() and _fits(page)
    page.screenshot(path="test-results/filing-accepted.png", full_page=True)
    assert Filing.objects.get().status == Status.ACCEPTED
