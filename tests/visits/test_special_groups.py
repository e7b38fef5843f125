"""The groups the seeds name (issue 15, 2): ledger categories, 离休/退休 and the former employer, 外出务工党员家庭
with a contact person and reminders, 流动党员 with a way to reach them."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import clock
from hardship.models import HardshipCategory
from members.models import Member
from notifications.models import Notification
from tests.factories import MemberFactory
from tests.visits.factories import VisitFactory
from visits import jobs, services
from visits.models import Occasion, VisitPlan

pytestmark = pytest.mark.django_db


def run_jobs(day: dt.date) -> None:
    call_command("run_daily_jobs", date=day.isoformat(), stdout=io.StringIO())


def reminders(user) -> int:
    return Notification.objects.filter(recipient=user, title__startswith="请探访外出务工党员").count()


def test_the_ledger_offers_every_category_the_seeds_name():
    names = set(HardshipCategory.objects.values_list("name", flat=True))
    for name in (
        "老党员",
        "离退休干部",
        "低于当地平均生活水平",
        "生病住院",
        "因灾致贫",
        "本人或直系亲属病逝",
        "离退休费偏低",
        "体弱多病",
        "配偶无收入",
        "家庭突发事故",
        "失业失地",
        "农村困难党员",
        "企业下岗党员",
        "外出务工家庭",
    ):
        assert name in names


def _post_member(client, member, **changes):
    from members.forms import MemberForm

    form = MemberForm(instance=member, user=client.user)
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("on" if v is True else ("" if v in (None, False) else v)) for k, v in data.items()}
    data.update(changes)
    return client.post(reverse("members:edit", args=[member.pk]), data)


@pytest.fixture
def secretary(login, unit):
    client = login(unit.shuji1)
    client.user = unit.shuji1
    return client


def test_a_retired_cadre_is_recorded_as_lixiu_or_tuixiu_with_the_former_employer(secretary, unit):
    member = unit.member1
    response = _post_member(secretary, member, retirement="lixiu")
    assert "请同时勾选" in response.content.decode()
    response = _post_member(
        secretary,
        member,
        is_retired_cadre="on",
        employment="retired",
        retirement="lixiu",
        former_employer="县机械厂",
        former_employer_situation="bankrupt",
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.get_retirement_display() == "离休" and member.former_employer_situation == "bankrupt"
    page = secretary.get(member.get_absolute_url()).content.decode()
    assert "离休干部" in page and "县机械厂（破产）" in page


def test_a_mobile_member_keeps_a_way_to_be_reached_and_stays_on_the_holiday_plan(secretary, unit):
    member = MemberFactory(
        organization=unit.branch1,
        name="流出王",
        birth_date=dt.date(1940, 1, 5),
        join_date=dt.date(1965, 1, 1),
        full_member_date=dt.date(1966, 1, 1),
    )
    response = _post_member(secretary, member, mobility="outflow", mobility_place="广东省东莞市")
    assert "请填写流动期间的联系方式" in response.content.decode()
    response = _post_member(
        secretary, member, mobility="outflow", mobility_place="广东省东莞市", mobility_contact="13900001111（微信同号）"
    )
    assert response.status_code == 302
    jobs.holiday_plans(dt.date(2027, 6, 15))
    plan = VisitPlan.objects.get(organization=unit.branch1, occasion=Occasion.JULY_FIRST, year=2027)
    page = secretary.get(plan.get_absolute_url()).content.decode()
    assert "流动党员（流出：广东省东莞市）" in page and "13900001111" in page
    # On the coverage page too: never talked with, the member stays on the list with how to reach them.
    page = secretary.get(reverse("visits:coverage")).content.decode()
    row = page[page.index("流出王") :][:600]
    assert "流动党员（流出：广东省东莞市）· 联系方式：13900001111（微信同号）" in row


def test_the_family_contact_must_be_a_member_of_the_same_branch(secretary, unit):
    member = MemberFactory(organization=unit.branch1, employment=Member.Employment.MIGRANT)
    response = _post_member(secretary, member, family_contact=unit.member2.pk)
    assert response.status_code == 200 and Member.objects.get(pk=member.pk).family_contact is None
    response = _post_member(secretary, member, family_contact=unit.zhiwei1.member.pk)
    assert response.status_code == 302 and Member.objects.get(pk=member.pk).family_contact == unit.zhiwei1.member


def test_a_retired_cadre_of_a_bankrupt_employer_has_a_care_file_reviewed_every_year(secretary, unit):
    """Seed 004: 破产、改制和困难企业的离退休干部党员 keep a 关爱档案 updated at least yearly. The
    secretary is reminded when it was never made or is over a year old, once for each year it stays
    so, and records the review on the member's form."""

    def reminders_about(member) -> int:
        return Notification.objects.filter(recipient=unit.shuji1, title=f"请更新{member.name}的关爱档案").count()

    cadre = MemberFactory(
        organization=unit.branch1,
        name="老厂长",
        birth_date=dt.date(1950, 2, 1),
        is_retired_cadre=True,
        retirement=Member.Retirement.TUIXIU,
        former_employer="县机械厂",
        former_employer_situation=Member.EmployerSituation.BANKRUPT,
        care_file_reviewed_on=dt.date(2025, 11, 10),
    )
    normal = MemberFactory(
        organization=unit.branch1,
        name="老科长",
        is_retired_cadre=True,
        retirement=Member.Retirement.TUIXIU,
        former_employer_situation=Member.EmployerSituation.NORMAL,
    )
    run_jobs(dt.date(2026, 11, 10))  # a year to the day: not yet
    assert reminders_about(cadre) == 0
    run_jobs(dt.date(2026, 11, 11))
    assert reminders_about(cadre) == 1 and reminders_about(normal) == 0
    note = Notification.objects.get(recipient=unit.shuji1, title="请更新老厂长的关爱档案")
    assert "县机械厂（破产）" in note.body and "2025年11月10日" in note.body
    run_jobs(dt.date(2026, 11, 12))
    assert reminders_about(cadre) == 1  # once for this year's review missed
    run_jobs(dt.date(2027, 11, 11))  # still not reviewed a year later: reminded again, once
    run_jobs(dt.date(2027, 11, 12))
    assert reminders_about(cadre) == 2
    assert "关爱档案：2025-11-10 更新" in secretary.get(cadre.get_absolute_url()).content.decode()

    response = _post_member(secretary, cadre, care_file_reviewed_on="2026-11-20")
    assert response.status_code == 302
    run_jobs(dt.date(2027, 11, 20))
    assert reminders_about(cadre) == 2
    run_jobs(dt.date(2028, 11, 21))  # the next year's review missed: reminded again
    assert reminders_about(cadre) == 3


