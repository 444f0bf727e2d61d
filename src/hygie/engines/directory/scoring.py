"""ANSSI-style level (1-5) and 0-100 risk scores per category from the ids of failed checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import Severity
from hygie.engines.directory.registry import CHECKS, META, Category

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["SEVERITY_WEIGHTS", "anssi_level", "category_scores"]

#: Points a failed check adds to its category's risk score (capped at 100).
SEVERITY_WEIGHTS: dict[Severity, int] = {
    Severity.INFO: 0,
    Severity.LOW: 5,
    Severity.MEDIUM: 10,
    Severity.HIGH: 20,
    Severity.CRITICAL: 40,
}


def anssi_level(failed: Iterable[str]) -> int:
    """Level reached: a failed check evaluated at level N caps the result at N-1; 5 when none fails."""
    level = 5
    for check_id in failed:
        levels = META[check_id].anssi_levels
        if levels:
            level = min(level, min(levels) - 1)
    return max(level, 1)


def category_scores(failed: Iterable[str]) -> dict[str, int]:
    """Risk score per category: the sum of failed checks' severity weights, capped at 100."""
    scores = {category.value: 0 for category in Category}
    for check_id in set(failed):
        category = META[check_id].category.value
        scores[category] = min(100, scores[category] + SEVERITY_WEIGHTS[CHECKS[check_id].severity])
    return scores
