"""Demo data for the fund: a year of it, lived through the services on the days a real unit would.

Each thread of the year is a story — the fund's income, one application from request to payment, the
daily job that closes notices — written as a generator of (moment, step). The stories are merged and
run in time order, each step inside `clock.at(moment)`: the ledger is recorded in the order things
happened, every application has a branch meeting with a quorum from the roster (confirmed by a second
committee member where the secretary filled it in), a 党委 meeting on record, a 公示 of the working days
the calendar gives, closed by the daily job the day after it ends — and is paid no earlier.
`verify_funds` passes on a freshly seeded database.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Generator, Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from core import clock
from core.calendars import july_first, spring_festival
from funds import services
from funds.models import CommitteeDecision, Kind, Source
from hardship.models import HardshipRecord, HelpType, MoneySource, Pairing
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

Step = tuple[dt.datetime, Callable[[], Any]]
Story = Generator[Step, Any, None]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def live(stories: Iterable[Story]) -> None:
    """Run the stories' steps in time order, each as of its moment; a step's result is sent back to its story."""
    order = itertools.count()
    queue: list = []

    def advance(story: Story, value: Any = None, *, first: bool = False) -> None:
        try:
            when, step = next(story) if first else story.send(value)
        except StopIteration:
            return
        heapq.heappush(queue, (when, next(order), story, step))

    for story in stories:
        advance(story, first=True)
    while queue:
        when, _, story, step = heapq.heappop(queue)
        with clock.at(when):
            result = step()
        advance(story, result)


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, min(today.day, 28))


def _last_occasion(today: dt.date) -> tuple[str, dt.date]:
    """The latest 春节 or 七一 at least ten days ago: the demo's batch was paid before it."""
    days = [
        (name, day)
        for year in (today.year - 1, today.year)
        for name, day in (("春节", spring_festival(year)), ("七一", july_first(year)))
        if day <= today - dt.timedelta(days=10)
    ]
    return max(days, key=lambda pair: pair[1])


