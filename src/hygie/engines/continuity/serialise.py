"""The JSON form of a recovery simulation, its what-ifs and findings (``hygie continuity simulate --format json``).

Hours are rounded to 0.01 h (36 s: finer is noise against restore times of hours). An unbounded
data loss (no surviving copy) is ``null`` with ``"unrecoverable": true``: JSON has no infinity.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from hygie.engines._core.finding import Finding
    from hygie.engines.continuity.model import Model
    from hygie.engines.continuity.simulate import ActivityOutcome, ScheduledRestore, Simulation
    from hygie.engines.continuity.whatif import WhatIf

__all__ = ["activity_to_dict", "available_findings", "hours", "schedule_to_dict", "to_dict", "what_if_to_dict"]


def hours(value: float) -> float | None:
    """``value`` rounded to 0.01 h; ``None`` for an unbounded (infinite) value."""
    return None if math.isinf(value) or math.isnan(value) else round(value, 2)


def activity_to_dict(outcome: ActivityOutcome, kind: str = "care") -> dict[str, Any]:
    """One activity: targets, P50/P90 downtime, data loss and care impact, and whether targets are met."""
    return {
        "name": outcome.name,
        "kind": kind,
        "rto_h": hours(outcome.rto_h),
        "downtime_h": {"p50": hours(outcome.downtime_p50), "p90": hours(outcome.downtime_p90)},
        "rpo_h": hours(outcome.rpo_h),
        "data_loss_h": {"p50": hours(outcome.data_loss_p50), "p90": hours(outcome.data_loss_p90)},
        "unrecoverable": math.isinf(outcome.data_loss_p50),
        "meets_rto": outcome.meets_rto,
        "meets_rpo": outcome.meets_rpo,
        "degraded_hold_h": hours(outcome.degraded_hold_h),
        "care_impact_h": {"p50": hours(outcome.care_impact_p50), "p90": hours(outcome.care_impact_p90)},
    }


def schedule_to_dict(restore: ScheduledRestore) -> dict[str, Any]:
    """One restore of the median schedule."""
    return {
        "component": restore.component,
        "team": restore.team,
        "start_h": hours(restore.start_h),
        "end_h": hours(restore.end_h),
        "end_p90_h": hours(restore.end_p90_h),
        "rebuilt": restore.rebuilt,
    }


def what_if_to_dict(what_if: WhatIf) -> dict[str, Any]:
    """One what-if and the hours it saves."""
    return {
        "change": what_if.change,
        "kind": what_if.kind,
        "target": what_if.target,
        "downtime_saved_h": hours(what_if.downtime_saved_h),
        "data_loss_saved_h": hours(what_if.data_loss_saved_h),
        "made_recoverable": what_if.made_recoverable,
        "capacity": what_if.capacity,
    }


def available_findings(model: Model, simulation: Simulation | None, *, as_of: dt.date) -> list[Finding] | None:
    """The model's audit findings and those the simulation raises, or ``None`` where the checks are absent.

    The checks live in :mod:`hygie.engines.continuity.checks`, imported here only: the simulation
    and its JSON form do not depend on them.
    """
    try:
        checks = importlib.import_module("hygie.engines.continuity.checks")
    except ImportError:
        return None
    if not hasattr(checks, "audit") or not hasattr(checks, "simulation_findings"):
        return None  # an installation (or a work tree) without the checks' entry points
    found: list[Finding] = list(checks.audit(model, as_of=as_of))
    if simulation is not None:
        found += checks.simulation_findings(model, simulation)
    return found


def to_dict(
    simulation: Simulation,
    *,
    model: Model | None = None,
    seed: int = 0,
    what_ifs: Sequence[WhatIf] = (),
    findings: Sequence[Finding] = (),
) -> dict[str, Any]:
    """The whole result: scenario, runs, seed, activities, median schedule, what-ifs and findings."""
    kinds = {activity.name: activity.kind for activity in model.activities} if model is not None else {}
    return {
        "scenario": simulation.scenario,
        "runs": simulation.runs,
        "seed": seed,
        "activities": [activity_to_dict(a, kinds.get(a.name, "care")) for a in simulation.activities],
        "schedule": [schedule_to_dict(restore) for restore in simulation.schedule],
        "what_if": [what_if_to_dict(what_if) for what_if in what_ifs],
        "findings": [finding.to_dict() for finding in findings],
    }
