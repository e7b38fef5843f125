"""What the reports hold, in page order: the 汇总 metrics, the dashboard's sections and the annual
workbook's sheets, each of a kind of the role table (members.access) — a section or sheet is shown
only to those who may read its kind over the report's organization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from reports import annual, dashboard, metrics
from reports.annual import SheetSpec
from reports.dashboard import Section
from reports.domains import awards, care, funds, hardship, visits
from reports.scope import ReportScope

METRICS: list[metrics.Metric] = [metrics.MEMBERS, *hardship.METRICS, *visits.METRICS, *funds.METRICS, *awards.METRICS]

# Every section reads the roster and the organization tree (who is on the roll, which branch is under
# which 党总支): a change there makes every section stale.
READ_BY_EVERY_SECTION = ("members.Member", "members.Organization")


@dataclass(frozen=True)
class SectionSpec:
    """A dashboard section: its builder, the kind of the role table it shows, and the models it reads
    beyond READ_BY_EVERY_SECTION. Each section is cached on its own (reports.cache.sections) and made
    stale only by a change to what it reads: a logged visit recomputes the monthly figures, not the
    ledger's, the fund's or the commendations'."""

    build: Callable[[ReportScope], Section | None]
    kind: str
    reads: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return f"reports:section:{self.build.__name__}"


# The sections whose figures are also kept per organization (reports.cache.by_organization): each
# organization's part is bumped by a visit, a talk or a plan item of its own (visits.selectors.
# BY_ORGANIZATION), and every part by the roster and by the models named here.
SECTION_PARTS = {
    "monthly": (),
    "holiday": ("visits.VisitPlan",),
    "spending": ("funds.Fund", "funds.FundEntry", "funds.AssistanceApplication", "hardship.PairingProgress"),
}

SECTIONS = [
    SectionSpec(dashboard.members_section, "member", ()),
    SectionSpec(
        hardship.hardship_section,
        "ledger",
        ("hardship.HardshipRecord", "hardship.HardshipCategory", "hardship.Pairing"),
    ),
    SectionSpec(hardship.helper_section, "pairing", ("hardship.HardshipRecord", "hardship.Pairing")),
    SectionSpec(visits.talk_section, "talk", ("visits.Talk",)),
    SectionSpec(visits.holiday_section, "plan", ("visits.VisitPlan", "visits.VisitPlanItem", "visits.Visit")),
    SectionSpec(visits.monthly_section, "visit", ("visits.Visit", "visits.Talk")),
    SectionSpec(funds.income_section, "fund_public", ("funds.Fund", "funds.FundEntry")),
    SectionSpec(
        funds.spending_section,
        "fund_public",
        ("funds.Fund", "funds.FundEntry", "funds.AssistanceApplication", "visits.Visit", "hardship.PairingProgress"),
    ),
    SectionSpec(funds.application_section, "application", ("funds.AssistanceApplication", "funds.FundEntry")),
    SectionSpec(
        awards.awards_section, "campaign", ("awards.AwardCampaign", "awards.AwardCategory", "awards.Nomination")
    ),
]


def summary_sheet(scope: ReportScope, book) -> None:
    annual.summary_sheet(scope, book, METRICS)


SHEETS = [
    SheetSpec("汇总", summary_sheet),
    SheetSpec("困难党员台帐", hardship.ledger_sheet, weight=3, access_kind="ledger"),
    SheetSpec("结对帮扶", hardship.pairing_sheet, weight=2, access_kind="pairing"),
    SheetSpec("走访慰问", visits.visit_sheet, weight=2, access_kind="visit"),
    SheetSpec("谈心谈话", visits.talk_sheet, weight=2, access_kind="talk"),
    SheetSpec("家庭重大事件", care.life_event_sheet, access_kind="life_event"),
    SheetSpec("必访提示", care.prompt_sheet, access_kind="prompt"),
    SheetSpec("反映情况", care.concern_sheet, access_kind="concern"),
    SheetSpec("帮就业", care.employment_sheet, access_kind="pairing"),
    SheetSpec("集体过政治生日", care.collective_birthday_sheet, access_kind="collective_birthday"),
    SheetSpec("流动党员", care.mobility_sheet, access_kind="member"),
    SheetSpec("关怀基金收支", funds.fund_sheet, weight=2, access_kind="fund"),
    SheetSpec("帮扶申请", funds.application_sheet, weight=2, access_kind="application"),
    SheetSpec("表彰名单", awards.honour_sheet, access_kind="campaign"),
]


def dashboard_sections(scope: ReportScope) -> list[Section]:
    """The sections the viewer may read, each from its own cache entry (reports.cache.sections)."""
    from reports import cache

    return cache.sections(scope, [spec for spec in SECTIONS if scope.shows(spec.kind)])


def cached_totals(scope: ReportScope) -> dict:
    """The 汇总 totals row the viewer may read (the home page's headline figures), from figures cached
    per organization (reports.cache.metric_totals)."""
    from reports import cache

    return cache.metric_totals(scope, metrics.visible(scope, METRICS))


def write_annual_workbook(scope: ReportScope, *, path: str | None = None, progress=None) -> BinaryIO | None:
    return annual.write(scope, SHEETS, path=path, progress=progress)
