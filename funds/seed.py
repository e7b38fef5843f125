"""Demo data for the fund: a year of it, lived through the services on the days a real unit would.

Every step runs inside `clock.at(day)`: the fund opens a year ago, income arrives month by month, the
党委 sets the year's target, applications are submitted, reviewed by a branch meeting with a quorum from
the roster (confirmed by a second committee member where the secretary filled them in), decided by a
党委 meeting, publicly noticed for the working days the calendar gives, closed by the daily job the day
after and paid no earlier. So the demo ledger obeys the same rules as real use, `verify_funds` passes,
and nothing is paid before its 公示 ends.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.calendars import july_first, spring_festival
from funds import services
from funds.models import CommitteeDecision, Kind, Source
from hardship.models import HardshipRecord, MoneySource, Pairing
from members.selectors import voting_members_on

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
    Kind.ANNUAL: "年老体弱，无固定收入，申请年度生活困难补助。",
}
ANNUAL_CATEGORIES = ("old_no_income", "lost_capacity", "illness", "disaster")


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, min(today.day, 28))


def _last_occasion(today: dt.date) -> tuple[str, dt.date]:
    """The latest 春节 or 七一 at least ten days ago: the demo's batch was paid before it."""
    days = [(name, day) for year in (today.year - 1, today.year)
            for name, day in (("春节", spring_festival(year)), ("七一", july_first(year)))
            if day <= today - dt.timedelta(days=10)]
    return max(days, key=lambda pair: pair[1])


