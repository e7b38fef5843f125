import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_logs_in_opens_the_roster_and_a_member(unit, sign_in, live_server):
    page = sign_in("shuji1")
    assert "您好" in page.content()
    # On a phone the menu is collapsed behind the toggler.
    page.get_by_label("展开菜单").click()
    page.get_by_role("button", name="党员", exact=True).click()
    page.get_by_role("link", name="党员名册").click()
    page.wait_for_url(f"{live_server.url}/members/")
    body = page.content()
    assert "刘一" in body and "陈二" not in body
    page.get_by_role("link", name="刘一").click()
    page.wait_for_url(f"{live_server.url}/members/{unit.member1.pk}/")
    assert unit.member1.id_number in page.content()
    assert page.get_by_role("heading", name="刘一").is_visible()


def test_wrong_password_shows_a_chinese_message(unit, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("shuji1")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.content()
