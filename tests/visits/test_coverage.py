"""Coverage: who has not been talked with (三个先谈 first) and which targets were not visited."""

import datetime as dt

import pytest

from core.calendars import spring_festival
from members.models import Member
from tests.factories import MemberFactory, OrganizationFactory
from tests.visits.factories import VisitFactory, make_talk
from visits import selectors
from visits.models import Occasion

pytestmark = pytest.mark.django_db


def test_talks_due_orders_three_priority_groups_first_then_never_then_longest_ago(unit, make_hardship):
    day = dt.date(2026, 11, 1)
    branch = OrganizationFactory(name="第四党支部", parent=unit.committee)
    recent = MemberFactory(organization=branch, name="近期谈过")
    make_talk([recent], talked_on=day - dt.timedelta(days=30))
    long_ago = MemberFactory(organization=branch, name="两年前谈过")
    make_talk([long_ago], talked_on=day - dt.timedelta(days=700))
    longer_ago = MemberFactory(organization=branch, name="三年前谈过")
    make_talk([longer_ago], talked_on=day - dt.timedelta(days=1100))
    MemberFactory(organization=branch, name="从未谈过")
    poor = MemberFactory(organization=branch, name="困难党员")
    make_hardship(poor)
    grumbling = MemberFactory(organization=branch, name="有怨气")
    make_talk([grumbling], talked_on=day - dt.timedelta(days=500), priority_grievance=True)
    MemberFactory(organization=branch, name="已故", deceased_on=dt.date(2026, 1, 1))
    names = [m.name for m in selectors.talks_due(Member.objects.filter(organization=branch), day)]
    assert names == ["困难党员", "有怨气", "从未谈过", "三年前谈过", "两年前谈过"]


def test_talk_cycle_setting_of_three_years(unit, settings):
    settings.CARE = {**settings.CARE, "TALK_CYCLE_YEARS": 3}
    day = dt.date(2026, 11, 1)
    member = MemberFactory(organization=unit.branch2, name="两年前谈过")
    make_talk([member], talked_on=day - dt.timedelta(days=700))
    names = {m.name for m in selectors.talks_due(Member.objects.filter(organization=unit.branch2), day)}
    assert "两年前谈过" not in names


def test_targets_not_visited_before_last_spring_festival(unit):
    day = dt.date(2026, 11, 1)
    festival = spring_festival(2026)
    visited = MemberFactory(organization=unit.branch1, name="节前已访", is_retired_cadre=True)
    VisitFactory(member=visited, visited_on=festival - dt.timedelta(days=5), occasion=Occasion.SPRING_FESTIVAL)
    MemberFactory(organization=unit.branch1, name="节前未访", is_model_worker=True)
    late = MemberFactory(organization=unit.branch1, name="节后才访", is_retired_cadre=True)
    VisitFactory(member=late, visited_on=festival + dt.timedelta(days=5))
    groups = {
        label: list(qs)
        for label, _, qs in selectors.not_visited_targets(Member.objects.filter(organization=unit.branch1), day)
    }
    assert [m.name for m in groups["春节"]] == ["节前未访", "节后才访"]


def test_branch_coverage_counts(unit):
    day = dt.date.today()
    make_talk([unit.member1], talked_on=day - dt.timedelta(days=10))
    rows = {r.organization.name: r for r in selectors.branch_coverage(unit.committee.__class__.objects.branches(), day)}
    assert rows["第一党支部"].on_roll == 4 and rows["第一党支部"].talked == 1
    assert rows["第一党支部"].talks_due == 3


# --- one row per organization at a level, drilled down (a city 组织部 oversees 5,000 branches) ----------


def _coverage(client, **params):
    from django.urls import reverse

    response = client.get(reverse("visits:coverage"), params)
    return response, [row.organization.name for row in response.context["rows"]] if response.status_code == 200 else []


def test_the_department_sees_its_branches_and_a_general_branch_as_one_row_that_opens_below(unit, login):
    client = login(unit.zzb)
    response, rows = _coverage(client)
    assert rows == ["第一党支部", "第二党支部", "社区党总支"]
    general = next(row for row in response.context["rows"] if row.organization == unit.general)
    members_below = Member.objects.on_roll().filter(organization=unit.branch3).count()
    assert general.on_roll == members_below  # the 党总支's row adds up the branches under it
    html = response.content.decode()
    assert (
        f'href="?organization={unit.general.pk}">社区党总支</a> <span class="small text-secondary">党总支</span>'
        in html
    )

    response, rows = _coverage(client, organization=unit.general.pk)
    assert rows == ["第三党支部"]
    html = response.content.decode()
    assert "孙三" in html and "刘一" not in html  # due a talk: only the members under the 党总支
    assert 'aria-current="page">社区党总支</li>' in html and "测试县党委</a>" in html  # the way back up

    response, rows = _coverage(client, organization=unit.branch3.pk)
    assert rows == ["第三党支部"] and "孙三" in response.content.decode()


def test_a_secretary_sees_the_branch_and_nothing_above_or_beside_it(unit, login):
    client = login(unit.shuji1)
    response, rows = _coverage(client)
    assert rows == ["第一党支部"] and "刘一" in response.content.decode() and "陈二" not in response.content.decode()
    for outside in (unit.committee, unit.general, unit.branch2):
        assert _coverage(client, organization=outside.pk)[0].status_code == 404
    assert _coverage(client, organization="abc")[0].status_code == 404


def test_a_general_branch_secretary_sees_the_branches_under_it(unit, login):
    from members.models import Role
    from tests.factories import AppointmentFactory, UserFactory

    secretary = UserFactory(username="zongzhi")
    AppointmentFactory(user=secretary, organization=unit.general, role=Role.SECRETARY)
    OrganizationFactory(name="第五党支部", parent=unit.general)
    client = login(secretary)
    assert _coverage(client)[1] == ["第三党支部", "第五党支部"]
    assert _coverage(client, organization=unit.committee.pk)[0].status_code == 404


def test_the_outline_is_kept_but_follows_the_tree_and_the_viewers_appointments(unit, login):
    """The rows of the coverage page are cached per viewer (a city's tree is 5,500 organizations): a
    branch set up, or moved under the 党总支, shows at once, with its members in the 党总支's row; a
    secretary appointed to the 党总支 as well sees its branches from the next page on."""
    from members.models import Role
    from tests.factories import AppointmentFactory

    client = login(unit.zzb)
    assert _coverage(client)[1] == ["第一党支部", "第二党支部", "社区党总支"]
    branch = OrganizationFactory(name="第六党支部", parent=unit.committee)
    MemberFactory(organization=branch, name="新支部党员")
    response, rows = _coverage(client)
    assert rows == ["第一党支部", "第二党支部", "社区党总支", "第六党支部"]  # in tree order
    assert next(row for row in response.context["rows"] if row.organization == branch).on_roll == 1

    branch.parent = unit.general
    branch.save()
    response, rows = _coverage(client)
    assert rows == ["第一党支部", "第二党支部", "社区党总支"]
    general = next(row for row in response.context["rows"] if row.organization == unit.general)
    below = Member.objects.on_roll().filter(organization__in=[unit.branch3, branch]).count()
    assert general.on_roll == below

    client = login(unit.shuji1)
    assert _coverage(client)[1] == ["第一党支部"]
    AppointmentFactory(user=unit.shuji1, organization=unit.general, role=Role.SECRETARY)
    assert _coverage(client)[1] == ["第一党支部", "社区党总支"]
