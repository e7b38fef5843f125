import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from members.models import Member, Organization, User
from members.validators import validate_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_builds_a_believable_unit(seeded):
    committee = Organization.objects.get(kind=Organization.Kind.COMMITTEE)
    branches = Organization.objects.filter(kind=Organization.Kind.BRANCH)
    assert branches.count() >= 3
    for branch in branches:
        assert branch.path.startswith(committee.path)
        assert Member.objects.filter(organization=branch).count() >= 30
    assert Member.objects.filter(deceased_on__isnull=False).exists()
    assert Member.objects.filter(is_retired_cadre=True).exists()
    assert Member.objects.exclude(work_capacity=Member.WorkCapacity.NORMAL).exists()
    assert Member.objects.filter(employment=Member.Employment.MIGRANT).exists()
    assert Member.objects.filter(employment=Member.Employment.UNEMPLOYED).exists()
    for member in Member.objects.all()[:200]:
        validate_id_number(member.id_number)
        member.full_clean()
    assert "demo12345" in seeded


@pytest.mark.parametrize(
    ("username", "roster_status"),
    [
        ("admin", 200),
        ("zzb", 200),
        ("shuji1", 200),
        ("shuji2", 200),
        ("zhiwei1", 200),
        ("jijin", 403),
        ("dangyuan1", 403),
    ],
)
def test_every_demo_account_logs_in_and_sees_its_scope(seeded, client, username, roster_status):
    response = client.post(reverse("login"), {"username": username, "password": "demo12345"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.get(reverse("members:list"), {"page_size": 200})
    assert response.status_code == roster_status
    if username in ("shuji1", "shuji2"):
        branch = User.objects.get(username=username).member.organization
        assert {m.organization_id for m in response.context["members"]} == {branch.pk}


def test_seed_refuses_a_non_empty_database_unless_asked_to_skip(seeded):
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()


def test_seed_scales_to_a_larger_unit():
    call_command("seed_demo", "--members", "1200", stdout=io.StringIO())
    assert Member.objects.count() == 1200
    assert Organization.objects.filter(kind=Organization.Kind.GENERAL_BRANCH).count() >= 2


def test_demo_shows_every_must_visit_case(seeded):
    from visits.models import Concern, LifeEvent, Occasion, VisitPrompt

    assert set(LifeEvent.objects.values_list("kind", flat=True)) == set(LifeEvent.Kind.values)  # every kind
    prompts = VisitPrompt.objects.all()
    assert prompts.filter(occasion=Occasion.RELATIVE_DEATH, closed_on__isnull=False).exists()  # visited
    assert prompts.open().filter(occasion=Occasion.ACCIDENT).exists()  # still to visit
    assert prompts.open().filter(occasion=Occasion.DISASTER, escalation__gt=0).exists()  # overdue, gone up
    assert prompts.open().filter(occasion=Occasion.FOLLOW_UP).exists()
    assert prompts.open().filter(occasion=Occasion.CONCERN).exists()
    assert prompts.filter(occasion=Occasion.ELDER_BIRTHDAY).exists()
    assert set(Concern.objects.values_list("status", flat=True)) == {"answered", "assigned", "new"}


def test_demo_shows_the_groups_the_seeds_name(seeded):
    from notifications.models import Notification

    assert Member.objects.filter(retirement="lixiu").exists() and Member.objects.filter(retirement="tuixiu").exists()
    assert Member.objects.filter(former_employer_situation="bankrupt").exists()
    # 关爱档案 of the cadres of bankrupt, restructured or struggling employers: most reviewed, some due.
    files = Member.objects.filter(is_retired_cadre=True, former_employer_situation__in=Member.CARE_FILE_SITUATIONS)
    assert files.filter(care_file_reviewed_on__isnull=False).exists()
    assert Notification.objects.filter(title__endswith="的关爱档案").exists()
    assert Member.objects.filter(mobility="outflow").exclude(mobility_contact="").exists()
    assert Member.objects.filter(employment="migrant", family_contact__isnull=False).exists()
    assert Notification.objects.filter(title__startswith="请探访外出务工党员").exists()
    for member in Member.objects.exclude(mobility="")[:20]:
        member.full_clean()


def test_demo_shows_job_help_with_outcomes(seeded):
    from hardship.models import PairingProgress

    outcomes = set(PairingProgress.objects.exclude(employment_step="").values_list("employment_outcome", flat=True))
    assert "pending" in outcomes and len(outcomes) >= 3


def test_demo_shows_a_collective_political_birthday(seeded):
    from visits.models import CollectiveBirthday

    event = CollectiveBirthday.objects.get()
    assert event.attendees.count() >= 10 and event.reaffirmed_oath


def test_demo_shows_reports_submitted_upward(seeded, client):
    """The periods due now: some in and accepted, one waiting to be received, one returned, some missing."""
    from filings.models import Filing, Status

    statuses = sorted(Filing.objects.values_list("organization__name", "kind", "status"))
    half = {name: status for name, kind, status in statuses if kind == "half_year"}
    annual = {name: status for name, kind, status in statuses if kind == "annual"}
    assert half == {
        "机关第一党支部": Status.RETURNED,
        "机关第二党支部": Status.ACCEPTED,
        "离退休干部党支部": Status.SUBMITTED,
    }
    assert annual == {"机关第一党支部": Status.ACCEPTED, "机关第二党支部": Status.SUBMITTED}
    returned = Filing.objects.get(status=Status.RETURNED)
    assert returned.return_comment and returned.versions.get().file
    client.post(reverse("login"), {"username": "zzb", "password": "demo12345"})
    page = client.get(reverse("filings:index"))
    labels = {row.unit.name: row.label for row in page.context["rows"]}
    assert labels["和平社区党支部"].endswith("未报送") and labels["社区党总支"].endswith("未报送")
    client.logout()
    client.post(reverse("login"), {"username": "shuji1", "password": "demo12345"})
    home = client.get("/").content.decode()
    assert "上级报送" in home and "重新报送" in home


def test_demo_of_a_unit_whose_annual_workbook_is_the_workers_still_shows_it_accepted(settings):
    """The drill seeds 4,000 members without a worker running: the annual workbooks are then too large
    for the request, and the demo builds the one it accepts itself (it used to stop the seed)."""
    from filings.models import Filing, FilingVersion, Status

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CARE = {**settings.CARE, "REPORT_SYNC_MAX_MEMBERS": 1}
    call_command("seed_demo", stdout=io.StringIO())
    accepted = Filing.objects.get(kind="annual", status=Status.ACCEPTED)
    assert accepted.versions.get().state == FilingVersion.State.READY and accepted.versions.get().file