def test_a_care_file_never_made_is_asked_for_once_each_year(unit):
    """A 关爱档案 that was never made is not forgotten after the first reminder: asked for once a year."""
    cadre = MemberFactory(
        organization=unit.branch1,
        name="老会计",
        is_retired_cadre=True,
        retirement=Member.Retirement.LIXIU,
        former_employer_situation=Member.EmployerSituation.RESTRUCTURED,
    )
    titles = Notification.objects.filter(recipient=unit.shuji1, title=f"请更新{cadre.name}的关爱档案")
    run_jobs(dt.date(2026, 3, 1))
    run_jobs(dt.date(2026, 9, 1))
    assert titles.count() == 1
    run_jobs(dt.date(2027, 1, 5))
    assert titles.count() == 2
    assert "尚未建立" in titles.first().body


def test_a_migrant_family_not_visited_for_the_period_reminds_its_contact_and_the_secretary(unit):
    family = MemberFactory(
        organization=unit.branch1,
        name="务工赵",
        employment=Member.Employment.MIGRANT,
        family_contact=unit.zhiwei1.member,
    )
    VisitFactory(
        member=family, visited_on=dt.date(2026, 6, 1), occasion=Occasion.FAMILY_CONTACT, visitors=[unit.zhiwei1.member]
    )
    run_jobs(dt.date(2026, 8, 30))  # 90 days after the visit: not yet
    assert reminders(unit.zhiwei1) == reminders(unit.shuji1) == 0
    run_jobs(dt.date(2026, 8, 31))
    assert reminders(unit.zhiwei1) == reminders(unit.shuji1) == 1
    run_jobs(dt.date(2026, 9, 1))
    assert reminders(unit.zhiwei1) == 1  # once per period
    with clock.at(dt.date(2026, 9, 2)):
        services.log_visit(
            by=unit.zhiwei1,
            member=family,
            visited_on=dt.date(2026, 9, 2),
            occasion=Occasion.FAMILY_CONTACT,
            visitors=[unit.zhiwei1.member],
        )
    run_jobs(dt.date(2026, 9, 3))
    run_jobs(dt.date(2026, 12, 1))
    assert reminders(unit.zhiwei1) == 1
    run_jobs(dt.date(2026, 12, 2))
    assert reminders(unit.zhiwei1) == 2


