"""A block on a page that shows several domains at once (the home page, a member's page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    """A template fragment and its context; a domain's `panels.py` returns one (or None: nothing to show)."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