class Timeline:
    """The demo's people and the steps of an application, each on its day."""

    def __init__(self, ctx):
        self.ctx, self.today = ctx, ctx.today
        users = ctx.users
        self.jijin, self.zzb, self.zzb2 = users["jijin"], users["zzb"], users["zzb2"]
        self.shuji1, self.shuji2, self.zhiwei1 = users["shuji1"], users["shuji2"], users["zhiwei1"]
        self.references = 0

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def secretary(self, application):
        return self.shuji1 if application.organization_id == self.ctx.branches[0].pk else self.shuji2

    def reference(self, day: dt.date) -> str:
        self.references += 1
        return f"党委会议纪要〔{day.year}〕{self.references}号"

    def new(self, day, kind, amount, *, member=None, partner=None, name="", by=None, emergency=False, submit=True):
        """Submitted by the member where they have an account, else by their (or the partner's) branch secretary."""
        if by is None and member is not None and member.user_id:
            by = member.user
        if by is None:
            organization_id = member.organization_id if member is not None else partner.liaison_id
            by = self.shuji1 if organization_id == self.ctx.branches[0].pk else self.shuji2
        with clock.at(day, 9):
            return services.create_application(by=by, member=member, partner=partner, recipient_name=name, kind=kind,
                                               amount_requested=amount, reason=REASONS[kind], submit=submit,
                                               is_emergency=emergency)

    def meeting(self, application, day, *, passed=True):
        """A branch meeting three quarters of the branch attended; confirmed by a second person where the
        secretary filled the application in (王支委 in branch 1, the organization department elsewhere)."""
        roster = voting_members_on(application.organization_id, day).count()
        present = max(roster // 2 + 1, roster * 3 // 4)
        votes_for = present - 2 if passed else present // 3
        secretary = self.secretary(application)
        with clock.at(day, 15):
            services.record_meeting(application_id=application.pk, by=secretary, meeting_on=day, attendees=present,
                                    votes_for=votes_for, votes_against=present - votes_for - 1, votes_abstain=1)
            application.refresh_from_db()
            if application.meeting_awaiting_confirmation:
                confirmer = self.zhiwei1 if secretary == self.shuji1 else self.zzb2
                services.confirm_meeting(application_id=application.pk, by=confirmer, confirm=True,
                                         comment="与会议记录、签到表核对一致")
        application.refresh_from_db()
        return application

    def approve(self, application, day, amount=None):
        kind = (CommitteeDecision.MeetingKind.EMERGENCY if application.is_emergency
                else CommitteeDecision.MeetingKind.COMMITTEE)
        with clock.at(day, 17):
            services.approve(application_id=application.pk, by=self.zzb, meeting_on=day, meeting_kind=kind,
                             reference=self.reference(day), amount_approved=amount or application.amount_requested,
                             comment="经党委会研究同意")
        application.refresh_from_db()
        return application

    def close(self, application):
        """The daily job closes the notice the day after its last day."""
        day = application.notice_ends_on + dt.timedelta(days=1)
        assert day <= self.today, "a demo notice must have ended before it is closed"  # noqa: S101
        with clock.at(day, 1):
            services.close_notices(day=day)
        application.refresh_from_db()
        return day

    def approved(self, day, kind, amount, *, approve_amount=None, **kw):
        application = self.new(day, kind, amount, **kw)
        application = self.meeting(application, day + dt.timedelta(days=3))
        return self.approve(application, day + dt.timedelta(days=5), approve_amount)


def _eligible_for_annual(branch, skip: set[int]) -> list:
    """Members of a branch on the ledger in one of the 年度生活困难补助's categories."""
    records = (HardshipRecord.objects.active().filter(member__organization=branch,
                                                      categories__code__in=ANNUAL_CATEGORIES)
               .exclude(member_id__in=skip).exclude(member__user__isnull=False)
               .select_related("member").distinct().order_by("member_id"))
    return [record.member for record in records]


def seed_funds(ctx) -> None:
    t = Timeline(ctx)
    branch1, branch2 = ctx.branches[0], ctx.branches[1]
    opened = t.days_ago(365)
    with clock.at(opened):
        fund = services.open_fund(organization=ctx.committee, by=t.jijin, name="党内关怀基金专户")
    for year in (opened.year, ctx.today.year) if opened.year != ctx.today.year else (ctx.today.year,):
        day = max(dt.date(year, 1, 10), opened)
        with clock.at(day):
            services.set_target(fund_id=fund.pk, year=year, amount="120000.00", decision_ref=t.reference(day),
                                by=t.zzb)
    for months, source, amount, donor, note in INCOME_PLAN:
        day = _months_ago(ctx.today, months)
        with clock.at(day):
            services.record_income(fund_id=fund.pk, by=t.jijin, source=source, amount=amount, occurred_on=day,
                                   donor=donor, note=note)
    with clock.at(_months_ago(ctx.today, 3)) as moment:
        mistaken = services.record_income(fund_id=fund.pk, by=t.jijin, source=Source.OTHER, amount="800.00",
                                          occurred_on=moment.date(), note="重复登记")
    with clock.at(_months_ago(ctx.today, 3) + dt.timedelta(days=2)):
        services.reverse_entry(entry_id=mistaken.pk, by=t.jijin, reason="与上月到账重复登记")
    with clock.at(t.days_ago(200)):
        services.set_amount_bound(fund_id=fund.pk, kind=Kind.TEMPORARY, minimum="50.00", maximum="2500.00",
                                  reason=f"党委会议纪要〔{t.days_ago(200).year}〕临时救助标准调整", by=t.zzb)
        partner = services.add_partner_unit(fund_id=fund.pk, name="县人民医院党委（互联共建单位）", liaison=branch1,
                                            contact="党办 王主任 0816-2222333", by=t.zzb)

    user_ids = {u.pk for u in ctx.users.values()}
    pool1 = [m for m in ctx.on_roll() if m.organization_id == branch1.pk and m.user_id not in user_ids]
    pool2 = [m for m in ctx.on_roll() if m.organization_id == branch2.pk and m.user_id not in user_ids]
    used = {m.pk for m in pool1[:12] + pool2[:8]}
    annual1 = _eligible_for_annual(branch1, used)
    annual2 = _eligible_for_annual(branch2, used)

    def annual_or_living(pool: list, amount="300.00"):
        if pool:
            return pool.pop(0), Kind.ANNUAL, amount
        return None, Kind.LIVING, "600.00"

    # Paid before the last 春节 or 七一: one on its own, the rest in a batch; notices all ended first.
    occasion, holiday = _last_occasion(ctx.today)
    start = holiday - dt.timedelta(days=40)
    paid = [t.approved(start, Kind.ILLNESS, "5000.00", member=pool1[0], approve_amount="4000.00"),
            t.approved(start, Kind.EDUCATION, "3000.00", member=pool2[0]),
            t.approved(start + dt.timedelta(days=1), Kind.ILLNESS, "2000.00", partner=partner, name="赵德明",
                       approve_amount="1500.00")]
    for pool, fallback in ((annual1, pool1[1]), (annual2, pool2[1])):
        member, kind, amount = annual_or_living(pool)
        paid.append(t.approved(start + dt.timedelta(days=2), kind, amount, member=member or fallback))
    closed = max(t.close(application) for application in paid)
    with clock.at(closed + dt.timedelta(days=1), 10):
        services.disburse(application_id=paid[0].pk, by=t.jijin)
    with clock.at(max(closed + dt.timedelta(days=2), holiday - dt.timedelta(days=5)), 10):
        services.disburse_batch(fund_id=fund.pk, application_ids=[a.pk for a in paid[1:]], by=t.jijin,
                                title=f"{holiday.year}年{occasion}前帮扶资金发放")

    # Passed the notice a few days ago, waiting for the fund officer.
    waiting = [t.approved(t.days_ago(34), Kind.LIVING, "1500.00", member=pool1[3])]
    member, kind, amount = annual_or_living(annual2, "260.00")
    waiting.append(t.approved(t.days_ago(34), kind, amount, member=member or pool2[2]))
    for application in waiting:
        t.close(application)

    # An emergency approved before its branch meeting (重大灾情或紧急情况), paid, the meeting still to be held.
    urgent = t.new(t.days_ago(45), Kind.DISASTER, "8000.00", member=pool1[4], emergency=True)
    urgent = t.approve(urgent, t.days_ago(44), "6000.00")
    with clock.at(t.close(urgent) + dt.timedelta(days=1)):
        services.disburse(application_id=urgent.pk, by=t.jijin)
    # Another: its branch meeting did not pass it; the 党委 has it to reconsider.
    doubted = t.approve(t.new(t.days_ago(20), Kind.TEMPORARY, "2000.00", member=pool1[5], emergency=True),
                        t.days_ago(19))
    if doubted.notice_ends_on < t.days_ago(5):
        t.close(doubted)
    t.meeting(doubted, t.days_ago(4), passed=False)
    # A third: paid, not passed by the branch, revoked by the 党委 and the money recovered.
    revoked = t.approve(t.new(t.days_ago(120), Kind.DISASTER, "3000.00", member=pool2[3], emergency=True),
                        t.days_ago(119))
    with clock.at(t.close(revoked) + dt.timedelta(days=1)):
        services.disburse(application_id=revoked.pk, by=t.jijin)
    t.meeting(revoked, t.days_ago(95), passed=False)
    with clock.at(t.days_ago(90), 16):
        services.reconsider(application_id=revoked.pk, by=t.zzb, keep=False, meeting_on=t.days_ago(90),
                            reference=t.reference(t.days_ago(90)),
                            reason="经核实，房屋受损系自建违章部分，不属于救助范围")
    with clock.at(t.days_ago(80), 11):
        services.record_recovery(application_id=revoked.pk, by=t.jijin, note="本人退回现金，收据 0012 号")

    # In the notice now, one with an objection under inquiry.
    t.approved(t.days_ago(7), Kind.DISASTER, "8000.00", member=pool1[6], approve_amount="6000.00")
    objected = t.approved(t.days_ago(8), Kind.LIVING, "2000.00", member=pool1[10])
    with clock.at(objected.notice_starts_on + dt.timedelta(days=1), 20):
        services.raise_objection(application_id=objected.pk, by=ctx.users["dangyuan1"],
                                 reason="据了解该同志家庭经营店铺，收入情况需要进一步核实。")

    # Waiting for the 党委; a record waiting for its second signature; the branch still to meet.
    t.meeting(t.new(t.days_ago(9), Kind.EDUCATION, "4000.00", member=pool1[7]), t.days_ago(3))
    t.meeting(t.new(t.days_ago(8), Kind.ILLNESS, "6000.00", member=pool2[4]), t.days_ago(2))
    unconfirmed = t.new(t.days_ago(5), Kind.LIVING, "1200.00", member=pool1[11])
    with clock.at(t.days_ago(1), 15):
        roster = voting_members_on(branch1.pk, t.days_ago(1)).count()
        present = roster // 2 + 2
        services.record_meeting(application_id=unconfirmed.pk, by=t.shuji1, meeting_on=t.days_ago(1),
                                attendees=present, votes_for=present - 1, votes_against=0, votes_abstain=1)
    t.new(t.days_ago(2), Kind.TEMPORARY, "500.00", member=ctx.users["dangyuan1"].member)  # by the member
    t.new(t.days_ago(12), Kind.LIVING, "1200.00", member=pool2[5])  # stale: waiting 12 days for its meeting
    returned = t.new(t.days_ago(15), Kind.LIVING, "4500.00", member=pool1[8])
    with clock.at(t.days_ago(13)):
        services.return_for_revision(application_id=returned.pk, by=t.zhiwei1,
                                     reason="请补充医院诊断证明和家庭收入证明材料。")
    t.new(t.days_ago(1), Kind.TEMPORARY, "800.00", member=pool1[9], submit=False)  # a draft
    rejected = t.meeting(t.new(t.days_ago(30), Kind.LIVING, "3000.00", member=pool2[6]), t.days_ago(27))
    with clock.at(t.days_ago(25)):
        services.reject(application_id=rejected.pk, by=t.zzb, reason="经核实，家庭人均收入高于当地困难标准。")
    withdrawn = t.new(t.days_ago(16), Kind.TEMPORARY, "500.00", member=pool1[2])
    with clock.at(t.days_ago(14)):
        services.withdraw(application_id=withdrawn.pk, by=t.shuji1, comment="困难已经自行解决")

    _visits_and_pairing_paid_from_the_fund(ctx, t, fund, pool1)
    services.remind_emergency_meetings(day=ctx.today)


def _visits_and_pairing_paid_from_the_fund(ctx, t: Timeline, fund, pool1) -> None:
    """慰问金 handed over at illness visits and pairing help, from the care fund: booked by the fund officer
    (two visits and a pairing's help already, one visit still waiting)."""
    from hardship import services as hardship_services
    from visits import services as visit_services
    from visits.models import Occasion

    visitor = ctx.users["shuji1"].member
    booked = []
    for days, member, amount in ((60, pool1[0], "500.00"), (21, pool1[6], "300.00"), (3, pool1[4], "500.00")):
        day = t.days_ago(days)
        with clock.at(day, 16):
            booked.append(visit_services.log_visit(
                by=t.shuji1, member=member, visited_on=day, occasion=Occasion.ILLNESS, visitors=[visitor],
                goods="水果、营养品", amount=Decimal(amount), money_source=MoneySource.CARE_FUND,
                notes="住院治疗中，转达党组织的关心，送去慰问金。"))
    for visit in booked[:2]:
        with clock.at(visit.visited_on + dt.timedelta(days=1), 10):
            services.pay_visit(visit_id=visit.pk, by=t.jijin)
    pairing = (Pairing.objects.active().filter(record__member__organization=ctx.branches[0])
               .select_related("record").order_by("pk").first())
    if pairing is not None:
        from hardship.models import HelpType

        day = max(t.days_ago(40), pairing.started_on)
        with clock.at(day, 15):
            progress = hardship_services.add_progress(
                pairing_id=pairing.pk, date=day, help_type=HelpType.objects.get(code="living"),
                description="送去关怀基金生活补贴，帮助购置过冬衣物", money=Decimal("400.00"),
                money_source=MoneySource.CARE_FUND, by=t.shuji1)
        with clock.at(day + dt.timedelta(days=2), 10):
            services.pay_pairing_progress(progress_id=progress.pk, by=t.jijin)
