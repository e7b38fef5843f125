"""Pages where an administrator or the 组织部 issues, reads and revokes API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from core.errors import DomainError
from core.pagination import PageSizeMixin
from members.access import CREATE, EDIT, LIST, VIEW, RuleMixin, requires


class TokenListView(RuleMixin, PageSizeMixin, ListView):
    access = ("api_token", LIST)
    template_name = "api/token_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return (
            ApiToken.objects.for_user(self.request.user, LIST)
            .select_related("organization", "created_by__member")
            .order_by("-created_at", "-id")
        )


@requires("api_token", CREATE)
def token_new(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, key = tokens.issue_token(
                by=request.user,
                name=data["name"],
                organization=data["organization"],
                grants=data["grants"],
                expires_on=data["expires_on"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            form.add_error("organization", str(exc))
        else:
            # The key is on this answer only (never stored, never shown again; the page is not cached).
            return render(
                request,
                "api/token_created.html",
                {"token": token, "key": key, "grants": [tokens.entry_label(g) for g in token.grants]},
            )
    return render(request, "api/token_form.html", {"form": form})


class TokenDetailView(RuleMixin, DetailView):
    access = ("api_token", VIEW)
    template_name = "api/token_detail.html"
    context_object_name = "token"

    def get_queryset(self):
        return ApiToken.objects.for_user(self.request.user, VIEW).select_related(
            "organization", "created_by__member", "revoked_by__member"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = self.object
        context["grants"] = [tokens.entry_label(name) for name in token.grants]
        context["roles"] = token.service_user.appointments.select_related("organization")
        context["uses"] = token.uses.all()[:100]
        context["can_revoke"] = not token.is_revoked
        return context


@requires("api_token", EDIT)
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.for_user(request.user, EDIT), pk=pk)
    tokens.revoke_token(token_id=token.pk, by=request.user)
    messages.success(request, "令牌已吊销，此后使用它的请求都将被拒绝")
    return redirect("integrations:token", pk=token.pk)
