"""Reads with joins: who must be visited before a holiday, who has not been talked with, the coverage."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from core import cache
from core.calendars import july_first, spring_festival
from hardship.models import HardshipRecord
from members.models import Member, Organization
from members.validators import add_years
from visits.models import Occasion, Talk, Visit, VisitPlan, VisitPlanItem


def old_member_q(day: dt.date) -> Q:
    """老党员: party age ≥ 50 years or age ≥ 80 (settings)."""
    return Q(join_date__lte=add_years(day, -settings.CARE["OLD_MEMBER_PARTY_YEARS"])) | Q(
        birth_date__lte=add_years(day, -settings.CARE["OLD_MEMBER_AGE"])
    )


def hardship_q() -> Q:
    active = HardshipRecord.objects.filter(member=OuterRef("pk"), status=HardshipRecord.Status.ACTIVE)
    return Q(Exists(active))


def target_members(day: dt.date) -> QuerySet[Member]:
    """On-roll members every holiday plan must list: old members, those who lost work capacity,
    hardship members, retired cadres and 老模范 (定期走访制度, 第十一条 走访慰问)."""
    return Member.objects.on_roll().filter(target_q(day))


def target_q(day: dt.date) -> Q:
    """The target-group condition on a member queryset itself (no self-join through `pk__in`)."""
    return (
        old_member_q(day)
        | ~Q(work_capacity=Member.WorkCapacity.NORMAL)
        | hardship_q()
        | Q(is_retired_cadre=True)
        | Q(is_model_worker=True)
    )


def target_reasons(member: Member, day: dt.date, *, hardship_ids: set[int]) -> list[str]:
    reasons = []
    party_years = settings.CARE["OLD_MEMBER_PARTY_YEARS"]
    old_age = settings.CARE["OLD_MEMBER_AGE"]
    if member.party_age_on(day) >= party_years:
        reasons.append(f"老党员（党龄{member.party_age_on(day)}年）")
    elif member.age_on(day) >= old_age:
        reasons.append(f"老党员（{member.age_on(day)}岁）")
    if member.pk in hardship_ids:
        reasons.append("生活困难党员")
    if member.work_capacity != Member.WorkCapacity.NORMAL:
        reasons.append(f"{member.get_work_capacity_display()}劳动能力")
    if member.is_retired_cadre:
        reasons.append("离退休干部")
    if member.is_model_worker:
        reasons.append("老模范")
    return reasons


def active_hardship_member_ids(member_ids=None) -> set[int]:
    queryset = HardshipRecord.objects.filter(status=HardshipRecord.Status.ACTIVE)
    if member_ids is not None:
        queryset = queryset.filter(member_id__in=member_ids)
    return set(queryset.values_list("member_id", flat=True))


def holidays_around(day: dt.date) -> list[tuple[str, int, dt.date]]:
    """(occasion, year, date) of the 春节 and 七一 near `day`, the ones a plan window can cover."""
    return [
        (Occasion.SPRING_FESTIVAL, day.year, spring_festival(day.year)),
        (Occasion.SPRING_FESTIVAL, day.year + 1, spring_festival(day.year + 1)),
        (Occasion.JULY_FIRST, day.year, july_first(day.year)),
    ]


def last_holiday(occasion: str, day: dt.date) -> dt.date:
    """The most recent 春节 or 七一 on or before `day`."""
    if occasion == Occasion.SPRING_FESTIVAL:
        this_year = spring_festival(day.year)
        return this_year if this_year <= day else spring_festival(day.year - 1)
    this_year = july_first(day.year)
    return this_year if this_year <= day else july_first(day.year - 1)


def cycle_start(day: dt.date) -> dt.date:
    return add_years(day, -settings.CARE["TALK_CYCLE_YEARS"])


def _last_talk_subquery():
    through = Talk.participants.through
    return Subquery(
        through.objects.filter(member_id=OuterRef("pk")).order_by("-talk__talked_on").values("talk__talked_on")[:1]
    )


def _last_visit_subquery():
    return Subquery(Visit.objects.filter(member_id=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1])


def _flagged_talk_exists():
    """A member a talk flagged as 党员意识淡薄 or 有怨气 stays in the 三个先谈 group."""
    through = Talk.participants.through
    return Exists(
        through.objects.filter(member_id=OuterRef("pk")).filter(
            Q(talk__priority_weak_awareness=True) | Q(talk__priority_grievance=True) | Q(talk__priority_hardship=True)
        )
    )


def talked_in_cycle(day: dt.date, organizations: Iterable[int] | None = None) -> Q:
    """Whether a member took part in a talk since the current talk cycle began. A semi-join on the
    cycle's talks (hashed once) rather than a correlated EXISTS per member: at county scale the EXISTS
    probed the participants of 20,000 members one by one (over a second on the coverage page).
    `organizations`: the members asked about are in these, so only their talks are hashed (a branch's
    page would otherwise hash the whole county's participants: ~20,000 rows for 40 members)."""
    participants = Talk.participants.through.objects.filter(
        talk__talked_on__gt=cycle_start(day), talk__talked_on__lte=day
    )
    if organizations is not None:
        participants = participants.filter(member__organization_id__in=list(organizations))
    return Q(pk__in=participants.values("member_id"))


def talks_due(queryset: QuerySet[Member], day: dt.date, organizations: Iterable[int] | None = None) -> QuerySet[Member]:
    """On-roll members not talked with since the cycle began, 三个先谈 groups first (困难党员, then those
    a talk flagged), then those never talked with, then the longest ago. `organizations`: the
    queryset's members are all in these (talked_in_cycle)."""
    return (
        queryset.on_roll()
        .filter(~talked_in_cycle(day, organizations))
        .annotate(
            last_talk_on=_last_talk_subquery(),
            last_visit_on=_last_visit_subquery(),
            in_hardship=hardship_q(),
            flagged=_flagged_talk_exists(),
        )
        .order_by(
            "-in_hardship", "-flagged", F("last_talk_on").asc(nulls_first=True), "organization__path", "name", "id"
        )
        .select_related("organization")
    )


def not_visited_targets(queryset: QuerySet[Member], day: dt.date) -> list[tuple[str, dt.date, QuerySet[Member]]]:
    """Target-group members not visited in the run-up to the last 春节 and the last 七一."""
    lead = dt.timedelta(days=settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"])
    result = []
    for occasion in (Occasion.SPRING_FESTIVAL, Occasion.JULY_FIRST):
        holiday = last_holiday(occasion, day)
        visited = Visit.objects.filter(
            member_id=OuterRef("pk"), visited_on__gte=holiday - lead - dt.timedelta(days=30), visited_on__lte=holiday
        )
        members = (
            queryset.on_roll()
            .filter(target_q(holiday))
            .filter(~Exists(visited))
            .annotate(last_visit_on=_last_visit_subquery())
            .select_related("organization")
            .order_by("organization__path", "name", "id")
        )
        result.append((Occasion(occasion).label, holiday, members))
    return result


@dataclass
class BranchCoverage:
    organization: Organization
    on_roll: int
    talked: int
    targets_visited: int
    targets: int

    @property
    def talked_rate(self) -> int:
        return round(100 * self.talked / self.on_roll) if self.on_roll else 100

    @property
    def talks_due(self) -> int:
        return self.on_roll - self.talked


def branch_coverage(branches: Iterable[Organization], day: dt.date) -> list[BranchCoverage]:
    """Per branch: members on roll, talked with in the cycle, and targets visited for the last 春节."""
    branches = list(branches)
    return _with_counts(branches, _branch_counts([b.pk for b in branches], day))


def _with_counts(branches: list[Organization], counts: dict[int, dict]) -> list[BranchCoverage]:
    zero = {"on_roll": 0, "talked": 0, "targets": 0, "targets_visited": 0}
    return [BranchCoverage(organization=branch, **{**zero, **counts.get(branch.pk, {})}) for branch in branches]


def _branch_counts(branch_ids: list[int], day: dt.date) -> dict[int, dict]:
    recent_talk = talked_in_cycle(day, branch_ids)
    spring = last_holiday(Occasion.SPRING_FESTIVAL, day)
    lead = dt.timedelta(days=settings.CARE["HOLIDAY_PLAN_LEAD_DAYS"])
    visited = Visit.objects.filter(
        member_id=OuterRef("pk"), visited_on__gte=spring - lead - dt.timedelta(days=30), visited_on__lte=spring
    )
    targets = target_q(spring)
    rows = (
        Member.objects.on_roll()
        .filter(organization__in=branch_ids)
        .values("organization_id")
        .annotate(
            on_roll=Count("pk"),
            talked=Count("pk", filter=Q(recent_talk)),
            targets=Count("pk", filter=targets),
            targets_visited=Count("pk", filter=targets & Q(Exists(visited))),
        )
        .order_by()
    )
    return {row.pop("organization_id"): row for row in rows}


def plans_with_progress(queryset: QuerySet[VisitPlan]) -> QuerySet[VisitPlan]:
    return queryset.select_related("organization").annotate(
        total=Count("items"), done=Count("items", filter=Q(items__visit__isnull=False))
    )


def open_plan_items(queryset: QuerySet[VisitPlanItem]) -> QuerySet[VisitPlanItem]:
    return queryset.filter(visit__isnull=True).select_related("member", "plan", "plan__organization")


# --- the same figures, cached per branch and day -------------------------------------------------
#
# The coverage page and the home page of the organization department read them over a whole county
# (20,000 members, 40,000 talks, 60,000 visits: about half a second a request). Each branch's part is
# cached per day under the branch's own generation (core.cache.cached_by_organization) and the
# county's figures are put together from the parts: a talk or a visit bumps its branches (the talk's,
# its participants', the member visited's), so the next page recomputes those branches only and a
# talk just logged takes its member off the list at once. A saved member, hardship line or
# organization bumps everything. The cache holds ids and figures only: the members shown are read
# per request through the viewer's scope.

CACHE = "visits:coverage"
CACHE_WATCHES = ("members.Member", "members.Organization", "hardship.HardshipRecord")
# Who is due a talk, and in what order, follows the talks, the roster and the ledger, not the visits: the
# list has a namespace of its own that a visit leaves alone (a visit logged recomputed a city's 5,000
# branches' merged list, ~70 ms on the next coverage page). The last visit it shows is read per page.
DUE_CACHE = "visits:coverage:due"


def _talk_organizations(talk) -> set[int]:
    return {talk.organization_id, *talk.participants.values_list("organization_id", flat=True)}


def _visit_organizations(visit) -> set[int]:
    """The branch of the member visited (of a plan item's member): the member read with the form is
    used as it is, else looked up."""
    if type(visit).member.is_cached(visit) and visit.member.pk == visit.member_id:
        return {visit.member.organization_id}
    return {Member.objects.values_list("organization_id", flat=True).get(pk=visit.member_id)}


def _plan_item_organizations(item) -> set[int]:
    return {item.plan.organization_id, *_visit_organizations(item)}


# How a change finds the branches it touches (visits.apps, reports.apps).
BY_ORGANIZATION = {
    "visits.Talk": _talk_organizations,
    "visits.Visit": _visit_organizations,
    "visits.VisitPlanItem": _plan_item_organizations,
}
SHOWN_NOT_VISITED = 100


# A member due a talk as cached: (member id, last talk as a date ordinal or None, in hardship, flagged).
# Plain ints and bools: the county's 4,500 rows unpickle in about a millisecond, where dates or
# dataclasses took tens of milliseconds on every request.
DueRow = tuple[int, int | None, bool, bool]


def _ordinal(day: dt.date | None) -> int | None:
    return day.toordinal() if day else None


def _from_ordinal(ordinal: int | None) -> dt.date | None:
    return dt.date.fromordinal(ordinal) if ordinal else None


@dataclass(frozen=True)
class NotVisited:
    label: str
    holiday: dt.date
    count: int
    first: list[tuple[int, dt.date | None]]  # (member id, last visit) of the first SHOWN_NOT_VISITED


def _by_branch(kind: str, branch_ids: Iterable[int], day: dt.date, compute, combine, *, namespace: str = CACHE):
    return cache.cached_by_organization(namespace, [kind, f"{day:%Y%m%d}"], sorted(set(branch_ids)), compute, combine)


class PackedDueRows:
    """Rows due a talk packed as fixed-size records in one bytes string: the combined list of a city
    (50,000 members due) is a 700 KB string that unpickles at once, where 50,000 tuples took tens of
    milliseconds on every request; a page decodes its own rows only. A sequence to the Paginator."""

    _RECORD = struct.Struct("<ii??")  # member id, last talk as an ordinal (0: never), in hardship, flagged

    def __init__(self, rows: Iterable[DueRow]) -> None:
        pack = self._RECORD.pack
        self.data = b"".join(pack(pk, talk or 0, hardship, flagged) for pk, talk, hardship, flagged in rows)

    @classmethod
    def from_bytes(cls, data: bytes) -> PackedDueRows:
        packed = cls.__new__(cls)
        packed.data = data
        return packed

    def __reduce__(self):
        return (PackedDueRows.from_bytes, (self.data,))  # a city's 5,000 branches' parts unpickle at once

    def __len__(self) -> int:
        return len(self.data) // self._RECORD.size

    def _row(self, index: int) -> DueRow:
        pk, talk, hardship, flagged = self._RECORD.unpack_from(self.data, index * self._RECORD.size)
        return (pk, talk or None, hardship, flagged)

    def __iter__(self):
        for pk, talk, hardship, flagged in self._RECORD.iter_unpack(self.data):
            yield (pk, talk or None, hardship, flagged)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._row(index)


class DueList:
    """The members due a talk as the coverage page pages through them: how many, and the first
    `DUE_HEAD` rows packed (250 pages at the default page size, 50 at a hundred a page). A page past
    them reads the whole list again (`everything`, set by `talks_due_rows`, not cached)."""

    def __init__(self, count: int, head: PackedDueRows) -> None:
        self.count, self.head = count, head
        self.everything = None

    def __getstate__(self) -> dict:
        return {"count": self.count, "head": self.head, "everything": None}

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        yield from self[0 : self.count]

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[self.count + index]
        if index.indices(self.count)[1] <= len(self.head):
            return self.head[index]
        return self.everything()[index]


DUE_HEAD = 5_000


def _merged(parts: dict[int, tuple[str, Sequence[DueRow]]]):
    """The rows of the branches' parts in `talks_due` order: each part is in that order already, so
    the parts are merged (the keys of rows past those taken are never made)."""

    def run(path: str, rows: PackedDueRows):
        for index, row in enumerate(rows):
            yield _due_key(row, path, index), row

    runs = [run(path, rows) for path, rows in parts.values()]
    return (row for _, row in heapq.merge(*runs, key=lambda pair: pair[0]))


def talks_due_rows(branch_ids: list[int], day: dt.date) -> DueList:
    """`talks_due` over the members of these branches (ids the caller read through its scope), in its
    order: each branch's rows are read in that order, and merged on the same keys (the branch's path
    standing for the member's, the row's place in its branch for name and id). Each branch's part is
    kept packed, and after a change in one branch the others' are merged as far as the head only: a
    city's 50,000 rows were re-sorted whole (~130 ms) after every visit."""

    def compute(ids: list[int]) -> dict[int, tuple[str, PackedDueRows]]:
        return {
            org_id: (path, PackedDueRows(rows)) for org_id, (path, rows) in talks_due_rows_uncached(ids, day).items()
        }

    def combine(parts: dict[int, tuple[str, PackedDueRows]]) -> DueList:
        count = sum(len(rows) for _, rows in parts.values())
        return DueList(count, PackedDueRows(itertools.islice(_merged(parts), DUE_HEAD)))

    def everything() -> PackedDueRows:
        return PackedDueRows(_merged(compute(branch_ids)))

    rows = _by_branch("due_list", branch_ids, day, compute, combine, namespace=DUE_CACHE)
    rows.everything = everything
    return rows


def _due_key(row: DueRow, path: str, index: int) -> tuple:
    """`talks_due`'s order: 三个先谈 first, then never talked with, then longest ago; the branch's path
    standing for the member's, the row's place in its branch for name and id."""
    return (not row[2], not row[3], row[1] is not None, row[1] or 0, path, index)


def talks_due_rows_uncached(branch_ids: list[int], day: dt.date) -> dict[int, tuple[str, list[DueRow]]]:
    """{branch id: (path, its members due a talk in `talks_due` order)} in one query."""
    parts: dict[int, tuple[str, list[DueRow]]] = {}
    rows = talks_due(Member.objects.filter(organization__in=branch_ids), day, branch_ids).values_list(
        "organization_id", "organization__path", "pk", "last_talk_on", "in_hardship", "flagged"
    )
    for org_id, path, pk, talk, hardship, flagged in rows:
        parts.setdefault(org_id, (path, []))[1].append((pk, _ordinal(talk), hardship, flagged))
    return parts


def talks_due_head(branch_ids: list[int], day: dt.date, *, first: int = 5) -> tuple[int, list[DueRow]]:
    """How many members of these branches are due a talk, and the first `first` of `talks_due_rows`:
    what the home page shows. Each branch's part holds its count and its first rows only, so over a
    city (50,000 members due) a change costs the branch's query and a merge of 5,000 short lists."""

    def compute(ids: list[int]) -> dict[int, tuple[str, int, PackedDueRows]]:
        rows = talks_due_rows_uncached(ids, day)
        parts: dict[int, tuple[str, int, PackedDueRows]] = {}
        for org_id, (path, branch_rows) in rows.items():
            parts[org_id] = (path, len(branch_rows), PackedDueRows(branch_rows[:first]))
        return parts

    def combine(parts: dict[int, tuple[str, int, PackedDueRows]]) -> tuple[int, list[DueRow]]:
        # The first `first` rows overall are in the branches whose own first rows come first (a row's
        # branch has its first row no later), so only those are merged: over a city, 5,000 keys made
        # and a merge of five parts, where merging the 5,000 parts took ~50 ms and keying all ~125 ms.
        leading = heapq.nsmallest(
            first, ((_due_key(rows[0], path, 0), org_id) for org_id, (path, _, rows) in parts.items() if len(rows))
        )
        merged = _merged({org_id: (parts[org_id][0], parts[org_id][2]) for _, org_id in leading})
        return sum(count for _, count, _ in parts.values()), list(itertools.islice(merged, first))

    return _by_branch(f"due_head{first}", branch_ids, day, compute, combine, namespace=DUE_CACHE)


def not_visited_summary(branch_ids: list[int], day: dt.date) -> list[NotVisited]:
    """`not_visited_targets` over the members of these branches: how many, and the first ones (in
    branch path order, then name)."""

    def compute(ids: list[int]) -> dict[int, tuple[str, list[tuple[str, dt.date, int, list]]]]:
        parts: dict[int, tuple[str, list]] = {}
        members = Member.objects.filter(organization__in=ids)
        groups = not_visited_targets(members, day)
        for index, (_label, _holiday, queryset) in enumerate(groups):
            for org_id, path, pk, last_visit in queryset.values_list(
                "organization_id", "organization__path", "pk", "last_visit_on"
            ):
                part = parts.setdefault(org_id, (path, [(group[0], group[1], 0, []) for group in groups]))
                group_label, group_holiday, count, first = part[1][index]
                if len(first) < SHOWN_NOT_VISITED:
                    first.append((pk, last_visit))
                part[1][index] = (group_label, group_holiday, count + 1, first)
        return parts

    def combine(parts) -> list[NotVisited]:
        groups = [(label, holiday) for label, holiday, _ in not_visited_targets(Member.objects.none(), day)]
        ordered = sorted(parts.values(), key=lambda part: part[0])
        result = []
        for index, (label, holiday) in enumerate(groups):
            first: list = []
            for _, part_groups in ordered:
                if len(first) >= SHOWN_NOT_VISITED:
                    break
                first.extend(part_groups[index][3][: SHOWN_NOT_VISITED - len(first)])
            result.append(
                NotVisited(
                    label=label,
                    holiday=holiday,
                    first=first,
                    count=sum(part_groups[index][2] for _, part_groups in ordered),
                )
            )
        return result

    return _by_branch("not_visited", branch_ids, day, compute, combine)


@dataclass
class CoverageTree:
    """The organizations a viewer's coverage page covers, as plain (id, kind, path) rows: a city's 5,500
    are read as values, and model instances are made only for the rows a page shows."""

    rows: list[tuple[int, str, str]]

    @cached_property
    def ids(self) -> set[int]:
        return {pk for pk, _kind, _path in self.rows}

    def branch_ids(self, under: Organization | None = None) -> list[int]:
        """The branches under `under` (itself if a branch), or all of them, in tree order."""
        prefix = under.path if under is not None else ""
        return [pk for pk, kind, path in self.rows if kind == Organization.Kind.BRANCH and path.startswith(prefix)]

    def units(self, under: Organization | None) -> list[Organization]:
        """The rows of the coverage table: under a branch, the branch; under another organization, its
        children with branches below them; with none chosen, the viewer's top organizations — or, when
        there is one and it is not a branch, its children."""
        if under is not None and under.kind == Organization.Kind.BRANCH:
            return [under]
        if under is None:
            tops = [(pk, path) for pk, _kind, path in self.rows if not self._parent_seen(path)]
            if len(tops) != 1 or self._kind(tops[0][0]) == Organization.Kind.BRANCH:
                return self._with_branches([pk for pk, _ in tops])
            under_path = tops[0][1]
        else:
            under_path = under.path
        children = {
            int(path[len(under_path) :].split("/", 1)[0])
            for pk, kind, path in self.rows
            if kind == Organization.Kind.BRANCH and path.startswith(under_path) and path != under_path
        }
        return self._with_branches(children & self.ids)

    def branches_by_unit(self, units: list[Organization]) -> dict[int, list[int]]:
        """{unit id: the branches under it (itself if a branch)}, in one pass over the tree."""
        by_path = {unit.path: unit.pk for unit in units}
        found: dict[int, list[int]] = {unit.pk: [] for unit in units}
        for pk, kind, path in self.rows:
            if kind != Organization.Kind.BRANCH:
                continue
            prefix = "/"
            for part in path.strip("/").split("/"):
                prefix = f"{prefix}{part}/"
                if prefix in by_path:
                    found[by_path[prefix]].append(pk)
                    break
        return found

    def _parent_seen(self, path: str) -> bool:
        parts = path.strip("/").split("/")
        return len(parts) > 1 and int(parts[-2]) in self.ids

    def _kind(self, pk: int) -> str:
        return next(kind for org_id, kind, _path in self.rows if org_id == pk)

    def _with_branches(self, ids) -> list[Organization]:
        return list(Organization.objects.filter(pk__in=list(ids)).order_by("path"))


@dataclass(frozen=True)
class CoverageOutline:
    """What of the organization tree a coverage page shows: its rows (`unit_ids`, in tree order), the
    branches under the organization chosen (`branch_ids`) and those under each row (`by_unit`)."""

    unit_ids: list[int]
    branch_ids: list[int]
    by_unit: dict[int, list[int]]
    grouping: str  # a digest of `by_unit`, for the keys of figures added up per row


# The outline follows the organization tree alone; the viewer's appointments are in the key (scope_key).
OUTLINE_CACHE = "visits:coverage:outline"
OUTLINE_WATCHES = ("members.Organization",)


def coverage_outline(user, roles: Iterable[str], selected: Organization | None) -> CoverageOutline:
    """The outline of the viewer's coverage page (`roles`: those that may see it), cached per viewer's
    scope and organization chosen: over a city it is a walk of 5,500 organizations (~15 ms), the same
    on every request until the tree changes."""
    from members.scoping import organization_rows, scope_key

    roles = tuple(roles)

    def compute() -> CoverageOutline:
        tree = CoverageTree(list(organization_rows(user, *roles)))
        units = tree.units(selected)
        by_unit = tree.branches_by_unit(units)
        grouping = cache.digest(f"{unit_id}:{pk}" for unit_id, ids in by_unit.items() for pk in ids)
        return CoverageOutline([unit.pk for unit in units], tree.branch_ids(selected), by_unit, grouping)

    chosen = f"o{selected.pk}" if selected is not None else "top"
    return cache.cached(OUTLINE_CACHE, [scope_key(user), "-".join(sorted(roles)), chosen], compute)


COVERAGE_FIGURES = ("on_roll", "talked", "targets", "targets_visited")


def unit_coverage(outline: CoverageOutline, day: dt.date) -> list[BranchCoverage]:
    """A coverage row per unit of the outline: a branch's own figures, or the sum of the branches under it
    (from the figures cached per branch, added up per row as they are combined: a city's 5,000 branches'
    figures are not unpickled and summed again on every request)."""
    unit_of = {pk: unit_id for unit_id, ids in outline.by_unit.items() for pk in ids}

    def combine(parts: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
        totals = {unit_id: dict.fromkeys(COVERAGE_FIGURES, 0) for unit_id in outline.unit_ids}
        for pk, counts in parts.items():
            total = totals[unit_of[pk]]
            for key, value in counts.items():
                total[key] += value
        return totals

    # The rows' grouping is in the key: the same branches may be grouped otherwise once the tree changes.
    totals = _by_branch(f"units-{outline.grouping}", list(unit_of), day, lambda ids: _branch_counts(ids, day), combine)
    units = Organization.objects.filter(pk__in=outline.unit_ids).order_by("path")
    return [BranchCoverage(organization=unit, **totals[unit.pk]) for unit in units]


def members_by_id(user, ids: Iterable[int]) -> dict[int, Member]:
    """The members behind cached ids, read in one query through the viewer's scope (only what the
    coverage lists show: up to 300 rows on the organization department's page), with their last visit
    (`last_visit_on`: read here, as the cached lists do not follow visits)."""
    ids = set(ids)
    if not ids:
        return {}
    members = (
        Member.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("organization")
        .only(
            "id",
            "name",
            "user_id",
            "mobility",
            "mobility_place",
            "mobility_contact",
            "organization__id",
            "organization__name",
            "organization__path",
        )
        .annotate(last_visit_on=_last_visit_subquery())
    )
    return {m.pk: m for m in members}


def with_due_figures(rows: Iterable[DueRow], members: dict[int, Member]) -> list[Member]:
    """The members of `rows` (from `members_by_id`, with their last visit), in their order, annotated as
    `talks_due` annotates them."""
    result = []
    for pk, last_talk, in_hardship, flagged in rows:
        member = members.get(pk)
        if member is None:  # removed since the figures were cached (they expire soon)
            continue
        member.last_talk_on = _from_ordinal(last_talk)
        member.in_hardship, member.flagged = in_hardship, flagged
        result.append(member)
    return result


def visit_queryset(user, action: str = "view"):
    """Visits the user may `action`, with what every list and export shows."""
    return (
        Visit.objects.for_user(user, action)
        .select_related("member", "member__organization")
        .prefetch_related(Prefetch("visitors", queryset=Member.objects.only("id", "name"), to_attr="visitor_list"))
    )
