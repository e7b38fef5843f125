"""Access control, generated from the URLconf and checked against the role table (members.access).

Every route declares the rule it serves (`requires(kind, action)`, a view's `access`, or PUBLIC /
SIGNED_IN); a route without one fails `test_every_route_declares_a_rule`, and a rule the table does
not have fails at import. Every route that takes an object id is then tried by every persona
(secretary, committee member, member, the organization department, the fund officer, a secretary of
another branch, an administrator) against objects in three places:

- **own**: in 第一党支部 under the 党委 where the personas hold their roles, and about 张党员
  (dangyuan1) where the kind admits a member's own objects;
- **sibling**: in the same branch, about another member (so the member's own rule is tried);
- **foreign**: in another 党委 where no persona holds a role.

The expected answer comes from the table: a role the table gives no right anywhere gets 403; an
object outside the organizations where the persona holds one of the table's roles (and not their own)
gets 404; otherwise the request goes through (200, a redirect, or 405 for a GET on an action). A
refused request shows nothing of the object and changes nothing.

The API's routes (/api/v1/) are in the same matrix. A route may declare a rule per method (GET lists,
POST creates), and each method is checked against its own. What differs is only how an answer looks:
JSON, 401 instead of a redirect to the login page for a signed-out caller, and for a request that
passed the gates any answer but 401/403/404 (a 400 for the test's made-up body, a 409 when the
workflow refuses the step) counts as "went through".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from members import access
from members.access import MEMBER, PUBLIC, SELF, SIGNED_IN, rule_of
from members.models import Organization, Role
from notifications.services import notify
from reports.models import ReportJob
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
PERSONAS = ["shuji1", "shuji2", "zhiwei1", "dangyuan1", "zzb", "jijin", "admin"]
ALLOWED = {200, 302, 405}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- places: where the objects of a route are made ---------------------------------------------------


@dataclass
class Place:
    """An organization tree with the people an object needs: its member, a secretary, the department."""

    name: str
    committee: Organization
    branch: Organization
    secretary: object
    department: object
    officer: object
    member: object  # the Member the object is about
    other: object = None  # another Member of the branch (a second participant, a helper)


def home(unit, *, own: bool) -> Place:
    member = unit.dangyuan1.member if own else unit.member1
    other = MemberFactory(organization=unit.branch1, name="本支部党员")
    return Place(
        "own" if own else "sibling", unit.committee, unit.branch1, unit.shuji1, unit.zzb, unit.jijin, member, other
    )


def foreign() -> Place:
    committee = OrganizationFactory(name="外县党委", kind=Organization.Kind.COMMITTEE)
    branch = OrganizationFactory(name="外县第一党支部", parent=committee)
    secretary = AppointmentFactory(organization=branch, role=Role.SECRETARY).user
    department = AppointmentFactory(organization=committee, role=Role.ORG_DEPT).user
    officer = AppointmentFactory(organization=committee, role=Role.FUND_OFFICER).user
    member = MemberFactory(organization=branch, name="外县党员", phone="13766665555")
    return Place(
        "foreign",
        committee,
        branch,
        secretary,
        department,
        officer,
        member,
        MemberFactory(organization=branch, name="外县党员乙"),
    )


@dataclass
class Target:
    """An object, the URL kwargs that reach it, text that must not leak, and how to tell a change."""

    kwargs: dict
    secrets: list[str]
    organization: Organization
    owner: object = None  # the User whose own object it is (SELF), if any
    changed: Callable[[], bool] | None = None
    # "down": a role over the organization reaches the object. "tree": so does a role anywhere under it
    # (a 党委's campaign is for every branch under it: their secretaries nominate, their members object).
    reach: str = "down"


# --- builders, one per kind of object ---------------------------------------------------------------


def member_target(place: Place) -> Target:
    member = place.member
    phone = member.phone
    return Target(
        {"pk": member.pk},
        [member.id_number],
        place.branch,
        owner=member.user,
        changed=lambda: type(member).objects.get(pk=member.pk).phone != phone,
    )


def record_target(place: Place) -> Target:
    from tests.hardship.factories import RecordFactory

    record = RecordFactory(member=place.member, causes=f"{place.name}绝密致困原因")
    reviewed = record.last_reviewed_on

    def changed():
        fresh = type(record).objects.get(pk=record.pk)
        return fresh.last_reviewed_on != reviewed or fresh.status != "active"

    return Target(
        {"pk": record.pk}, [f"{place.name}绝密致困原因"], place.branch, owner=place.member.user, changed=changed
    )


def pairing_target(place: Place) -> Target:
    from tests.hardship.factories import PairingFactory, RecordFactory

    # The member of the place is the helper: a helper reads and logs their own pairing.
    pairing = PairingFactory(
        record=RecordFactory(member=place.other), helper=place.member, goals=f"{place.name}绝密帮扶目标"
    )
    return Target(
        {"pk": pairing.pk},
        [f"{place.name}绝密帮扶目标"],
        place.branch,
        owner=place.member.user,
        changed=lambda: type(pairing).objects.get(pk=pairing.pk).status != "active" or pairing.progress.exists(),
    )


def progress_target(place: Place) -> Target:
    from hardship.models import HelpType, PairingProgress

    target = pairing_target(place)
    entry = PairingProgress.objects.create(
        pairing_id=target.kwargs["pk"],
        date=dt.date(2026, 1, 5),
        help_type=HelpType.objects.get(code="employment"),
        description=f"{place.name}绝密帮就业",
        employment_step="referral",
        employment_outcome="pending",
    )
    return Target(
        {"pk": entry.pk},
        [f"{place.name}绝密帮就业"],
        place.branch,
        owner=place.member.user,
        changed=lambda: type(entry).objects.get(pk=entry.pk).employment_outcome != "pending",
    )


def visit_target(place: Place) -> Target:
    from tests.visits.factories import VisitFactory

    visit = VisitFactory(member=place.member, notes=f"{place.name}绝密走访情况")
    return Target({"pk": visit.pk}, [f"{place.name}绝密走访情况"], place.branch, owner=place.member.user)


def talk_target(place: Place) -> Target:
    from tests.visits.factories import make_talk

    talk = make_talk([place.member], summary=f"{place.name}绝密谈话", confidential_notes=f"{place.name}保密记录")
    return Target(
        {"pk": talk.pk}, [f"{place.name}绝密谈话", f"{place.name}保密记录"], place.branch, owner=place.member.user
    )


def plan_target(place: Place) -> Target:
    from visits.models import Occasion, VisitPlan

    plan, _ = VisitPlan.objects.get_or_create(
        organization=place.branch,
        occasion=Occasion.SPRING_FESTIVAL,
        year=2030,
        defaults={"holiday": dt.date(2030, 2, 3)},
    )
    return Target({"pk": plan.pk}, [], place.branch)


def plan_item_target(place: Place) -> Target:
    from visits.models import VisitPlanItem

    plan = plan_target(place)
    item, _ = VisitPlanItem.objects.get_or_create(
        plan_id=plan.kwargs["pk"], member=place.member, defaults={"reasons": f"{place.name}绝密原因"}
    )
    return Target({"pk": item.pk}, [f"{place.name}绝密原因"], place.branch, changed=lambda: item.visitors.exists())


def concern_target(place: Place) -> Target:
    from visits.models import Concern

    concern = Concern.objects.create(
        member=place.member, message=f"{place.name}绝密反映", created_on=dt.date(2026, 1, 5)
    )
    return Target(
        {"pk": concern.pk},
        [f"{place.name}绝密反映"],
        place.branch,
        owner=place.member.user,
        changed=lambda: type(concern).objects.get(pk=concern.pk).status != "new",
    )


def prompt_target(place: Place) -> Target:
    from visits.models import Occasion, VisitPrompt

    prompt = VisitPrompt.objects.create(
        member=place.member,
        occasion=Occasion.ACCIDENT,
        event_key=f"test:{place.name}",
        reason=f"{place.name}绝密事件",
        raised_on=dt.date(2026, 1, 5),
    )
    return Target({"pk": prompt.pk}, [f"{place.name}绝密事件"], place.branch)


def notification_target(place: Place) -> Target:
    owner = place.member.user or place.secretary
    note = notify(recipient=owner, title=f"{place.name}机密通知")
    return Target(
        {"pk": note.pk},
        [f"{place.name}机密通知"],
        place.branch,
        owner=owner,
        changed=lambda: type(note).objects.get(pk=note.pk).read_at is not None,
    )


def report_job_target(place: Place) -> Target:
    """A finished annual workbook that the branch's secretary asked for: only they download it."""
    from django.core.files.base import ContentFile

    job = ReportJob.objects.create(
        requested_by=place.secretary, organization=place.branch, year=2025, status=ReportJob.Status.DONE, progress=100
    )
    job.file.save(f"report-{place.name}.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return Target({"pk": job.pk}, [], place.branch, owner=place.secretary)


def _fund(place: Place):
    from funds import services
    from funds.models import Fund, Source

    fund, created = Fund.objects.get_or_create(organization=place.committee)
    if created:
        services.record_income(
            fund_id=fund.pk, by=place.officer, source=Source.FISCAL, amount="5000.00", occurred_on=timezone.localdate()
        )
        fund.refresh_from_db()
    return fund


def fund_target(place: Place) -> Target:
    fund = _fund(place)
    balance = fund.balance
    return Target(
        {"pk": fund.pk}, [], place.committee, changed=lambda: type(fund).objects.get(pk=fund.pk).balance != balance
    )


def entry_target(place: Place) -> Target:
    fund = _fund(place)
    entry = fund.entries.order_by("pk").first()
    count = fund.entries.count()
    return Target(
        {"pk": fund.pk, "entry_pk": entry.pk}, [], place.committee, changed=lambda: fund.entries.count() != count
    )


def batch_target(place: Place) -> Target:
    from funds.models import DisbursementBatch

    fund = _fund(place)
    batch = DisbursementBatch.objects.create(
        fund=fund, title=f"{place.name}绝密发放清单", total=0, created_by=place.officer
    )
    return Target({"pk": batch.pk}, [f"{place.name}绝密发放清单"], place.committee)


def _application(place: Place, *, status: str = "submitted", **extra):
    """An application of the place's member, moved to `status` directly: the access test is about who
    may reach it, not about the workflow's rules (tests/funds test those)."""
    from funds.models import AssistanceApplication

    fund = _fund(place)
    now = timezone.now()
    fields = {"submitted_at": now, **extra}
    if status in ("in_notice", "objection", "reconsideration", "recovery_due", "notice_passed"):
        today = timezone.localdate()
        fields.update(
            approved_by=place.department,
            approved_at=now,
            amount_approved=Decimal("500.00"),
            meeting_on=today,
            meeting_attendees=3,
            votes_for=3,
            votes_against=0,
            votes_abstain=0,
            notice_starts_on=today,
            notice_ends_on=today + dt.timedelta(days=7),
        )
    return AssistanceApplication.objects.create(
        fund=fund,
        member=place.member,
        organization=place.branch,
        kind="temporary",
        year=timezone.localdate().year,
        amount_requested=Decimal("500.00"),
        reason=f"{place.name}绝密申请理由",
        status=status,
        status_changed_at=now,
        submitted_by=place.secretary,
        **fields,
    )


def application_target(place: Place) -> Target:
    app = _application(place)
    return Target(
        {"pk": app.pk},
        [f"{place.name}绝密申请理由"],
        place.branch,
        owner=place.member.user,
        changed=lambda: type(app).objects.get(pk=app.pk).status != "submitted",
    )


def noticed_application_target(place: Place) -> Target:
    app = _application(place, status="in_notice")
    return Target(
        {"pk": app.pk},
        [f"{place.name}绝密申请理由"],
        place.branch,
        owner=place.member.user,
        changed=lambda: app.objections.exists(),
    )


def meeting_to_confirm_target(place: Place) -> Target:
    """A branch meeting recorded by the secretary who filled the application in: another 支委 (or the
    组织部) confirms it."""
    app = _application(
        place,
        meeting_on=timezone.localdate(),
        meeting_attendees=3,
        votes_for=3,
        votes_against=0,
        votes_abstain=0,
        meeting_recorded_by=place.secretary,
    )
    return Target(
        {"pk": app.pk},
        [f"{place.name}绝密申请理由"],
        place.branch,
        owner=place.member.user,
        changed=lambda: (
            type(app).objects.get(pk=app.pk).meeting_confirmed_at is not None
            or type(app).objects.get(pk=app.pk).meeting_on is None
        ),
    )


def reconsideration_target(place: Place) -> Target:
    """An emergency paid or approved before the branch meeting, which then did not pass it: the 党委
    decides again (and the fund officer records the recovery)."""
    app = _application(place, status="reconsideration", is_emergency=True)
    return Target(
        {"pk": app.pk},
        [f"{place.name}绝密申请理由"],
        place.branch,
        owner=place.member.user,
        changed=lambda: type(app).objects.get(pk=app.pk).status != "reconsideration",
    )


def partner_target(place: Place) -> Target:
    from funds.models import PartnerUnit

    partner = PartnerUnit.objects.create(fund=_fund(place), name=f"{place.name}绝密共建单位", liaison=place.branch)
    return Target(
        {"pk": partner.pk},
        [f"{place.name}绝密共建单位"],
        place.committee,
        changed=lambda: not PartnerUnit.objects.get(pk=partner.pk).is_active,
    )


def objection_on_application_target(place: Place) -> Target:
    from funds.models import Objection

    app = _application(place, status="objection")
    objection = Objection.objects.create(
        application=app, raised_by=place.other.user or place.secretary, reason=f"{place.name}异议内容"
    )
    return Target(
        {"pk": app.pk, "objection_pk": objection.pk},
        [f"{place.name}异议内容"],
        place.branch,
        owner=place.member.user,
        changed=lambda: Objection.objects.get(pk=objection.pk).outcome != Objection.Outcome.OPEN,
    )


def attachment_target(place: Place) -> Target:
    from django.core.files.base import ContentFile

    from funds.models import Attachment

    app = _application(place)
    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = Attachment(
        application=app,
        original_name=f"{place.name}绝密附件.pdf",
        content_type="application/pdf",
        size=len(content),
        uploaded_by=place.secretary,
    )
    attachment.file.save("secret.pdf", ContentFile(content), save=True)
    return Target({"pk": attachment.pk}, ["%PDF"], place.branch, owner=place.member.user)


def campaign_target(place: Place, *, status: str = "collecting") -> Target:
    from awards.models import AwardCampaign
    from tests.awards.factories import CampaignFactory

    campaign = CampaignFactory(organizer=place.committee, title=f"{place.name}绝密表彰", year=_free_year(place))
    if status != "collecting":
        today = timezone.localdate()
        AwardCampaign.objects.filter(pk=campaign.pk).update(
            status=status,
            notice_starts_on=today - dt.timedelta(days=9),
            notice_ends_on=today - dt.timedelta(days=2),
            published_on=today,
        )
    return Target(
        {"pk": campaign.pk},
        [] if place.name != "foreign" else ["foreign绝密表彰"],
        place.committee,
        changed=lambda: type(campaign).objects.get(pk=campaign.pk).status != status,
        reach="tree",
    )


def _free_year(place: Place) -> int:
    """One campaign a year per organizer: each builder's campaign takes the year before the last."""
    from awards.models import AwardCampaign

    return timezone.localdate().year - AwardCampaign.objects.filter(organizer=place.committee).count()


def published_campaign_target(place: Place) -> Target:
    return campaign_target(place, status="published")


def nomination_target(place: Place, *, status: str = "submitted") -> Target:
    from awards.models import AwardCampaign
    from tests.awards.factories import CampaignFactory, NominationFactory

    campaign = CampaignFactory(organizer=place.committee, title=f"{place.name}表彰", year=_free_year(place))
    nomination = NominationFactory(
        category=campaign.categories.first(), member=place.other, deeds=f"{place.name}的绝密事迹" * 3, status=status
    )
    if status == "approved":
        AwardCampaign.objects.filter(pk=campaign.pk).update(
            status="notice",
            notice_starts_on=timezone.localdate(),
            notice_ends_on=timezone.localdate() + dt.timedelta(days=7),
        )
    before = nomination.status
    return Target(
        {"pk": nomination.pk},
        [f"{place.name}的绝密事迹"],
        place.branch,
        changed=lambda: type(nomination).objects.filter(pk=nomination.pk, status=before).count() != 1,
    )


def noticed_nomination_target(place: Place) -> Target:
    """A name on a campaign's notice: every member under the organizer may object to it."""
    target = nomination_target(place, status="approved")
    target.organization, target.reach = place.committee, "tree"
    return target


def objection_target(place: Place) -> Target:
    from awards.models import Objection

    target = nomination_target(place, status="approved")
    objection = Objection.objects.create(
        nomination_id=target.kwargs["pk"], raised_by=place.secretary, reason=f"{place.name}异议内容"
    )
    return Target(
        {"pk": objection.pk},
        [f"{place.name}异议内容"],
        place.branch,
        changed=lambda: Objection.objects.get(pk=objection.pk).status != "open",
    )


def conflict_target(place: Place) -> Target:
    """A roster import in the place's branch met a number registered in another branch of the 党委."""
    from members.models import ImportConflict

    other_branch = OrganizationFactory(name=f"{place.name}另一支部", parent=place.committee)
    conflict = ImportConflict.objects.create(
        existing_member=MemberFactory(organization=other_branch, name=f"{place.name}外支部党员"),
        branch=place.branch,
        imported_by=place.secretary,
        row=2,
        typed_name="冒名",
    )
    return Target(
        {"pk": conflict.pk},
        [f"{place.name}外支部党员"],
        place.branch,
        changed=lambda: ImportConflict.objects.get(pk=conflict.pk).resolved_at is not None,
    )


def api_token_target(place: Place) -> Target:
    """An API token the department issued for the branch; revoking it is the change to look for."""
    from api import tokens
    from api.models import ApiToken

    token, _key = tokens.issue_token(
        by=place.department,
        name=f"{place.name}绝密接口",
        organization=place.branch,
        grants=["member.list"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return Target(
        {"pk": token.pk},
        [f"{place.name}绝密接口"],
        place.branch,
        changed=lambda: ApiToken.objects.get(pk=token.pk).revoked_at is not None,
    )


def _filing(place: Place):
    """A half-year report the branch's secretary submitted a second time, after a return whose comment
    names the place: the 组织部 receives it; only the secretary and the 组织部 download its workbooks."""
    from django.core.files.base import ContentFile

    from filings.models import Filing, FilingVersion

    now = timezone.now()
    # One report a period and unit: each builder's takes the year before the last (as _free_year does).
    year = 2025 - Filing.objects.filter(organization=place.branch).count()
    filing = Filing.objects.create(
        organization=place.branch, kind="half_year", year=year, half=2, status="submitted", submitted_at=now
    )
    for number in (1, 2):
        version = FilingVersion(
            filing=filing,
            number=number,
            submitted_by=place.secretary,
            submitted_at=now,
            due_on=dt.date(2026, 1, 15),
            state="ready",
            return_comment=f"{place.name}绝密退回意见" if number == 1 else "",
        )
        version.file.save(f"filing-{place.name}-{number}.xlsx", ContentFile(b"PK\x03\x04"), save=False)
        version.save()
    return filing


def filing_target(place: Place) -> Target:
    filing = _filing(place)
    return Target(
        {"pk": filing.pk},
        [f"{place.name}绝密退回意见"],
        place.branch,
        changed=lambda: type(filing).objects.get(pk=filing.pk).status != "submitted",
    )


def filing_version_target(place: Place) -> Target:
    filing = _filing(place)
    return Target({"pk": filing.versions.order_by("number").first().pk}, [], place.branch)


def _survey(place: Place):
    from core import clock
    from surveys import services
    from surveys.models import BranchSurvey, SurveyPeriod

    period = SurveyPeriod.objects.filter(organization=place.committee).first()
    if period is None:
        today = clock.today()
        period = services.open_period(
            organization=place.committee,
            name=f"{place.name}全面排查",
            starts_on=today,
            ends_on=max(today, dt.date(today.year, 12, 31)),
            by=place.department,
        )
    return BranchSurvey.objects.get(period=period, branch=place.branch)


def survey_period_target(place: Place) -> Target:
    branch_survey = _survey(place)
    return Target(
        {"pk": branch_survey.period_id}, [f"{place.name}全面排查"] if place.name == "foreign" else [], place.committee
    )


def branch_survey_target(place: Place) -> Target:
    branch_survey = _survey(place)
    return Target(
        {"pk": branch_survey.pk},
        [],
        place.branch,
        changed=lambda: type(branch_survey).objects.get(pk=branch_survey.pk).done_on is not None,
    )


def checklist_target(place: Place) -> Target:
    from surveys.models import Checklist

    checklist = Checklist.objects.get(branch_survey=_survey(place), member=place.member)
    Checklist.objects.filter(pk=checklist.pk).update(
        health="poor",
        living="low",
        contact="talked",
        health_note=f"{place.name}绝密病情",
        confirmed_on=dt.date(2026, 1, 5),
    )
    return Target(
        {"pk": checklist.pk},
        [f"{place.name}绝密病情"],
        place.branch,
        changed=lambda: Checklist.objects.get(pk=checklist.pk).confirmed_on != dt.date(2026, 1, 5),
    )


def unknown_token(place: Place) -> Target:
    # An expired or someone else's import token: back to the upload page with a message.
    return Target({"token": f"{place.name}-not-a-real-token"}, [], place.branch)


OBJECT_ROUTES: dict[str, Callable[[Place], Target]] = {
    "members:detail": member_target,
    "members:edit": member_target,
    "members:import_errors": unknown_token,
    "members:conflict_resolve": conflict_target,
    "notifications:open": notification_target,
    "reports:job": report_job_target,
    "reports:job_status": report_job_target,
    "reports:job_download": report_job_target,
    **{
        f"awards:{name}": campaign_target
        for name in ("detail", "nominate", "nominations", "nominations_xlsx", "close", "notice", "publish", "cancel")
    },
    **{f"awards:{name}": published_campaign_target for name in ("honours_xlsx", "print")},
    **{f"awards:{name}": nomination_target for name in ("nomination", "review", "withdraw")},
    "awards:object": noticed_nomination_target,
    "awards:resolve": objection_target,
    **{f"hardship:{name}": record_target for name in ("detail", "edit", "review", "close")},
    **{
        f"hardship:{name}": pairing_target
        for name in ("pairing_detail", "agreement_edit", "agreement_print", "progress_add", "pairing_end")
    },
    "hardship:import_errors": unknown_token,
    **{
        f"funds:{name}": fund_target
        for name in (
            "ledger",
            "summary",
            "income",
            "batch_new",
            "batch_disburse",
            "rules",
            "set_bound",
            "set_target",
            "add_partner",
            "uses",
            "pay_visit",
            "pay_progress",
        )
    },
    "funds:toggle_partner": partner_target,
    **{f"funds:{name}": reconsideration_target for name in ("reconsider", "recover")},
    "funds:confirm_meeting": meeting_to_confirm_target,
    "funds:reverse": entry_target,
    "funds:batch": batch_target,
    **{
        f"funds:{name}": application_target
        for name in (
            "application",
            "application_edit",
            "submit",
            "withdraw",
            "return",
            "meeting",
            "approve",
            "reject",
            "disburse",
        )
    },
    "funds:object": noticed_application_target,
    "funds:resolve": objection_on_application_target,
    "funds:attachment": attachment_target,
    "visits:detail": visit_target,
    "visits:talk_detail": talk_target,
    "visits:plan_detail": plan_target,
    "visits:plan_item_assign": plan_item_target,
    "visits:concern_detail": concern_target,
    "hardship:progress_outcome": progress_target,
    **{f"filings:{name}": filing_target for name in ("detail", "accept", "return")},
    "filings:download": filing_version_target,
    "surveys:progress": survey_period_target,
    **{f"surveys:{name}": branch_survey_target for name in ("branch", "confirm")},
    "surveys:checklist": checklist_target,
    "integrations:token": api_token_target,
    "integrations:token_revoke": api_token_target,
    # The API (api/urls.py).
    "api:member": member_target,
    "api:ledger_line": record_target,
    "api:pairing": pairing_target,
    "api:pairing_progress": pairing_target,
    "api:visit": visit_target,
    "api:prompt": prompt_target,
    **{f"api:{name}": concern_target for name in ("concern", "concern_assign", "concern_answer")},
    "api:talk": talk_target,
    **{
        f"api:{name}": application_target
        for name in (
            "application",
            "application_submit",
            "application_withdraw",
            "application_return",
            "application_meeting",
            "application_approve",
            "application_reject",
            "application_disburse",
        )
    },
    "api:application_object": noticed_application_target,
    "api:application_resolve": objection_on_application_target,
    "api:application_confirm_meeting": meeting_to_confirm_target,
    **{f"api:application_{name}": reconsideration_target for name in ("reconsider", "recover")},
    **{f"api:{name}": fund_target for name in ("fund", "fund_entries", "fund_summary")},
}

# Routes whose answer for an allowed persona is not a page of the object but a message or a redirect
# that names nothing of it (an unknown import token).
TOKEN_ROUTES = {"members:import_errors", "hardship:import_errors"}


def all_routes(resolver=None, namespace="") -> dict[str, Callable]:
    routes = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes |= all_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            routes[f"{namespace}{entry.name}"] = entry.callback
    return routes


def test_every_route_declares_a_rule():
    undeclared = sorted(name for name, view in all_routes().items() if rule_of(view) is None)
    assert not undeclared, f"routes that do not declare a rule of members.access: {undeclared}"


# Routes with a parameter that is not an object: the values the plain-route test uses.
PLAIN_KWARGS = {"calendar:year": lambda: {"year": timezone.localdate().year + 1}}


def test_every_object_route_has_a_builder():
    object_routes = {
        name for name, view in all_routes().items() if "<" in _route_pattern(name) and name not in PLAIN_KWARGS
    }
    assert object_routes == set(OBJECT_ROUTES), sorted(object_routes ^ set(OBJECT_ROUTES))


def _route_pattern(name: str) -> str:
    for entry_name, pattern in _patterns():
        if entry_name == name:
            return pattern
    return ""


def _patterns(resolver=None, namespace="", prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def test_the_table_names_every_role_for_every_entry():
    """Each entry gives a set of known roles; nothing in the table is a typo."""
    known = set(Role.values) | {SELF, MEMBER}
    for kind, (label, actions) in access.TABLE.items():
        assert label, kind
        for action, roles in actions.items():
            assert roles <= known, (kind, action, roles - known)


# --- the matrix -------------------------------------------------------------------------------------


# Roles each persona of the `unit` fixture holds, and over which organizations.
def persona_roles(unit, persona) -> list[tuple[str, Organization]]:
    return {
        "shuji1": [(Role.SECRETARY, unit.branch1)],
        "zhiwei1": [(Role.COMMITTEE, unit.branch1)],
        "shuji2": [(Role.SECRETARY, unit.branch2)],
        "zzb": [(Role.ORG_DEPT, unit.committee)],
        "jijin": [(Role.FUND_OFFICER, unit.committee)],
        "dangyuan1": [],
        "admin": [],
    }[persona]


def expected(unit, persona: str, rule, target: Target, user) -> str:
    """'allowed', 'forbidden' (403) or 'missing' (404), from the role table."""
    if rule == SIGNED_IN:  # the user's own things (notifications, report jobs): nobody else's, admins neither
        return "allowed" if target.owner is not None and target.owner == user else "missing"
    if persona == "admin":
        return "allowed"
    roles = access.roles_for(rule.kind, rule.action)
    held = persona_roles(unit, persona)
    is_member = hasattr(user, "member") and user.member is not None
    anywhere = any(role in roles for role, _ in held) or (bool(roles & {SELF, MEMBER}) and is_member)
    if not anywhere:
        return "forbidden"

    def reaches(where: Organization) -> bool:
        inside = target.organization.path.startswith(where.path)
        return inside or (target.reach == "tree" and where.path.startswith(target.organization.path))

    over = any(role in roles and reaches(where) for role, where in held)
    own = SELF in roles and target.owner is not None and target.owner == user
    under = MEMBER in roles and is_member and user.member.organization.path.startswith(target.organization.path)
    return "allowed" if over or own or under else "missing"


def is_api(url: str) -> bool:
    return url.startswith("/api/")


def went_through(url: str, status: int) -> bool:
    """The request passed the gates: for a page an answer of ALLOWED, for the API anything but a refusal."""
    if is_api(url):
        return status < 500 and status not in (401, 403, 404)
    return status in ALLOWED


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("where", ["own", "sibling", "foreign"])
def test_every_route_answers_every_role_as_the_table_says(unit, client, route, where):
    view = all_routes()[route]
    problems = []
    for persona in PERSONAS:
        # A fresh object for each persona, rolled back after: what an allowed one does to it (approve,
        # withdraw) must not decide what the next one gets.
        with transaction.atomic():
            problems += _try(unit, client, route, where, view, persona)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def _try(unit, client, route, where, view, persona) -> list[str]:
    problems = []
    place = foreign() if where == "foreign" else home(unit, own=where == "own")
    target = OBJECT_ROUTES[route](place)
    url = reverse(route, kwargs=target.kwargs)
    user = getattr(unit, persona)
    client.force_login(user)
    wants = []
    for method in ("get", "post"):
        want = expected(unit, persona, rule_of(view, method), target, user)
        wants.append(want)
        data = {"phone": "13900000000", "name": "篡改"}
        response = (
            client.post(url, data, content_type="application/json")
            if method == "post" and is_api(url)
            else getattr(client, method)(url, data)
        )
        status = response.status_code
        if route in TOKEN_ROUTES and want != "forbidden":
            ok = status in (302, 404)  # the token is the user's session's: nothing to find elsewhere
        elif want == "allowed":
            # A workflow step may still refuse *who* beyond the table (nobody objects to what they
            # approved, or approves what they filled in): a 403 with the rule's own sentence, not the
            # table's refusal of the role.
            method_rule = rule_of(view, method)
            table_refusal = access.refusal(method_rule.kind, method_rule.action) if method_rule.in_table else "\0"
            ok = went_through(url, status) or (
                method == "post" and status == 403 and table_refusal not in response.content.decode()
            )
        elif want == "forbidden":
            ok = status == 403
        else:
            ok = status in (404, 405)  # 405: the method is refused before the object is looked up
        if not ok:
            problems.append(f"{method.upper()} {route} ({where}) as {persona}: {status}, table says {want}")
        if want != "allowed":
            body = response.content.decode(errors="ignore")
            problems += [
                f"{route} ({where}) as {persona} shows {secret}" for secret in target.secrets if secret in body
            ]
    if wants[1] != "allowed" and target.changed is not None and target.changed():
        problems.append(f"POST {route} ({where}) as {persona} changed the object")
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_plain_route_answers_as_the_table_says(unit, client, persona):
    """Routes without an object: a role the table gives no right to the route's kind gets 403; every
    other role gets the page (or a redirect, or 405 for a GET on an action)."""
    user = getattr(unit, persona)
    client.force_login(user)
    problems = []
    for name, view in sorted(all_routes().items()):
        if name in OBJECT_ROUTES or name in ("logout",):
            continue
        rule = rule_of(view)
        url = reverse(name, kwargs=PLAIN_KWARGS[name]() if name in PLAIN_KWARGS else None)
        if rule in (PUBLIC, SIGNED_IN):
            want_forbidden = False
        else:
            want_forbidden = persona != "admin" and not access.may(user, rule.kind, rule.action)
        status = client.get(url).status_code
        if want_forbidden and status != 403:
            problems.append(f"GET {name} as {persona}: {status}, table says 403")
        if not want_forbidden and not went_through(url, status):
            problems.append(f"GET {name} as {persona}: {status}, table says allowed")
    assert not problems, "\n".join(problems)


def test_signed_out_users_go_to_the_login_page(client):
    """Pages send a signed-out user to the login page; the API answers 401 in its JSON shape."""
    for name, view in sorted(all_routes().items()):
        if rule_of(view) == PUBLIC:
            continue
        kwargs = {"pk": 1} if "<int:pk>" in _route_pattern(name) else {}
        if "entry_pk" in _route_pattern(name):
            kwargs["entry_pk"] = 1
        if "objection_pk" in _route_pattern(name):
            kwargs["objection_pk"] = 1
        if "<str:token>" in _route_pattern(name):
            kwargs = {"token": "x"}
        if name in PLAIN_KWARGS:
            kwargs = PLAIN_KWARGS[name]()
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            if rule_of(view, method) == PUBLIC:
                continue
            response = getattr(client, method)(url)
            if is_api(url):
                assert response.status_code == 401, (method, name)
                assert response.json()["code"] == "not_authenticated", (method, name)
                assert response["WWW-Authenticate"].startswith("Bearer"), (method, name)
            elif method == "get":
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