class Unit:
    """The demo's people, and the steps of an application as they would take them."""

    def __init__(self, ctx):
        self.ctx, self.today = ctx, ctx.today
        users = ctx.users
        self.jijin, self.zzb, self.zzb2 = users["jijin"], users["zzb"], users["zzb2"]
        self.shuji1, self.shuji2, self.zhiwei1 = users["shuji1"], users["shuji2"], users["zhiwei1"]
        self.branch1 = ctx.branches[0]
        self.minutes = itertools.count(1)
        self.shared = SimpleNamespace(fund=None, partner=None, batch=[])

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def secretary_for(self, organization_id: int):
        return self.shuji1 if organization_id == self.branch1.pk else self.shuji2

    def reference(self, day: dt.date) -> str:
        return f"党委会议纪要〔{day.year}〕{next(self.minutes)}号"

    def submit(self, *, kind, amount, member=None, partner_name="", emergency=False, draft=False):
        """Filed by the member where they have an account, else by the branch (or liaison branch) secretary.
        (The partner unit is looked up when the step runs: the fund's story registers it earlier in the year.)"""

        def step():
            partner = self.shared.partner if partner_name else None
            if member is not None and member.user_id:
                by = member.user
            else:
                by = self.secretary_for(member.organization_id if member is not None else partner.liaison_id)
            return services.create_application(
                by=by,
                member=member,
                partner=partner,
                recipient_name=partner_name,
                kind=kind,
                amount_requested=amount,
                reason=REASONS[kind],
                is_emergency=emergency,
                submit=not draft,
            )

        return step

    def meeting(self, application, day, *, passed=True):
        """Three quarters of the branch attend. Where the secretary filled the application in, a second
        person confirms the record (王支委 in branch 1, the organization department elsewhere)."""

        def step():
            roster = voting_members_on(application.organization_id, day).count()
            present = max(roster // 2 + 1, roster * 3 // 4)
            votes_for = present - 2 if passed else present // 3
            secretary = self.secretary_for(application.organization_id)
            services.record_meeting(
                application_id=application.pk,
                by=secretary,
                meeting_on=day,
                attendees=present,
                votes_for=votes_for,
                votes_against=present - votes_for - 1,
                votes_abstain=1,
            )
            application.refresh_from_db()
            if application.meeting_awaiting_confirmation:
                services.confirm_meeting(
                    application_id=application.pk,
                    confirm=True,
                    comment="与会议记录、签到表核对一致",
                    by=self.zhiwei1 if secretary == self.shuji1 else self.zzb2,
                )
            application.refresh_from_db()
            return application

        return step

    def approve(self, application, day, amount=None):
        def step():
            kind = (
                CommitteeDecision.MeetingKind.EMERGENCY
                if application.is_emergency
                else CommitteeDecision.MeetingKind.COMMITTEE
            )
            services.approve(
                application_id=application.pk,
                by=self.zzb,
                meeting_on=day,
                meeting_kind=kind,
                reference=self.reference(day),
                amount_approved=amount or application.amount_requested,
                comment="灾情紧急，先行救助，支部党员大会事后补开" if application.is_emergency else "经党委会研究同意",
            )
            application.refresh_from_db()
            return application

        return step

    def pay(self, application):
        return lambda: services.disburse(application_id=application.pk, by=self.jijin)

    # ------------------------------------------------------------ stories

    def reviewed(self, day, kind, amount, **kw) -> Story:
        """Submitted, a branch meeting three days later, the 党委 two days after that; returns the application."""
        application = yield _at(day, 9), self.submit(kind=kind, amount=amount, **kw)
        application = yield _at(day + dt.timedelta(days=3), 15), self.meeting(application, day + dt.timedelta(days=3))
        return application

    def approved(self, day, kind, amount, *, approve=None, **kw) -> Story:
        application = yield from self.reviewed(day, kind, amount, **kw)
        decided = day + dt.timedelta(days=5)
        application = yield _at(decided, 17), self.approve(application, decided, approve)
        return application

    def paid(self, day, kind, amount, *, approve=None, batch=True, **kw) -> Story:
        application = yield from self.approved(day, kind, amount, approve=approve, **kw)
        if batch:
            self.shared.batch.append(application)
        else:
            yield _at(application.notice_ends_on + dt.timedelta(days=1), 10), self.pay(application)

    def notice_passed(self, day, kind, amount, **kw) -> Story:
        yield from self.approved(day, kind, amount, **kw)


def _eligible_for_annual(branch, skip: set[int]) -> list:
    """Members of a branch on the ledger in one of the 年度生活困难补助's categories."""
    records = (
        HardshipRecord.objects.active()
        .filter(member__organization=branch, categories__code__in=ANNUAL_CATEGORIES)
        .exclude(member_id__in=skip)
        .exclude(member__user__isnull=False)
        .select_related("member")
        .distinct()
        .order_by("member_id")
    )
    return [record.member for record in records]


def _fund_story(u: Unit) -> Story:
    """The fund opens, the 党委 sets its targets and rules, income arrives month by month, a mistaken entry
    is corrected."""
    opened = u.ago(365)
    fund = yield (
        _at(opened, 9),
        lambda: services.open_fund(organization=u.ctx.committee, by=u.jijin, name="党内关怀基金专户"),
    )
    u.shared.fund = fund
    events: list[Step] = []
    for year in sorted({opened.year, u.today.year}):
        day = max(dt.date(year, 1, 10), opened + dt.timedelta(days=1))
        events.append(
            (
                _at(day, 16),
                lambda day=day: services.set_target(
                    fund_id=fund.pk, year=day.year, amount="120000.00", decision_ref=u.reference(day), by=u.zzb
                ),
            )
        )
    for months, source, amount, donor, note in INCOME_PLAN:
        day = _months_ago(u.today, months)
        events.append(
            (
                _at(day, 10),
                lambda day=day, source=source, amount=amount, donor=donor, note=note: services.record_income(
                    fund_id=fund.pk, by=u.jijin, source=source, amount=amount, occurred_on=day, donor=donor, note=note
                ),
            )
        )
    events.append(
        (
            _at(u.ago(300), 15),
            lambda: setattr(
                u.shared,
                "partner",
                services.add_partner_unit(
                    fund_id=fund.pk,
                    name="县人民医院党委（互联共建单位）",
                    liaison=u.branch1,
                    contact="党办 王主任 0816-2222333",
                    by=u.zzb,
                ),
            ),
        )
    )
    events.append(
        (
            _at(u.ago(290), 15),
            lambda: services.set_amount_bound(
                fund_id=fund.pk,
                kind=Kind.TEMPORARY,
                minimum="50.00",
                maximum="2500.00",
                by=u.zzb,
                reason=f"党委会议纪要〔{u.ago(290).year}〕临时救助标准调整",
            ),
        )
    )
    mistaken_on, mistaken = _months_ago(u.today, 3), SimpleNamespace(entry=None)
    events.append(
        (
            _at(mistaken_on, 11),
            lambda: setattr(
                mistaken,
                "entry",
                services.record_income(
                    fund_id=fund.pk,
                    by=u.jijin,
                    source=Source.OTHER,
                    amount="800.00",
                    occurred_on=mistaken_on,
                    note="重复登记",
                ),
            ),
        )
    )
    events.append(
        (
            _at(mistaken_on + dt.timedelta(days=2), 9),
            lambda: services.reverse_entry(entry_id=mistaken.entry.pk, by=u.jijin, reason="与上月到账重复登记"),
        )
    )
    # Not `yield from` a list: `live` sends each step's result back, which a list iterator cannot take.
    for when, step in sorted(events, key=lambda event: event[0]):  # noqa: UP028
        yield when, step


def _daily_job(u: Unit) -> Story:
    """What beat does every night: a notice whose last day has passed closes (公示无异议)."""
    day = u.ago(365)
    while day <= u.today:
        yield _at(day, 1), lambda day=day: services.close_notices(day=day)
        day += dt.timedelta(days=1)


def _batch_story(u: Unit, occasion: str, holiday: dt.date) -> Story:
    yield (
        _at(holiday - dt.timedelta(days=5), 10),
        lambda: services.disburse_batch(
            fund_id=u.shared.fund.pk,
            application_ids=[a.pk for a in u.shared.batch],
            by=u.jijin,
            title=f"{holiday.year}年{occasion}前帮扶资金发放",
        ),
    )


def _emergency_paid_meeting_pending(u: Unit, member) -> Story:
    """Approved before its branch meeting (重大灾情), paid after its notice; the meeting is overdue."""
    application = yield _at(u.ago(45), 9), u.submit(kind=Kind.DISASTER, amount="8000.00", member=member, emergency=True)
    application = yield _at(u.ago(44), 18), u.approve(application, u.ago(44), "6000.00")
    yield _at(application.notice_ends_on + dt.timedelta(days=1), 10), u.pay(application)


def _emergency_reconsidered(u: Unit, member) -> Story:
    """Approved first; the branch meeting afterwards does not pass it: the 党委 has it to reconsider."""
    application = yield (
        _at(u.ago(20), 9),
        u.submit(kind=Kind.TEMPORARY, amount="2000.00", member=member, emergency=True),
    )
    application = yield _at(u.ago(19), 18), u.approve(application, u.ago(19))
    yield _at(u.ago(4), 15), u.meeting(application, u.ago(4), passed=False)


def _emergency_recovered(u: Unit, member) -> Story:
    """Approved and paid, not passed by the branch, revoked by the 党委; the fund officer recovers the money."""
    application = yield (
        _at(u.ago(120), 9),
        u.submit(kind=Kind.DISASTER, amount="3000.00", member=member, emergency=True),
    )
    application = yield _at(u.ago(119), 18), u.approve(application, u.ago(119))
    yield _at(application.notice_ends_on + dt.timedelta(days=1), 10), u.pay(application)
    yield _at(u.ago(95), 15), u.meeting(application, u.ago(95), passed=False)
    yield (
        _at(u.ago(90), 16),
        lambda: services.reconsider(
            application_id=application.pk,
            by=u.zzb,
            keep=False,
            meeting_on=u.ago(90),
            reference=u.reference(u.ago(90)),
            reason="经核实，房屋受损系自建违章部分，不属于救助范围",
        ),
    )
    yield (
        _at(u.ago(80), 11),
        lambda: services.record_recovery(application_id=application.pk, by=u.jijin, note="本人退回现金，收据 0012 号"),
    )


def _objected(u: Unit, member, objector) -> Story:
    application = yield from u.approved(u.ago(8), Kind.LIVING, "2000.00", member=member)
    yield (
        _at(application.notice_starts_on + dt.timedelta(days=1), 20),
        lambda: services.raise_objection(
            application_id=application.pk, by=objector, reason="据了解该同志家庭经营店铺，收入情况需要进一步核实。"
        ),
    )


def _unconfirmed(u: Unit, member) -> Story:
    """Filed by the secretary, who recorded its meeting yesterday: 王支委 has still to confirm it."""
    application = yield _at(u.ago(5), 9), u.submit(kind=Kind.LIVING, amount="1200.00", member=member)

    def record():
        present = voting_members_on(application.organization_id, u.ago(1)).count() // 2 + 2
        return services.record_meeting(
            application_id=application.pk,
            by=u.shuji1,
            meeting_on=u.ago(1),
            attendees=present,
            votes_for=present - 1,
            votes_against=0,
            votes_abstain=1,
        )

    yield _at(u.ago(1), 15), record


def _returned(u: Unit, member) -> Story:
    application = yield _at(u.ago(15), 9), u.submit(kind=Kind.LIVING, amount="4500.00", member=member)
    yield (
        _at(u.ago(13), 10),
        lambda: services.return_for_revision(
            application_id=application.pk, by=u.zhiwei1, reason="请补充医院诊断证明和家庭收入证明材料。"
        ),
    )


def _rejected(u: Unit, member) -> Story:
    application = yield from u.reviewed(u.ago(30), Kind.LIVING, "3000.00", member=member)
    yield (
        _at(u.ago(25), 10),
        lambda: services.reject(
            application_id=application.pk, by=u.zzb, reason="经核实，家庭人均收入高于当地困难标准。"
        ),
    )


def _withdrawn(u: Unit, member) -> Story:
    application = yield _at(u.ago(16), 9), u.submit(kind=Kind.TEMPORARY, amount="500.00", member=member)
    yield (
        _at(u.ago(14), 10),
        lambda: services.withdraw(application_id=application.pk, by=u.shuji1, comment="困难已经自行解决"),
    )


def _just(when: dt.datetime, step: Callable[[], Any]) -> Story:
    yield when, step


def _visits_paid_from_the_fund(u: Unit, members) -> Story:
    """慰问金 handed over at illness visits, from the care fund: booked by the fund officer the next day
    (the most recent one still waiting)."""
    from visits import services as visit_services
    from visits.models import Occasion

    visitor = u.shuji1.member
    for days, member, amount, book in (
        (60, members[0], "500.00", True),
        (21, members[1], "300.00", True),
        (3, members[2], "500.00", False),
    ):
        day = u.ago(days)
        visit = yield (
            _at(day, 16),
            lambda day=day, member=member, amount=amount: visit_services.log_visit(
                by=u.shuji1,
                member=member,
                visited_on=day,
                occasion=Occasion.ILLNESS,
                visitors=[visitor],
                goods="水果、营养品",
                amount=Decimal(amount),
                money_source=MoneySource.CARE_FUND,
                notes="住院治疗中，转达党组织的关心，送去慰问金。",
            ),
        )
        if book:
            yield (
                _at(day + dt.timedelta(days=1), 10),
                lambda visit=visit: services.pay_visit(visit_id=visit.pk, by=u.jijin),
            )


def _pairing_paid_from_the_fund(u: Unit, pairing) -> Story:
    from hardship import services as hardship_services

    day = max(u.ago(40), pairing.started_on)
    progress = yield (
        _at(day, 15),
        lambda: hardship_services.add_progress(
            pairing_id=pairing.pk,
            date=day,
            help_type=HelpType.objects.get(code="living"),
            description="送去关怀基金生活补贴，帮助购置过冬衣物",
            money=Decimal("400.00"),
            money_source=MoneySource.CARE_FUND,
            by=u.shuji1,
        ),
    )
    yield (
        _at(day + dt.timedelta(days=2), 10),
        lambda: services.pay_pairing_progress(progress_id=progress.pk, by=u.jijin),
    )


def seed_funds(ctx) -> None:
    u = Unit(ctx)
    branch1, branch2 = ctx.branches[0], ctx.branches[1]
    user_ids = {user.pk for user in ctx.users.values()}
    pool1 = [m for m in ctx.on_roll() if m.organization_id == branch1.pk and m.user_id not in user_ids]
    pool2 = [m for m in ctx.on_roll() if m.organization_id == branch2.pk and m.user_id not in user_ids]
    used = {m.pk for m in pool1[:12] + pool2[:8]}
    annual1, annual2 = _eligible_for_annual(branch1, used), _eligible_for_annual(branch2, used)

    def annual_or_living(pool: list, fallback, amount="300.00") -> dict:
        """A 年度生活困难补助 for a member the ledger makes eligible; a 生活救济补助 where there is none."""
        if pool:
            return {"member": pool.pop(0), "kind": Kind.ANNUAL, "amount": amount}
        return {"member": fallback, "kind": Kind.LIVING, "amount": "600.00"}

    occasion, holiday = _last_occasion(ctx.today)
    start = holiday - dt.timedelta(days=40)
    stories: list[Story] = [
        _fund_story(u),
        _daily_job(u),
        _batch_story(u, occasion, holiday),
        # Paid before the last 春节 or 七一: one on its own as soon as its notice passed, the rest in a batch.
        u.paid(start, Kind.ILLNESS, "5000.00", member=pool1[0], approve="4000.00", batch=False),
        u.paid(start, Kind.EDUCATION, "3000.00", member=pool2[0]),
        u.paid(start + dt.timedelta(days=1), Kind.ILLNESS, "2000.00", partner_name="赵德明", approve="1500.00"),
        u.paid(start + dt.timedelta(days=2), **annual_or_living(annual1, pool1[1])),
        u.paid(start + dt.timedelta(days=2), **annual_or_living(annual2, pool2[1])),
        # Their notice passed a fortnight ago; the fund officer has still to pay.
        u.notice_passed(u.ago(34), Kind.LIVING, "1500.00", member=pool1[3]),
        u.notice_passed(u.ago(34), **annual_or_living(annual2, pool2[2], "260.00")),
        _emergency_paid_meeting_pending(u, pool1[4]),
        _emergency_reconsidered(u, pool1[5]),
        _emergency_recovered(u, pool2[3]),
        # In the notice now; one with an objection under inquiry.
        u.approved(u.ago(7), Kind.DISASTER, "8000.00", member=pool1[6], approve="6000.00"),
        _objected(u, pool1[10], ctx.users["dangyuan1"]),
        # Waiting for the 党委; a meeting record waiting for its second signature; the branch still to meet.
        u.reviewed(u.ago(9), Kind.EDUCATION, "4000.00", member=pool1[7]),
        u.reviewed(u.ago(8), Kind.ILLNESS, "6000.00", member=pool2[4]),
        _unconfirmed(u, pool1[11]),
        _just(_at(u.ago(2), 9), u.submit(kind=Kind.TEMPORARY, amount="500.00", member=ctx.users["dangyuan1"].member)),
        _just(_at(u.ago(12), 9), u.submit(kind=Kind.LIVING, amount="1200.00", member=pool2[5])),  # stale
        _returned(u, pool1[8]),
        _just(_at(u.ago(1), 9), u.submit(kind=Kind.TEMPORARY, amount="800.00", member=pool1[9], draft=True)),
        _rejected(u, pool2[6]),
        _withdrawn(u, pool1[2]),
        _visits_paid_from_the_fund(u, [pool1[0], pool1[6], pool1[4]]),
    ]
    pairing = (
        Pairing.objects.active()
        .filter(record__member__organization=branch1)
        .select_related("record")
        .order_by("pk")
        .first()
    )
    if pairing is not None:
        stories.append(_pairing_paid_from_the_fund(u, pairing))
    live(stories)
    services.remind_emergency_meetings(day=ctx.today)
