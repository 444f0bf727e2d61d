"""REST API of continuity and recovery: the model, simulations (start = a job), exercises, readiness, import/export.

Every query goes through ``restrict(request.user, action)``: another tenant's object is a 404.
The model's document (``/export/{node_id}``) is the engine's YAML/JSON schema; ``/import/{node_id}``
takes the same document (managers only: it replaces a component's copies, tests and modes).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.continuity.filtersets import (
    BackupSystemFilterSet,
    BusinessImpactFilterSet,
    ComponentFilterSet,
    ExerciseFilterSet,
    RecoveryTeamFilterSet,
    ScenarioFilterSet,
    SimulationFilterSet,
)
from hygie.apps.continuity.models import (
    BackupCopy,
    BackupPlan,
    BackupSystem,
    BusinessImpact,
    Component,
    Exercise,
    RecoveryScenario,
    RecoveryTeam,
    RestoreTest,
    Simulation,
)
from hygie.apps.continuity.running import start_simulation
from hygie.apps.continuity.schemas import (
    ActionIn,
    ActionOut,
    BackupPlanIn,
    BackupPlanOut,
    BackupSystemOut,
    BusinessImpactOut,
    ComponentDetailOut,
    ComponentOut,
    ExerciseDetailOut,
    ExerciseIn,
    ExerciseOut,
    ImportOut,
    ObjectId,
    RestoreTestIn,
    RestoreTestOut,
    ScenarioOut,
    SimulateIn,
    SimulationDetailOut,
    SimulationOut,
    TeamOut,
)
from hygie.apps.inventory.models import CareActivity
from hygie.apps.organizations.models import Node
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["continuity"])

#: Largest model document accepted by the import (bytes): a group's model is a few megabytes at most.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


# --- Helpers ----------------------------------------------------------------------------------------


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(map(str, texts))}" for field, texts in error.message_dict.items())
    return " ".join(map(str, error.messages))


# --- Model ------------------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut])
@paginate(PageNumberPagination, page_size=100)
def list_teams(request: HttpRequest) -> Any:
    """Recovery teams; filters: node, q."""
    require_api_scope(request)
    return filtered(request, RecoveryTeamFilterSet, RecoveryTeam.objects.restrict(request.user, Action.VIEW))


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request: HttpRequest, team_id: ObjectId) -> RecoveryTeam:
    """One recovery team."""
    return get_object_or_404(RecoveryTeam.objects.restrict(request.user, Action.VIEW), pk=team_id)


@router.get("/components", response=list[ComponentOut])
@paginate(PageNumberPagination, page_size=100)
def list_components(request: HttpRequest) -> Any:
    """Recovery components; filters: node, kind, category, platform, site, team, critical, backed_up, offline_copy."""
    require_api_scope(request)
    return filtered(request, ComponentFilterSet, Component.objects.restrict(request.user, Action.VIEW))


@router.get("/components/{component_id}", response=ComponentDetailOut)
def get_component(request: HttpRequest, component_id: ObjectId) -> Component:
    """One component with its dependencies, backup plan and copies, and restore tests."""
    components = Component.objects.restrict(request.user, Action.VIEW).select_related("backup_plan")
    return get_object_or_404(
        components.prefetch_related("depends_on", "dependents", "backup_plan__copies", "restore_tests"),
        pk=component_id,
    )


def _changeable_component(request: HttpRequest, component_id: int) -> Component:
    """A component the caller sees (404 otherwise) and may change (403 otherwise)."""
    component = get_object_or_404(Component.objects.restrict(request.user, Action.VIEW), pk=component_id)
    if not Component.objects.restrict(request.user, Action.CHANGE).filter(pk=component.pk).exists():
        raise HttpError(403, "You may not change this component.")
    return component


def _clean(obj: Any, label: str = "", exclude: list[str] | None = None) -> None:
    """Model validation; 422 naming the element (``copies[1]: frequency_h: ...``)."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise HttpError(422, f"{label}: {_messages(exc)}" if label else _messages(exc)) from exc


@router.put("/components/{component_id}/backup-plan", response=BackupPlanOut)
def put_backup_plan(request: HttpRequest, component_id: ObjectId, payload: BackupPlanIn) -> BackupPlan:
    """Create or change a component's backup plan; its copies are replaced by ``copies``, all or nothing (422)."""
    component = _changeable_component(request, component_id)
    system = None
    if payload.system_id is not None:
        system = _visible(request, BackupSystem.objects, [payload.system_id], "backup system")[0]
    plan = BackupPlan.objects.filter(component=component).first() or BackupPlan(component=component)
    plan.system = system
    for name in ("method", "frequency_h", "retention_days", "covered_by_contract"):
        setattr(plan, name, getattr(payload, name))
    _clean(plan)
    copies = [BackupCopy(**copy.model_dump()) for copy in payload.copies]
    for index, copy in enumerate(copies):
        _clean(copy, f"copies[{index}]", exclude=["plan"])
    with transaction.atomic():
        plan.save()
        # One by one (not bulk) so that the audit log records each copy removed and added.
        for old in plan.copies.all():
            old.delete()
        for copy in copies:
            copy.plan = plan
            copy.save()
    return plan


