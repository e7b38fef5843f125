"""Access control generated from the URLconf.

Every route must be listed here. Routes that take an object id get an object in a foreign unit
(another 党委 that no persona of the `unit` fixture holds a role in); every persona, including the
organization department, must get 404 (or 403 where the whole page is closed to its role) with no
trace of the object in the body, for GET and for POST. A new route without an entry fails
`test_every_route_is_covered`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from members.models import Organization, Role
from notifications.services import notify
from reports.models import ReportJob
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
PERSONAS = ["shuji1", "shuji2", "zhiwei1", "dangyuan1", "zzb", "jijin"]


@dataclass
class Foreign:
    """An object outside every persona's scope, the URL kwargs that reach it, and text that must not leak."""

    kwargs: dict
    secrets: list[str]
    changed: Callable[[], bool] | None = None  # after a POST: did anything change?
    statuses: tuple[int, ...] = (403, 404, 405)


def foreign_unit():
    committee = OrganizationFactory(name="外县党委", kind=Organization.Kind.COMMITTEE)
    branch = OrganizationFactory(name="外县第一党支部", parent=committee)
    secretary = AppointmentFactory(organization=branch, role=Role.SECRETARY).user
    member = MemberFactory(organization=branch, name="外县党员", phone="13766665555")
    return committee, branch, secretary, member


def foreign_member(unit) -> Foreign:
    _, _, _, member = foreign_unit()
    phone = member.phone
    return Foreign({"pk": member.pk}, [member.name, member.id_number],
                   changed=lambda: type(member).objects.get(pk=member.pk).phone != phone)


def foreign_notification(unit) -> Foreign:
    _, _, secretary, _ = foreign_unit()
    note = notify(recipient=secretary, title="外县机密通知")
    return Foreign({"pk": note.pk}, ["外县机密通知"],
                   changed=lambda: type(note).objects.get(pk=note.pk).read_at is not None)


def foreign_report_job(unit) -> Foreign:
    committee, _, secretary, _ = foreign_unit()
    job = ReportJob.objects.create(requested_by=secretary, organization=committee, year=2025)
    return Foreign({"pk": job.pk}, ["外县党委"])


def foreign_campaign(unit) -> Foreign:
    from tests.awards.factories import CampaignFactory

    committee, _, _, _ = foreign_unit()
    campaign = CampaignFactory(organizer=committee, title="外县绝密表彰")
    status = campaign.status
    return Foreign({"pk": campaign.pk}, ["外县绝密表彰"],
                   changed=lambda: type(campaign).objects.get(pk=campaign.pk).status != status)


def foreign_nomination(unit) -> Foreign:
    from tests.awards.factories import CampaignFactory, NominationFactory

    committee, _, _, member = foreign_unit()
    campaign = CampaignFactory(organizer=committee, title="外县绝密表彰")
    nomination = NominationFactory(category=campaign.categories.first(), member=member, deeds="外县党员的绝密事迹" * 3)
    status = nomination.status
    return Foreign({"pk": nomination.pk}, ["外县党员", "绝密事迹"],
                   changed=lambda: type(nomination).objects.get(pk=nomination.pk).status != status)


def foreign_objection(unit) -> Foreign:
    from awards.models import Objection

    foreign = foreign_nomination(unit)
    nomination_id = foreign.kwargs["pk"]
    raiser = type(unit.zzb).objects.create(username="外县异议人")
    objection = Objection.objects.create(nomination_id=nomination_id, raised_by=raiser, reason="外县异议内容")
    return Foreign({"pk": objection.pk}, ["外县异议内容", "外县党员"],
                   changed=lambda: Objection.objects.get(pk=objection.pk).status != "open")


def unknown_token(unit) -> Foreign:
    # An expired or foreign import token sends the importer back to the upload page with a message.
    return Foreign({"token": "not-a-real-token"}, [], statuses=(302, 403, 404, 405))


# Routes with an object in the path: how to make a foreign one.
OBJECT_ROUTES: dict[str, Callable[..., Foreign]] = {
    "members:detail": foreign_member,
    "members:edit": foreign_member,
    "members:import_errors": unknown_token,
    "notifications:open": foreign_notification,
    "reports:job": foreign_report_job,
    "reports:job_status": foreign_report_job,
    "reports:job_download": foreign_report_job,
    **{f"awards:{name}": foreign_campaign for name in (
        "detail", "nominate", "nominations", "nominations_xlsx", "honours_xlsx", "print", "close", "notice",
        "publish", "cancel")},
    **{f"awards:{name}": foreign_nomination for name in ("nomination", "review", "withdraw", "object")},
    "awards:resolve": foreign_objection,
}
# Routes without an object id: their lists and actions are scoped and tested in each app's tests.
PLAIN_ROUTES = {
    "home", "login", "logout", "password_change", "password_change_done", "two_factor_setup", "two_factor_verify",
    "two_factor_disable", "me", "audit_log", "healthz",
    "members:list", "members:create", "members:import", "members:import_template", "members:export", "members:search",
    "notifications:inbox", "notifications:read_all",
    "reports:dashboard", "reports:annual",
    "awards:list", "awards:create", "awards:stats",
}


def all_route_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= all_route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_covered():
    uncovered = all_route_names() - set(OBJECT_ROUTES) - PLAIN_ROUTES
    assert not uncovered, f"routes without an access test: {sorted(uncovered)}"


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_foreign_objects_are_not_found_for_every_role(unit, client, route, persona):
    from django.urls import reverse

    foreign = OBJECT_ROUTES[route](unit)
    url = reverse(route, kwargs=foreign.kwargs)
    client.force_login(getattr(unit, persona))
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"phone": "13900000000", "name": "篡改"})
        assert response.status_code in foreign.statuses, f"{method.upper()} {url} as {persona}: {response.status_code}"
        body = response.content.decode(errors="ignore")
        for secret in foreign.secrets:
            assert secret not in body
    if foreign.changed is not None:
        assert not foreign.changed(), f"POST {url} as {persona} changed a foreign object"
