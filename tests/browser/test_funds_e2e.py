"""One application from a member's request to money paid, in a phone browser, with four logins."""

import datetime as dt

import pytest

from funds import services
from funds.models import AssistanceApplication, FundEntry, Status
from tests.funds.factories import fund_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_request_to_disbursement(unit, page, sign_in, live_server):
    fund = fund_with(unit, amount="10000.00")
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The member applies for themself.
    sign_in("dangyuan1")
    page.goto(f"{live_server.url}/funds/applications/new/")
    page.get_by_label("申请类别").select_option(label="重病救助")
    page.get_by_label("申请金额（元）").fill("5000")
    page.get_by_label("申请理由").fill("今年确诊重病住院，自付医疗费用较高")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{live_server.url}/funds/applications/*/")
    assert "申请已提交" in page.content()
    app = AssistanceApplication.objects.get()
    detail = f"{live_server.url}/funds/applications/{app.pk}/"

    # 2. The branch secretary records the branch general meeting.
    page.context.clear_cookies()
    sign_in("shuji1")
    page.goto(detail)
    assert "今天有表决权的正式党员 <strong>4</strong> 人" in page.content()  # the roster beside what is typed
    page.get_by_label("到会人数").fill("4")
    page.get_by_label("赞成").fill("3")
    page.get_by_label("反对").fill("1")
    page.get_by_label("弃权").fill("0")
    page.get_by_role("button", name="记录评议结果").click()
    page.wait_for_url(detail)
    assert "支部已评议" in page.content()

    # 3. The organization department approves a smaller amount; the notice starts.
    page.context.clear_cookies()
    sign_in("zzb")
    page.goto(detail)
    assert "历年帮扶情况" in page.content()
    page.get_by_label("批准金额（元）").fill("4000")
    page.get_by_label("会议纪要或决定文号").fill("党委会议纪要〔2026〕8号")
    page.get_by_role("button", name="批准并开始公示").click()
    page.wait_for_url(detail)
    assert "公示中" in page.content()
    app.refresh_from_db()
    page.goto(f"{live_server.url}/funds/notices/")
    assert "张党员" in page.content() and "4,000.00" in page.content()

    # The notice period ends; the daily job closes it.
    services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1))

    # 4. The fund officer disburses.
    page.context.clear_cookies()
    sign_in("jijin")
    page.goto(detail)
    page.get_by_role("button", name="确认发放").click()
    page.wait_for_url(detail)
    assert "已发放，已记入基金账目" in page.content()
    page.goto(f"{live_server.url}/funds/{fund.pk}/")
    assert "6,000.00" in page.content()

    app.refresh_from_db()
    assert app.status == Status.DISBURSED
    assert FundEntry.objects.get(application=app).amount == -4000
    assert [e.to_status for e in app.events.all()] == [
        "draft",
        "submitted",
        "branch_reviewed",
        "approved",
        "in_notice",
        "notice_passed",
        "disbursed",
    ]

    # The member sees the money on /me/.
    page.context.clear_cookies()
    sign_in("dangyuan1")
    page.goto(f"{live_server.url}/me/")
    assert "累计已领取帮扶资金" in page.content() and "4,000.00" in page.content()
