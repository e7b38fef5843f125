import pytest

from visits.models import Talk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_logs_a_talk_from_a_phone(unit, sign_in, live_server):
    page = sign_in("shuji1")
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="关怀", exact=True).click()
    page.get_by_role("link", name="谈心谈话", exact=True).click()
    page.get_by_role("link", name="登记谈话").click()
    page.wait_for_url(f"{live_server.url}/visits/talks/new/")
    # The secretary is already filled in as the interviewer, today as the date.
    assert "李书记" in page.locator("#div_id_interviewers").inner_text()
    page.locator(
        "#div_id_participants input[type=text], #div_id_participants input.ts-control-input, "
        "#div_id_participants .ts-control input"
    ).first.fill("刘一")
    page.locator(".ts-dropdown .option", has_text="刘一").first.click()
    page.get_by_label("谈话事由").select_option(label="遇到困难")
    page.get_by_label("困难党员").check()
    page.get_by_label("谈话内容摘要").fill("了解了家庭近况，子女上学有困难")
    page.get_by_label("本人意见和诉求").fill("希望帮助申请助学")
    page.get_by_label("内部记录（仅组织掌握）").fill("情绪低落，一个月后再谈")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/visits/talks/*/")
    assert "已登记与刘一的谈心谈话" in page.content()
    talk = Talk.objects.get()
    assert list(talk.participants.values_list("name", flat=True)) == ["刘一"]
    assert talk.priority_hardship and talk.reason == Talk.Reason.DIFFICULTY
    assert talk.confidential_notes == "情绪低落，一个月后再谈"
