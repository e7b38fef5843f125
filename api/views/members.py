"""Who is calling, the organizations they see, and the roster."""

from __future__ import annotations

import django_filters
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api import tokens
from api.serializers.common import OrganizationSerializer
from api.serializers.members import MemberSerializer
from api.views.base import ApiView, DetailView, ListView
from members import access
from members.access import LIST, SIGNED_IN, VIEW
from members.filters import MemberFilter
from members.models import AccessLog, Appointment, Member, Organization
from members.permissions import Disclosure
from members.services import log_access


def token_organization(request) -> Organization | None:
    """Where a token's reads are logged (the access log of the 组织部 over it); None for a person."""
    token = getattr(request._request, "api_token", None)
    return token.organization if token is not None else None


class MeView(ApiView):
    """The caller: their roles, what the API lets them do, and (for a page's session) the CSRF token
    their writes must send in the X-CSRFToken header."""

    access = SIGNED_IN

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "display_name": serializers.CharField(),
                "roles": inline_serializer(
                    "MeRole",
                    {
                        "role": serializers.CharField(),
                        "organization": serializers.IntegerField(),
                        "organization_name": serializers.CharField(),
                    },
                    many=True,
                ),
                "permissions": serializers.ListField(
                    child=serializers.CharField(), help_text="可用的角色权限表条目，如 visit.create"
                ),
                "token": inline_serializer(
                    "MeToken",
                    {
                        "name": serializers.CharField(),
                        "organization": serializers.IntegerField(),
                        "expires_at": serializers.DateTimeField(),
                    },
                    allow_null=True,
                ),
                "csrf_token": serializers.CharField(allow_null=True, help_text="网页会话写入时放在 X-CSRFToken 请求头"),
            },
        )
    )
    def get(self, request):
        user = request.user
        token = getattr(request._request, "api_token", None)
        roles = Appointment.objects.filter(user=user).select_related("organization").order_by("organization__path")
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "display_name": user.display_name,
                "roles": [
                    {"role": a.role, "organization": a.organization_id, "organization_name": a.organization.name}
                    for a in roles
                ],
                "permissions": [
                    name
                    for name in (access.entry(kind, action) for kind, action in tokens.GRANTABLE)
                    if access.may(user, *name.split(".", 1))
                ],
                "token": {"name": token.name, "organization": token.organization_id, "expires_at": token.expires_at}
                if token is not None
                else None,
                "csrf_token": None if token is not None else get_token(request._request),
            }
        )


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices)
    parent = django_filters.NumberFilter(min_value=1, max_value=2**63 - 1)

    class Meta:
        model = Organization
        fields = ["kind", "parent"]


class OrganizationList(ListView):
    """The organizations under those where the caller holds a role (the tree they may use in filters)."""

    access = SIGNED_IN
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering = ("id",)

    def get_queryset(self):
        return Organization.objects.for_user(self.request.user)


class MemberList(ListView):
    """The roster, in the order members were registered (a sync client reads it to the end)."""

    access = ("member", LIST)
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering = ("id",)

    def get_queryset(self):
        return Member.objects.for_user(self.request.user, LIST).select_related("organization")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "disclosure": Disclosure(self.request.user)}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(
            request._request,
            what=AccessLog.What.EXPORT,
            organization=token_organization(request),
            target=f"接口读取党员名册（{len(response.data['results'])} 行）",
        )
        return response


class MemberDetail(DetailView):
    access = ("member", VIEW)
    serializer_class = MemberSerializer

    def get_queryset(self):
        return Member.objects.for_user(self.request.user, VIEW).select_related("organization")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "disclosure": Disclosure(self.request.user)}

    def get_object(self):
        member = super().get_object()
        log_access(
            self.request._request, what=AccessLog.What.MEMBER, target=f"党员 {member.name}（接口）", member=member
        )
        return member
