"""A known year of care work on the `unit` (last year, so every date is settled), and this year's
fund work (the fund services date payments today).

Last year (PAST), by branch — branch1: 李书记 王支委 张党员 刘一; branch2: 赵书记 陈二; branch3: 孙三:

- 困难党员台帐: 张党员 (branch1) 因病致贫+低保, 特别困难, registered PAST-03-01, still active;
  刘一 (branch1) 因病致贫, registered PAST-02-01, lifted PAST-06-30;
  陈二 (branch2) 年老无固定收入, registered two years ago, active;
  孙三 (branch3) registered this year (after PAST).
- 结对帮扶: 王支委 → 张党员 from PAST-04-01 (running); 李书记 → 刘一 PAST-02-15 to PAST-06-30.
- 走访慰问: 张党员 five days before PAST's 春节 (春节, 500 元, 大米); 陈二 PAST-06-25 (七一, 300 元);
  孙三 PAST-03-03 (日常); 刘一 on the last day of the year before (not PAST).
  春节 plan of branch1 for PAST: 张党员 (visited, linked) and 刘一 (not visited).
- 谈心谈话: branch1 PAST-05-10 with 张党员 and 刘一 (with confidential notes); branch2 PAST-11-01 with 陈二;
  branch1 the year before with 王支委.
- 表彰: PAST campaign published: 张党员 优秀共产党员 (approved), 陈二 优秀党务工作者 (approved),
  王支委 (rejected).
- 关怀基金: the 党委's fund got 10,000 元 (财政拨款) on PAST-03-01; branch1's own fund 500 元 donated
  by 李书记 on PAST-07-01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from awards.models import CampaignStatus, NominationStatus
from core.calendars import spring_festival
from funds import services as fund_services
from funds.models import Fund, Source
from hardship.models import HardshipCategory, HardshipRecord
from members.models import Role
from tests.awards.factories import CampaignFactory, NominationFactory
from tests.factories import AppointmentFactory
from tests.hardship.conftest import ensure_reference_rows
from tests.hardship.factories import PairingFactory, RecordFactory
from tests.visits.factories import VisitFactory, make_talk
from visits.models import Occasion, VisitPlan, VisitPlanItem

YEAR = timezone.localdate().year
PAST = YEAR - 1


def category(code: str) -> HardshipCategory:
    return HardshipCategory.objects.get(code=code)


@pytest.fixture
def past_year(unit):
    ensure_reference_rows()
    d = dt.date
    zhang, liu, chen, sun = unit.dangyuan1.member, unit.member1, unit.member2, unit.member3
    li, wang = unit.shuji1.member, unit.zhiwei1.member
    chen.join_date = d(1960, 7, 1)  # 老党员
    chen.save(update_fields=["join_date"])
    sun.is_retired_cadre = True
    sun.save(update_fields=["is_retired_cadre"])

    zhang_record = RecordFactory(
        member=zhang,
        registered_on=d(PAST, 3, 1),
        level=HardshipRecord.Level.SPECIAL,
        categories=[category("illness"), category("minimum_living")],
        annual_household_income=Decimal("12000.00"),
        causes="妻子患尿毒症",
    )
    liu_record = RecordFactory(
        member=liu,
        registered_on=d(PAST, 2, 1),
        status=HardshipRecord.Status.LIFTED,
        closed_on=d(PAST, 6, 30),
    )
    RecordFactory(member=chen, registered_on=d(PAST - 1, 5, 1), categories=[category("old_no_income")])
    RecordFactory(member=sun, registered_on=d(YEAR, 1, 1))

    PairingFactory(helper=wang, record=zhang_record, started_on=d(PAST, 4, 1))
    PairingFactory(
        helper=li,
        record=liu_record,
        started_on=d(PAST, 2, 15),
        ended_on=d(PAST, 6, 30),
        status="ended",
        outcome="已脱困",
    )

    festival = spring_festival(PAST)
    zhang_visit = VisitFactory(
        member=zhang,
        visited_on=festival - dt.timedelta(days=5),
        occasion=Occasion.SPRING_FESTIVAL,
        amount=Decimal("500.00"),
        goods="大米",
        visitors=[li],
    )
    VisitFactory(member=chen, visited_on=d(PAST, 6, 25), occasion=Occasion.JULY_FIRST, amount=Decimal("300.00"))
    VisitFactory(member=sun, visited_on=d(PAST, 3, 3))
    VisitFactory(member=liu, visited_on=d(PAST - 1, 12, 30))
    plan = VisitPlan.objects.create(
        organization=unit.branch1, occasion=Occasion.SPRING_FESTIVAL, year=PAST, holiday=festival
    )
    VisitPlanItem.objects.create(plan=plan, member=zhang, reasons="生活困难党员", visit=zhang_visit)
    VisitPlanItem.objects.create(plan=plan, member=liu, reasons="生活困难党员")

    make_talk(
        [zhang, liu], [li], talked_on=d(PAST, 5, 10), confidential_notes="绝密：家中婆媳矛盾", summary="谈了家庭困难"
    )
    make_talk([chen], [unit.shuji2.member], talked_on=d(PAST, 11, 1))
    make_talk([wang], [li], talked_on=d(PAST - 1, 3, 1))

    campaign = CampaignFactory(
        year=PAST,
        organizer=unit.committee,
        status=CampaignStatus.PUBLISHED,
        published_on=d(PAST, 12, 20),
        nomination_deadline=d(PAST, 11, 30),
    )
    excellent, worker = list(campaign.categories.all())[:2]
    NominationFactory(category=excellent, member=zhang, status=NominationStatus.APPROVED)
    NominationFactory(category=worker, member=chen, status=NominationStatus.APPROVED)
    NominationFactory(category=excellent, member=wang, status=NominationStatus.REJECTED)

    committee_fund = Fund.objects.create(organization=unit.committee)
    fund_services.record_income(
        fund_id=committee_fund.pk, by=unit.jijin, source=Source.FISCAL, amount="10000.00", occurred_on=d(PAST, 3, 1)
    )
    AppointmentFactory(user=unit.jijin, organization=unit.branch1, role=Role.FUND_OFFICER)
    branch_fund = Fund.objects.create(organization=unit.branch1)
    fund_services.record_income(
        fund_id=branch_fund.pk,
        by=unit.jijin,
        source=Source.DONATION,
        amount="500.00",
        occurred_on=d(PAST, 7, 1),
        donor="李书记",
    )
    return SimpleNamespace(zhang=zhang, liu=liu, chen=chen, sun=sun, li=li, wang=wang, festival=festival)
