"""Simulation checks: what a recovery simulated against a scenario says about each activity's targets.

Each finding names the activity and the scenario (both are affected objects, so that the same
activity failing under two scenarios gives two findings). Figures are the medians (P50) over the
runs, with the P90 beside them; an unbounded data loss (no copy survives) is written ``null`` with
``no_copy_survives`` set, since JSON has no infinity.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hygie.engines._core import AffectedObject, Severity
from hygie.engines.continuity.registry import CheckId, make_finding, simulation_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import Model
    from hygie.engines.continuity.simulate import ActivityOutcome, Simulation

__all__ = ["degraded_mode_exceeded", "rpo_not_met", "rto_not_met"]


def _hours(value: float) -> float | None:
    """Hours to two decimals; ``None`` for an unbounded value."""
    return round(value, 2) if math.isfinite(value) else None


def _affected(outcome: ActivityOutcome, simulation: Simulation) -> list[AffectedObject]:
    return [
        AffectedObject("activity", outcome.name, outcome.name),
        AffectedObject("scenario", simulation.scenario, simulation.scenario),
    ]


@simulation_check(
    CheckId.RTO_NOT_MET,
    title_en="Activity not recovered within its RTO",
    title_fr="Activité non rétablie dans sa DMIA",
    severity=Severity.HIGH,
    remediation=(
        "Shorten the recovery of the components this activity needs (restore order, team capacity, faster "
        "restores, redundancy), or extend its degraded mode and revise the RTO with the business owners."
    ),
    references=("care:d2.o1.c", "nis2:art21.2.c"),
)
def rto_not_met(model: Model, simulation: Simulation) -> list[Finding]:
    """Activities back after their RTO in at least half of the runs."""
    return [
        make_finding(
            CheckId.RTO_NOT_MET,
            _affected(outcome, simulation),
            {
                "scenario": simulation.scenario,
                "rto_h": outcome.rto_h,
                "downtime_p50_h": _hours(outcome.downtime_p50),
                "downtime_p90_h": _hours(outcome.downtime_p90),
                "runs": simulation.runs,
            },
        )
        for outcome in simulation.activities
        if not outcome.meets_rto
    ]


@simulation_check(
    CheckId.RPO_NOT_MET,
    title_en="Activity loses more data than its RPO",
    title_fr="Activité perdant plus de données que sa PDMA",
    severity=Severity.HIGH,
    remediation=(
        "Refresh the copies that survive this scenario more often (an offline or immutable copy for a "
        "ransomware), or revise the RPO with the business owners."
    ),
    references=("care:d2.o3.c", "care:d2.o2.b", "nis2:art21.2.c"),
)
def rpo_not_met(model: Model, simulation: Simulation) -> list[Finding]:
    """Activities losing more than their RPO of data in at least half of the runs.

    When no copy survives, the loss is unbounded: the finding says so and is critical.
    """
    findings: list[Finding] = []
    for outcome in simulation.activities:
        if outcome.meets_rpo:
            continue
        lost = not math.isfinite(outcome.data_loss_p50)
        evidence = {
            "scenario": simulation.scenario,
            "rpo_h": outcome.rpo_h,
            "data_loss_p50_h": _hours(outcome.data_loss_p50),
            "data_loss_p90_h": _hours(outcome.data_loss_p90),
            "no_copy_survives": lost,
            "runs": simulation.runs,
        }
        if lost:
            evidence["explanation"] = "no copy survives"
        severity = Severity.CRITICAL if lost else None
        findings.append(make_finding(CheckId.RPO_NOT_MET, _affected(outcome, simulation), evidence, severity=severity))
    return findings


@simulation_check(
    CheckId.DEGRADED_MODE_EXCEEDED,
    title_en="Degraded mode does not hold until the activity is recovered",
    title_fr="Le mode dégradé ne tient pas jusqu'au rétablissement de l'activité",
    severity=Severity.HIGH,
    remediation=(
        "Extend the degraded-mode procedures (paper forms, fallback workstations, staffing) so they hold until "
        "recovery, or shorten the recovery of the components the activity needs."
    ),
    references=("care:d2.o1.c", "care:d2.o1.b", "nis2:art21.2.c"),
)
def degraded_mode_exceeded(model: Model, simulation: Simulation) -> list[Finding]:
    """Activities still down after their degraded modes stop holding, in at least half of the runs.

    An activity without any degraded mode holds for 0 h: any downtime then counts.
    """
    kinds = {activity.name: activity.kind for activity in model.activities}
    return [
        make_finding(
            CheckId.DEGRADED_MODE_EXCEEDED,
            _affected(outcome, simulation),
            {
                "scenario": simulation.scenario,
                "activity_kind": kinds.get(outcome.name, ""),
                "degraded_hold_h": outcome.degraded_hold_h,
                "downtime_p50_h": _hours(outcome.downtime_p50),
                "care_impact_p50_h": _hours(outcome.care_impact_p50),
                "care_impact_p90_h": _hours(outcome.care_impact_p90),
                "runs": simulation.runs,
            },
        )
        for outcome in simulation.activities
        if not outcome.degraded_mode_holds
    ]
