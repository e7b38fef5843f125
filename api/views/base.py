"""What every API view shares: the role table's rule (members.access.DeclaresRule, the same mechanism
as the pages), the pages' own filter sets, keyset pagination, and writes through the services."""

from __future__ import annotations

import inspect

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, generics, mixins

from api import idempotency
from api.pagination import Keyset
from members.access import DeclaresRule


class PageFilters(DjangoFilterBackend):
    """The list pages' filter sets (members.filters.MemberFilter …), given the user where they take
    one: the same parameters, the same choices (branches the user may filter by), the same search."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        if "user" in inspect.signature(filterset_class.__init__).parameters:
            kwargs["user"] = request.user
        return filterset_class(**kwargs)


class ApiView(DeclaresRule, generics.GenericAPIView):
    """A route of the API. Subclasses state `access` (an entry of the role table, or one per method)
    and read objects only through querysets scoped by it."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A form-encoded body has already been read by the middleware (NUL characters, CSRF), and DRF
        # would see it as empty: say what is wrong instead of listing every field as missing.
        has_body = request.META.get("CONTENT_LENGTH") not in (None, "", "0")
        if (
            request.method in ("POST", "PUT", "PATCH")
            and has_body
            and not (request.content_type or "").startswith("application/json")
        ):
            raise exceptions.UnsupportedMediaType(request.content_type)


class ListView(mixins.ListModelMixin, ApiView):
    filter_backends = [PageFilters]
    pagination_class = Keyset
    ordering: tuple[str, ...] = ("-id",)

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class DetailView(mixins.RetrieveModelMixin, ApiView):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


IDEMPOTENCY_REQUIRED = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="客户端为这次写入生成的唯一值（如 UUID），8–100 个可见 ASCII 字符。重试时发送同一个值：不会重复创建，"
    "返回第一次的结果；同一个值用于不同的请求会被拒绝（422）。",
)
IDEMPOTENCY_OPTIONAL = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="可选：客户端生成的唯一值（如 UUID）。带上它，重试的请求只执行一次并返回第一次的结果。",
)
