"""The continuity objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["CONTINUITY_KINDS", "continuity_objects"]

#: Kind of world object for each continuity model label.
CONTINUITY_KINDS: dict[str, str] = {
    "continuity.RecoveryTeam": "recoveryteam",
    "continuity.Component": "component",
    "continuity.BackupSystem": "backupsystem",
    "continuity.BackupPlan": "backupplan",
    "continuity.BackupCopy": "backupcopy",
    "continuity.RestoreTest": "restoretest",
    "continuity.BusinessImpact": "businessimpact",
    "continuity.DegradedMode": "degradedmode",
    "continuity.RecoveryScenario": "recoveryscenario",
    "continuity.Simulation": "simulation",
    "continuity.Exercise": "exercise",
    "continuity.ContinuityProgramme": "continuityprogramme",
}

#: A BIA grid: serious for patients after 4 h, critical after 24 h; losing 4 h of data is serious.
GRID: dict[str, Any] = {
    "impacts": {"patient_safety": [2, 3, 4, 4, 4, 4], "care_continuity": [2, 2, 3, 4, 4, 4]},
    "data_loss": [1, 3, 4, 4, 4],
}


def continuity_objects(
    nodes: tuple[Node, Node], marks: tuple[str, str], applications: tuple[Any, Any], activities: tuple[Any, Any]
) -> dict[str, tuple[Any, Any]]:
    """Per side: a team, a directory and the patient record on it, backups, a test, a BIA, a scenario, an exercise."""
    from hygie.apps.continuity.models import (
        BackupCopy,
        BackupPlan,
        BackupSystem,
        BusinessImpact,
        Component,
        ComponentCategory,
        ComponentKind,
        ContinuityProgramme,
        DegradedMode,
        Exercise,
        ExerciseKind,
        RecoveryScenario,
        RecoveryTeam,
        RestoreTest,
        Simulation,
        SimulationStatus,
    )

    made: dict[str, list[Any]] = {kind: [] for kind in CONTINUITY_KINDS.values()}
    for node, mark, application, activity in zip(nodes, marks, applications, activities, strict=True):
        team = RecoveryTeam.objects.create(node=node, name=f"Infra {mark}", capacity=2)
        directory = Component.objects.create(
            node=node, name=f"AD {mark}", kind=ComponentKind.INFRASTRUCTURE, category=ComponentCategory.DIRECTORY,
            team=team, restore_h=6, platform="windows",
        )
        record = Component.objects.create(
            node=node, name=f"DPI {mark}", application=application, team=team, restore_h=8, critical=True,
            platform="windows",
        )
        record.depends_on.add(directory)
        system = BackupSystem.objects.create(node=node, name=f"Veeam {mark}", product="Veeam")
        plan = BackupPlan.objects.create(component=record, system=system, frequency_h=24)
        copy = BackupCopy.objects.create(plan=plan, site=f"Site {mark}")
        test = RestoreTest.objects.create(component=record, date=dt.date(2026, 3, 1), success=True, duration_h=7.5)
        impact = BusinessImpact.objects.create(activity=activity, grid=GRID)
        mode = DegradedMode.objects.create(activity=activity, name=f"Paper {mark}", hold_h=12)
        scenario = RecoveryScenario.objects.create(
            node=node, name=f"Ransomware {mark}", lost=["infrastructure", "application"],
            online_backups_destroyed=True,
        )
        simulation = Simulation.objects.create(
            scenario=scenario, runs=10, status=SimulationStatus.DONE,
            result={"scenario": scenario.name, "runs": 10, "activities": [], "schedule": [], "what_if": []},
        )
        exercise = Exercise.objects.create(
            node=node, kind=ExerciseKind.TABLETOP, title=f"Tabletop {mark}", planned_on=dt.date(2026, 10, 1)
        )
        programme = ContinuityProgramme.objects.create(node=node, plan_owner=f"Owner {mark}")
        for kind, obj in (
            ("recoveryteam", team), ("component", record), ("backupsystem", system), ("backupplan", plan),
            ("backupcopy", copy), ("restoretest", test), ("businessimpact", impact), ("degradedmode", mode),
            ("recoveryscenario", scenario), ("simulation", simulation), ("exercise", exercise),
            ("continuityprogramme", programme),
        ):
            made[kind].append(obj)
    return {kind: (pair[0], pair[1]) for kind, pair in made.items()}
