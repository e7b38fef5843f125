"""History at county ratios on top of seed_demo, and what the benchmark reports about the data.

`python -m bench.history` (run by bench/run.py after seed_demo) tops the seeded unit up to the
ratios of the performance issue with bulk inserts, spread over the last five years:
≈2,000 hardship lines, 2,500 pairings, 100,000 visits and talks, 10,000 applications, 50,000 fund
entries (the fund's balance is set to the sum of its entries, so `manage.py verify_funds` passes)
and a commendation campaign a year with its nominations.

Fund entries are append-only and have no bulk path in the app (FundEntryQuerySet refuses
bulk_create): the benchmark writes them with the plain QuerySet's bulk_create, all inside one
transaction together with the balance, which is what an import of years of paper ledgers would do.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal

from django.db.models import QuerySet

YEARS = 5
TARGET = {
    "hardship": 2_000,
    "pairings": 2_500,
    "visits": 60_000,
    "talks": 40_000,
    "applications": 10_000,
    "fund_entries": 50_000,
}
BATCH = 5_000

# The city profile (bench/run.py --profile city): ten counties' worth of members (BENCH_SCALE of
# 200,000), ten years of history at ten times the county's yearly ratios per member, and the branches
# regrouped under ten county 党委 (BENCH_COUNTIES), each over its 党总支.
PROFILE = os.environ.get("BENCH_PROFILE", "county")
if PROFILE == "city":
    YEARS = 10
    _FACTOR = 10 * float(os.environ.get("BENCH_SCALE", "1"))
    # The city: ≈600,000 visits, 400,000 talks, 100,000 applications, 500,000 fund entries —
    # ten times the county's totals, spread over ten years.
    TARGET = {key: round(value * _FACTOR) for key, value in TARGET.items()}
COUNTIES = int(os.environ.get("BENCH_COUNTIES", "10"))


def counts() -> dict[str, int]:
    from awards.models import AwardCampaign, Nomination
    from funds.models import AssistanceApplication, FundEntry
    from hardship.models import HardshipRecord, Pairing
    from members.models import Member, Organization
    from visits.models import Talk, Visit

    return {
        "党支部": Organization.objects.filter(kind=Organization.Kind.BRANCH).count(),
        "党员": Member.objects.count(),
        "困难党员台帐": HardshipRecord.objects.count(),
        "结对帮扶": Pairing.objects.count(),
        "走访慰问": Visit.objects.count(),
        "谈心谈话": Talk.objects.count(),
        "帮扶申请": AssistanceApplication.objects.count(),
        "基金账目": FundEntry.objects.count(),
        "评选活动": AwardCampaign.objects.count(),
        "表彰推荐": Nomination.objects.count(),
    }


def export_querysets(year: int | None = None) -> list[QuerySet]:
    """The rows behind the annual workbook's detail sheets, for the import-export and XlsxWriter baselines:
    困难党员台帐, 结对帮扶, 走访慰问, 谈心谈话, 关怀基金收支, 帮扶申请, 表彰名单 of the whole unit for the
    workbook's year (this year, as bench/work.py builds it): ledger lines and pairings open at some point
    of the year, that year's visits, talks, fund entries, applications and nominations."""
    from django.db.models import Q

    from awards.models import Nomination
    from funds.models import AssistanceApplication, FundEntry
    from hardship.models import HardshipRecord, Pairing
    from visits.models import Talk, Visit

    year = year or dt.date.today().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)

    # Many-to-many columns prefetched, as anyone exporting with import-export would (its default
    # export otherwise runs a query per row and per many-to-many field).
    return [
        HardshipRecord.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start), registered_on__lte=end)
        .order_by("pk")
        .prefetch_related("categories", "needs"),
        Pairing.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start), started_on__lte=end)
        .order_by("pk")
        .prefetch_related("help_types"),
        Visit.objects.filter(visited_on__range=(start, end)).order_by("pk").prefetch_related("visitors"),
        Talk.objects.filter(talked_on__range=(start, end))
        .order_by("pk")
        .prefetch_related("interviewers", "participants"),
        FundEntry.objects.filter(occurred_on__range=(start, end)).order_by("pk"),
        AssistanceApplication.objects.filter(year=year).order_by("pk"),
        Nomination.objects.filter(campaign__year=year).order_by("pk"),
    ]


