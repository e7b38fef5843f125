"""Demo data for the fund: a year of income, and applications in every state of the workflow.

Everything goes through the services, so the demo ledger obeys the same rules as real use and
`verify_funds` passes on a freshly seeded database.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.calendars import spring_festival
from funds import services
from funds.models import AssistanceApplication, Kind, Source

INCOME_PLAN = [  # (months ago, source, amount, donor, note)
    (11, Source.FISCAL, "50000.00", "", "县财政年度关怀帮扶专项资金"),
    (10, Source.DUES, "20000.00", "", "党费划拨（上半年）"),
    (9, Source.DONATION, "2000.00", "离退休干部党支部 王建国", "党员自愿捐助"),
    (7, Source.SUPERIOR, "30000.00", "", "市委组织部“七一”关怀慰问资金"),
    (6, Source.DONATION, "1000.00", "机关第一党支部 李秀英", "党员自愿捐助"),
    (4, Source.DUES, "20000.00", "", "党费划拨（下半年）"),
    (2, Source.OTHER, "3000.00", "", "爱心企业定向捐赠"),
    (1, Source.DONATION, "500.00", "幸福社区党支部 陈志强", "党员自愿捐助"),
]

REASONS = {
    Kind.LIVING: "家中两位老人常年卧病，本人收入微薄，生活十分困难。",
    Kind.ILLNESS: "今年确诊重病住院治疗，自付医疗费用较高，家庭难以承担。",
    Kind.DISASTER: "房屋因暴雨受损严重，需要修缮，申请重灾救助。",
    Kind.EDUCATION: "孩子今年考上大学，学费和生活费负担较重。",
    Kind.TEMPORARY: "突发意外导致家庭临时性生活困难。",
    Kind.ANNUAL: "年老体弱，无固定收入，申请年度困难补助。",
}


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, min(today.day, 28))


def _next_spring_festival(today: dt.date) -> dt.date:
    this_year = spring_festival(today.year)
    return this_year if this_year >= today else spring_festival(today.year + 1)


def seed_funds(ctx) -> None:
    users = ctx.users
    jijin, zzb, shuji1, shuji2 = users["jijin"], users["zzb"], users["shuji1"], users["shuji2"]
    fund = services.open_fund(organization=ctx.committee, by=jijin, name="党内关怀基金专户")
    for months, source, amount, donor, note in INCOME_PLAN:
        services.record_income(fund_id=fund.pk, by=jijin, source=source, amount=amount,
                               occurred_on=_months_ago(ctx.today, months), donor=donor, note=note)
    mistaken = services.record_income(fund_id=fund.pk, by=jijin, source=Source.OTHER, amount="800.00",
                                      occurred_on=_months_ago(ctx.today, 3), note="重复登记")
    services.reverse_entry(entry_id=mistaken.pk, by=jijin, reason="与上月到账重复登记")

    branch1, branch2 = ctx.branches[0], ctx.branches[1]
    user_ids = {u.pk for u in users.values()}
    pool1 = [m for m in ctx.on_roll() if m.organization_id == branch1.pk and m.user_id not in user_ids]
    pool2 = [m for m in ctx.on_roll() if m.organization_id == branch2.pk and m.user_id not in user_ids]
    dangyuan1 = users["dangyuan1"].member

    def new(member, kind, amount, secretary, **kw):
        by = secretary if member.user_id is None else member.user
        return services.create_application(by=by, member=member, kind=kind, amount_requested=amount,
                                           reason=REASONS[kind], submit=kw.get("submit", True),
                                           is_emergency=kw.get("emergency", False))

    def reviewed(member, kind, amount, secretary, **kw):
        application = new(member, kind, amount, secretary, **kw)
        services.record_meeting(application_id=application.pk, by=secretary, meeting_on=ctx.today,
                                attendees=23, votes_for=21, votes_against=1, votes_abstain=1,
                                attendee_names="")
        return application

    def approved(member, kind, amount, secretary, approve_amount=None, **kw):
        application = reviewed(member, kind, amount, secretary, **kw)
        return services.approve(application_id=application.pk, by=zzb, amount_approved=approve_amount or amount,
                                comment="经党委会研究同意")

    # Paid, passed and in notice (the ones that must pass first are created first).
    paid = [
        approved(pool1[0], Kind.ILLNESS, "5000.00", shuji1, approve_amount="4000.00"),
        approved(pool1[1], Kind.ANNUAL, "300.00", shuji1),
        approved(pool2[0], Kind.EDUCATION, "3000.00", shuji2),
        approved(pool2[1], Kind.ANNUAL, "300.00", shuji2),
    ]
    waiting_payment = [
        approved(pool1[2], Kind.ANNUAL, "300.00", shuji1),
        approved(pool1[3], Kind.LIVING, "1500.00", shuji1),
        approved(pool2[2], Kind.ANNUAL, "260.00", shuji2),
    ]
    services.close_notices(day=max(a.notice_ends_on for a in paid + waiting_payment) + dt.timedelta(days=1))
    services.disburse(application_id=paid[0].pk, by=jijin)
    services.disburse_batch(fund_id=fund.pk, application_ids=[a.pk for a in paid[1:]], by=jijin,
                            title=f"{_next_spring_festival(ctx.today).year}年春节前帮扶资金发放")

    approved(pool1[4], Kind.DISASTER, "8000.00", shuji1, approve_amount="6000.00")  # in notice
    in_objection = approved(pool1[10], Kind.LIVING, "2000.00", shuji1)
    services.raise_objection(application_id=in_objection.pk, by=users["dangyuan1"],
                             reason="据了解该同志家庭经营店铺，收入情况需要进一步核实。")
    services.approve(application_id=new(pool1[5], Kind.TEMPORARY, "2000.00", shuji1, emergency=True).pk,
                     by=zzb, amount_approved="2000.00", comment="紧急救助，先行审批，支部大会事后补开")

    reviewed(pool1[6], Kind.EDUCATION, "4000.00", shuji1)                 # waiting for the 党委
    reviewed(pool2[4], Kind.ILLNESS, "6000.00", shuji2)
    new(dangyuan1, Kind.ANNUAL, "300.00", shuji1)                         # submitted by the member
    stale = new(pool2[5], Kind.LIVING, "1200.00", shuji2)
    AssistanceApplication.objects.filter(pk=stale.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=10)
    )
    returned = new(pool1[7], Kind.LIVING, "4500.00", shuji1, submit=False)
    services.submit(application_id=returned.pk, by=shuji1)
    services.return_for_revision(application_id=returned.pk, by=zzb, reason="请补充医院诊断证明和家庭收入证明材料。")
    new(pool1[8], Kind.TEMPORARY, "800.00", shuji1, submit=False)       # a draft
    rejected = reviewed(pool2[6], Kind.LIVING, "3000.00", shuji2)
    services.reject(application_id=rejected.pk, by=zzb, reason="经核实，家庭人均收入高于当地困难标准。")
    withdrawn = new(pool1[9], Kind.TEMPORARY, "500.00", shuji1)
    services.withdraw(application_id=withdrawn.pk, by=shuji1, comment="困难已经自行解决")
