from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.pagination import PageSizeMixin
from members.access import SIGNED_IN, RuleMixin, signed_in
from notifications import services
from notifications.models import Notification


class InboxView(RuleMixin, PageSizeMixin, ListView):
    access = SIGNED_IN
    template_name = "notifications/inbox.html"
    context_object_name = "notifications"

    def get_queryset(self):
        queryset = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread"):
            queryset = queryset.unread()
        elif self.request.GET.get("todo"):
            queryset = queryset.open_todos()
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = services.group_for_inbox(context["notifications"])
        context["open_todos"] = Notification.objects.filter(recipient=self.request.user).open_todos().count()
        return context


@signed_in
@require_POST
def open_notification(request, pk: int):
    """Mark read and follow the link (only links inside this site)."""
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@signed_in
@require_POST
def mark_all_read(request):
    count = services.mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读")
    return redirect("notifications:inbox")
