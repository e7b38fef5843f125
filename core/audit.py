"""The audit trail (django-auditlog): who changed what and when, with the request's user and address.

Apps register their models here from AppConfig.ready(). Bulk writes (`QuerySet.update`,
`bulk_create`) bypass model signals: services that do them on an audited model call `log_bulk`.
"""

from __future__ import annotations

from contextvars import ContextVar

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.encoding import smart_str

from core.http import client_ip

_request_path: ContextVar[str] = ContextVar("audit_request_path", default="")


class RequestPathMiddleware:
    """Remembers the request's URL so audit entries written during it can name it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_path.set(f"{request.method} {request.get_full_path()}"[:300])
        try:
            return self.get_response(request)
        finally:
            _request_path.reset(token)


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware with our client-address policy: it would take the leftmost
    X-Forwarded-For entry, which any client can write."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


class Audited:
    """Model mixin: audit entries carry the request URL and the organization path they belong to, so
    the organization department can read the trail of its own subtree."""

    def audit_org_path(self) -> str:
        raise NotImplementedError

    def get_additional_data(self) -> dict:
        return {"url": _request_path.get(), "org_path": self.audit_org_path()}


def register(model, *, exclude: list[str] | None = None, m2m: set[str] | None = None) -> None:
    if not auditlog.contains(model):
        auditlog.register(model, exclude_fields=exclude or [], m2m_fields=m2m or set())


def history_of(obj):
    """The audit entries of one object, newest first, with their actors and the actors' member records
    (one query: history templates show `actor.display_name`, which reads `actor.member`)."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk))
        .select_related("actor__member")
        .order_by("-timestamp")
    )


def log_bulk(
    *,
    model,
    object_ids,
    changes: dict,
    actor=None,
    org_path: str = "",
    org_paths: dict[int, str] | None = None,
    action=LogEntry.Action.UPDATE,
) -> None:
    """Record a bulk write that model signals did not see, in one INSERT. `org_paths` gives each
    object's organization path where they differ (else `org_path` for all)."""
    content_type = ContentType.objects.get_for_model(model)
    url = _request_path.get()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(pk),
                object_id=pk,
                object_repr=f"{model._meta.verbose_name} {pk}",
                action=action,
                changes=changes,
                actor=actor,
                additional_data={"url": url, "org_path": (org_paths or {}).get(pk, org_path), "bulk": True},
            )
            for pk in object_ids
        ]
    )


def log_saves(saves, *, action=LogEntry.Action.UPDATE, fields: list[str] | None = None) -> None:
    """Write, in one INSERT, the entries auditlog's save signals would have written for `(old, new)`
    instance pairs saved in bulk (`old` is None for a creation): the same diff, representation and
    additional data. For system work outside a request (daily jobs): no actor, as the signals would
    record there; no serialized data, as `register` does not ask for it."""
    entries = []
    for old, new in saves:
        changes = model_instance_diff(
            old,
            new,
            fields_to_check=fields,
            use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
        )
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(new),
                object_pk=str(new.pk),
                object_id=new.pk,
                object_repr=smart_str(new),
                action=action,
                changes=changes,
                additional_data=new.get_additional_data(),
                cid=get_cid(),
            )
        )
    LogEntry.objects.bulk_create(entries)
