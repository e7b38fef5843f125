"""Reads of the 全面排查: each branch's progress and findings, a branch's members, pre-filled checklists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from core import cache
from hardship.models import HardshipRecord
from members.models import Organization
from surveys.models import BranchSurvey, Checklist, Health, LedgerOutcome, Living, SurveyPeriod

# Checklist.objects.relevant(), seen from the branch survey.
RELEVANT = Q(checklists__confirmed_on__isnull=False) | Q(
    checklists__member__deceased_on__isnull=True,
    checklists__member__transferred_out_on__isnull=True,
    checklists__member__organization=F("branch"),
)
CONFIRMED = Q(checklists__confirmed_on__isnull=False)


def with_progress(queryset: QuerySet[BranchSurvey]) -> QuerySet[BranchSurvey]:
    """Each branch survey with its members to check, those checked and what they found, in one query."""
    return queryset.annotate(
        total=Count("checklists", filter=RELEVANT),
        checked=Count("checklists", filter=CONFIRMED),
        proposals=Count("checklists", filter=Q(checklists__ledger_outcome=LedgerOutcome.PROPOSED)),
        reviews=Count("checklists", filter=Q(checklists__ledger_outcome=LedgerOutcome.REVIEW)),
        illness_prompts=Count("checklists", filter=Q(checklists__illness_prompt__isnull=False)),
        visit_prompts=Count("checklists", filter=Q(checklists__visit_prompt__isnull=False)),
    )


def percent(checked: int, total: int) -> int:
    return 100 if not total else int(checked * 100 / total)


@dataclass
class Totals:
    branches: int = 0
    done: int = 0
    total: int = 0
    checked: int = 0
    proposals: int = 0
    reviews: int = 0
    prompts: int = 0

    @property
    def percent(self) -> int:
        return percent(self.checked, self.total)


def progress_rows(period: SurveyPeriod, *, general_branch: Organization | None = None) -> tuple[list, Totals]:
    rows = with_progress(period.branches.select_related("branch__parent")).order_by("branch__path")
    if general_branch is not None:
        rows = rows.filter(branch__path__startswith=general_branch.path)
    rows = list(rows)
    totals = Totals()
    for row in rows:
        row.percent = percent(row.checked, row.total)
        row.prompts = row.illness_prompts + row.visit_prompts
        totals.branches += 1
        totals.done += row.done_on is not None
        totals.total += row.total
        totals.checked += row.checked
        totals.proposals += row.proposals
        totals.reviews += row.reviews
        totals.prompts += row.prompts
    return rows, totals


# The period's totals on the 组织部's home page: over a city every checklist of the year is counted,
# and they move only when a checklist, a branch's survey or a member's roll changes.
TOTALS_CACHE = "surveys:totals"
TOTALS_WATCHES = (
    "surveys.SurveyPeriod",
    "surveys.BranchSurvey",
    "surveys.Checklist",
    "members.Member",
    "members.Organization",
)


def period_totals(period: SurveyPeriod) -> Totals:
    """`progress_rows(period)`'s totals, cached (any saved checklist, branch survey or member bumps them)."""
    return cache.cached(TOTALS_CACHE, [period.pk], lambda: progress_rows(period)[1])


def general_branches(period: SurveyPeriod) -> QuerySet[Organization]:
    return Organization.objects.filter(
        path__startswith=period.organization.path, kind=Organization.Kind.GENERAL_BRANCH
    ).order_by("path")


def branch_checklists(branch_survey: BranchSurvey) -> list[Checklist]:
    """The branch's members with their checklist, 未排查 first; members gone since (not checked) left out."""
    checklists = list(
        branch_survey.checklists.relevant()
        .select_related("member", "confirmed_by__member")
        .order_by("member__name", "pk")
    )
    checklists.sort(key=lambda c: c.confirmed_on is not None)
    return checklists


def prefill(checklist: Checklist, today: dt.date) -> dict:
    """A pending checklist starts from what the roster and the ledger already say; a confirmed one from itself."""
    if checklist.is_confirmed:
        return {
            "health": checklist.health,
            "health_note": checklist.health_note,
            "living": checklist.living,
            "hardship_level": checklist.hardship_level,
            "categories": [c.pk for c in checklist.categories.all()],
            "family_changed": checklist.family_changed,
            "family_situation": checklist.family_situation,
            "needs": checklist.needs,
            "needs_note": checklist.needs_note,
            "contact": checklist.contact,
            "confirmed_on": checklist.confirmed_on,
        }
    member = checklist.member
    initial: dict = {"confirmed_on": today, "health_note": member.health}
    if member.is_hospitalized:
        initial["health"] = Health.HOSPITALIZED
    record = HardshipRecord.objects.active().filter(member=member).prefetch_related("categories").first()
    if record is not None:
        initial.update(
            living=Living.HARD, hardship_level=record.level, categories=[c.pk for c in record.categories.all()]
        )
    return initial


def ledger_line(member) -> HardshipRecord | None:
    return HardshipRecord.objects.active().filter(member=member).prefetch_related("categories").first()
