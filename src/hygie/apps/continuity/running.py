"""Recovery simulations run as background jobs (or synchronously from the CLI and the demo).

A simulation runs the engine on the model of its scenario's node: the Monte Carlo simulation,
then the what-if comparisons (on at most :data:`~hygie.engines.continuity.whatif.WHAT_IF_RUNS`
runs: one more simulation per candidate, common random numbers keep the differences steady). The
result is stored as the engine's JSON (:func:`hygie.engines.continuity.serialise.to_dict`), and
the findings go to the register of the scenario's node: the model checks under the source
``continuity`` (see :mod:`~hygie.apps.continuity.assessment`), the simulation's own (RTO or RPO
not met, degraded mode exceeded) under a source per scenario, ``continuity_scenario_<id>``, so
that simulating one scenario never closes what another raised.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import record
from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.assessment import model_findings, store_model_findings
from hygie.apps.continuity.document import document_of, scope_of
from hygie.apps.continuity.models import RecoveryScenario, Simulation, SimulationStatus
from hygie.apps.findings.ingest import ingest
from hygie.apps.jobs.runner import start_job
from hygie.engines._core import NullProgress, Progress
from hygie.engines.continuity.loader import ModelError, model_from_dict

__all__ = [
    "MAX_RUNS",
    "SIMULATION_TARGET",
    "SimulationFailedError",
    "new_simulation",
    "run_simulation",
    "run_simulation_job",
    "scenario_source",
    "start_simulation",
]


SIMULATION_TARGET = "hygie.apps.continuity.running.run_simulation_job"
#: Most Monte Carlo runs a simulation may ask for (memory grows with components x runs).
MAX_RUNS = 100_000


class SimulationFailedError(Exception):
    """The simulation could not run: the message says why, for people."""


def scenario_source(scenario: RecoveryScenario) -> str:
    """The findings register's source of a scenario's simulation findings."""
    return f"continuity_scenario_{scenario.pk}"


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def new_simulation(scenario: RecoveryScenario, *, user: Any, runs: int = 2000, seed: int = 0) -> Simulation:
    """A queued simulation of ``scenario`` (``runs`` clamped to 1..:data:`MAX_RUNS`)."""
    return Simulation.objects.create(
        scenario=scenario, runs=min(max(1, runs), MAX_RUNS), seed=max(0, seed), created_by=_user(user)
    )


def start_simulation(scenario: RecoveryScenario, *, user: Any, runs: int = 2000, seed: int = 0) -> Simulation:
    """Queue a simulation as a job (callers checked the right to add data on the scenario's node)."""
    simulation = new_simulation(scenario, user=user, runs=runs, seed=seed)
    job = start_job(
        node=scenario.node,
        kind="continuity.simulation",
        label=_("Recovery simulation: %(scenario)s") % {"scenario": scenario.name},
        user=user,
        target=SIMULATION_TARGET,
        simulation_id=simulation.pk,
        user_id=getattr(user, "pk", None),
    )
    Simulation.objects.filter(pk=simulation.pk).update(job=job)
    simulation.job = job
    return simulation


def _fail(simulation: Simulation, message: str) -> None:
    simulation.status = SimulationStatus.FAILED
    simulation.error = message[:5000]
    Simulation.objects.filter(pk=simulation.pk).update(status=simulation.status, error=simulation.error)


def _engine_result(simulation: Simulation, progress: Progress) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """(the JSON result, the model findings, the simulation findings) of the engine run."""
    from hygie.engines.continuity.checks import simulation_findings
    from hygie.engines.continuity.serialise import to_dict
    from hygie.engines.continuity.simulate import simulate
    from hygie.engines.continuity.whatif import WHAT_IF_RUNS, what_ifs

    scope = scope_of(simulation.scenario.node)
    model = model_from_dict(document_of(scope))
    scenario = model.scenarios[scope.scenario_names[simulation.scenario.pk]]
    progress.start(_("Simulation"), 1)
    result = simulate(model, scenario, runs=simulation.runs, seed=simulation.seed)
    progress.advance()
    what_if_runs = min(simulation.runs, WHAT_IF_RUNS)
    ranked = what_ifs(
        model,
        scenario,
        runs=what_if_runs,
        seed=simulation.seed,
        baseline=result if what_if_runs == result.runs else None,
        progress=progress,
    )
    audited = model_findings(model)
    raised = simulation_findings(model, result)
    document = to_dict(result, model=model, seed=simulation.seed, what_ifs=ranked, findings=[*audited, *raised])
    return document, audited, raised


def run_simulation(simulation: Simulation, progress: Progress | None = None) -> Simulation:
    """Run ``simulation`` now and store its result and findings; ``SimulationFailedError`` (stored) on failure."""
    progress = progress or NullProgress()
    simulation.status = SimulationStatus.RUNNING
    Simulation.objects.filter(pk=simulation.pk).update(status=simulation.status)
    node = simulation.scenario.node
    try:
        document, audited, raised = _engine_result(simulation, progress)
    except ModelError as exc:
        _fail(simulation, _("The continuity model of %(node)s is invalid: %(error)s") % {"node": node, "error": exc})
        raise SimulationFailedError(simulation.error) from exc
    except Exception:
        _fail(simulation, _("The simulation failed unexpectedly; the administrators find the details in the log."))
        raise
    with transaction.atomic():
        simulation.result = document
        simulation.status = SimulationStatus.DONE
        simulation.error = ""
        simulation.save(update_fields=["result", "status", "error"])
        store_model_findings(node, audited)
        ingested = ingest(node, scenario_source(simulation.scenario), raised)
        record(
            "continuity_simulation",
            object_type="continuity.Simulation",
            object_id=str(simulation.pk),
            object_repr=str(simulation)[:200],
            after={"scenario": simulation.scenario.name, "runs": simulation.runs, "findings": len(raised)},
            node_id=node.pk,
        )
    missed = sum(1 for activity in document["activities"] if not activity["meets_rto"])
    progress.log(
        _("%(activities)d activities, %(missed)d miss their RTO; %(findings)d simulation findings (%(new)d new).")
        % {
            "activities": len(document["activities"]),
            "missed": missed,
            "findings": len(raised),
            "new": ingested.created,
        }
    )
    return simulation


def _refusal(simulation: Simulation, user_id: int | None) -> str | None:
    """Why the queued simulation may not run now, or None when whoever asked may still add data on its node."""
    if user_id is None:
        return None if simulation.created_by_id is None else _("This simulation names nobody who asked for it.")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return _("The person who asked for this simulation no longer has an active account.")
    if not Simulation.objects.restrict(user, Action.ADD).filter(pk=simulation.pk).exists():
        return _("The person who asked for this simulation may no longer add data to its node.")
    return None


def _allowed_simulation(simulation_id: int, user_id: int | None) -> Simulation:
    """The queued simulation, when it may run; else ``PermissionError`` (and the simulation marked failed)."""
    simulation = Simulation.objects.select_related("scenario", "scenario__node").filter(pk=simulation_id).first()
    if simulation is None:
        raise PermissionError(_("This simulation no longer exists."))
    refusal = _refusal(simulation, user_id)
    if refusal is not None:
        _fail(simulation, refusal)
        raise PermissionError(refusal)
    return simulation


def run_simulation_job(*, progress: Progress, simulation_id: int, user_id: int | None) -> dict[str, Any]:
    """Job target: run a queued simulation."""
    simulation = _allowed_simulation(simulation_id, user_id)
    started = timezone.now()
    run_simulation(simulation, progress)
    return {
        "simulation": simulation.pk,
        "activities": len(simulation.result.get("activities", [])),
        "seconds": round((timezone.now() - started).total_seconds(), 3),
    }
