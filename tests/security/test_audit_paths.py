"""Every write path of the audited models leaves a trail entry with the actor and the organization,
including the queryset update that signals do not see.

In a web request the actor comes from auditlog's middleware (tests/security/test_audit.py goes through
the views); here the services are called directly inside `set_actor`, as that middleware does."""

import datetime as dt

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from awards import services as award_services
from funds import services as fund_services
from funds.models import ApplicationEvent, AssistanceApplication, FundEntry, Objection, Status
from hardship import services as hardship_services
from hardship.models import HardshipRecord, HelpType, Pairing, PairingProgress
from tests.awards.factories import CampaignFactory
from tests.funds.factories import application_in, fund_with
from tests.hardship.factories import RecordFactory

pytestmark = pytest.mark.django_db


def entries(model, **filters):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **filters)


def test_hardship_writes_are_audited_with_actor_and_branch(unit):
    record = RecordFactory(member=unit.member1)
    with set_actor(unit.shuji1):
        hardship_services.review_record(
            record_id=record.pk, level=HardshipRecord.Level.SPECIAL, note="复核", by=unit.shuji1
        )
        pairing = hardship_services.create_pairing(
            record=record,
            helper=unit.dangyuan1.member,
            help_types=[HelpType.objects.get(code="living")],
            started_on=timezone.localdate(),
            by=unit.shuji1,
        )
        hardship_services.add_progress(
            pairing_id=pairing.pk,
            date=timezone.localdate(),
            help_type=HelpType.objects.get(code="living"),
            description="送米送油",
            by=unit.shuji1,
        )
    update = entries(HardshipRecord, object_pk=str(record.pk), action=LogEntry.Action.UPDATE).latest("timestamp")
    assert update.changes["level"] == ["general", "special"]
    assert update.actor == unit.shuji1
    for model in (Pairing, PairingProgress):
        created = entries(model, action=LogEntry.Action.CREATE).get()
        assert created.actor == unit.shuji1
        assert created.additional_data["org_path"] == unit.branch1.path


def test_money_writes_are_audited(unit):
    fund_with(unit)
    app = application_in(unit, Status.NOTICE_PASSED)
    with set_actor(unit.jijin):
        fund_services.disburse(application_id=app.pk, by=unit.jijin)
    payment = entries(AssistanceApplication, object_pk=str(app.pk), actor=unit.jijin)
    assert [Status.NOTICE_PASSED, Status.DISBURSED] in [e.changes.get("status") for e in payment]
    expense = FundEntry.objects.get(application=app)
    assert entries(FundEntry, object_pk=str(expense.pk), action=LogEntry.Action.CREATE, actor=unit.jijin).exists()
    assert entries(ApplicationEvent, action=LogEntry.Action.CREATE).count() == app.events.count()
    assert all(
        e.additional_data["org_path"] == unit.branch1.path
        for e in entries(AssistanceApplication, object_pk=str(app.pk))
    )


def test_the_bulk_closing_of_other_objections_is_logged(unit):
    fund_with(unit)
    app = application_in(unit, Status.OBJECTION)
    second = fund_services.raise_objection(application_id=app.pk, by=unit.shuji1, reason="另一条异议")
    first = app.objections.exclude(pk=second.pk).get()
    with set_actor(unit.zzb2):  # zzb approved it: another of the organization department rules
        fund_services.resolve_objection(objection_id=first.pk, by=unit.zzb2, upheld=True, resolution="情况属实")
    second.refresh_from_db()
    assert second.outcome == Objection.Outcome.UPHELD
    bulk = entries(Objection, object_pk=str(second.pk), action=LogEntry.Action.UPDATE).get()
    assert bulk.actor == unit.zzb2
    assert bulk.additional_data["bulk"] is True
    assert bulk.additional_data["org_path"] == unit.branch1.path


def test_award_writes_are_audited(unit):
    campaign = CampaignFactory(organizer=unit.committee, nomination_deadline=timezone.localdate() + dt.timedelta(3))
    with set_actor(unit.shuji1):
        nomination = award_services.nominate(
            by=unit.shuji1,
            campaign_id=campaign.pk,
            category_id=campaign.categories.first().pk,
            member_id=unit.member1.pk,
            deeds="该同志长期帮扶困难党员，带头参加志愿服务，群众评价很高，事迹突出。",
            meeting_date=timezone.localdate(),
            attendees=10,
            votes_for=9,
        )
    created = entries(type(nomination), object_pk=str(nomination.pk), action=LogEntry.Action.CREATE).get()
    assert created.actor == unit.shuji1
    assert created.additional_data["org_path"] == unit.branch1.path


def test_notices_closed_by_the_daily_job_are_audited_as_saved_one_by_one(unit):
    fund_with(unit)
    app = application_in(unit, Status.IN_NOTICE)
    fund_services.close_notices(day=app.notice_ends_on + dt.timedelta(days=1))
    update = entries(AssistanceApplication, object_pk=str(app.pk), action=LogEntry.Action.UPDATE).latest("timestamp")
    assert update.changes["status"] == [Status.IN_NOTICE, Status.NOTICE_PASSED]
    assert update.actor is None and update.additional_data["org_path"] == unit.branch1.path
    event = app.events.get(to_status=Status.NOTICE_PASSED)
    created = entries(ApplicationEvent, object_pk=str(event.pk), action=LogEntry.Action.CREATE).get()
    assert created.object_repr == str(event) and created.changes["to_status"][1] == Status.NOTICE_PASSED
    assert created.additional_data["org_path"] == unit.branch1.path
