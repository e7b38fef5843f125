"""公示 objections: raised by members during the notice, ruled on by the organization department —
never by whoever approved the application or raised the objection."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core import clock
from core.errors import DomainError
from funds import permissions
from funds.models import NOTICE_RUNNING, Objection, Status
from funds.services.common import _applicant_users, _locked, _move, _note, _tell, _title, users_with_role_over
from funds.services.review import _close_open_objections
from members.models import Role, User


@transaction.atomic
def raise_objection(*, application_id: int, by: User, reason: str) -> Objection:
    application = _locked(application_id)
    reason = reason.strip()
    if application.approved_by_id == by.pk:
        raise PermissionDenied("您审批了该申请，不能再对其公示提出异议")
    if not permissions.may_object(by, application):
        raise PermissionDenied("只有本组织的党员可以对公示提出异议")
    if not reason:
        raise DomainError("请写明异议的具体内容")
    if application.status not in NOTICE_RUNNING:
        raise DomainError("该申请不在公示期内，不能提出异议")
    if application.notice_ends_on and clock.today() > application.notice_ends_on:
        raise DomainError("公示期已结束，不能再提出异议")
    if application.objections.filter(raised_by=by, outcome=Objection.Outcome.OPEN).exists():
        raise DomainError("您对该申请提出的异议正在处理中")
    objection = Objection.objects.create(application=application, raised_by=by, reason=reason)
    if application.status == Status.IN_NOTICE:
        _move(application, to=Status.OBJECTION, by=by, comment="公示期间有党员提出异议")
    else:
        _note(application, by=by, comment="公示期间又有党员提出异议")
    _tell(
        users_with_role_over(application.organization, Role.ORG_DEPT),
        title=_title(application, "公示收到异议"),
        body=reason,
        about=application,
        key=f"funds:objection:{objection.pk}",
        todo=True,
    )
    return objection


@transaction.atomic
def resolve_objection(*, objection_id: int, by: User, upheld: bool, resolution: str) -> Objection:
    try:
        application_id = Objection.objects.values_list("application_id", flat=True).get(pk=objection_id)
    except Objection.DoesNotExist as exc:
        raise DomainError("异议不存在") from exc
    application = _locked(application_id)
    objection = Objection.objects.select_for_update().select_related("raised_by").get(pk=objection_id)
    if application.approved_by_id == by.pk:
        raise PermissionDenied("您审批了该申请，异议须由组织部其他同志处理")
    if objection.raised_by_id == by.pk:
        raise PermissionDenied("不能处理自己提出的异议")
    if not permissions.may_resolve_objection(by, application, objection):
        raise PermissionDenied("只有党委组织部可以处理公示异议")
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("请填写处理意见")
    if objection.outcome != Objection.Outcome.OPEN:
        raise DomainError("该异议已经处理过")
    if application.status != Status.OBJECTION:
        raise DomainError(f"当前状态为“{application.get_status_display()}”，不能处理异议")
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, by, clock.now()
    objection.save(update_fields=["outcome", "resolution", "resolved_by", "resolved_at"])
    if upheld:
        _move(application, to=Status.REJECTED, by=by, comment=f"异议成立：{resolution}")
        _close_open_objections(application, by=by, resolution="同一申请的其他异议已成立，一并办结")
        _tell(
            _applicant_users(application),
            title=_title(application, "申请因公示异议未获通过"),
            body=resolution,
            about=application,
            key=f"funds:upheld:{application.pk}",
        )
    elif not application.objections.filter(outcome=Objection.Outcome.OPEN).exists():
        _move(application, to=Status.IN_NOTICE, by=by, comment=f"异议不成立：{resolution}；公示继续")
    else:
        _note(application, by=by, comment=f"一项异议不成立：{resolution}")
    _tell(
        [objection.raised_by],
        title="您提出的公示异议已处理",
        body=f"{objection.get_outcome_display()}：{resolution}",
        about=application,
        key=f"funds:objection-resolved:{objection.pk}",
    )
    return objection
