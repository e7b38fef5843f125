"""API tokens: issued on a page by the 组织部 or an administrator for one organization's subtree and a
set of the role table's entries, shown once, stored hashed, expiring, revocable, every use logged."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken, ApiTokenUse
from members import access
from members.models import Appointment, Role
from tests.api.conftest import new_key
from tests.security.test_url_access import all_routes
from visits.models import Visit

pytestmark = pytest.mark.django_db

BRANCH_WORK = ["member.list", "member.view", "visit.list", "visit.view", "visit.create"]


def test_the_department_issues_a_token_on_a_page_and_reads_its_key_once(unit, client):
    client.force_login(unit.zzb)
    form = client.get(reverse("integrations:token_new"))
    assert form.status_code == 200
    offered = {value for value, _ in form.context["form"].fields["grants"].choices}
    assert "visit.create" in offered and "application.meeting" not in offered  # the 组织部 does not record meetings
    assert unit.branch1 in form.context["form"].fields["organization"].queryset
    response = client.post(
        reverse("integrations:token_new"),
        {
            "name": "智慧党建平台",
            "organization": unit.branch1.pk,
            "grants": BRANCH_WORK,
            "expires_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "note": "名册同步",
        },
    )
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("care_") and key in response.content.decode()
    token = ApiToken.objects.get()
    prefix, secret = key[len("care_") :].split("_", 1)
    assert token.prefix == prefix and token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in ApiToken.objects.values().get().values())
    detail = client.get(reverse("integrations:token", args=[token.pk]))
    assert detail.status_code == 200 and secret not in detail.content.decode()
    assert "智慧党建平台" in detail.content.decode()


def test_a_token_is_issued_only_within_the_issuers_scope_and_rights(unit, issue, client):
    from tests.factories import OrganizationFactory

    elsewhere = OrganizationFactory(name="外县党委", kind="committee")
    client.force_login(unit.zzb)
    response = client.post(
        reverse("integrations:token_new"),
        {
            "name": "外县",
            "organization": elsewhere.pk,
            "grants": ["member.list"],
            "expires_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 200 and "key" not in response.context
    assert not ApiToken.objects.exists()
    with pytest.raises(tokens.DomainError):
        issue(["application.meeting"])  # a 书记's step: the 组织部 cannot grant it
    with pytest.raises(tokens.DomainError):
        issue(["member.list"], days=3650)
    with pytest.raises(
        tokens.DomainError, match="须与“帮扶申请 · 记录支部大会”或“帮扶申请 · 审批、驳回、复议”一并授予"
    ):
        issue(["application.return"])  # a return is the reviewer's: alone it could never be used
    assert issue(["application.return", "application.approve"])[0].grants == [
        "application.approve",
        "application.return",
    ]
    client.force_login(unit.shuji1)
    assert client.get(reverse("integrations:token_new")).status_code == 403
    assert client.get(reverse("integrations:tokens")).status_code == 403


def test_a_token_acts_with_its_issuers_role_or_the_least_one_an_administrator_may_give(unit, issue):
    token, _ = issue(BRANCH_WORK)
    assert set(Appointment.objects.filter(user=token.service_user).values_list("organization", "role")) == {
        (unit.branch1.pk, Role.ORG_DEPT)
    }
    # An administrator's token: the fewest, least powerful roles that cover its grants (a 支委 records
    # the branch meeting and logs visits; paying takes the fund officer).
    token, _ = issue(["visit.create", "application.meeting", "application.disburse"], by=unit.admin)
    assert set(Appointment.objects.filter(user=token.service_user).values_list("role", flat=True)) == {
        Role.COMMITTEE,
        Role.FUND_OFFICER,
    }
    token, _ = issue(["visit.create"], by=unit.admin)
    assert set(Appointment.objects.filter(user=token.service_user).values_list("role", flat=True)) == {Role.COMMITTEE}
    assert not token.service_user.is_active and not token.service_user.has_usable_password()


def test_a_token_for_one_branch_reads_only_that_branch_and_logs_a_visit_there(unit, issue, api):
    token, key = issue(BRANCH_WORK)
    api.with_token(key)
    names = {row["name"] for row in api.get("/api/v1/members/", {"page_size": 200}).json()["results"]}
    assert {"李书记", "张党员", "刘一"} <= names and not names & {"赵书记", "陈二", "孙三"}
    assert api.get(f"/api/v1/members/{unit.member2.pk}/").status_code == 404
    assert api.get(f"/api/v1/members/{unit.member1.pk}/").status_code == 200
    own = unit.shuji1.member
    response = api.post(
        "/api/v1/visits/",
        {
            "member": unit.member1.pk,
            "visited_on": timezone.localdate().isoformat(),
            "occasion": "routine",
            "visitors": [own.pk],
            "notes": "上门了解生活情况",
        },
        key=new_key(),
    )
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.member == unit.member1 and visit.created_by == token.service_user
    assert {entry.actor for entry in LogEntry.objects.get_for_object(visit)} == {token.service_user}
    refused = api.post(
        "/api/v1/visits/",
        {
            "member": unit.member2.pk,
            "visited_on": timezone.localdate().isoformat(),
            "visitors": [own.pk],
        },
        key=new_key(),
    )
    assert refused.status_code == 400 and "member" in refused.json()["fields"]
    assert Visit.objects.count() == 1


def test_a_token_does_only_what_it_grants(unit, issue, api):
    _, key = issue(["member.list", "visit.create"])
    api.with_token(key)
    assert api.get("/api/v1/members/").status_code == 200
    listing = api.get("/api/v1/visits/")
    assert listing.status_code == 403 and listing.json()["code"] == "permission_denied"
    assert api.get(f"/api/v1/members/{unit.member1.pk}/").status_code == 403
    assert api.get("/api/v1/ledger/").status_code == 403
    me = api.get("/api/v1/me/").json()
    assert me["permissions"] == ["member.list", "visit.create"] and me["csrf_token"] is None


def test_full_id_numbers_only_with_the_grant_that_shows_them(unit, issue, api):
    _, masked_key = issue(["member.list"])
    _, full_key = issue(["member.list", "member_sensitive.view"])
    number = unit.member1.id_number
    rows = {row["id"]: row for row in api.with_token(masked_key).get("/api/v1/members/").json()["results"]}
    assert rows[unit.member1.pk]["id_number"] == "*" * 14 + number[-4:]
    assert rows[unit.member1.pk]["birth_date"] is None and rows[unit.member1.pk]["sensitive_masked"]
    rows = {row["id"]: row for row in api.with_token(full_key).get("/api/v1/members/").json()["results"]}
    assert rows[unit.member1.pk]["id_number"] == number and not rows[unit.member1.pk]["sensitive_masked"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked"),
        ({"expires_at": timezone.now() - dt.timedelta(seconds=1)}, "token_expired"),
    ],
)
def test_an_expired_or_revoked_token_is_refused_and_the_attempt_logged(unit, issue, api, change, code):
    token, key = issue(["member.list"])
    ApiToken.objects.filter(pk=token.pk).update(**change)
    response = api.with_token(key).get("/api/v1/members/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 401
    assert response.json()["code"] == code and response["WWW-Authenticate"].startswith("Bearer")
    use = ApiTokenUse.objects.get(token=token)
    assert (use.status, use.path, use.ip_address) == (401, "/api/v1/members/", "10.1.2.3")


def test_a_wrong_key_is_refused(unit, issue, api):
    _, key = issue(["member.list"])
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), "care_00000000_" + "x" * 43, "nonsense"):
        response = api.with_token(wrong).get("/api/v1/members/")
        assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert not ApiTokenUse.objects.exists()


def test_every_use_is_logged_with_route_status_and_address(unit, issue, api, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    token, key = issue(BRANCH_WORK)
    api.with_token(key).get("/api/v1/members/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    api.get(f"/api/v1/members/{unit.member2.pk}/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    uses = list(
        ApiTokenUse.objects.filter(token=token).order_by("pk").values_list("method", "path", "status", "ip_address")
    )
    assert uses == [
        ("GET", "/api/v1/members/", 200, "203.0.113.9"),
        ("GET", f"/api/v1/members/{unit.member2.pk}/", 404, "203.0.113.9"),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_stops_at_once(unit, issue, api, client):
    token, key = issue(["member.list"])
    assert api.with_token(key).get("/api/v1/members/").status_code == 200
    client.force_login(unit.zzb)
    assert client.post(reverse("integrations:token_revoke", args=[token.pk])).status_code == 302
    assert api.with_token(key).get("/api/v1/members/").status_code == 401


def test_the_service_user_never_signs_in_to_the_pages(unit, issue, rf):
    from django.contrib.auth import authenticate

    token, _ = issue(["member.list"])
    user = token.service_user
    assert user.username.startswith(access.SERVICE_USER_PREFIX)
    assert authenticate(rf.post("/accounts/login/"), username=user.username, password="") is None
    # Loaded without its token, a service user may do nothing at all.
    fresh = type(user).objects.get(pk=user.pk)
    assert not access.may(fresh, "member", "list")


def test_every_api_route_is_an_entry_a_token_may_be_granted():
    grantable = {access.entry(kind, action) for kind, action in tokens.GRANTABLE}
    for name, view in all_routes().items():
        if not name.startswith("api:"):
            continue
        for method in ("GET", "POST"):
            rule = access.rule_of(view, method)
            if rule.in_table:
                assert access.entry(rule.kind, rule.action) in grantable, (name, method)


@pytest.mark.parametrize("where", ["own", "foreign"])
def test_a_token_answers_every_api_route_as_its_grants_and_organization_say(unit, issue, api, where):
    """The access matrix for a token: of everything the 组织部 may grant, every other entry (and the
    fund's) is granted to a token for 第一党支部. A route whose entry it lacks answers 403; an object in the branch goes
    through, one above it (the 党委's fund) or in another unit is 404; nothing refused changes."""
    from django.db import transaction
    from django.urls import reverse

    from tests.security.test_url_access import OBJECT_ROUTES, foreign, home, went_through

    offered = tokens.grantable_by(unit.zzb)
    granted = set(offered[::2]) | {"fund.view"}  # the 党委's fund: above the token's branch, so 404
    for each, partners in tokens.GOES_WITH.items():  # a return goes with a review step
        if each in granted and not set(partners) & granted:
            granted.add(next(partner for partner in partners if partner in offered))
    _, key = issue(sorted(granted))
    api.with_token(key)
    routes = all_routes()
    problems, seen = [], set()
    for route in sorted(name for name in OBJECT_ROUTES if name.startswith("api:")):
        with transaction.atomic():
            place = foreign() if where == "foreign" else home(unit, own=False)
            target = OBJECT_ROUTES[route](place)
            url = reverse(route, kwargs=target.kwargs)
            wants = []
            for method in ("get", "post"):
                rule = access.rule_of(routes[route], method)
                if access.entry(rule.kind, rule.action) not in granted:
                    want = "forbidden"
                elif target.organization.path.startswith(unit.branch1.path):
                    want = "allowed"
                else:
                    want = "missing"
                wants.append(want)
                seen.add(want)
                response = api.get(url) if method == "get" else api.post(url, {"reason": "篡改"}, key=new_key())
                ok = {
                    "forbidden": response.status_code == 403,
                    "missing": response.status_code in (404, 405),
                    "allowed": went_through(url, response.status_code),
                }[want]
                if not ok:
                    problems.append(f"{method.upper()} {route} ({where}): {response.status_code}, expected {want}")
                if want != "allowed":
                    problems += [
                        f"{route} shows {secret}" for secret in target.secrets if secret in response.content.decode()
                    ]
            if wants[1] != "allowed" and target.changed is not None and target.changed():
                problems.append(f"POST {route} ({where}) changed the object")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
    assert seen == ({"forbidden", "allowed", "missing"} if where == "own" else {"forbidden", "missing"})
