"""Business-impact analysis: impact levels over time on five axes, and the targets they imply.

A grid gives, for each axis, the impact of a disruption lasting 1 h, 4 h, 24 h, 72 h, one week and
one month, on a 0-4 scale (none, minor, significant, serious, critical), and the impact of losing
1 h, 4 h, 24 h, 72 h or one week of data. The targets follow from the worst axis at each horizon:

- **MTPD** (maximum tolerable period of disruption): the first horizon whose impact is critical;
  one month when none is.
- **RTO**: the longest horizon whose impact is still at most significant; one hour (the grid's
  finest step) when the impact is serious from the first hour.
- **RPO**: the longest data loss whose impact is at most significant; 0 (no loss tolerated, so
  replication) when losing one hour is already serious.
- **Minimum service level**: the share of normal activity to keep in degraded mode, from the worst
  impact at 24 h: critical 75 %, serious 50 %, significant 25 %, else 0 %.

Impacts never decrease with time: a grid where they do is refused, naming the axis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AXES",
    "DATA_LOSS_HORIZONS_H",
    "HORIZONS_H",
    "LEVELS",
    "BiaError",
    "ImpactGrid",
    "Targets",
    "grid_from_dict",
]

#: Disruption horizons of the grid, in hours: 1 h, 4 h, 24 h, 72 h, one week, one month.
HORIZONS_H = (1.0, 4.0, 24.0, 72.0, 168.0, 720.0)
#: Data-loss horizons, in hours: 1 h, 4 h, 24 h, 72 h, one week.
DATA_LOSS_HORIZONS_H = (1.0, 4.0, 24.0, 72.0, 168.0)
#: Impact axes.
AXES = ("patient_safety", "care_continuity", "legal", "finance", "image")
#: Impact levels, 0 to 4.
LEVELS = ("none", "minor", "significant", "serious", "critical")

_SERIOUS = 3
_CRITICAL = 4
_MIN_SERVICE = {4: 75.0, 3: 50.0, 2: 25.0}


class BiaError(ValueError):
    """The grid is malformed; the message names the axis."""


@dataclass(frozen=True, slots=True)
class Targets:
    """What a grid implies: MTPD, RTO and RPO (hours) and the minimum service level (%)."""

    mtpd_h: float | None
    rto_h: float
    rpo_h: float
    min_service_pct: float | None


@dataclass(frozen=True, slots=True)
class ImpactGrid:
    """Impact levels per axis over :data:`HORIZONS_H`, and per data loss over :data:`DATA_LOSS_HORIZONS_H`."""

    impacts: dict[str, tuple[int, ...]]
    data_loss: tuple[int, ...]

    def worst(self) -> list[int]:
        """The worst level over the axes at each horizon."""
        return [max(levels[i] for levels in self.impacts.values()) for i in range(len(HORIZONS_H))]

    def targets(self) -> Targets:
        """MTPD, RTO, RPO and minimum service level (see the module docstring)."""
        worst = self.worst()
        critical = [h for h, level in zip(HORIZONS_H, worst, strict=True) if level >= _CRITICAL]
        tolerable = [h for h, level in zip(HORIZONS_H, worst, strict=True) if level < _SERIOUS]
        losses = [h for h, level in zip(DATA_LOSS_HORIZONS_H, self.data_loss, strict=True) if level < _SERIOUS]
        return Targets(
            mtpd_h=critical[0] if critical else HORIZONS_H[-1],
            rto_h=tolerable[-1] if tolerable else HORIZONS_H[0],
            rpo_h=losses[-1] if losses else 0.0,
            min_service_pct=_MIN_SERVICE.get(worst[HORIZONS_H.index(24.0)], 0.0),
        )


def _levels(owner: str, value: Any, count: int) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(LEVELS) for v in value)
    ):
        msg = f"{owner}: expected {count} impact levels from 0 to {len(LEVELS) - 1}, not {value!r}"
        raise BiaError(msg)
    if any(later < earlier for earlier, later in itertools.pairwise(value)):
        msg = f"{owner}: impact levels must not decrease with time ({value!r})"
        raise BiaError(msg)
    return tuple(value)


def grid_from_dict(data: Any) -> ImpactGrid:
    """An :class:`ImpactGrid` from ``{impacts: {axis: [6 levels]}, data_loss: [5 levels]}``.

    Axes left out count as no impact; data loss left out counts as no impact either.
    """
    if not isinstance(data, dict):
        raise BiaError("bia: expected a mapping with impacts and data_loss")
    impacts_raw = data.get("impacts") or {}
    if not isinstance(impacts_raw, dict):
        raise BiaError("bia impacts: expected a mapping of axis to levels")
    unknown = sorted(set(impacts_raw) - set(AXES))
    if unknown:
        msg = f"bia impacts: unknown axis {unknown[0]!r} (axes: {', '.join(AXES)})"
        raise BiaError(msg)
    impacts = {
        axis: _levels(f"bia {axis}", impacts_raw[axis], len(HORIZONS_H)) if axis in impacts_raw else (0,) * 6
        for axis in AXES
    }
    loss_raw = data.get("data_loss")
    data_loss = (
        (0,) * len(DATA_LOSS_HORIZONS_H)
        if loss_raw is None
        else _levels("bia data_loss", loss_raw, len(DATA_LOSS_HORIZONS_H))
    )
    return ImpactGrid(impacts, data_loss)