@router.post("/components/{component_id}/restore-tests", response={201: RestoreTestOut})
def add_restore_test(request: HttpRequest, component_id: ObjectId, payload: RestoreTestIn) -> Status[RestoreTest]:
    """Record a restore test of a component (optionally during an exercise); 422 on bad values or a future date."""
    component = _changeable_component(request, component_id)
    exercise = None
    if payload.exercise_id is not None:
        exercise = _visible(request, Exercise.objects, [payload.exercise_id], "exercise")[0]
    if payload.date > timezone.localdate():
        raise HttpError(422, "date: a restore test cannot be dated in the future.")
    test = RestoreTest(component=component, exercise=exercise, **payload.model_dump(exclude={"exercise_id"}))
    _clean(test)
    test.save()
    return Status(201, test)


@router.get("/backup-systems", response=list[BackupSystemOut])
@paginate(PageNumberPagination, page_size=100)
def list_backup_systems(request: HttpRequest) -> Any:
    """Backup systems; filters: node, authentication, mfa, isolation, supervised, q."""
    require_api_scope(request)
    return filtered(request, BackupSystemFilterSet, BackupSystem.objects.restrict(request.user, Action.VIEW))


@router.get("/backup-systems/{system_id}", response=BackupSystemOut)
def get_backup_system(request: HttpRequest, system_id: ObjectId) -> BackupSystem:
    """One backup system."""
    return get_object_or_404(BackupSystem.objects.restrict(request.user, Action.VIEW), pk=system_id)


def _impacts(request: HttpRequest) -> Any:
    return (
        BusinessImpact.objects.restrict(request.user, Action.VIEW)
        .select_related("activity")
        .prefetch_related("extra_needs", "activity__degraded_modes")
    )


@router.get("/business-impacts", response=list[BusinessImpactOut])
@paginate(PageNumberPagination, page_size=100)
def list_business_impacts(request: HttpRequest) -> Any:
    """Business-impact analyses with their derived targets; filters: node, kind, q."""
    require_api_scope(request)
    return filtered(request, BusinessImpactFilterSet, _impacts(request))


@router.get("/business-impacts/{impact_id}", response=BusinessImpactOut)
def get_business_impact(request: HttpRequest, impact_id: ObjectId) -> BusinessImpact:
    """One business-impact analysis."""
    return get_object_or_404(_impacts(request), pk=impact_id)


# --- Scenarios and simulations ----------------------------------------------------------------------


@router.get("/scenarios", response=list[ScenarioOut])
@paginate(PageNumberPagination, page_size=100)
def list_scenarios(request: HttpRequest) -> Any:
    """Recovery scenarios; filters: node, online_backups_destroyed, q."""
    require_api_scope(request)
    return filtered(request, ScenarioFilterSet, RecoveryScenario.objects.restrict(request.user, Action.VIEW))


@router.get("/scenarios/{scenario_id}", response=ScenarioOut)
def get_scenario(request: HttpRequest, scenario_id: ObjectId) -> RecoveryScenario:
    """One scenario."""
    return get_object_or_404(RecoveryScenario.objects.restrict(request.user, Action.VIEW), pk=scenario_id)


@router.post("/scenarios/{scenario_id}/simulate", response={202: SimulationOut})
def simulate_scenario(request: HttpRequest, scenario_id: ObjectId, payload: SimulateIn) -> Status[Simulation]:
    """Simulate the recovery after this scenario as a job; follow the simulation (or ``job_id`` at /api/jobs/)."""
    scenarios = RecoveryScenario.objects.restrict(request.user, Action.VIEW).select_related("node")
    scenario = get_object_or_404(scenarios, pk=scenario_id)
    if not user_can(request.user, Action.ADD, scenario.node.path):
        raise HttpError(403, "You may not simulate on this node.")
    simulation = start_simulation(scenario, user=request.user, runs=payload.runs, seed=payload.seed)
    return Status(202, simulation)


def _simulations(request: HttpRequest) -> Any:
    return Simulation.objects.restrict(request.user, Action.VIEW).select_related("scenario")


@router.get("/simulations", response=list[SimulationOut])
@paginate(PageNumberPagination, page_size=100)
def list_simulations(request: HttpRequest) -> Any:
    """Simulations, newest first; filters: node, scenario, status, q."""
    require_api_scope(request)
    return filtered(request, SimulationFilterSet, _simulations(request))


