"""What each domain app adds to the reports: metrics (汇总 columns), dashboard sections and workbook
sheets, one module per domain. `reports.contents` lists them in page order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

CHUNK = 1000


def in_chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator[list]:
    """Rows of a values()/values_list() queryset, a chunk at a time, streamed from the database."""
    chunk: list = []
    for row in queryset.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def names_by(through: QuerySet, key: str, ids: list[int]) -> dict[int, str]:
    """“张三、李四” per object from a many-to-many through table (one query per chunk)."""
    names: dict[int, list[str]] = defaultdict(list)
    for owner, name in (
        through.filter(**{f"{key}__in": ids}).order_by("member__name", "member_id").values_list(key, "member__name")
    ):
        names[owner].append(name)
    return {owner: "、".join(values) for owner, values in names.items()}


class NamesInOrder:
    """“张三、李四” per object of a sheet that streams its objects in a known order, read in one streamed
    query in that same order: `of(key)` for each object in turn, `key` the object's values of `ordering`
    (which ends with the id). A query per chunk of 1,000 (names_by) cost a city's visit and talk sheets
    300 queries."""

    def __init__(self, through: QuerySet, owner: str, owners: QuerySet, ordering: tuple[str, ...]) -> None:
        fields = [f"{owner}__{field}" for field in ordering]
        self._width = len(fields)
        self._rows = (
            through.filter(**{f"{owner}__in": owners.order_by().values("pk")})
            .order_by(*fields, "member__name", "member_id")
            .values_list(*fields, "member__name")
            .iterator(chunk_size=CHUNK)
        )
        self._head = next(self._rows, None)

    def of(self, key: tuple) -> str:
        names = []
        while self._head is not None and self._head[: self._width] <= key:
            if self._head[: self._width] == key:
                names.append(self._head[self._width])
            self._head = next(self._rows, None)
        return "、".join(names)


def display_names(user_ids: QuerySet) -> dict[int, str]:
    """User.display_name for the users whose ids `user_ids` (a values() subquery) yields, in one query:
    the member's name, else the full name, else the username."""
    from members.models import User

    return {
        pk: member_name if member_name is not None else (f"{first} {last}".strip() or username)
        for pk, member_name, first, last, username in User.objects.filter(pk__in=user_ids).values_list(
            "id", "member__name", "first_name", "last_name", "username"
        )
    }


def local_date(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def percent(numerator, denominator) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def percent_text(numerator, denominator) -> str:
    value = percent(numerator, denominator)
    return "—" if value is None else f"{value:g}%"


def yuan(value) -> str:
    return f"{Decimal(value or 0):,.2f}"
