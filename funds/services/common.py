"""Helpers the fund and application services share: money, who acts, the only way a status moves."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Q, Sum

from core import audit, clock, formats
from core import cache as figures
from core.errors import DomainError
from funds.models import (
    ANNUAL_SUBSIDY_CATEGORIES,
    COMMITTED_STATUSES,
    DEFAULT_AMOUNT_BOUNDS,
    ENDED_WITHOUT_PAYMENT,
    WORKFLOW,
    AmountBound,
    ApplicationEvent,
    AssistanceApplication,
    Fund,
    Kind,
    Status,
)
from members.models import Appointment, Member, Organization, Role, User
from notifications.services import notify, settle

CENT = Decimal("0.01")


# ---------------------------------------------------------------- helpers


# No single entry of a care fund comes near this; the ledger's columns hold twelve digits in all.
MAX_AMOUNT = Decimal("99999999.99")


def money(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DomainError("金额格式不正确") from exc
    if amount != Decimal(str(value)):
        raise DomainError("金额最多保留两位小数（到分）")
    if abs(amount) > MAX_AMOUNT:
        raise DomainError("金额超出范围：单笔不能超过 99,999,999.99 元")
    return amount


def ancestor_ids(organization: Organization) -> list[int]:
    return [int(part) for part in organization.path.strip("/").split("/") if part]


def fund_for(organization: Organization) -> Fund | None:
    """The fund that pays for a branch: the nearest organization above it (or itself) that keeps one."""
    ids = ancestor_ids(organization)
    funds = {f.organization_id: f for f in Fund.objects.filter(organization_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in funds:
            return funds[org_id]
    return None


def users_with_role_over(organization: Organization, role: str):
    return User.objects.filter(
        appointments__role=role, appointments__organization_id__in=ancestor_ids(organization), is_active=True
    ).distinct()


def fund_officers(fund: Fund):
    return User.objects.filter(
        appointments__role=Role.FUND_OFFICER, appointments__organization_id=fund.organization_id, is_active=True
    ).distinct()


class RoleHolders:
    """Who holds the funds workflow's roles where, read in one query, for jobs that would otherwise ask
    `users_with_role_over` or `fund_officers` once per application. Active users only: `notify` skips
    the others anyway."""

    ROLES = (Role.SECRETARY, Role.ORG_DEPT, Role.FUND_OFFICER)

    def __init__(self) -> None:
        self._users: dict[tuple[str, int], dict[int, User]] = defaultdict(dict)
        appointments = Appointment.objects.filter(role__in=self.ROLES, user__is_active=True).select_related("user")
        for appointment in appointments.order_by("pk"):
            self._users[(appointment.role, appointment.organization_id)][appointment.user_id] = appointment.user

    def at(self, role: str, org_ids: Iterable[int]) -> list[User]:
        found: dict[int, User] = {}
        for org_id in org_ids:
            for user_id, user in self._users.get((role, org_id), {}).items():
                found.setdefault(user_id, user)
        return list(found.values())

    def over(self, organization: Organization, role: str) -> list[User]:
        """As `users_with_role_over`."""
        return self.at(role, ancestor_ids(organization))

    def fund_officers(self, fund: Fund) -> list[User]:
        """As `fund_officers`."""
        return self.at(Role.FUND_OFFICER, [fund.organization_id])


def _link(application: AssistanceApplication) -> str:
    return application.get_absolute_url()


def _tell(
    users: Iterable[User],
    *,
    title: str,
    body: str,
    about: AssistanceApplication,
    key: str,
    todo: bool = False,
    group: str = "",
) -> int:
    sent = 0
    for user in users:
        if notify(
            recipient=user, title=title, body=body, about=about, dedupe_key=f"{key}:u{user.pk}", todo=todo, group=group
        ):
            sent += 1
    return sent


def _settle_note(to: str) -> str:
    if to in ENDED_WITHOUT_PAYMENT:
        return f"申请{Status(to).label}，无需再办"
    return f"已办：{Status(to).label}"


def _settle(applications: Iterable[AssistanceApplication], *, to: str) -> None:
    """The to-dos about these applications asked for the step just taken, or one no longer possible."""
    settle(about=list(applications), note=_settle_note(to))


def _applicant_users(application: AssistanceApplication) -> list[User]:
    users = {application.submitted_by_id: application.submitted_by}
    if application.member_id and application.member.user_id:
        users[application.member.user_id] = application.member.user
    return list(users.values())


def _title(application: AssistanceApplication, what: str) -> str:
    return f"{application.recipient_label}的{application.get_kind_display()}{what}"


def _move(application: AssistanceApplication, *, to: str, by: User | None, comment: str = "") -> ApplicationEvent:
    """The only way a status changes: checked against the table, recorded as an event."""
    WORKFLOW.check(application.status, to)
    event = ApplicationEvent.objects.create(
        application=application,
        actor=by,
        from_status=application.status,
        to_status=to,
        comment=comment,
        created_at=clock.now(),
    )
    application.status = to
    application.status_changed_at = event.created_at
    application.save(update_fields=["status", "status_changed_at"])
    _settle([application], to=to)
    return event


def _move_many(applications: list[AssistanceApplication], *, to: str, comments: list[str]) -> None:
    """`_move` by the system (no actor) for many applications, locked by the caller: the events in one
    INSERT, the statuses in one UPDATE, and the audit entries the save signals would have written."""
    for application in applications:
        WORKFLOW.check(application.status, to)
    before = [copy.copy(application) for application in applications]
    events = ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application=application,
                actor=None,
                from_status=application.status,
                to_status=to,
                comment=comment,
                created_at=clock.now(),
            )
            for application, comment in zip(applications, comments, strict=True)
        ]
    )
    for application, event in zip(applications, events, strict=True):
        application.status = to
        application.status_changed_at = event.created_at
    AssistanceApplication.objects.bulk_update(applications, ["status", "status_changed_at"])
    figures.bulk_changed.send(sender=AssistanceApplication)  # cached counts over applications are stale
    _settle(applications, to=to)
    audit.log_saves([(None, event) for event in events], action=audit.LogEntry.Action.CREATE)
    audit.log_saves(zip(before, applications, strict=True), fields=["status", "status_changed_at"])


def _note(application: AssistanceApplication, *, by: User, comment: str) -> ApplicationEvent:
    """A recorded step that does not move the status (补录支部大会, 上传附件)."""
    return ApplicationEvent.objects.create(
        application=application,
        actor=by,
        from_status=application.status,
        to_status=application.status,
        comment=comment,
    )


def _locked(application_id: int) -> AssistanceApplication:
    try:
        return (
            AssistanceApplication.objects.select_for_update(of=("self",))
            .select_related("member", "organization", "fund", "submitted_by", "member__user", "partner_unit")
            .get(pk=application_id)
        )
    except AssistanceApplication.DoesNotExist as exc:
        raise DomainError("申请不存在或已被删除") from exc


def bound_for(fund_id: int, kind: str, *, lock: bool = False) -> AmountBound:
    """The fund's bounds for a kind. A fund opened before bounds were data gets the defaults on first use."""
    if kind not in Kind.values:
        raise DomainError("请选择申请类别")
    low, high = DEFAULT_AMOUNT_BOUNDS[kind]
    queryset = AmountBound.objects.select_for_update() if lock else AmountBound.objects
    bound, _ = queryset.get_or_create(
        fund_id=fund_id, kind=kind, defaults={"minimum": Decimal(low), "maximum": Decimal(high)}
    )
    return bound


