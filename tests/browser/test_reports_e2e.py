import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organization_department_reads_the_dashboard_on_a_phone_and_drills_down(unit, sign_in, live_server):
    page = sign_in("zzb")
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="报表", exact=True).click()
    page.get_by_role("link", name="统计报表").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.locator("svg.care-chart").count() >= 8
    assert page.get_by_role("heading", name="谈心谈话覆盖").is_visible()
    # Nothing sticks out of a 390 px screen but the tables that scroll on their own.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="社区党总支").first.click()
    page.wait_for_url(f"{live_server.url}/reports/?org={unit.general.pk}*")
    assert "第三党支部" in page.locator("section.report-section").first.inner_text()
    page.get_by_role("link", name="走访慰问总结").click()
    page.wait_for_url(f"{live_server.url}/reports/holiday/*")
    assert "社区党总支" in page.get_by_role("heading", level=1).inner_text()
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
