"""Access control generated from the URLconf.

Every route must be listed here. Routes that take an object id get an object in a foreign unit
(another 党委 that no persona of the `unit` fixture holds a role in); every persona, including the
organization department, must get 404 (or 403 where the whole page is closed to its role) with no
trace of the object in the body, for GET and for POST. A new route without an entry fails
`test_every_route_is_covered`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from members.models import Organization, Role
from notifications.services import notify
from reports.models import ReportJob
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory
from tests.funds.factories import approve, hold_meeting

pytestmark = pytest.mark.django_db
PERSONAS = ["shuji1", "shuji2", "zhiwei1", "dangyuan1", "zzb", "jijin"]


@dataclass
class Foreign:
    """An object outside every persona's scope, the URL kwargs that reach it, and text that must not leak."""

    kwargs: dict
    secrets: list[str]
    changed: Callable[[], bool] | None = None  # after a POST: did anything change?
    statuses: tuple[int, ...] = (403, 404, 405)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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


def foreign_record(unit) -> Foreign:
    from tests.hardship.factories import RecordFactory

    _, _, _, member = foreign_unit()
    record = RecordFactory(member=member, causes="外县绝密致困原因")
    reviewed = record.last_reviewed_on
    return Foreign({"pk": record.pk}, ["外县党员", "外县绝密致困原因"],
                   changed=lambda: type(record).objects.get(pk=record.pk).last_reviewed_on != reviewed
                   or type(record).objects.get(pk=record.pk).status != "active")


def foreign_pairing(unit) -> Foreign:
    from tests.hardship.factories import PairingFactory, RecordFactory

    _, _, _, member = foreign_unit()
    pairing = PairingFactory(record=RecordFactory(member=member), goals="外县绝密帮扶目标")
    return Foreign({"pk": pairing.pk}, ["外县党员", "外县绝密帮扶目标"],
                   changed=lambda: type(pairing).objects.get(pk=pairing.pk).status != "active"
                   or pairing.progress.exists())


def _foreign_funds():
    """A foreign unit with its fund officer, organization department and fund with income."""
    from funds import services
    from funds.models import Fund, Source

    committee, _, secretary, member = foreign_unit()
    officer = AppointmentFactory(organization=committee, role=Role.FUND_OFFICER).user
    department = AppointmentFactory(organization=committee, role=Role.ORG_DEPT).user
    fund = Fund.objects.create(organization=committee)
    services.record_income(fund_id=fund.pk, by=officer, source=Source.FISCAL, amount="5000.00",
                           occurred_on=dt.date.today())
    return fund, secretary, department, member


def foreign_fund(unit) -> Foreign:
    fund, _, _, _ = _foreign_funds()
    return Foreign({"pk": fund.pk}, ["外县党委"], changed=lambda: type(fund).objects.get(pk=fund.pk).balance != 5000)


def foreign_entry(unit) -> Foreign:
    fund, _, _, _ = _foreign_funds()
    entry = fund.entries.get()
    return Foreign({"pk": fund.pk, "entry_pk": entry.pk}, ["外县党委"],
                   changed=lambda: fund.entries.count() != 1)


def _foreign_application(*, to_notice: bool = False):
    from funds import services

    _, secretary, department, member = _foreign_funds()
    app = services.create_application(by=secretary, member=member, kind="temporary", amount_requested="500.00",
                                      reason="外县绝密申请理由", submit=True)
    if to_notice:
        hold_meeting(app, by=secretary)
        services.confirm_meeting(application_id=app.pk, by=department, confirm=True)
        approve(app, by=AppointmentFactory(organization=app.organization.parent, role=Role.ORG_DEPT).user,
                amount="500.00")
    app.refresh_from_db()
    return app


def foreign_reconsideration(unit) -> Foreign:
    """An emergency of the foreign unit, approved, whose branch meeting did not pass it."""
    from funds import services

    _, secretary, department, member = _foreign_funds()
    app = services.create_application(by=secretary, member=member, kind="disaster", amount_requested="500.00",
                                      reason="外县绝密申请理由", submit=True, is_emergency=True)
    approve(app, by=department, amount="500.00")
    hold_meeting(app, by=secretary, passed=False)
    services.confirm_meeting(application_id=app.pk, by=AppointmentFactory(
        organization=app.organization.parent, role=Role.ORG_DEPT).user, confirm=True)
    app.refresh_from_db()
    status = app.status
    return Foreign({"pk": app.pk}, ["外县党员", "外县绝密申请理由"],
                   changed=lambda: type(app).objects.get(pk=app.pk).status != status)


def foreign_partner(unit) -> Foreign:
    from funds import services

    fund, _, department, member = _foreign_funds()
    partner = services.add_partner_unit(fund_id=fund.pk, name="外县绝密共建单位", liaison=member.organization,
                                        contact="", by=department)
    return Foreign({"pk": partner.pk}, ["外县绝密共建单位"],
                   changed=lambda: not type(partner).objects.get(pk=partner.pk).is_active)


def foreign_application(unit) -> Foreign:
    app = _foreign_application()
    status = app.status
    return Foreign({"pk": app.pk}, ["外县党员", "外县绝密申请理由"],
                   changed=lambda: type(app).objects.get(pk=app.pk).status != status)