def test_a_migrant_family_without_a_contact_asks_the_secretary_to_name_one(unit):
    MemberFactory(organization=unit.branch1, name="务工钱", employment=Member.Employment.MIGRANT)
    run_jobs(dt.date(2027, 1, 5))
    note = Notification.objects.get(recipient=unit.shuji1, title__contains="务工钱")
    assert "尚未安排家庭联系人" in note.body


def test_job_help_for_an_unemployed_member_is_recorded_with_its_outcome(login, unit):
    from hardship import services as hardship_services
    from hardship.models import HelpType, PairingProgress
    from tests.hardship.factories import PairingFactory, RecordFactory

    jobless = MemberFactory(organization=unit.branch1, name="失业孙", employment=Member.Employment.UNEMPLOYED)
    pairing = PairingFactory(record=RecordFactory(member=jobless), helper=unit.zhiwei1.member)
    employment = HelpType.objects.get(code="employment")
    client = login(unit.zhiwei1)
    url = reverse("hardship:progress_add", args=[pairing.pk])
    day = max(pairing.started_on, dt.date.today())
    client.post(
        url, {"date": day.isoformat(), "help_type": employment.pk, "description": "推荐到县物流公司面试", "money": "0"}
    )
    assert not PairingProgress.objects.exists()  # 帮就业 names its way: training or a referral
    client.post(
        url,
        {
            "date": day.isoformat(),
            "help_type": employment.pk,
            "description": "推荐到县物流公司面试",
            "money": "0",
            "employment_step": "referral",
        },
    )
    entry = PairingProgress.objects.get()
    assert entry.employment_outcome == "pending"
    page = client.get(reverse("hardship:pairing_detail", args=[pairing.pk])).content.decode()
    assert "就业推荐" in page and "待跟进" in page and "登记结果" in page
    client.post(reverse("hardship:progress_outcome", args=[entry.pk]), {"outcome": "employed", "note": "已上岗"})
    entry.refresh_from_db()
    assert entry.employment_outcome == "employed" and entry.outcome_note == "已上岗" and entry.outcome_on
    page = client.get(reverse("hardship:pairing_detail", args=[pairing.pk])).content.decode()
    assert "已就业" in page and "已上岗" in page
    assert (
        login(unit.shuji2)
        .post(reverse("hardship:progress_outcome", args=[entry.pk]), {"outcome": "not_hired"})
        .status_code
        == 404
    )
    with pytest.raises(Exception, match="只用于"):
        hardship_services.add_progress(
            pairing_id=pairing.pk,
            date=day,
            help_type=HelpType.objects.get(code="living"),
            description="送米",
            employment_step="training",
            by=unit.shuji1,
        )


def test_a_committee_member_who_helps_sees_their_pairings_and_the_overdue_ones_at_home(login, unit):
    from hardship.models import HelpType, PairingProgress
    from tests.hardship.factories import PairingFactory, RecordFactory

    today = dt.date.today()
    fresh = PairingFactory(
        record=RecordFactory(member=MemberFactory(organization=unit.branch1, name="近况好")),
        helper=unit.zhiwei1.member,
        started_on=today - dt.timedelta(days=400),
    )
    PairingProgress.objects.create(
        pairing=fresh,
        date=today - dt.timedelta(days=20),
        description="送米",
        help_type=HelpType.objects.get(code="living"),
    )
    PairingFactory(
        record=RecordFactory(member=MemberFactory(organization=unit.branch1, name="久未访")),
        helper=unit.zhiwei1.member,
        started_on=today - dt.timedelta(days=400),
    )
    page = login(unit.zhiwei1).get("/").content.decode()
    assert "我的结对帮扶" in page and "近况好" in page and "久未访" in page
    assert "有 1 户超过 183 天没有登记帮扶进展" in page and "结对以来未登记进展（已逾期）" in page
    assert "我的结对帮扶" not in login(unit.shuji2).get("/").content.decode()
