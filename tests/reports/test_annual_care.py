"""The annual workbook's sheets for care that reaches everyone (issue 15): life events and must-visit
prompts, 反映情况, 帮就业, collective 政治生日 and 流动党员, on the known year of tests/reports/conftest.py."""

import datetime as dt

import pytest

from core import clock
from hardship.models import EmploymentOutcome, EmploymentStep, HelpType, Pairing, PairingProgress
from tests.reports.conftest import PAST
from tests.reports.test_annual import rows, workbook
from visits import services
from visits.models import Occasion

pytestmark = pytest.mark.django_db

CARE_SHEETS = ["家庭重大事件", "必访提示", "反映情况", "帮就业", "集体过政治生日", "流动党员"]


@pytest.fixture
def care_year(unit, past_year):
    d = dt.date
    zhang, liu, chen = unit.dangyuan1.member, unit.member1, unit.member2
    wang = unit.zhiwei1.member
    with clock.at(d(PAST, 3, 1)):
        services.record_life_event(
            by=unit.shuji1, member=liu, kind="accident", happened_on=d(PAST, 2, 28), description="车祸受伤"
        )
    with clock.at(d(PAST, 3, 3)):  # due 3-04: visited in time
        services.log_visit(
            by=unit.shuji1, member=liu, visited_on=d(PAST, 3, 3), occasion=Occasion.ACCIDENT, visitors=[wang]
        )
    with clock.at(d(PAST, 9, 1)):  # never visited: overdue by the year's end
        services.record_life_event(
            by=unit.shuji2, member=chen, kind="disaster", happened_on=d(PAST, 9, 1), description="房屋漏雨倒塌"
        )
    with clock.at(d(PAST, 4, 2)):
        answered = services.submit_concern(by=unit.dangyuan1, message="活动室冬天没有暖气")
    with clock.at(d(PAST, 4, 5)):
        services.answer_concern(by=unit.shuji1, concern=answered, answer="已协调社区解决")
    with clock.at(d(PAST, 10, 8)):
        services.submit_concern(by=unit.dangyuan1, message="想请支部来家里坐坐", wants_visit=True)
    pairing = Pairing.objects.get(record__member=zhang, helper=wang)
    PairingProgress.objects.create(
        pairing=pairing,
        date=d(PAST, 5, 6),
        help_type=HelpType.objects.get(code="employment"),
        description="推荐到县农机厂",
        employment_step=EmploymentStep.REFERRAL,
        employment_outcome=EmploymentOutcome.EMPLOYED,
        outcome_note="已签合同",
        outcome_on=d(PAST, 6, 1),
    )
    PairingProgress.objects.create(
        pairing=pairing, date=d(PAST, 5, 7), help_type=HelpType.objects.get(code="living"), description="送米送油"
    )
    with clock.at(d(PAST, 7, 1)):
        services.record_collective_birthday(
            by=unit.shuji1,
            organization=unit.branch1,
            held_on=d(PAST, 7, 1),
            attendees=[zhang, liu],
            reaffirmed_oath=True,
            opinions="希望多组织学习",
        )
    liu.mobility, liu.mobility_place, liu.mobility_contact = "outflow", "广东省东莞市", "微信 dg2026"
    liu.save(update_fields=["mobility", "mobility_place", "mobility_contact"])


def test_care_sheets_hold_the_years_records(unit, login, care_year):
    book = workbook(login(unit.zzb), year=PAST)
    assert all(name in book.sheetnames for name in CARE_SHEETS)
    d = dt.datetime

    events = rows(book, "家庭重大事件")
    assert [(r[1], r[3], r[7]) for r in events[2:]] == [
        ("刘一", "家庭发生意外、突发事件", "按时走访"),
        ("陈二", "遭受重大灾害", "逾期未走访"),
    ]
    assert events[2][6] == d(PAST, 3, 3)

    prompts = {(r[1], r[3]): r for r in rows(book, "必访提示")[2:]}
    assert prompts[("刘一", "意外慰问")][7] == "按时走访"
    assert prompts[("陈二", "受灾慰问")][7] == "逾期未走访"
    assert prompts[("张党员", "反映情况走访")][7] == "逾期未走访"

    concerns = rows(book, "反映情况")
    assert [(r[3], r[5], r[9], r[10]) for r in concerns[2:]] == [
        ("活动室冬天没有暖气", "已答复", "已协调社区解决", 3),
        ("想请支部来家里坐坐", "待处理", None, None),
    ]
    assert concerns[2][8] == "李书记" and concerns[3][4] == "是"

    employment = rows(book, "帮就业")
    assert [(r[1], r[3], r[4], r[6], r[7]) for r in employment[2:]] == [
        ("张党员", "王支委", "就业推荐", "已就业", "已签合同")
    ]

    birthdays = rows(book, "集体过政治生日")
    assert birthdays[2][:5] == ("第一党支部", d(PAST, 7, 1), 2, "刘一、张党员", "重温入党誓词")
    assert [(r[0], r[4]) for r in birthdays[3:]] == [("第二党支部", "本年度未组织"), ("第三党支部", "本年度未组织")]

    mobility = rows(book, "流动党员")
    assert mobility[2][:5] == ("刘一", "第一党支部", "流出", "广东省东莞市", "微信 dg2026")
    assert len(mobility) == 3


def test_a_secretary_gets_their_branch_only(unit, login, care_year):
    book = workbook(login(unit.shuji1), year=PAST)
    assert [r[1] for r in rows(book, "家庭重大事件")[2:]] == ["刘一"]
    assert [r[0] for r in rows(book, "集体过政治生日")[2:]] == ["第一党支部"]


def test_a_fund_officer_gets_none_of_the_care_sheets(unit, login, care_year):
    book = workbook(login(unit.jijin), year=PAST)
    assert not set(CARE_SHEETS) & set(book.sheetnames)
    text = " ".join(str(c) for name in book.sheetnames for row in rows(book, name) for c in row if c)
    assert "暖气" not in text and "东莞" not in text
