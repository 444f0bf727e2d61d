"""Continuity checks, one module per family; importing this package registers them all.

Two entry points: :func:`audit` runs every model check on a model as of a date;
:func:`simulation_findings` runs every simulation check on a simulated recovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from hygie.engines.continuity.checks import backup_systems, backups, restore_tests, simulation, single_points
from hygie.engines.continuity.registry import CHECKS, KINDS, AuditContext, CheckKind

if TYPE_CHECKING:
    import datetime as dt

    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import Model
    from hygie.engines.continuity.registry import ModelCheckImpl, SimulationCheckImpl
    from hygie.engines.continuity.simulate import Simulation

__all__ = [
    "audit",
    "backup_systems",
    "backups",
    "restore_tests",
    "simulation",
    "simulation_findings",
    "single_points",
]


def audit(model: Model, *, as_of: dt.date) -> list[Finding]:
    """The findings of every registered model check on ``model``, ages measured from ``as_of``.

    Findings come in registration order (backups, restore tests, backup systems, dependencies),
    each check's in model order.
    """
    context = AuditContext.of(model, as_of)
    findings: list[Finding] = []
    for spec in CHECKS:
        if KINDS[spec.check_id] is CheckKind.MODEL:
            findings.extend(cast("ModelCheckImpl", spec.implementation)(context))
    return findings


def simulation_findings(model: Model, simulation: Simulation) -> list[Finding]:
    """The findings of every registered simulation check on ``simulation``, a recovery simulated on ``model``."""
    findings: list[Finding] = []
    for spec in CHECKS:
        if KINDS[spec.check_id] is CheckKind.SIMULATION:
            findings.extend(cast("SimulationCheckImpl", spec.implementation)(model, simulation))
    return findings
