"""Demo 全面排查: this year's period, opened three weeks ago and open for another month, with branches
at different stages: one confirmed done, the secretary's own branch more than half checked (with a
member found in hospital, one asking for a home visit, one newly in hardship), others begun or not."""

from __future__ import annotations

import datetime as dt

from core import clock
from hardship.models import HardshipCategory, HardshipRecord
from members.models import Appointment, Role
from members.seed import SeedContext
from surveys import services
from surveys.models import Checklist, Contact, Health, Living, Need

# Share of each branch's members checked, in branch order; branches past the list are not begun.
SHARES = (0.6, 1.0, 0.3, 0.15)
MAX_PER_BRANCH = 40  # keeps seed_demo quick at benchmark scale (20 000 members)


def _ordinary(rng, checklist: Checklist, lines: dict[int, HardshipRecord]) -> dict:
    line = lines.get(checklist.member_id)
    age = checklist.member.age_on(clock.today())
    data = {
        "health": rng.choice(
            [Health.GOOD, Health.GOOD, Health.FAIR] + ([Health.CHRONIC, Health.POOR] if age > 65 else [])
        ),
        "living": Living.STABLE if rng.random() < 0.8 else Living.LOW,
        "contact": rng.choice([Contact.VISITED, Contact.TALKED, Contact.TALKED, Contact.PHONE]),
        "needs": [Need.COUNSELLING] if rng.random() < 0.05 else [],
    }
    if line is not None:
        data.update(
            living=Living.HARD, hardship_level=line.level, categories=list(line.categories.all()), needs=[Need.LIVING]
        )
    return data


def seed_surveys(ctx: SeedContext) -> None:
    today, rng = ctx.today, ctx.rng
    # Within this year: a period does not cross the new year.
    starts_on = max(today - dt.timedelta(days=21), dt.date(today.year, 1, 1))
    ends_on = min(today + dt.timedelta(days=30), dt.date(today.year, 12, 31))
    department = ctx.users["zzb"]
    with clock.at(starts_on):
        period = services.open_period(
            organization=ctx.committee,
            name=f"{today.year}年主题教育期间全面排查",
            starts_on=starts_on,
            ends_on=ends_on,
            by=department,
        )
    lines = {
        line.member_id: line
        for line in HardshipRecord.objects.active().prefetch_related("categories").filter(member__in=ctx.members)
    }
    disease = HardshipCategory.objects.filter(code="illness").first() or HardshipCategory.objects.first()
    secretary = ctx.users.get("shuji1")
    own = set(Appointment.objects.filter(user=secretary, role=Role.SECRETARY).values_list("organization_id", flat=True))
    # The secretary's own branch first: the demo's 支部书记 finds it more than half done.
    surveys = sorted(
        period.branches.select_related("branch").order_by("branch__path"), key=lambda bs: bs.branch_id not in own
    )
    reviewed = False
    for index, branch_survey in enumerate(surveys[: len(SHARES)]):
        checklists = list(branch_survey.checklists.select_related("member").order_by("member__name", "pk"))
        done = (
            checklists
            if SHARES[index] >= 1
            else checklists[: min(MAX_PER_BRANCH, int(len(checklists) * SHARES[index]))]
        )
        by = secretary if index == 0 and secretary is not None else department
        for number, checklist in enumerate(done):
            data = _ordinary(rng, checklist, lines)
            if index == 0 and number == 0:
                data.update(health=Health.HOSPITALIZED, health_note="脑梗住院治疗中")
            elif index == 0 and number == 1:
                data["needs"] = [Need.HOME_VISIT, Need.MEDICAL]
                data["needs_note"] = "腿脚不便，希望支部上门送学"
            elif index == 0 and number == 2 and checklist.member_id not in lines and disease is not None:
                data.update(
                    living=Living.HARD,
                    hardship_level=HardshipRecord.Level.GENERAL,
                    categories=[disease],
                    family_changed=True,
                    family_situation="配偶今年确诊重病，医疗支出大，家庭收入明显下降",
                    needs=[Need.LIVING, Need.MEDICAL],
                )
            elif index == 0 and not reviewed and checklist.member_id in lines:
                reviewed = True
                data.update(family_changed=True, family_situation="子女已参加工作，家庭收入有所增加")
            day = min(starts_on + dt.timedelta(days=number // 3), today)
            with clock.at(day):
                services.save_checklist(checklist_id=checklist.pk, by=by, confirmed_on=day, **data)
        if SHARES[index] >= 1 and len(done) == branch_survey.checklists.relevant().count():
            with clock.at(today):
                services.confirm_branch(branch_survey_id=branch_survey.pk, by=by)
