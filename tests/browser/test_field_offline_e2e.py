"""The field app on a phone without signal (issue 20): visits, a talk and pairing progress logged offline survive a
reload, are synced exactly once when the network returns (also when the first answer is lost and the
entry is sent again), a refused entry stays on the phone with the server's message, and signing out
leaves nothing on the device."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from hardship.models import PairingProgress
from members.models import Member
from tests.hardship.factories import PairingFactory, RecordFactory
from visits.models import Talk, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pending(page):
    return page.locator("#pending > li")


def device_holds(page) -> dict:
    return page.evaluate("""async () => ({
        databases: (await indexedDB.databases()).map(db => db.name),
        caches: await caches.keys(),
        workers: (await navigator.serviceWorker.getRegistrations()).length,
    })""")


def log_visit(page, member: str, notes: str):
    page.get_by_role("button", name="登记走访").click()
    page.get_by_label("走访对象").select_option(label=member)
    page.get_by_label("走访情况").fill(notes)
    page.get_by_role("button", name="保存走访").click()


def test_visits_and_a_talk_logged_offline_are_synced_once(unit, sign_in, live_server):
    pairing = PairingFactory(
        record=RecordFactory(member=unit.member1),
        helper=unit.zhiwei1.member,
        started_on=dt.date.today() - dt.timedelta(days=30),
    )
    page = sign_in("shuji1")
    context = page.context
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # the shell is cached
    assert "李书记" in page.locator("#who").inner_text()

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    assert page.locator("#net-state").inner_text() == "离线"
    log_visit(page, "刘一", "家里屋顶漏雨，已联系村里修缮")
    log_visit(page, "张党员", "身体尚好")
    page.get_by_role("button", name="登记谈话").click()
    page.get_by_label("谈话对象").select_option(label="王支委")
    page.get_by_label("谈话内容摘要").fill("谈了今年的学习情况")
    page.get_by_role("button", name="保存谈话").click()
    page.get_by_role("button", name="帮扶进展").click()
    page.get_by_label("结对").select_option(label="刘一（帮扶人：王支委）")
    page.get_by_label("帮扶类型").select_option(label="帮生活")
    page.get_by_label("帮扶内容").fill("送去冬衣两件")
    page.get_by_role("button", name="保存进展").click()
    expect(pending(page)).to_have_count(4)

    # Reloaded without a network: the service worker serves the shell, IndexedDB still holds all three.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(pending(page)).to_have_count(4)
    expect(pending(page).filter(has_text="待同步")).to_have_count(4)
    assert "走访 · 刘一" in pending(page).first.inner_text()
    assert page.evaluate("() => document.fonts.load('16px bootstrap-icons').then(faces => faces.length)") == 1
    assert not Visit.objects.exists() and not Talk.objects.exists()

    # Meanwhile 张党员 was transferred out: that visit will be refused.
    Member.objects.filter(name="张党员").update(transferred_out_on=dt.date.today())

    # The first visit reaches the server but its answer is lost; the page sends it again later.
    attempts = []

    def lose_first_answer(route):
        attempts.append(route.request.headers.get("idempotency-key"))
        if len(attempts) == 1:
            route.fetch()  # the server does the work...
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/visits/", lose_first_answer)
    context.set_offline(False)
    page.wait_for_function("() => navigator.onLine")
    page.wait_for_function("() => document.querySelector('#sync-status').textContent.includes('网络中断')")
    assert Visit.objects.count() == 1  # made once, the phone does not know it
    expect(pending(page)).to_have_count(4)

    page.get_by_role("button", name="立即同步").click()
    page.wait_for_function("() => document.querySelectorAll('#pending > li').length === 1")
    assert attempts[0] == attempts[1]  # the resend carried the same key

    assert list(Visit.objects.values_list("member__name", "notes")) == [("刘一", "家里屋顶漏雨，已联系村里修缮")]
    talk = Talk.objects.get()
    assert list(talk.participants.values_list("name", flat=True)) == ["王支委"]
    assert list(talk.interviewers.values_list("name", flat=True)) == ["李书记"]
    progress = PairingProgress.objects.get()
    assert (progress.pairing_id, progress.help_type.name, progress.description) == (
        pairing.pk,
        "帮生活",
        "送去冬衣两件",
    )
    synced = page.locator("#synced").inner_text()
    assert "走访 · 刘一" in synced and "谈心谈话 · 王支委" in synced and "帮扶进展 · 刘一" in synced

    refused = pending(page).first
    assert "未能同步" in refused.inner_text()
    assert "已转出" in refused.locator(".entry-message").inner_text()
    # Sending again changes nothing: the server holds each entry exactly once.
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_timeout(500)
    assert Visit.objects.count() == Talk.objects.count() == PairingProgress.objects.count() == 1
    page.screenshot(path="test-results/field-offline-synced.png", full_page=True)

    # Signing out warns about the entry still on the phone, then clears the device.
    assert device_holds(page)["caches"]
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="退出登录并清除本机数据").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert "1 条离线登记尚未同步" in messages[0]
    assert device_holds(page) == {"databases": [], "caches": [], "workers": 0}


def test_a_refused_entry_can_be_corrected_or_discarded(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready='1']")
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    log_visit(page, "刘一", "送去米和油")
    Member.objects.filter(name="刘一").update(transferred_out_on=dt.date.today())
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_selector("#pending > li .entry-message")
    assert "已转出" in pending(page).first.inner_text()

    # Corrected: another member, sent with a new key.
    pending(page).first.get_by_role("button", name="修改").click()
    assert page.get_by_label("走访情况").input_value() == "送去米和油"
    page.get_by_label("走访对象").select_option(label="张党员")
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_function("() => document.querySelectorAll('#pending > li').length === 0")
    assert list(Visit.objects.values_list("member__name", flat=True)) == ["张党员"]

    # Another refused one, discarded after a question: nothing is sent, nothing is left.
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    log_visit(page, "王支委", "未遇到本人")
    Member.objects.filter(name="王支委").update(transferred_out_on=dt.date.today())
    page.context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_selector("#pending > li .entry-message")
    page.once("dialog", lambda dialog: dialog.accept())
    pending(page).first.get_by_role("button", name="丢弃").click()
    page.wait_for_function("() => document.querySelectorAll('#pending > li').length === 0")
    assert Visit.objects.count() == 1


def test_signing_out_from_any_page_warns_about_unsynced_entries(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready='1']")
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    log_visit(page, "刘一", "送去米和油")
    # Not synced yet: blocked before the network returns, as coming online syncs at once.
    page.route("**/api/v1/visits/", lambda route: route.abort())
    page.context.set_offline(False)
    page.goto(f"{live_server.url}/")
    # The navbar's 退出登录 (its form, as the button submits it; the collapsed phone menu animates).
    sign_out = page.locator("form[data-logout]")
    # Declined: still signed in, the entry still on the phone.
    page.once("dialog", lambda dialog: dialog.dismiss())
    sign_out.evaluate("form => form.requestSubmit()")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server.url}/"
    assert "care-field" in device_holds(page)["databases"]
    page.once("dialog", lambda dialog: dialog.accept())
    sign_out.evaluate("form => form.requestSubmit()")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert device_holds(page)["databases"] == [] and device_holds(page)["caches"] == []
    assert not Visit.objects.exists()


def test_signing_out_without_a_network_still_clears_the_phone(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    log_visit(page, "刘一", "送去米和油")
    expect(pending(page)).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退出登录并清除本机数据").click()
    expect(page.get_by_role("status").filter(has_text="已清除本机保存的数据")).to_be_visible()
    assert "刘一" not in page.content()
    assert device_holds(page) == {"databases": [], "caches": [], "workers": 0}
    assert not Visit.objects.exists()
