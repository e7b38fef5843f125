"""The audit trail (django-auditlog): who changed what and when, with the request's user and address.

Apps register their models here from AppConfig.ready(). Bulk writes (`QuerySet.update`,
`bulk_create`) bypass model signals: services that do them on an audited model call `log_bulk`.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType


def register(model, *, exclude: list[str] | None = None, m2m: set[str] | None = None) -> None:
    if not auditlog.contains(model):
        auditlog.register(model, exclude_fields=exclude or [], m2m_fields=m2m or set())


def history_of(obj):
    """The audit entries of one object, newest first, with their actors (one query)."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk))
        .select_related("actor")
        .order_by("-timestamp")
    )


def log_bulk(*, model, object_ids, changes: dict, actor=None, action=LogEntry.Action.UPDATE) -> None:
    """Record a bulk write that model signals did not see."""
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.bulk_create([
        LogEntry(content_type=content_type, object_pk=str(pk), object_id=pk, object_repr=f"{model.__name__} {pk}",
                 action=action, changes=changes, actor=actor)
        for pk in object_ids
    ])
