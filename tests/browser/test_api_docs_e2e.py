"""The API's interactive documentation works under the site's Content-Security-Policy (no inline
script, no CDN): Swagger UI from static/vendor/ renders every operation, and a signed-in user's
"Try it out" calls the API as them."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_render_and_try_it_out_calls_the_api(unit, sign_in, live_server):
    page = sign_in("shuji1")
    violations, outside = [], []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith((live_server.url, "data:")) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/members/" in paths and "/api/v1/changes/" in paths and "/api/v1/visits/" in paths
    page.locator("#operations-members-members_list .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.locator("#operations-members-members_list").get_by_role("button", name="Execute").click()
    page.wait_for_selector("#operations-members-members_list .live-responses-table .response-col_status")
    response = page.locator("#operations-members-members_list .live-responses-table").inner_text()
    assert "200" in response and "刘一" in response and "陈二" not in response
    assert not violations, violations
    assert not outside, outside
