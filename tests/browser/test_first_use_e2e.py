"""What a new user meets, in Chromium: notifications, the menu at desktop and phone widths, a form with
several errors, the audit page. Screenshots go to test-results/ (git-ignored) for a person to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from funds import services as funds
from funds.models import Status
from tests.factories import MemberFactory
from tests.funds.factories import application_in, approve, fund_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_secretary_tells_notifications_apart(unit, sign_in, live_server):
    fund_with(unit)
    for name in ("张三", "李四", "王五"):
        app = application_in(
            unit, Status.BRANCH_REVIEWED, by=unit.shuji1, member=MemberFactory(organization=unit.branch1, name=name)
        )
        approve(app, by=unit.zzb, amount="1000.00")
    withdrawn = application_in(
        unit, Status.SUBMITTED, by=unit.shuji1, member=MemberFactory(organization=unit.branch1, name="赵六")
    )
    funds.withdraw(application_id=withdrawn.pk, by=unit.shuji1)
    page = sign_in("shuji1")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/notifications/")
    group = page.locator("details[data-group]", has_text="申请已批准").locator("summary")
    assert "3 份申请已批准，正在公示：张三、李四、王五" in group.inner_text()
    group.click()
    shot(page, "notifications-1366")
    approved = page.locator("details[data-group]", has_text="申请已批准")
    assert approved.locator("[data-notification]").count() == 3
    assert "张三（第一党支部）" in approved.inner_text()
    # The to-do about the withdrawn application is no longer one.
    page.goto(f"{live_server.url}/notifications/?todo=1")
    assert "赵六" not in page.locator("#inbox").inner_text()
    page.goto(f"{live_server.url}/notifications/")
    pending = page.locator("details[data-group]", has_text="待处理")
    assert "已办结 4" in pending.locator("summary").inner_text()  # three approved, one withdrawn
    pending.locator("summary").click()
    assert "申请已撤回，无需再办" in pending.locator("[data-notification]", has_text="赵六").inner_text()
    # Opening one goes to the application.
    approved.locator("summary").click()
    approved.locator("[data-notification] button").first.click()
    page.wait_for_url(f"{live_server.url}/funds/applications/*/")


def _one_line(page) -> bool:
    tops = page.locator("#mainNav > ul > li").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    return len(set(tops)) == 1


@pytest.mark.parametrize("width", [1280, 1366, 1920])
def test_desktop_menu_stays_on_one_line_with_one_active_item(unit, sign_in, live_server, width):
    page = sign_in("admin")  # the superuser sees every group and item
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/funds/", "/funds/applications/", "/funds/notices/", "/members/"):
        page.goto(f"{live_server.url}{path}")
        assert _one_line(page), path
        assert page.locator("#mainNav .dropdown-item.active").count() == 1, path
        assert page.locator("#mainNav .nav-link.dropdown-toggle.active").count() == 1, path
        label = page.locator("#mainNav .nav-link").evaluate_all(
            "els => els.every(e => e.getBoundingClientRect().height < 48)"
        )
        assert label, "a label wrapped inside the menu"
    page.goto(f"{live_server.url}/funds/")
    page.get_by_role("button", name="资金").click()
    if width == 1366:
        shot(page, "navigation-1366")
    # The user's name sits in the user menu with the account's pages.
    page.locator("#mainNav .user-name").click()
    assert page.get_by_role("button", name="退出登录").is_visible()


def test_phone_menu_and_visit_tabs_hint_at_more(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.set_viewport_size({"width": 320, "height": 700})  # the narrowest phone: the tabs never fit
    page.goto(f"{live_server.url}/visits/new/")
    tabs = page.locator("[data-scroll-tabs]")
    assert "has-more" in tabs.get_attribute("class")
    assert page.locator("[data-scroll-tabs] .scroll-more").is_visible()
    shot(page, "navigation-390-visit-tabs")
    tabs.locator(".nav").evaluate("row => row.scrollLeft = row.scrollWidth")
    expect(tabs).not_to_have_class(re.compile("has-more"))
    assert page.get_by_role("link", name="待探望").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/visits/new/")
    shot(page, "navigation-390")
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="关怀", exact=True).click()
    shot(page, "navigation-390-menu")
    assert page.locator("#mainNav .dropdown-item.active").count() == 1


def test_visit_form_shows_every_error_at_once_by_its_field(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.goto(f"{live_server.url}/visits/new/?member={unit.member1.pk}")
    page.get_by_label("走访日期").fill("2099-01-01")
    page.get_by_label("慰问金（元）").fill("-5")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    date_error = page.locator("#div_id_visited_on .invalid-feedback")
    amount_error = page.locator("#div_id_amount .invalid-feedback")
    assert "日期不能晚于" in date_error.inner_text()
    assert amount_error.inner_text().strip()
    shot(page, "form-multiple-errors-390")


def test_audit_page_reads_as_names_and_local_time(unit, sign_in, live_server):
    fund_with(unit)
    application_in(unit, Status.SUBMITTED)
    page = sign_in("shuji1")  # an edit through the site, so it has an actor
    page.goto(f"{live_server.url}/members/{unit.member1.pk}/edit/")
    page.get_by_label("联系电话").fill("13900009999")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/members/{unit.member1.pk}/")
    page.context.clear_cookies()
    page = sign_in("admin")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/audit/")
    table = page.locator("table.audit-table")
    text = table.inner_text()
    assert "测试县党委" in text and not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", text)
    heights = page.locator("table.audit-table td[data-label='操作'] .badge").evaluate_all(
        "badges => badges.map(b => b.getBoundingClientRect().height)"
    )
    assert max(heights) < 30, heights  # the action never wraps a character per line
    shot(page, "audit-1366")
    page.get_by_label("操作人").fill("李书记")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/audit/?*")
    rows = page.locator("table.audit-table tbody tr")
    assert rows.count() >= 1
    assert all("李书记" in rows.nth(i).inner_text() for i in range(rows.count()))
    shot(page, "audit-filtered-1366")


def test_fund_ledger_amounts_have_separators_and_do_not_wrap_at_1366(unit, sign_in, live_server):
    fund = fund_with(unit, amount="118640.00")
    page = sign_in("jijin")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/funds/{fund.pk}/")
    table = page.locator("table.ledger-table")
    assert "118,640.00" in table.inner_text()
    heights = table.locator("tbody tr:first-child td").evaluate_all(
        "cells => cells.filter(c => ['日期', '收入', '余额'].includes(c.dataset.label))"
        ".map(c => c.getBoundingClientRect().height)"
    )
    line = table.locator("tbody tr:first-child td[data-label='日期']").evaluate(
        "c => parseFloat(getComputedStyle(c).lineHeight)"
    )
    assert heights and max(heights) < 2 * line + 12, (heights, line)
    shot(page, "fund-ledger-1366")


def test_annual_workbook_opens_with_formats_filters_and_print_setup(unit, sign_in, live_server):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    fund_with(unit)
    application_in(unit, Status.SUBMITTED)
    year = dt.date.today().year
    page = sign_in("zzb")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/reports/annual.xlsx?year=abc")
    assert "年度应为" in page.locator(".alert").inner_text()
    shot(page, "workbook-bad-year-1366")
    with page.expect_download() as download_info:
        page.evaluate(
            f"() => {{ const a = document.createElement('a'); a.href = '/reports/annual.xlsx?year={year}';"
            " document.body.appendChild(a); a.click(); }"
        )
    path = download_info.value.path()
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))
    summary = book["汇总"]
    assert summary["F3"].number_format == "0.0%" or summary["F3"].value == "—"
    assert summary["K3"].number_format == "0.0%"
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref and sheet.freeze_panes == "A3"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$1:$2" and "&P" in sheet.oddFooter.right.text
    assert book["表彰名单"]["A3"].value == "本年度无记录"
    applications = list(book["帮扶申请"].iter_rows(values_only=True))
    assert any(str(r[0]).startswith("合计：已提交") for r in applications)
