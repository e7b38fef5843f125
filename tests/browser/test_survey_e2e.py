import datetime as dt

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import BranchSurvey
from visits.models import Occasion, VisitPrompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_secretary_checks_every_member_and_confirms_the_branch_on_a_phone(unit, sign_in, live_server):
    today = timezone.localdate()
    services.open_period(
        organization=unit.committee,
        name=f"{today.year}年主题教育期间全面排查",
        starts_on=today,
        ends_on=dt.date(today.year, 12, 31),
        by=unit.zzb,
    )
    page = sign_in("shuji2")
    page.get_by_role("link", name="去排查").click()
    page.wait_for_url(f"{live_server.url}/surveys/branches/**")
    assert "已排查 0/2" in page.content() and fits_the_phone(page)
    page.screenshot(path="test-results/survey-branch.png", full_page=True)

    page.get_by_role("link", name="赵书记").click()
    page.get_by_label("健康", exact=True).check()
    page.get_by_label("收入稳定").check()
    page.get_by_label("已谈心谈话").check()
    assert fits_the_phone(page)
    page.screenshot(path="test-results/survey-checklist.png", full_page=True)
    page.get_by_role("button", name="保存，下一位").click()
    page.wait_for_load_state()
    assert "已登记赵书记的排查情况" in page.content() and "陈二" in page.locator("h1").inner_text()

    page.get_by_label("患病住院").check()
    page.get_by_label("收入偏低").check()
    page.get_by_label("上门走访", exact=True).check()
    page.get_by_label("向家属、邻居了解").check()
    page.get_by_role("button", name="保存，返回名单").click()
    page.wait_for_load_state()
    assert "已生成患病探望提示" in page.content() and "已生成上门走访提示" in page.content()
    assert "已排查 2/2" in page.content()

    page.get_by_role("button", name="确认本支部排查完成").click()
    page.wait_for_load_state()
    assert "已确认本支部全面排查完成" in page.content()
    page.screenshot(path="test-results/survey-branch-done.png", full_page=True)
    assert BranchSurvey.objects.get(branch=unit.branch2).done_on == today
    assert set(VisitPrompt.objects.filter(member=unit.member2).values_list("occasion", flat=True)) == {
        Occasion.ILLNESS,
        Occasion.CONCERN,
    }
