"""Schemas of the continuity REST API (:mod:`hygie.apps.continuity.api`): what goes out and what comes in."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from hygie.apps.continuity.running import MAX_RUNS

if TYPE_CHECKING:
    from hygie.apps.continuity.models import BusinessImpact, Component, Exercise, ExerciseAction, Simulation

__all__ = [
    "ActionIn",
    "ActionOut",
    "BackupPlanIn",
    "BackupPlanOut",
    "BackupSystemOut",
    "BusinessImpactOut",
    "ComponentDetailOut",
    "ComponentOut",
    "ComponentRef",
    "CopyIn",
    "CopyOut",
    "DegradedModeOut",
    "ExerciseDetailOut",
    "ExerciseIn",
    "ExerciseOut",
    "ImportOut",
    "ObjectId",
    "RestoreTestIn",
    "RestoreTestOut",
    "ScenarioOut",
    "SimulateIn",
    "SimulationDetailOut",
    "SimulationOut",
    "TargetsOut",
    "TeamOut",
]

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class TeamOut(Schema):
    """A recovery team."""

    id: int
    node_id: int
    name: str
    capacity: int
    members: str


class ComponentRef(Schema):
    """A component named in another."""

    id: int
    name: str


class ComponentOut(Schema):
    """A recovery component (an application or infrastructure)."""

    id: int
    node_id: int
    name: str
    kind: str
    category: str
    application_id: int | None
    site: str
    platform: str
    team_id: int
    critical: bool
    restore_h: float | None
    data_gb: float | None
    throughput_gb_h: float | None
    setup_h: float | None
    rebuild_h: float | None
    spread: float | None


class CopyOut(Schema):
    """A backup copy."""

    id: int
    site: str
    medium: str
    online: bool
    immutable: bool
    encrypted: bool
    frequency_h: float | None


class BackupPlanOut(Schema):
    """How a component is backed up, and its copies."""

    id: int
    system_id: int | None
    method: str
    frequency_h: float
    retention_days: int
    covered_by_contract: bool
    copies: list[CopyOut]

    @staticmethod
    def resolve_copies(obj: Any) -> list[Any]:
        """Copies in creation order."""
        return sorted(obj.copies.all(), key=lambda copy: copy.pk)


class RestoreTestOut(Schema):
    """A restore test."""

    id: int
    date: dt.date
    success: bool
    duration_h: float | None
    to_production: bool
    functional_check_by: str
    exercise_id: int | None
    notes: str


class ComponentDetailOut(ComponentOut):
    """A component with its dependencies, dependents, backup plan, restore tests and runbook."""

    runbook: str
    depends_on: list[ComponentRef]
    dependents: list[ComponentRef]
    backup_plan: BackupPlanOut | None
    restore_tests: list[RestoreTestOut]

    @staticmethod
    def resolve_depends_on(obj: Component) -> list[Any]:
        """What it needs first."""
        return list(obj.depends_on.all())

    @staticmethod
    def resolve_dependents(obj: Component) -> list[Any]:
        """What needs it."""
        return list(obj.dependents.all())

    @staticmethod
    def resolve_backup_plan(obj: Component) -> Any:
        """The backup plan, or null."""
        return getattr(obj, "backup_plan", None)

    @staticmethod
    def resolve_restore_tests(obj: Component) -> list[Any]:
        """Restore tests, newest first."""
        return list(obj.restore_tests.all())


class BackupSystemOut(Schema):
    """A backup system."""

    id: int
    node_id: int
    name: str
    product: str
    authentication: str
    mfa: bool
    isolation: bool
    supervised: bool
    central_alerts: bool
    failure_procedure: str


class TargetsOut(Schema):
    """MTPD, RTO, RPO (hours) and minimum service level (%)."""

    mtpd_h: float | None
    rto_h: float
    rpo_h: float
    min_service_pct: float | None


class DegradedModeOut(Schema):
    """A degraded-mode procedure."""

    id: int
    name: str
    procedure: str
    hold_h: float
    owner: str
    last_tested: dt.date | None


class BusinessImpactOut(Schema):
    """A business-impact analysis: the grid, explicit targets, derived targets and those in force."""

    id: int
    activity_id: int
    activity: str
    node_id: int
    kind: str
    grid: dict[str, Any]
    rto_h: float | None
    rpo_h: float | None
    mtpd_h: float | None
    min_service_pct: float | None
    derived: TargetsOut
    targets: TargetsOut
    extra_need_ids: list[int]
    degraded_modes: list[DegradedModeOut]
    assessed_on: dt.date | None
    assessed_by: str

    @staticmethod
    def resolve_activity(obj: BusinessImpact) -> str:
        """The activity's name."""
        return obj.activity.name

    @staticmethod
    def resolve_node_id(obj: BusinessImpact) -> int:
        """The activity's node."""
        return obj.activity.node_id

    @staticmethod
    def resolve_derived(obj: BusinessImpact) -> Any:
        """The targets the grid implies."""
        return obj.derived()

    @staticmethod
    def resolve_targets(obj: BusinessImpact) -> Any:
        """The targets in force (explicit values win)."""
        return obj.targets()

    @staticmethod
    def resolve_extra_need_ids(obj: BusinessImpact) -> list[int]:
        """Components needed beyond the activity's applications."""
        return [component.pk for component in obj.extra_needs.all()]

    @staticmethod
    def resolve_degraded_modes(obj: BusinessImpact) -> list[Any]:
        """The activity's degraded modes."""
        return list(obj.activity.degraded_modes.all())


