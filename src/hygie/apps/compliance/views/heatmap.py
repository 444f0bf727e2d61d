"""Colours of scores for the heat maps: words and colours a CISO reads at a glance."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["HEAT_LEGEND", "heat_cells", "heat_class"]

#: (lowest score, CSS class) from the best band down; a score below every bound is "not met".
_BANDS = ((80, "heat-high"), (50, "heat-medium"), (25, "heat-low"))

#: The legend under each heat map, best band first.
HEAT_LEGEND: list[tuple[str, Any]] = [
    ("heat-high", _("80 to 100: largely met")),
    ("heat-medium", _("50 to 79: partly met")),
    ("heat-low", _("25 to 49: weak")),
    ("heat-none-met", _("0 to 24: not met")),
    ("heat-empty", _("not assessed or not applicable")),
]


def heat_class(score: float | None) -> str:
    """The CSS class of a score (0-100); ``heat-empty`` when there is none."""
    if score is None:
        return "heat-empty"
    for bound, css in _BANDS:
        if score >= bound:
            return css
    return "heat-none-met"


def heat_cells(scores: list[Any]) -> list[dict[str, Any]]:
    """A heat-map row: each score with its class."""
    return [{"score": score, "css": heat_class(score)} for score in scores]