def check_bounds(fund_id: int, kind: str, amount: Decimal, *, lock: bool = False) -> AmountBound:
    bound = bound_for(fund_id, kind, lock=lock)
    if not (bound.minimum <= amount <= bound.maximum):
        raise DomainError(
            f"{Kind(kind).label}的金额应在 {formats.money(bound.minimum)} 元至 {formats.money(bound.maximum)} 元之间"
        )
    return bound


def _same_recipient(application: AssistanceApplication) -> Q:
    if application.member_id:
        return Q(member_id=application.member_id)
    return Q(partner_unit_id=application.partner_unit_id, recipient_name=application.recipient_name)


def committed_in_year(application: AssistanceApplication) -> Decimal:
    """What the same person already has approved this year, the application itself left out."""
    qs = AssistanceApplication.objects.filter(
        _same_recipient(application), year=application.year, status__in=COMMITTED_STATUSES
    ).exclude(pk=application.pk)
    return qs.aggregate(total=Sum("amount_approved"))["total"] or Decimal("0.00")


def yearly_cap() -> Decimal:
    return Decimal(settings.CARE["MEMBER_YEARLY_CAP"])


@dataclass(frozen=True)
class Eligibility:
    """Whether an applicant may receive the 年度生活困难补助, and why, in the words shown to reviewers."""

    eligible: bool
    reason: str


def annual_subsidy_eligibility(member: Member | None) -> Eligibility:
    """Seed 000: 对年老无固定收入、丧失劳动能力或因病因灾致贫的生活比较困难党员，统一进行登记建档，每年安排
    200-300元的生活困难补助 — the member is on the ledger (在册) in one of those categories."""
    from hardship.models import HardshipCategory, HardshipRecord

    wanted = "、".join(
        HardshipCategory.objects.filter(code__in=ANNUAL_SUBSIDY_CATEGORIES)
        .order_by("sort_order")
        .values_list("name", flat=True)
    )
    if member is None:
        return Eligibility(
            False, "年度生活困难补助只发给本单位困难党员台帐在册的党员，互联共建单位的困难党员可申请其他类别的救助"
        )
    record = HardshipRecord.objects.active().filter(member=member).prefetch_related("categories").first()
    if record is None:
        return Eligibility(
            False,
            f"{member.name}未列入困难党员台帐（在册）。年度生活困难补助限台帐在册、"
            f"困难类别为{wanted}的党员，请先登记台帐",
        )
    names = [c.name for c in record.categories.all() if c.code in ANNUAL_SUBSIDY_CATEGORIES]
    if not names:
        others = "、".join(c.name for c in record.categories.all()) or "未填"
        return Eligibility(
            False, f"{member.name}在台帐中的困难类别为{others}，不属于年度生活困难补助的范围（{wanted}）"
        )
    return Eligibility(True, f"台帐在册（{'、'.join(names)}），符合年度生活困难补助条件")


def check_annual_subsidy(application: AssistanceApplication) -> None:
    """The ledger condition and the one-a-year rule, under the member's row lock (taken by the caller)."""
    if application.kind != Kind.ANNUAL:
        return
    eligibility = annual_subsidy_eligibility(application.member if application.member_id else None)
    if not eligibility.eligible:
        raise DomainError(eligibility.reason)
    other = (
        AssistanceApplication.objects.filter(member_id=application.member_id, year=application.year, kind=Kind.ANNUAL)
        .exclude(status__in=ENDED_WITHOUT_PAYMENT)
        .exclude(pk=application.pk)
        .first()
    )
    if other is not None:
        raise DomainError(
            f"{application.member.name} {application.year} 年已有一份年度生活困难补助申请"
            f"（{other.get_status_display()}），每人每年只能安排一次"
        )
