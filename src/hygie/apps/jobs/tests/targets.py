"""Job target functions used by the tests (real functions, run by the real runner)."""

from __future__ import annotations

from typing import Any

from hygie.engines._core import Progress


def count_to(*, progress: Progress, total: int) -> dict[str, Any]:
    """Count to ``total`` in steps of one, logging once; returns the figure reached."""
    progress.start("Counting", total=total)
    for _ in range(total):
        progress.advance()
    progress.log(f"counted to {total}")
    return {"counted": total}


def explode(*, progress: Progress, message: str) -> None:
    """Fail half-way with ``message``."""
    progress.start("Exploding", total=2)
    progress.advance()
    raise RuntimeError(message)


def no_total(*, progress: Progress) -> int:
    """Report no total and return a bare number."""
    progress.log("working without a total")
    return 7
