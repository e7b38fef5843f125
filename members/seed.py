"""Demo organizations, members and accounts: the unit a newcomer, a tester and the benchmark see.

Believable people (Faker zh_CN names and addresses; 身份证号 built from the birth date with a valid
check digit), every flag the care work looks for, and bulk inserts so 20,000 members take seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from faker import Faker

from members.models import Appointment, Member, Organization, Role, User
from members.validators import add_years, id_check_digit

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo-only password
REGION_CODES = ["510703", "510704", "510722", "510781", "510725", "510727", "510723", "510726"]
FIRST_BRANCHES = ["机关第一党支部", "机关第二党支部", "离退休干部党支部"]
COMMUNITY_BRANCHES = ["幸福社区党支部", "和平社区党支部"]


@dataclass
class SeedContext:
    """What each app's seed step gets: the unit built so far and shared randomness."""

    rng: random.Random
    faker: Faker
    today: dt.date
    committee: Organization
    branches: list[Organization]
    members: list[Member]
    users: dict[str, User]
    extra: dict = field(default_factory=dict)

    def members_of(self, branch: Organization) -> list[Member]:
        """Members of one branch; indexed once (seed steps call this per branch of 500)."""
        index = self.extra.get("_members_by_branch")
        if index is None or self.extra.get("_members_indexed") is not self.members:
            index = {}
            for member in self.members:
                index.setdefault(member.organization_id, []).append(member)
            self.extra["_members_by_branch"], self.extra["_members_indexed"] = index, self.members
        return index.get(branch.pk, [])

    def on_roll(self) -> list[Member]:
        return [m for m in self.members if m.deceased_on is None and m.transferred_out_on is None]