# ----------------------------------------------------------------------------------------------


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Builder:
    def __init__(self) -> None:
        from members.models import Member, Organization, User

        self.rng = random.Random(20_000)
        self.today = dt.date.today()
        self.start = self.today - dt.timedelta(days=365 * YEARS)
        self.committee = Organization.objects.filter(parent__isnull=True).order_by("path").first()
        rows = list(Member.objects.on_roll().values_list("pk", "organization_id"))
        self.member_ids = [pk for pk, _ in rows]
        self.org_of = dict(rows)
        self.by_branch: dict[int, list[int]] = {}
        for pk, org in rows:
            self.by_branch.setdefault(org, []).append(pk)
        self.users = dict(
            User.objects.filter(username__in=["zzb", "jijin", "shuji1", "admin"]).values_list("username", "pk")
        )

    def day(self) -> dt.date:
        return self.start + dt.timedelta(days=self.rng.randrange((self.today - self.start).days))

    # -- 困难党员台帐 and 结对帮扶 -------------------------------------------------------------

    def hardship(self) -> None:
        from hardship.models import HardshipCategory, HardshipRecord, HelpType, Pairing

        need = TARGET["hardship"] - HardshipRecord.objects.count()
        categories = list(HardshipCategory.objects.values_list("pk", flat=True))
        helps = list(HelpType.objects.filter(is_pairing_help=True).values_list("pk", flat=True))
        if need > 0:
            taken = set(HardshipRecord.objects.values_list("member_id", flat=True))
            pool = [pk for pk in self.member_ids if pk not in taken]
            chosen = self.rng.sample(pool, need)
            records = []
            for index, member_id in enumerate(chosen):
                registered = self.day()
                lifted = index % 4 == 0
                records.append(
                    HardshipRecord(
                        member_id=member_id,
                        level=self.rng.choice(["general", "general", "special"]),
                        household_size=self.rng.randint(1, 6),
                        annual_household_income=Decimal(self.rng.randrange(3_000, 40_000)),
                        causes="年老体弱，无固定收入",
                        main_difficulties="医疗费用负担重，日常生活拮据",
                        status="lifted" if lifted else "active",
                        registered_on=registered,
                        last_reviewed_on=registered + dt.timedelta(days=300)
                        if registered.year < self.today.year
                        else None,
                        closed_on=min(registered + dt.timedelta(days=400), self.today) if lifted else None,
                        close_reason="家庭收入改善，经复核已脱困" if lifted else "",
                        consent_on=registered,
                        consent_method="written",
                    )
                )
            created = HardshipRecord.objects.bulk_create(records, batch_size=BATCH)
            through = HardshipRecord.categories.through
            through.objects.bulk_create(
                [through(hardshiprecord_id=r.pk, hardshipcategory_id=self.rng.choice(categories)) for r in created],
                batch_size=BATCH,
            )
        need = TARGET["pairings"] - Pairing.objects.count()
        if need > 0:
            records = list(HardshipRecord.objects.values_list("pk", "member_id", "registered_on", "status"))
            seen = set(Pairing.objects.values_list("helper_id", "record_id"))
            pairings = []
            while len(pairings) < need:
                record_id, member_id, registered, status = self.rng.choice(records)
                branch = self.by_branch.get(self.org_of.get(member_id), self.member_ids)
                helper = self.rng.choice(branch)
                if helper == member_id or (helper, record_id) in seen:
                    continue
                seen.add((helper, record_id))
                started = registered + dt.timedelta(days=self.rng.randrange(5, 60))
                ended = status != "active" or self.rng.random() < 0.3
                ended_on = min(started + dt.timedelta(days=365), self.today) if ended else None
                pairings.append(
                    Pairing(
                        helper_id=helper,
                        record_id=record_id,
                        goals="帮助解决生活困难，稳定家庭收入",
                        measures="每月上门走访一次，帮助联系就业",
                        started_on=min(started, self.today),
                        ended_on=max(ended_on, min(started, self.today)) if ended_on else None,
                        status="ended" if ended else "active",
                        outcome="生活困难有所缓解" if ended else "",
                    )
                )
            created = Pairing.objects.bulk_create(pairings, batch_size=BATCH)
            through = Pairing.help_types.through
            through.objects.bulk_create(
                [through(pairing_id=p.pk, helptype_id=self.rng.choice(helps)) for p in created], batch_size=BATCH
            )

    # -- 走访慰问 and 谈心谈话 -----------------------------------------------------------------

    def visits(self) -> None:
        from visits.models import Occasion, Talk, Visit

        need = TARGET["visits"] - Visit.objects.count()
        occasions = [o.value for o in Occasion]
        while need > 0:
            rows = []
            for _ in range(min(need, BATCH)):
                member_id = self.rng.choice(self.member_ids)
                rows.append(
                    Visit(
                        member_id=member_id,
                        visited_on=self.day(),
                        occasion=self.rng.choice(occasions),
                        goods="米、油",
                        amount=Decimal(self.rng.choice([200, 300, 500])),
                        money_source="other",
                        money_source_note="单位工会慰问经费",  # money names its source
                        notes="身体状况稳定，家庭生活基本正常",
                        created_by_id=self.users.get("shuji1"),
                    )
                )
            created = Visit.objects.bulk_create(rows)
            through = Visit.visitors.through
            through.objects.bulk_create(
                [
                    through(visit_id=v.pk, member_id=self.rng.choice(self.by_branch[self.org_of[v.member_id]]))
                    for v in created
                ]
            )
            need -= len(rows)
        need = TARGET["talks"] - Talk.objects.count()
        reasons = [r.value for r in Talk.Reason]
        while need > 0:
            rows = []
            for _ in range(min(need, BATCH)):
                member_id = self.rng.choice(self.member_ids)
                rows.append(
                    Talk(
                        organization_id=self.org_of[member_id],
                        talked_on=self.day(),
                        reason=self.rng.choice(reasons),
                        priority_hardship=self.rng.random() < 0.1,
                        summary="交流思想工作情况，了解家庭困难和诉求",
                        opinions="希望支部多组织学习活动",
                        created_by_id=self.users.get("shuji1"),
                    )
                )
                rows[-1]._participant = member_id
            created = Talk.objects.bulk_create(rows)
            participants, interviewers = Talk.participants.through, Talk.interviewers.through
            participants.objects.bulk_create([participants(talk_id=t.pk, member_id=t._participant) for t in created])
            interviewers.objects.bulk_create(
                [
                    interviewers(talk_id=t.pk, member_id=self.rng.choice(self.by_branch[t.organization_id]))
                    for t in created
                ]
            )
            need -= len(rows)

    # -- 帮扶申请 and 关怀基金收支 -------------------------------------------------------------

    def funds(self) -> None:
        from django.db.models import QuerySet as PlainQuerySet
        from django.db.models import Sum

        from funds.models import DEFAULT_AMOUNT_BOUNDS, AssistanceApplication, Fund, FundEntry, Kind, Source, Status
        from funds.seed import REASONS

        fund = Fund.objects.get(organization=self.committee)
        bounds = DEFAULT_AMOUNT_BOUNDS
        annual_taken = set(AssistanceApplication.objects.filter(kind=Kind.ANNUAL).values_list("member_id", "year"))
        kinds = [k.value for k in Kind]
        need = TARGET["applications"] - AssistanceApplication.objects.count()
        from members.models import Appointment, Role, User

        zzb, jijin = self.users["zzb"], self.users["jijin"]
        # Each application is submitted (and its branch meeting recorded) by the secretary of the
        # applicant's branch where the demo has one, else by the system administrator: a secretary
        # owns their branch's applications, not the county's.
        secretaries = dict(Appointment.objects.filter(role=Role.SECRETARY).values_list("organization_id", "user_id"))
        admin = User.objects.get(username="admin").pk
        finished = [Status.DISBURSED] * 7 + [Status.REJECTED, Status.WITHDRAWN, Status.NOTICE_PASSED]
        applications = []
        for _ in range(max(need, 0)):
            member_id = self.rng.choice(self.member_ids)
            kind = self.rng.choice(kinds)
            low, high = (Decimal(v) for v in bounds[kind])
            amount = min(high, max(low, Decimal(self.rng.randrange(int(low), int(high) + 1, 50))))
            created = self.day()
            status = self.rng.choice(finished)
            if self.rng.random() < 0.02:  # a few still in the workflow, moved within the last days
                created = self.today - dt.timedelta(days=self.rng.randrange(20, 26))
                status = self.rng.choice([Status.SUBMITTED, Status.BRANCH_REVIEWED, Status.IN_NOTICE])
            if kind == Kind.ANNUAL:  # one 年度生活困难补助 a member a year (a unique constraint), in its final year
                if (member_id, created.year) in annual_taken:
                    kind, amount = Kind.TEMPORARY, Decimal("500")
                else:
                    annual_taken.add((member_id, created.year))
            committed = status in (Status.DISBURSED, Status.NOTICE_PASSED, Status.IN_NOTICE)
            shuji = secretaries.get(self.org_of[member_id], admin)
            meeting = status not in (Status.SUBMITTED, Status.WITHDRAWN)
            applications.append(
                AssistanceApplication(
                    fund=fund,
                    member_id=member_id,
                    organization_id=self.org_of[member_id],
                    kind=kind,
                    year=created.year,
                    amount_requested=amount,
                    amount_approved=amount if committed else None,
                    reason=REASONS[kind],
                    status=status,
                    status_changed_at=_aware(created + dt.timedelta(days=20)),
                    submitted_by_id=shuji,
                    submitted_at=_aware(created),
                    meeting_on=created + dt.timedelta(days=5) if meeting else None,
                    meeting_attendees=23 if meeting else None,
                    votes_for=21 if meeting else None,
                    meeting_roster_count=40 if meeting else None,
                    meeting_confirmed_at=_aware(created + dt.timedelta(days=5)) if meeting else None,
                    votes_against=1 if meeting else None,
                    votes_abstain=1 if meeting else None,
                    meeting_recorded_by_id=shuji if meeting else None,
                    approved_by_id=zzb if committed else None,
                    approved_at=_aware(created + dt.timedelta(days=8)) if committed else None,
                    notice_starts_on=created + dt.timedelta(days=8) if committed else None,
                    notice_ends_on=created + dt.timedelta(days=15) if committed else None,
                    disbursed_by_id=jijin if status == Status.DISBURSED else None,
                    disbursed_at=_aware(created + dt.timedelta(days=20)) if status == Status.DISBURSED else None,
                )
            )
        AssistanceApplication.objects.bulk_create(applications, batch_size=BATCH)

        plain = PlainQuerySet(FundEntry)  # the app's FundEntry queryset refuses bulk writes on purpose
        paid = list(
            AssistanceApplication.objects.filter(status=Status.DISBURSED, payment__isnull=True).values_list(
                "pk", "amount_approved", "disbursed_at"
            )
        )
        expenses = [
            FundEntry(
                fund=fund,
                kind="expense",
                amount=-amount,
                occurred_on=at.date(),
                application_id=pk,
                note="帮扶资金发放",
                recorded_by_id=jijin,
            )
            for pk, amount, at in paid
        ]
        spent = -sum((e.amount for e in expenses), Decimal("0"))
        need = TARGET["fund_entries"] - FundEntry.objects.count() - len(expenses)
        sources = [Source.FISCAL, Source.SUPERIOR, Source.DUES, Source.DONATION, Source.OTHER]
        income_each = (spent / max(need, 1) * Decimal("1.2")).quantize(Decimal("1")) + 1
        incomes = []
        for _ in range(max(need, 0)):
            source = self.rng.choice(sources)
            incomes.append(
                FundEntry(
                    fund=fund,
                    kind="income",
                    source=source,
                    amount=income_each,
                    occurred_on=self.day(),
                    donor="党员 张建国" if source == Source.DONATION else "",
                    note="关怀基金收入",
                    recorded_by_id=jijin,
                )
            )
        plain.bulk_create(incomes + expenses, batch_size=BATCH)
        total = FundEntry.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        Fund.objects.filter(pk=fund.pk).update(balance=total)

    # -- 表彰名单 -------------------------------------------------------------------------------

    def awards(self) -> None:
        from awards.models import AwardCampaign, AwardCategory, CampaignStatus, Nomination, NominationStatus

        existing = set(AwardCampaign.objects.filter(organizer=self.committee).values_list("year", flat=True))
        branches = list(self.by_branch)
        for year in range(self.today.year - YEARS, self.today.year):
            if year in existing:
                continue
            july = dt.date(year, 7, 1)
            campaign = AwardCampaign.objects.create(
                year=year,
                title=f"{year}年“两优一先”评选表彰",
                organizer=self.committee,
                nomination_deadline=dt.date(year, 5, 31),
                status=CampaignStatus.PUBLISHED,
                notice_starts_on=dt.date(year, 6, 20),
                notice_ends_on=dt.date(year, 6, 27),
                published_on=july,
                created_by_id=self.users["zzb"],
            )
            categories = [
                AwardCategory.objects.create(campaign=campaign, name=name, quota_per_branch=2, sort_order=i)
                for i, name in enumerate(["优秀共产党员", "优秀党务工作者"])
            ]
            nominations = []
            for branch in branches:
                members = self.rng.sample(self.by_branch[branch], min(2, len(self.by_branch[branch])))
                for category, member_id in zip(categories, members, strict=False):
                    nominations.append(
                        Nomination(
                            campaign=campaign,
                            category=category,
                            member_id=member_id,
                            branch_id=branch,
                            deeds="工作认真负责，热心帮助困难群众",
                            meeting_date=dt.date(year, 5, 20),
                            attendees=25,
                            votes_for=23,
                            status=self.rng.choice([NominationStatus.APPROVED] * 3 + [NominationStatus.REJECTED]),
                            reviewed_by_id=self.users["zzb"],
                            reviewed_at=_aware(dt.date(year, 6, 10)),
                            created_at=_aware(dt.date(year, 5, 21)),
                        )
                    )
            Nomination.objects.bulk_create(nominations, batch_size=BATCH)


