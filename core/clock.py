"""The current moment, as the services see it.

Services and the timestamps of what they record read the time here rather than from `timezone`
directly, so that `seed_demo` can build a year of history through the same services, each step on
the day a real unit would have taken it (`with clock.at(moment): services.approve(...)`). Outside such
a block this is `timezone.now()`; nothing in production sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_moment: ContextVar[dt.datetime | None] = ContextVar("care_clock_moment", default=None)


def now() -> dt.datetime:
    return _moment.get() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextmanager
def at(moment: dt.datetime | dt.date, hour: int = 9) -> Iterator[dt.datetime]:
    """Run the block as if it were `moment` (a date means that day at `hour` o'clock, local time)."""
    if not isinstance(moment, dt.datetime):
        moment = timezone.make_aware(dt.datetime.combine(moment, dt.time(hour)))
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)
