"""The coverage figures are cached per set of branches and day: a change shows at once all the same."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from core.calendars import spring_festival
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory
from visits.models import Occasion, Talk

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _due_table(client) -> str:
    body = client.get(reverse("visits:coverage")).content.decode()
    return body[body.index('id="talks-due"') :].split("</table>")[0]


def _home_due_count(client) -> int:
    body = client.get("/").content.decode()
    return int(re.search(r"本周期未谈心谈话：<a[^>]*>(\d+) 人", body).group(1))


def _not_visited_tables(client) -> str:
    body = client.get(reverse("visits:coverage")).content.decode()
    return body[body.index("前未走访的重点对象") :]


def test_logging_a_talk_takes_the_member_off_the_due_list_and_the_home_count_at_once(login, unit):
    client = login(unit.shuji1)
    assert unit.member1.name in _due_table(client)
    before = _home_due_count(client)
    response = client.post(
        reverse("visits:talk_create"),
        {
            "kind": Talk.Kind.INDIVIDUAL,
            "participants": [unit.member1.pk],
            "talked_on": TODAY.isoformat(),
            "reason": Talk.Reason.ANNUAL,
            "interviewers": [unit.shuji1.member.pk],
            "summary": "年度谈心",
        },
    )
    assert response.status_code == 302
    assert unit.member1.name not in _due_table(client)
    assert _home_due_count(client) == before - 1


def test_the_organization_department_sees_a_talk_logged_by_a_secretary_at_once(login, unit):
    before = _home_due_count(login(unit.zzb))
    login(unit.shuji1).post(
        reverse("visits:talk_create"),
        {
            "kind": Talk.Kind.INDIVIDUAL,
            "participants": [unit.member1.pk],
            "talked_on": TODAY.isoformat(),
            "reason": Talk.Reason.ANNUAL,
            "interviewers": [unit.shuji1.member.pk],
            "summary": "年度谈心",
        },
    )
    assert _home_due_count(login(unit.zzb)) == before - 1


def test_a_new_member_and_a_member_transferred_out_show_at_once(login, unit):
    client = login(unit.shuji1)
    assert "新来的" not in _due_table(client)
    newcomer = MemberFactory(organization=unit.branch1, name="新来的")
    assert "新来的" in _due_table(client)
    newcomer.transferred_out_on = TODAY
    newcomer.save()
    assert "新来的" not in _due_table(client)


def test_a_visit_before_the_festival_takes_the_target_off_the_not_visited_list_at_once(login, unit):
    client = login(unit.shuji1)
    target = MemberFactory(organization=unit.branch1, name="老模范甲", is_model_worker=True)
    assert "老模范甲" in _not_visited_tables(client).split("七一")[0]
    festival = spring_festival(TODAY.year) if spring_festival(TODAY.year) <= TODAY else spring_festival(TODAY.year - 1)
    VisitFactory(member=target, visited_on=festival - dt.timedelta(days=3), occasion=Occasion.SPRING_FESTIVAL)
    assert "老模范甲" not in _not_visited_tables(client).split("七一")[0]


def test_with_the_cache_down_the_coverage_and_home_pages_answer_and_a_talk_is_logged(login, unit, settings):
    """Redis is also the cache in production: when it is down, the figures are computed without it."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client = login(unit.shuji1)
    assert unit.member1.name in _due_table(client)
    assert _home_due_count(client) >= 1
    response = client.post(
        reverse("visits:talk_create"),
        {
            "kind": Talk.Kind.INDIVIDUAL,
            "participants": [unit.member1.pk],
            "talked_on": TODAY.isoformat(),
            "reason": Talk.Reason.ANNUAL,
            "interviewers": [unit.shuji1.member.pk],
            "summary": "年度谈心",
        },
    )
    assert response.status_code == 302 and Talk.objects.count() == 1
    assert unit.member1.name not in _due_table(client)


def test_names_on_the_coverage_page_are_escaped(login, unit):
    unit.branch1.name = "第一<党>支部 & 社区"
    unit.branch1.save()
    MemberFactory(organization=unit.branch1, name="<script>x</script>", is_model_worker=True)
    body = login(unit.shuji1).get(reverse("visits:coverage")).content.decode()
    assert "<script>x</script>" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
    assert "第一&lt;党&gt;支部 &amp; 社区" in body and "第一<党>" not in body