@router.get("/simulations/{simulation_id}", response=SimulationDetailOut)
def get_simulation(request: HttpRequest, simulation_id: ObjectId) -> Simulation:
    """One simulation with its result."""
    return get_object_or_404(_simulations(request), pk=simulation_id)


# --- Exercises --------------------------------------------------------------------------------------


def _exercises(request: HttpRequest) -> Any:
    return Exercise.objects.restrict(request.user, Action.VIEW).prefetch_related("entities", "activities")


@router.get("/exercises", response=list[ExerciseOut])
@paginate(PageNumberPagination, page_size=100)
def list_exercises(request: HttpRequest) -> Any:
    """Exercises, the latest planned first; filters: node, kind, status, since, until, q."""
    require_api_scope(request)
    return filtered(request, ExerciseFilterSet, _exercises(request))


@router.get("/exercises/{exercise_id}", response=ExerciseDetailOut)
def get_exercise(request: HttpRequest, exercise_id: ObjectId) -> Exercise:
    """One exercise with its actions."""
    return get_object_or_404(_exercises(request), pk=exercise_id)


def _visible(request: HttpRequest, queryset: Any, ids: list[int], what: str) -> list[Any]:
    """The objects of ``ids`` the caller sees; 404 naming the first one they do not."""
    found = {obj.pk: obj for obj in queryset.restrict(request.user, Action.VIEW).filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise HttpError(404, f"Unknown {what} {pk}.")
    return [found[pk] for pk in ids]


@router.post("/exercises", response={201: ExerciseDetailOut})
def create_exercise(request: HttpRequest, payload: ExerciseIn) -> Status[Exercise]:
    """Plan (or record) an exercise on a node; 422 on bad values."""
    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    entities = _visible(request, Node.objects, payload.entity_ids, "node")
    activities = _visible(request, CareActivity.objects, payload.activity_ids, "activity")
    exercise = Exercise(
        node=node,
        **payload.model_dump(exclude={"node_id", "entity_ids", "activity_ids"}),
    )
    try:
        exercise.full_clean()
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    with transaction.atomic():
        exercise.save()
        exercise.entities.set(entities)
        exercise.activities.set(activities)
    return Status(201, exercise)


@router.post("/exercises/{exercise_id}/actions", response={201: ActionOut})
def add_action(request: HttpRequest, exercise_id: ObjectId, payload: ActionIn) -> Status[Any]:
    """Record an action of an exercise: an open finding with its owner and due date; 422 on bad values."""
    from hygie.apps.accounts.models import User
    from hygie.apps.continuity.actions import add_exercise_action

    exercise = get_object_or_404(Exercise.objects.restrict(request.user, Action.VIEW).select_related("node"),
                                 pk=exercise_id)  # fmt: skip
    if not user_can(request.user, Action.ADD, exercise.node.path):
        raise HttpError(403, "You may not add actions to this exercise.")
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise HttpError(422, "owner: unknown user.")
    try:
        action = add_exercise_action(
            exercise,
            actor=request.user,
            title=payload.title,
            severity=payload.severity,
            owner=owner,
            due_date=payload.due_date,
            remediation=payload.remediation,
        )
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from exc
    return Status(201, action)


# --- Readiness, plan, import and export -------------------------------------------------------------


@router.get("/readiness/{node_id}", response=dict[str, Any])
def get_readiness(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """The CaRE domain-2 objectives of a node: met, partial or not met, with their evidence."""
    from hygie.apps.continuity.readiness import readiness

    result: dict[str, Any] = readiness(_node(request, node_id)).to_dict()
    return result


@router.get("/plan/{node_id}")
def get_plan(request: HttpRequest, node_id: ObjectId) -> HttpResponse:
    """The continuity and recovery plan (PCA/PRA) of a node, as one HTML page."""
    from hygie.apps.continuity.plan import plan_html

    return HttpResponse(plan_html(_node(request, node_id)), content_type="text/html; charset=utf-8")


@router.get("/export/{node_id}", response=dict[str, Any])
def export_model(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """The node's continuity model as the engine's document (``hygie continuity simulate`` reads it)."""
    from hygie.apps.continuity.document import model_document

    return model_document(_node(request, node_id))


@router.post("/import/{node_id}", response=ImportOut)
def import_model(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """Import a model document (JSON body) into a node, all or nothing; 400 naming the element at fault."""
    from hygie.apps.continuity.importing import import_document
    from hygie.engines.continuity.loader import ModelError

    node = _node(request, node_id, Action.DELETE)
    if len(request.body) > MAX_DOCUMENT_BYTES:
        raise HttpError(413, f"The document is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB.")
    try:
        document = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, "The body is not valid JSON.") from exc
    try:
        counts = import_document(node, document, actor=request.user)
    except ModelError as exc:
        raise HttpError(400, str(exc)) from exc
    return {"counts": counts}
