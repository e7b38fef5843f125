"""Care that reaches everyone, on a phone: 反映情况 from /me/ to the answer the member reads, a branch's
collective 政治生日, and 帮就业 help with what came of it."""

import datetime as dt

import pytest
from django.utils import timezone

from hardship.models import EmploymentOutcome, HelpType, PairingProgress
from tests.hardship.factories import PairingFactory, RecordFactory
from visits.models import CollectiveBirthday, Concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def phone_page(browser, live_server, username, password="demo12345"):
    """A phone of its own for each person (two people sign in in one test)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _pick_member(page, field_id: str, query: str, label: str) -> None:
    """The member picker is a search box (Tom Select): type, then choose the suggestion."""
    page.locator(f"#{field_id}-ts-control").click()
    page.locator(f"#{field_id}-ts-control").fill(query)
    page.locator(".ts-dropdown .option", has_text=label).first.click()


def test_a_member_writes_from_me_the_secretary_answers_and_the_member_reads_it(unit, browser, live_server):
    member = phone_page(browser, live_server, "dangyuan1")
    member.goto(f"{live_server.url}/me/")
    member.get_by_role("link", name="反映情况").click()
    member.wait_for_url(f"{live_server.url}/visits/concerns/new/")
    member.get_by_role("button", name="提交").click()  # nothing written: the field says so
    assert member.locator("#id_message.is-invalid").is_visible() and not Concern.objects.exists()
    member.get_by_label("要反映的情况").fill("小区老党员活动室冬天没有暖气，希望协调解决。")
    member.get_by_role("button", name="提交").click()
    member.wait_for_url(f"{live_server.url}/me/")
    assert "已提交给您所在的党支部" in member.content()
    assert member.locator("li", has_text="活动室冬天没有暖气").locator(".badge").inner_text() == "待处理"
    member.screenshot(path="test-results/concern-me-submitted.png", full_page=True)

    secretary = phone_page(browser, live_server, "shuji1")
    secretary.get_by_role("link", name="党员反映情况待答复 1 条").click()
    secretary.wait_for_url(f"{live_server.url}/visits/concerns/")
    secretary.get_by_role("link", name="活动室冬天没有暖气").click()
    concern = Concern.objects.get()
    secretary.wait_for_url(f"{live_server.url}/visits/concerns/{concern.pk}/")
    secretary.get_by_label("答复").fill("已与社区协调，下周起活动室开放空调。")
    secretary.get_by_role("button", name="答复", exact=True).click()
    secretary.wait_for_url(f"{live_server.url}/visits/concerns/{concern.pk}/")
    assert f"已答复{unit.dangyuan1.member.name}" in secretary.content()
    assert secretary.locator(".badge", has_text="已答复").is_visible()
    secretary.screenshot(path="test-results/concern-answered.png", full_page=True)

    member.goto(f"{live_server.url}/me/")
    item = member.locator("li", has_text="活动室冬天没有暖气")
    assert item.locator(".badge").inner_text() == "已答复"
    assert "答复：已与社区协调，下周起活动室开放空调。" in item.inner_text()
    member.screenshot(path="test-results/concern-me-answered.png", full_page=True)


def test_a_secretary_records_the_branchs_collective_political_birthday(unit, browser, live_server):
    page = phone_page(browser, live_server, "shuji1")
    page.goto(f"{live_server.url}/visits/birthdays/")
    assert "尚未登记的支部：第一党支部" in page.locator(".alert-warning").inner_text()
    page.get_by_role("link", name="登记").click()
    page.wait_for_url(f"{live_server.url}/visits/birthdays/new/")
    _pick_member(page, "id_attendees", "张党员", "张党员")
    _pick_member(page, "id_attendees", "刘一", "刘一")
    page.get_by_label("畅谈入党感悟").uncheck()
    page.get_by_label("活动情况").fill("在村党员活动室重温入党誓词，老党员讲入党故事。")
    page.get_by_label("征询到的意见和建议").fill("希望多组织外出学习")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/visits/birthdays/")
    assert "集体过政治生日，参加 2 人" in page.content()
    event = page.locator(".list-group-item", has_text="第一党支部")
    assert "参加 2 人" in event.inner_text() and "意见和建议：希望多组织外出学习" in event.inner_text()
    assert event.locator(".badge", has_text="重温入党誓词").is_visible()
    assert not event.locator(".badge", has_text="畅谈入党感悟").count()
    assert not page.locator(".alert-warning").count() or "第一党支部" not in page.locator(".alert-warning").inner_text()
    page.screenshot(path="test-results/collective-birthday.png", full_page=True)
    saved = CollectiveBirthday.objects.get()
    assert {m.name for m in saved.attendees.all()} == {"张党员", "刘一"}


def test_a_secretary_records_job_help_and_then_its_outcome(unit, browser, live_server):
    from tests.hardship.conftest import ensure_reference_rows

    ensure_reference_rows()
    record = RecordFactory(member=unit.member1, registered_on=timezone.localdate() - dt.timedelta(days=30))
    pairing = PairingFactory(
        record=record, helper=unit.zhiwei1.member, help_types=[HelpType.objects.get(code="employment")]
    )
    page = phone_page(browser, live_server, "shuji1")
    page.goto(f"{live_server.url}/hardship/pairings/{pairing.pk}/")
    page.locator("#id_help_type").select_option(label="帮就业")
    page.get_by_label("帮扶内容").fill("推荐到县物流公司面试仓管岗位")
    page.locator("#id_employment_step").select_option(label="就业推荐")
    page.get_by_role("button", name="保存进展").click()
    page.wait_for_url(f"{live_server.url}/hardship/pairings/{pairing.pk}/")
    entry = page.locator("li.list-group-item", has_text="推荐到县物流公司面试仓管岗位")
    assert "就业推荐 · 待跟进" in entry.inner_text()
    page.screenshot(path="test-results/employment-help-recorded.png", full_page=True)

    entry.get_by_label("帮就业结果").select_option(label="已就业")
    entry.get_by_label("结果说明").fill("已在县物流公司上岗")
    entry.get_by_role("button", name="登记结果").click()
    page.wait_for_url(f"{live_server.url}/hardship/pairings/{pairing.pk}/")
    assert "已登记帮就业结果" in page.content()
    entry = page.locator("li.list-group-item", has_text="推荐到县物流公司面试仓管岗位")
    assert "就业推荐 · 已就业 已在县物流公司上岗" in entry.inner_text()
    assert not entry.get_by_role("button", name="登记结果").count()
    page.screenshot(path="test-results/employment-help-outcome.png", full_page=True)
    assert PairingProgress.objects.get().employment_outcome == EmploymentOutcome.EMPLOYED