class ScenarioOut(Schema):
    """A recovery scenario."""

    id: int
    node_id: int
    name: str
    description: str
    lost: list[str]
    outages: dict[str, float]
    online_backups_destroyed: bool


class SimulateIn(Schema):
    """Simulation parameters."""

    model_config = ConfigDict(extra="forbid")

    runs: int = Field(2000, ge=1, le=MAX_RUNS)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class SimulationOut(Schema):
    """A simulation: its parameters and status (the result is in the detail)."""

    id: int
    scenario_id: int
    scenario: str
    node_id: int
    runs: int
    seed: int
    status: str
    job_id: int | None
    error: str
    created: dt.datetime

    @staticmethod
    def resolve_scenario(obj: Simulation) -> str:
        """The scenario's name."""
        return obj.scenario.name

    @staticmethod
    def resolve_node_id(obj: Simulation) -> int:
        """The node whose model is simulated (the scenario's)."""
        return obj.scenario.node_id


class SimulationDetailOut(SimulationOut):
    """A simulation and its result (the engine's JSON: activities, schedule, what-ifs, findings)."""

    result: dict[str, Any]


class ExerciseOut(Schema):
    """An exercise."""

    id: int
    node_id: int
    kind: str
    title: str
    scenario: str
    status: str
    planned_on: dt.date
    held_on: dt.date | None
    participants: str
    entity_ids: list[int]
    activity_ids: list[int]
    timings: list[dict[str, Any]]
    lessons: str

    @staticmethod
    def resolve_entity_ids(obj: Exercise) -> list[int]:
        """Establishments covered."""
        return [node.pk for node in obj.entities.all()]

    @staticmethod
    def resolve_activity_ids(obj: Exercise) -> list[int]:
        """Activities tested."""
        return [activity.pk for activity in obj.activities.all()]


class ActionOut(Schema):
    """An exercise action: its finding in the register."""

    id: int
    finding_id: int
    title: str
    severity: int
    status: str
    owner_id: int | None
    due_date: dt.date | None

    @staticmethod
    def resolve_title(obj: ExerciseAction) -> str:
        """The finding's title."""
        return obj.finding.title

    @staticmethod
    def resolve_severity(obj: ExerciseAction) -> int:
        """The finding's severity."""
        return obj.finding.severity

    @staticmethod
    def resolve_status(obj: ExerciseAction) -> str:
        """The finding's status."""
        return obj.finding.status

    @staticmethod
    def resolve_owner_id(obj: ExerciseAction) -> int | None:
        """The finding's owner."""
        return obj.finding.owner_id

    @staticmethod
    def resolve_due_date(obj: ExerciseAction) -> dt.date | None:
        """The finding's due date."""
        return obj.finding.due_date


class ExerciseDetailOut(ExerciseOut):
    """An exercise with its actions."""

    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(obj: Exercise) -> list[Any]:
        """Actions, in creation order."""
        return list(obj.actions.select_related("finding").order_by("pk"))


class ExerciseIn(Schema):
    """A new exercise."""

    model_config = ConfigDict(extra="forbid")

    node_id: ObjectId
    kind: str = Field(max_length=24)
    title: str = Field(max_length=200)
    scenario: str = Field("", max_length=20_000)
    status: str = Field("planned", max_length=16)
    planned_on: dt.date
    held_on: dt.date | None = None
    participants: str = Field("", max_length=20_000)
    entity_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)
    activity_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)
    timings: list[dict[str, Any]] = Field(default_factory=list, max_length=500)
    lessons: str = Field("", max_length=50_000)


class ActionIn(Schema):
    """An action decided after an exercise (it becomes a finding)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    severity: str = Field("medium", max_length=16)
    owner_id: ObjectId | None = None
    due_date: dt.date | None = None
    remediation: str = Field("", max_length=20_000)


class ImportOut(Schema):
    """Objects written per kind."""

    counts: dict[str, int]


class CopyIn(Schema):
    """A backup copy of a plan: site, medium, online or not, immutable, encrypted, refresh period."""

    model_config = ConfigDict(extra="forbid")

    site: str = Field("", max_length=100)
    medium: str = Field("disk", max_length=16)
    online: bool = True
    immutable: bool = False
    encrypted: bool = False
    frequency_h: float | None = None


class BackupPlanIn(Schema):
    """A component's backup plan; ``copies`` replace the plan's copies, all at once."""

    model_config = ConfigDict(extra="forbid")

    system_id: ObjectId | None = None
    method: str = Field("full", max_length=16)
    frequency_h: float
    retention_days: int = Field(30, ge=0, le=2**31 - 1)
    covered_by_contract: bool = False
    copies: list[CopyIn] = Field(default_factory=list, max_length=50)


class RestoreTestIn(Schema):
    """A restore test of a component (not dated in the future)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    success: bool = True
    duration_h: float | None = None
    to_production: bool = False
    functional_check_by: str = Field("", max_length=150)
    exercise_id: ObjectId | None = None
    notes: str = Field("", max_length=20_000)
