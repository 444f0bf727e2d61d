"""Continuity and recovery on the platform (CaRE domain 2).

An establishment records its **recovery components** (applications from the inventory and the
infrastructure they depend on), the **teams** that restore them, **backup systems**, each
component's **backup plan** and **copies**, and **restore tests**. Each inventory activity gets a
**business-impact analysis** (impacts over time on five axes -> MTPD, RTO, RPO, minimum service)
and its **degraded modes**. **Scenarios** say what an event takes; a **simulation** runs the
continuity engine over the model and keeps its result. **Exercises** are planned and recorded with
their timings and lessons; their **actions** live in the findings register. The **programme** holds
the governance facts CaRE domain 2 asks for.
"""

from hygie.apps.continuity.models.backups import (
    Authentication,
    BackupCopy,
    BackupMethod,
    BackupPlan,
    BackupSystem,
    Medium,
    RestoreTest,
)
from hygie.apps.continuity.models.components import (
    Component,
    ComponentCategory,
    ComponentKind,
    Platform,
    RecoveryTeam,
)
from hygie.apps.continuity.models.exercises import Exercise, ExerciseAction, ExerciseKind, ExerciseStatus
from hygie.apps.continuity.models.impact import ActivityKind, BusinessImpact, DegradedMode
from hygie.apps.continuity.models.programme import ContinuityProgramme
from hygie.apps.continuity.models.scenarios import RecoveryScenario, Simulation, SimulationStatus

__all__ = [
    "ActivityKind",
    "Authentication",
    "BackupCopy",
    "BackupMethod",
    "BackupPlan",
    "BackupSystem",
    "BusinessImpact",
    "Component",
    "ComponentCategory",
    "ComponentKind",
    "ContinuityProgramme",
    "DegradedMode",
    "Exercise",
    "ExerciseAction",
    "ExerciseKind",
    "ExerciseStatus",
    "Medium",
    "Platform",
    "RecoveryScenario",
    "RecoveryTeam",
    "RestoreTest",
    "Simulation",
    "SimulationStatus",
]
