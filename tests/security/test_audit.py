import re

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from members.models import Organization, Role
from tests.factories import AppointmentFactory, MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def edit_phone(client, member, phone):
    data = {
        "organization": member.organization_id,
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "phone": phone,
        "join_date": member.join_date.isoformat(),
        "full_member_date": member.full_member_date.isoformat(),
        "party_status": member.party_status,
        "employment": member.employment,
        "work_capacity": member.work_capacity,
    }
    return client.post(reverse("members:edit", args=[member.pk]), data)


def test_an_edit_is_logged_with_actor_url_and_change(unit, login):
    assert edit_phone(login(unit.shuji1), unit.member1, "13900009999").status_code == 302
    entry = LogEntry.objects.get_for_object(unit.member1).latest("timestamp")
    assert entry.actor == unit.shuji1
    assert entry.changes["phone"] == ["13812345678", "13900009999"]
    assert entry.additional_data["url"] == f"POST /members/{unit.member1.pk}/edit/"
    assert entry.additional_data["org_path"] == unit.branch1.path


def test_org_department_reads_the_trail_of_its_subtree_only(unit, login):
    edit_phone(login(unit.shuji1), unit.member1, "13900009999")
    other = OrganizationFactory(name="外县党委", kind=Organization.Kind.COMMITTEE)
    outsider_branch = OrganizationFactory(name="外县支部", parent=other)
    stranger = MemberFactory(organization=outsider_branch, name="外人")
    stranger.phone = "13700000000"
    stranger.save()
    body = login(unit.zzb).get(reverse("audit_log")).content.decode()
    assert "13900009999" in body
    assert "外人" not in body
    foreign_dept = AppointmentFactory(organization=other, role=Role.ORG_DEPT).user
    body = login(foreign_dept).get(reverse("audit_log")).content.decode()
    assert "外人" in body and "13900009999" not in body


def test_secretaries_and_members_cannot_read_the_trail(unit, login):
    for user in (unit.shuji1, unit.dangyuan1, unit.jijin):
        assert login(user).get(reverse("audit_log")).status_code == 403


@pytest.mark.postgres
def test_audit_rows_cannot_be_changed_even_with_raw_sql(unit, login):
    edit_phone(login(unit.shuji1), unit.member1, "13900009999")
    entry = LogEntry.objects.get_for_object(unit.member1).latest("timestamp")
    for statement in (
        "UPDATE auditlog_logentry SET changes_text = 'x' WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="只增不改"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.changes_text != "x"


def test_the_trail_shows_field_names_and_choice_labels_in_chinese(unit, login):
    member = unit.member1
    member.party_status = "probationary"
    member.save()
    body = login(unit.zzb).get(reverse("audit_log")).content.decode()
    field = member._meta.get_field("party_status")
    labels = dict(field.flatchoices)
    assert f"{field.verbose_name}</span>：" in body
    assert labels["probationary"] in body
    assert "probationary" not in body


def test_the_trail_names_related_objects_and_shows_local_time_to_the_second(unit, login, settings):
    from tests.funds.factories import application_in, fund_with

    fund_with(unit)
    application_in(unit, "submitted")
    body = login(unit.admin).get(reverse("audit_log")).content.decode()
    assert "测试县党委" in body  # the fund's organization, not its id
    assert "张党员" in body
    assert not re.search(r"→ \d+</div>", body)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{3,}", body)  # no microseconds
    assert "+00:00" not in body
    from django.utils import timezone

    from funds.models import AssistanceApplication

    submitted = timezone.localtime(AssistanceApplication.objects.get().submitted_at)
    assert f"{submitted:%Y-%m-%d %H:%M:%S}" in body  # the change shows local time, as the 时间 column does


def test_the_trail_filters_by_who_what_and_when(unit, login):
    from tests.funds.factories import application_in, fund_with

    fund_with(unit)
    application_in(unit, "submitted")
    edit_phone(login(unit.shuji1), unit.member1, "13900009999")
    client = login(unit.admin)
    by_name = client.get(reverse("audit_log"), {"actor": "李书记"}).context["entries"]
    assert by_name and all(e.actor == unit.shuji1 for e in by_name)
    created = client.get(reverse("audit_log"), {"action": "0"}).context["entries"]
    assert created and all(e.action == LogEntry.Action.CREATE for e in created)
    assert not client.get(reverse("audit_log"), {"until": "2000-01-01"}).context["entries"]
    assert client.get(reverse("audit_log"), {"since": "2000-01-01", "until": "2999-12-31"}).context["entries"]
    assert client.get(reverse("audit_log"), {"since": "abc"}).status_code == 200
