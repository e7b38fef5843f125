"""Keyset ("cursor") pagination for every list of the API.

A list is read in a fixed order that ends with the primary key — `("-visited_on", "-id")` — and the
cursor is the last row's values of those columns: the next page is the rows after them (`visited_on <
d OR (visited_on = d AND id < n)`), read through the same index the pages use, however deep. Unlike
page numbers, rows added or removed meanwhile never make a client skip or repeat one. The cursor is
opaque to clients (base64 of JSON); a damaged one is a 400 with code `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.pagination import page_size_from


class InvalidCursor(ValidationError):
    default_code = "invalid_cursor"


class Keyset(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def _ordering(self, view) -> tuple[str, ...]:
        ordering = tuple(getattr(view, "ordering", ("-id",)))
        if ordering[-1].lstrip("-") not in ("id", "pk"):
            raise ValueError(f"{type(view).__name__}.ordering must end with the primary key")
        return ordering

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        ordering = self._ordering(view)
        self.ordering = ordering
        self.page_size = page_size_from(request)
        position = self._decode(request.query_params.get(self.cursor_query_param), queryset.model, ordering)
        queryset = queryset.order_by(*ordering)
        if position is not None:
            queryset = queryset.filter(self._after(ordering, position))
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last = rows[-1] if rows else None
        return rows

    @staticmethod
    def _after(ordering: tuple[str, ...], position: list) -> Q:
        """Rows after `position` in `ordering`: (a > x) or (a = x and b > y) … for each column."""
        condition = Q(pk__in=[])
        equal = Q()
        for field, value in zip(ordering, position, strict=True):
            name = field.lstrip("-")
            lookup = "lt" if field.startswith("-") else "gt"
            condition |= equal & Q(**{f"{name}__{lookup}": value})
            equal &= Q(**{name: value})
        return condition

    def _decode(self, raw: str | None, model, ordering):
        if raw is None:
            return None
        message = "分页游标无效，请从第一页重新读取"
        try:
            values = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidCursor({"cursor": [message]}) from None
        if not isinstance(values, list) or len(values) != len(ordering):
            raise InvalidCursor({"cursor": [message]})
        position = []
        for field, value in zip(ordering, values, strict=True):
            model_field = (
                model._meta.pk if field.lstrip("-") in ("id", "pk") else model._meta.get_field(field.lstrip("-"))
            )
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise InvalidCursor({"cursor": [message]})
            try:
                parsed = model_field.to_python(value)
            except (DjangoValidationError, OverflowError):
                raise InvalidCursor({"cursor": [message]}) from None
            if parsed is None or (isinstance(parsed, int) and not 0 < parsed < 2**63):
                raise InvalidCursor({"cursor": [message]})
            position.append(parsed)
        return position

    def _encode(self, row) -> str:
        values = []
        for field in self.ordering:
            value = getattr(row, "pk" if field.lstrip("-") in ("id", "pk") else field.lstrip("-"))
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def next_cursor(self) -> str | None:
        return self._encode(self.last) if self.has_next and self.last is not None else None

    def get_paginated_response(self, data):
        cursor = self.next_cursor()
        url = (
            replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor) if cursor else None
        )
        return Response({"next": url, "next_cursor": cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "next_cursor", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "下一页的完整地址；没有下一页时为 null",
                },
                "next_cursor": {"type": "string", "nullable": True, "description": "下一页的游标"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        maximum = settings.CARE["MAX_PAGE_SIZE"]
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "上一页返回的 next_cursor；不传则从第一条开始",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"每页条数，1–{maximum}，默认 {settings.CARE['PAGE_SIZE']}",
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            },
        ]
