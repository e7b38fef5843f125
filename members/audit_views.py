"""The audit trail and the personal-data access log: admins see everything, the organization
department its own subtree."""

import datetime as dt
import re
from collections import defaultdict

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.views.generic import ListView

from core.pagination import PageSizeMixin
from core.params import id_param
from members import access
from members.access import VIEW, RuleMixin
from members.models import AccessLog
from members.scoping import org_paths

ACTIONS = {LogEntry.Action.CREATE: "新增", LogEntry.Action.UPDATE: "修改", LogEntry.Action.DELETE: "删除"}


def can_view_audit(user) -> bool:
    return access.may(user, "audit", VIEW)


def _under_paths(user, kind: str, lookup: str) -> Q | None:
    """None for a superuser (everything); otherwise rows whose stored organization path lies under
    one where the user holds the table's roles for `kind`."""
    if user.is_superuser:
        return None
    condition = Q(pk__in=[])
    for path in org_paths(user, *access.real_roles(kind, VIEW)):
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def audit_entries_for(user):
    queryset = LogEntry.objects.select_related("actor__member", "content_type").order_by("-timestamp", "-id")
    condition = _under_paths(user, "audit", "additional_data__org_path")
    return queryset if condition is None else queryset.filter(condition)


def access_logs_for(user):
    queryset = AccessLog.objects.select_related("user__member", "member").order_by("-at", "-id")
    condition = _under_paths(user, "access_log", "org_path")
    return queryset if condition is None else queryset.filter(condition)


_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?$")


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _pairs(changes) -> list[tuple[str, object, object]]:
    if not isinstance(changes, dict):
        return []
    return [
        (name, *(values if isinstance(values, list) and len(values) == 2 else ("", values)))
        for name, values in changes.items()
    ]


def related_names(entries) -> dict[tuple[type, str], str]:
    """{(model, stored id): name} of every object a foreign key in these entries' changes points to, a
    query per model: the page shows "帮扶类型：生活困难", never the bare id."""
    wanted: dict[type, set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, old, new in _pairs(entry.changes):
            field = _field(model, name)
            if field is not None and field.many_to_one and field.related_model is not None:
                wanted[field.related_model].update(str(v) for v in (old, new) if str(v).isdigit())
    names: dict[tuple[type, str], str] = {}
    user_model = get_user_model()
    for related, ids in wanted.items():
        objects = related._default_manager.filter(pk__in=[int(i) for i in ids])
        if related is user_model:
            objects = objects.select_related("member")
        for obj in objects:
            names[(related, str(obj.pk))] = obj.display_name if related is user_model else str(obj)
    return names


def readable(value, field=None, names: dict | None = None) -> str:
    """A stored value as a person reads it: a choice's label, a related object's name, a moment in local
    time to the second; "" for none."""
    text = "" if value in (None, "None") else str(value)
    if not text:
        return ""
    if field is not None and field.get_internal_type() == "BooleanField" and text in ("True", "False"):
        return "是" if text == "True" else "否"
    if field is not None and getattr(field, "choices", None):
        return {str(key): str(label) for key, label in field.flatchoices}.get(text, text)
    if field is not None and field.many_to_one and names is not None:
        return names.get((field.related_model, text), f"#{text}（已删除）")
    if _MOMENT.match(text):
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        if timezone.is_naive(moment) and field is not None and field.get_internal_type() == "DateTimeField":
            moment = moment.replace(tzinfo=dt.UTC)  # django-auditlog stores a moment as naive UTC
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return text


def change_rows(model, changes, names: dict | None = None, *, created: bool = False) -> list[tuple[str, str, str]]:
    """(field label, old, new) for display: the field's Chinese name, a choice's label rather than its
    stored code (状态：在册 → 已脱困, not status: active → resolved), a related object's name rather than
    its id, local time to the second. Values stay as stored otherwise, masked ones included. Keys and
    reverse relations are left out, and for a creation the fields left empty."""
    rows = []
    for name, old, new in _pairs(changes):
        field = _field(model, name)
        if field is not None and ((field.auto_created and not field.concrete) or getattr(field, "primary_key", False)):
            continue
        label = str(getattr(field, "verbose_name", name))
        row = (label, readable(old, field, names), readable(new, field, names))
        if created and not row[2]:
            continue
        rows.append(row)
    return rows


class AuditLogView(RuleMixin, PageSizeMixin, ListView):
    access = ("audit", VIEW)
    template_name = "members/audit_log.html"
    context_object_name = "entries"

    def get_queryset(self):
        queryset = audit_entries_for(self.request.user)
        params = self.request.GET
        if (model := id_param(params.get("model"))) is not None:
            queryset = queryset.filter(content_type_id=model)
        if actor := params.get("actor", "").strip():
            queryset = queryset.filter(
                Q(actor__username__icontains=actor)
                | Q(actor__member__name__icontains=actor)
                | Q(actor__first_name__icontains=actor)
            )
        if params.get("object", "").strip():
            queryset = queryset.filter(object_repr__icontains=params["object"].strip())
        if params.get("action") in {str(a) for a in ACTIONS}:
            queryset = queryset.filter(action=int(params["action"]))
        if (since := _day(params.get("since"))) is not None:
            queryset = queryset.filter(timestamp__date__gte=since)
        if (until := _day(params.get("until"))) is not None:
            queryset = queryset.filter(timestamp__date__lte=until)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["entries"])
        names = related_names(entries)
        for entry in entries:
            entry.action_label = ACTIONS.get(entry.action, "其他")
            model = entry.content_type.model_class()
            entry.type_label = model._meta.verbose_name if model else entry.content_type.model
            entry.change_list = change_rows(model, entry.changes, names, created=entry.action == LogEntry.Action.CREATE)
        context["actions"] = [(str(key), label) for key, label in ACTIONS.items()]
        types = ContentType.objects.filter(pk__in=LogEntry.objects.values("content_type_id").distinct())
        context["models"] = sorted(
            (str(ct.pk), ct.model_class()._meta.verbose_name if ct.model_class() else ct.model) for ct in types
        )
        return context


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class AccessLogView(RuleMixin, PageSizeMixin, ListView):
    """个人信息访问记录: who opened a member's page or a ledger line, or exported personal data."""

    access = ("access_log", VIEW)
    template_name = "members/access_log.html"
    context_object_name = "logs"

    def get_queryset(self):
        queryset = access_logs_for(self.request.user)
        params = self.request.GET
        if params.get("what") in AccessLog.What.values:
            queryset = queryset.filter(what=params["what"])
        if params.get("user", "").strip():
            queryset = queryset.filter(user__username__icontains=params["user"].strip())
        if params.get("member", "").strip():
            queryset = queryset.filter(
                Q(member__name__icontains=params["member"].strip()) | Q(target__icontains=params["member"].strip())
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["whats"] = AccessLog.What.choices
        return context