class _IdNumbers:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, birth: dt.date, gender: str) -> str:
        while True:
            sequence = self.rng.randint(0, 99)
            gender_digit = self.rng.choice("13579" if gender == "M" else "02468")
            first17 = f"{self.rng.choice(REGION_CODES)}{birth:%Y%m%d}{sequence:02d}{gender_digit}"
            number = first17 + id_check_digit(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def _address(faker: Faker) -> str:
    return re.sub(r"\s*\d{6}$", "", faker.address())


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def build_organizations(member_count: int) -> tuple[Organization, list[Organization]]:
    committee = Organization.objects.create(name="红星县民政局党委", kind=Organization.Kind.COMMITTEE)
    branches: list[Organization] = []
    branch_count = max(5, -(-member_count // 40))
    for index, name in enumerate(FIRST_BRANCHES):
        branches.append(Organization.objects.create(name=name, parent=committee, sort_order=index))
    general = None
    for index in range(branch_count - len(FIRST_BRANCHES)):
        if index % 10 == 0:
            number = index // 10 + 1
            general = Organization.objects.create(
                name="社区党总支" if number == 1 else f"第{number}社区党总支",
                kind=Organization.Kind.GENERAL_BRANCH,
                parent=committee,
                sort_order=10 + number,
            )
        name = COMMUNITY_BRANCHES[index] if index < len(COMMUNITY_BRANCHES) else f"第{index + 1}社区党支部"
        branches.append(Organization.objects.create(name=name, parent=general, sort_order=index))
    return committee, branches


def _member(
    ctx_rng: random.Random, faker: Faker, ids: _IdNumbers, branch: Organization, today: dt.date, *, retired_branch: bool
) -> Member:
    rng = ctx_rng
    gender = rng.choice("MF") if rng.random() < 0.9 else "F"
    age = rng.randint(60, 96) if retired_branch else int(min(max(rng.gauss(50, 16), 22), 95))
    birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    earliest_join = add_years(birth, 18)
    join = earliest_join + dt.timedelta(days=rng.randint(0, max((today - earliest_join).days - 30, 1)))
    probationary = (today - join).days < 540 and rng.random() < 0.5
    full = None if probationary else add_years(join, 1)
    if full is not None and full > today:
        full, probationary = None, True
    if age >= 60:
        employment = Member.Employment.RETIRED if rng.random() < 0.85 else Member.Employment.FARMING
    else:
        employment = rng.choices(
            [
                Member.Employment.EMPLOYED,
                Member.Employment.UNEMPLOYED,
                Member.Employment.LANDLESS,
                Member.Employment.MIGRANT,
                Member.Employment.FARMING,
            ],
            weights=[70, 6, 4, 10, 10],
        )[0]
    capacity_roll = rng.random()
    capacity = (
        Member.WorkCapacity.LOST
        if capacity_roll < 0.04 + (0.06 if age > 80 else 0)
        else Member.WorkCapacity.PARTIAL
        if capacity_roll < 0.12
        else Member.WorkCapacity.NORMAL
    )
    health = rng.choices(
        ["良好", "一般", "高血压", "糖尿病", "慢性病", "行动不便", "长期卧床"], weights=[50, 20, 10, 6, 6, 5, 3]
    )[0]
    return Member(
        organization=branch,
        name=faker.name_male() if gender == "M" else faker.name_female(),
        gender=gender,
        birth_date=birth,
        id_number=ids.make(birth, gender),
        phone=_phone(rng) if rng.random() < 0.95 else "",
        address=_address(faker),
        join_date=join,
        full_member_date=full,
        party_status=Member.PartyStatus.PROBATIONARY if probationary else Member.PartyStatus.FULL,
        employment=employment,
        is_retired_cadre=employment == Member.Employment.RETIRED and (retired_branch or rng.random() < 0.2),
        work_capacity=capacity,
        health=health,
        is_hospitalized=rng.random() < 0.015,
        lives_alone=age >= 70 and rng.random() < 0.15,
        is_model_worker=age >= 60 and rng.random() < 0.04,
    )


def seed_members(ctx: SeedContext) -> None:
    """Members of every branch, two of them gone (one deceased, one transferred), and the accounts."""
    size = ctx.extra["member_count"]
    ids = _IdNumbers(ctx.rng)
    per_branch = max(size // len(ctx.branches), 1)
    remainder = size - per_branch * len(ctx.branches)
    batch: list[Member] = []
    for index, branch in enumerate(ctx.branches):
        count = per_branch + (1 if index < remainder else 0)
        for _ in range(count):
            batch.append(
                _member(ctx.rng, ctx.faker, ids, branch, ctx.today, retired_branch=branch.name == "离退休干部党支部")
            )
    # A few who are no longer on roll: the reminders must skip them.
    for index, branch in enumerate(ctx.branches[:3]):
        branch_members = [m for m in batch if m.organization is branch]
        gone = [m for m in branch_members if m.age_on(ctx.today) >= 75] or branch_members
        gone[0].deceased_on = ctx.today - dt.timedelta(days=40 + index * 25)
        if index == 1 and len(gone) > 1:
            gone[1].transferred_out_on = ctx.today - dt.timedelta(days=100)
    ctx.members = Member.objects.bulk_create(batch, batch_size=2000)
    if ctx.members and ctx.members[0].pk is None:  # backends that do not return ids
        ctx.members = list(Member.objects.order_by("pk"))
    _accounts(ctx)


def _accounts(ctx: SeedContext) -> None:
    password = make_password(DEMO_PASSWORD)
    branch1, branch2 = ctx.branches[0], ctx.branches[1]

    def working_member(branch: Organization, skip: set[int]) -> Member:
        candidates = [
            m
            for m in ctx.members_of(branch)
            if m.deceased_on is None
            and m.transferred_out_on is None
            and m.pk not in skip
            and m.party_status == Member.PartyStatus.FULL
            and 30 <= m.age_on(ctx.today) <= 58
        ]
        return candidates[0] if candidates else next(m for m in ctx.members_of(branch) if m.pk not in skip)

    used: set[int] = set()
    specs = [
        ("admin", "系统管理员", None, None),
        ("zzb", "组织部", ctx.committee, Role.ORG_DEPT),
        ("zzb2", "组织部副部长", ctx.committee, Role.ORG_DEPT),
        ("shuji1", None, branch1, Role.SECRETARY),
        ("shuji2", None, branch2, Role.SECRETARY),
        ("jijin", "基金管理员", ctx.committee, Role.FUND_OFFICER),
        ("dangyuan1", None, branch1, None),
    ]
    for username, label, organization, role in specs:
        user = User.objects.create(
            username=username,
            password=password,
            first_name=label or "",
            email=f"{username}@example.com",
            is_superuser=username == "admin",
            is_staff=username == "admin",
        )
        if username in ("shuji1", "shuji2", "dangyuan1"):
            member = working_member(organization, used)
            used.add(member.pk)
            member.user = user
            member.save(update_fields=["user"])
        if role:
            Appointment.objects.create(user=user, organization=organization, role=role)
        ctx.users[username] = user
    # A committee member in branch 1 (支委), who keeps the roster but sees ID numbers masked.
    committee_member = working_member(branch1, used)
    user = User.objects.create(username="zhiwei1", password=password, email="zhiwei1@example.com")
    committee_member.user = user
    committee_member.save(update_fields=["user"])
    Appointment.objects.create(user=user, organization=branch1, role=Role.COMMITTEE)
    ctx.users["zhiwei1"] = user