def regroup_into_counties(counties: int = COUNTIES) -> None:
    """The city: the seeded 党委 becomes the city's, with `counties` county 党委 under it, each over an
    equal share of the 党总支 (and their branches). The branches seeded straight under the 党委 (the
    bench users' branches) stay there. Organization.save moves each subtree's paths."""
    from members.models import Organization

    top = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if Organization.objects.filter(parent=top, kind=Organization.Kind.COMMITTEE).exists():
        return
    top.name = "红星市委组织部直属党委"
    top.save()
    generals = list(Organization.objects.filter(parent=top, kind=Organization.Kind.GENERAL_BRANCH).order_by("pk"))
    county_orgs = [
        Organization.objects.create(
            name=f"第{n + 1}县（区）党委", kind=Organization.Kind.COMMITTEE, parent=top, sort_order=100 + n
        )
        for n in range(counties)
    ]
    for index, general in enumerate(generals):
        general.parent = county_orgs[index * counties // max(len(generals), 1)]
        general.save()


def build() -> None:
    from django.db import transaction

    if PROFILE == "city":
        regroup_into_counties()
    builder = _Builder()
    with transaction.atomic():
        builder.hardship()
        builder.visits()
        builder.funds()
        builder.awards()


def main() -> None:
    build()
    print("history:", counts())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    main()
