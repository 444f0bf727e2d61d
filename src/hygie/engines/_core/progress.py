"""Progress reporting from engines to whoever runs them (Rich bars in the CLI, task status)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["NullProgress", "Progress"]


@runtime_checkable
class Progress(Protocol):
    """Receives progress from long work. ``total`` may be unknown (None)."""

    def start(self, label: str, total: int | None = None) -> None:
        """A phase of work begins."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` more units are done."""

    def log(self, message: str) -> None:
        """A line worth showing to the person waiting."""


class NullProgress:
    """A ``Progress`` that ignores everything, for callers that do not care."""

    def start(self, label: str, total: int | None = None) -> None:
        """Ignore."""

    def advance(self, amount: int = 1) -> None:
        """Ignore."""

    def log(self, message: str) -> None:
        """Ignore."""
