"""The audit trail and the personal-data access log: admins see everything, the organization
department its own subtree."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
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
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    condition = _under_paths(user, "audit", "additional_data__org_path")
    return queryset if condition is None else queryset.filter(condition)


def access_logs_for(user):
    queryset = AccessLog.objects.select_related("user__member", "member").order_by("-at", "-id")
    condition = _under_paths(user, "access_log", "org_path")
    return queryset if condition is None else queryset.filter(condition)


def change_rows(model, changes) -> list[tuple[str, str, str]]:
    """(field label, old, new) for display: the field's Chinese name, and a choice's label rather
    than its stored code (状态：在册 → 已脱困, not status: active → resolved). Values stay as stored
    otherwise, masked ones included."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for name, values in changes.items():
        old, new = values if isinstance(values, list) and len(values) == 2 else ("", values)
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        label = str(getattr(field, "verbose_name", name))
        choices = {str(key): str(text) for key, text in field.flatchoices} if getattr(field, "choices", None) else {}
        rows.append((label, choices.get(str(old), old) if old != "None" else "", choices.get(str(new), new)
                     if new != "None" else ""))
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
        if params.get("actor"):
            queryset = queryset.filter(actor__username__icontains=params["actor"].strip())
        if params.get("object"):
            queryset = queryset.filter(object_repr__icontains=params["object"].strip())
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for entry in context["entries"]:
            entry.action_label = ACTIONS.get(entry.action, "其他")
            model = entry.content_type.model_class()
            entry.type_label = model._meta.verbose_name if model else entry.content_type.model
            entry.change_list = change_rows(model, entry.changes)
        types = ContentType.objects.filter(pk__in=LogEntry.objects.values("content_type_id").distinct())
        context["models"] = sorted(
            (str(ct.pk), ct.model_class()._meta.verbose_name if ct.model_class() else ct.model) for ct in types
        )
        return context


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
            queryset = queryset.filter(Q(member__name__icontains=params["member"].strip())
                                       | Q(target__icontains=params["member"].strip()))
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["whats"] = AccessLog.What.choices
        return context
