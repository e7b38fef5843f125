"""A guarded status pipeline: a table of allowed transitions, and nothing else moves the status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.errors import DomainError


class Transitions:
    def __init__(self, table: Mapping[str, Iterable[str]], labels: Mapping[str, str]):
        self.table = {source: frozenset(targets) for source, targets in table.items()}
        self.labels = dict(labels)

    def allowed(self, source: str) -> frozenset[str]:
        return self.table.get(source, frozenset())

    def can(self, source: str, target: str) -> bool:
        return target in self.allowed(source)

    def check(self, source: str, target: str) -> None:
        """Raise a DomainError with both states in Chinese when the move is not in the table."""
        if not self.can(source, target):
            raise DomainError(
                f"当前状态为“{self.labels.get(source, source)}”，不能变更为“{self.labels.get(target, target)}”"
            )