def foreign_objection_on_application(unit) -> Foreign:
    from funds.models import Objection as FundObjection

    app = _foreign_application(to_notice=True)
    raiser = MemberFactory(organization=app.member.organization, name="外县异议人").user or AppointmentFactory(
        organization=app.member.organization, role=Role.COMMITTEE).user
    objection = FundObjection.objects.create(application=app, raised_by=raiser, reason="外县异议内容")
    return Foreign({"pk": app.pk, "objection_pk": objection.pk}, ["外县党员", "外县异议内容"],
                   changed=lambda: FundObjection.objects.get(pk=objection.pk).outcome != FundObjection.Outcome.OPEN)


def foreign_attachment(unit) -> Foreign:
    from django.core.files.base import ContentFile

    from funds.models import Attachment

    app = _foreign_application()
    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = Attachment(application=app, original_name="外县绝密附件.pdf", content_type="application/pdf",
                            size=len(content), uploaded_by=app.submitted_by)
    attachment.file.save("foreign.pdf", ContentFile(content), save=True)
    return Foreign({"pk": attachment.pk}, ["外县绝密附件", "%PDF"])


def foreign_batch(unit) -> Foreign:
    from funds.models import DisbursementBatch

    fund, _, _, _ = _foreign_funds()
    officer = type(unit.zzb).objects.filter(appointments__role=Role.FUND_OFFICER,
                                            appointments__organization=fund.organization).get()
    batch = DisbursementBatch.objects.create(fund=fund, title="外县绝密发放清单", total=0, created_by=officer)
    return Foreign({"pk": batch.pk}, ["外县绝密发放清单"])


def foreign_visit(unit) -> Foreign:
    from tests.visits.factories import VisitFactory

    _, _, _, member = foreign_unit()
    visit = VisitFactory(member=member, notes="外县绝密走访情况")
    return Foreign({"pk": visit.pk}, ["外县党员", "外县绝密走访情况"])


def foreign_talk(unit) -> Foreign:
    from tests.visits.factories import make_talk

    _, _, _, member = foreign_unit()
    talk = make_talk([member], summary="外县绝密谈话", confidential_notes="外县保密记录")
    return Foreign({"pk": talk.pk}, ["外县党员", "外县绝密谈话", "外县保密记录"])


def foreign_plan(unit) -> Foreign:
    from visits.models import Occasion, VisitPlan

    _, branch, _, _ = foreign_unit()
    plan = VisitPlan.objects.create(organization=branch, occasion=Occasion.SPRING_FESTIVAL, year=2030,
                                    holiday=dt.date(2030, 2, 3))
    return Foreign({"pk": plan.pk}, ["外县第一党支部"])


def foreign_plan_item(unit) -> Foreign:
    from visits.models import VisitPlanItem

    foreign = foreign_plan(unit)
    _, _, _, member = foreign_unit()
    item = VisitPlanItem.objects.create(plan_id=foreign.kwargs["pk"], member=member, reasons="外县绝密原因")
    return Foreign({"pk": item.pk}, ["外县党员", "外县绝密原因"], changed=lambda: item.visitors.exists())


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
    **{f"hardship:{name}": foreign_record for name in ("detail", "edit", "review", "close")},
    **{f"hardship:{name}": foreign_pairing for name in (
        "pairing_detail", "agreement_edit", "agreement_print", "progress_add", "pairing_end")},
    "hardship:import_errors": unknown_token,
    **{f"funds:{name}": foreign_fund for name in (
        "ledger", "summary", "income", "batch_new", "batch_disburse", "rules", "set_bound", "set_target",
        "add_partner", "uses", "pay_visit", "pay_progress")},
    "funds:toggle_partner": foreign_partner,
    **{f"funds:{name}": foreign_reconsideration for name in ("reconsider", "recover")},
    "funds:reverse": foreign_entry,
    "funds:batch": foreign_batch,
    **{f"funds:{name}": foreign_application for name in (
        "application", "application_edit", "submit", "withdraw", "return", "meeting", "confirm_meeting", "approve",
        "reject", "object", "disburse")},
    "funds:resolve": foreign_objection_on_application,
    "funds:attachment": foreign_attachment,
    "visits:detail": foreign_visit,
    "visits:talk_detail": foreign_talk,
    "visits:plan_detail": foreign_plan,
    "visits:plan_item_assign": foreign_plan_item,
}
# Routes without an object id: their lists and actions are scoped and tested in each app's tests.
PLAIN_ROUTES = {
    "home", "login", "logout", "password_change", "password_change_done", "two_factor_setup", "two_factor_verify",
    "two_factor_disable", "me", "audit_log", "healthz",
    # The national holiday schedule: one for every unit, entered by the organization department
    # (tests/members/test_calendar_page.py tries every other role).
    "calendar:index", "calendar:year",
    "members:list", "members:create", "members:import", "members:import_template", "members:export", "members:search",
    "notifications:inbox", "notifications:read_all",
    "reports:dashboard", "reports:annual", "reports:holiday", "reports:holiday_xlsx",
    "awards:list", "awards:create", "awards:stats",
    "hardship:list", "hardship:create", "hardship:record_search", "hardship:export", "hardship:import", "hardship:import_template",
    "hardship:pairings", "hardship:pairing_create", "hardship:report", "hardship:report_xlsx",
    "funds:index", "funds:open", "funds:public", "funds:notices", "funds:applications", "funds:application_new",
    "visits:list", "visits:create", "visits:export", "visits:talk_list", "visits:talk_create", "visits:coverage",
    "visits:plan_list", "visits:prompts",
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
