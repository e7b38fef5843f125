"""The audit trail page: admins see everything, the organization department its own subtree."""

from auditlog.models import LogEntry
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.views.generic import ListView

from core.pagination import PageSizeMixin
from members.models import Role
from members.scoping import has_role, org_paths_with_role

ACTIONS = {LogEntry.Action.CREATE: "新增", LogEntry.Action.UPDATE: "修改", LogEntry.Action.DELETE: "删除"}


def can_view_audit(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ORG_DEPT))


def audit_entries_for(user):
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for path in org_paths_with_role(user, Role.ORG_DEPT):
        condition |= Q(additional_data__org_path__startswith=path)
    return queryset.filter(condition)


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


class AuditLogView(LoginRequiredMixin, PageSizeMixin, ListView):
    template_name = "members/audit_log.html"
    context_object_name = "entries"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_audit(request.user):
            raise PermissionDenied("操作日志仅对组织部和系统管理员开放")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = audit_entries_for(self.request.user)
        params = self.request.GET
        if params.get("model", "").isdigit():
            queryset = queryset.filter(content_type_id=int(params["model"]))
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
