"""Simulations as jobs: the engine's JSON stored, findings in the register, failures stored."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.apps.continuity.models import SimulationStatus
from hygie.apps.continuity.running import (
    SimulationFailedError,
    new_simulation,
    run_simulation,
    scenario_source,
    start_simulation,
)
from hygie.apps.findings.models import Finding
from hygie.apps.jobs.models import Job, JobStatus
from hygie.testing.tasks import run_queued_tasks

from .support import build_continuity


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


class TestRunSimulation:
    """``run_simulation`` runs synchronously."""

    def test_result_and_findings(self, built: dict[str, Any], tenants: Any) -> None:
        """The result has the serialise shape; RTO misses and model checks land in the register."""
        simulation = run_simulation(new_simulation(built["ransomware"], user=None, runs=200, seed=1))
        simulation.refresh_from_db()
        assert SimulationStatus.DONE == simulation.status
        result = simulation.result
        assert {"scenario", "runs", "seed", "activities", "schedule", "what_if", "findings"} <= set(result)
        assert ("Ransomware", 200, 1) == (result["scenario"], result["runs"], result["seed"])
        emergencies = next(a for a in result["activities"] if a["name"] == "Emergencies")
        assert {"p50", "p90"} == set(emergencies["downtime_h"])
        assert emergencies["meets_rto"] is False  # a 1 h RTO after a ransomware
        assert {"Active Directory", "Patient record"} <= {step["component"] for step in result["schedule"]}
        assert result["what_if"]
        register = Finding.objects.filter(node=tenants.hospital_a)
        assert register.filter(source="continuity").exists()
        assert register.filter(source=scenario_source(built["ransomware"]), check_id="continuity.rto_not_met").exists()

    def test_same_seed_same_result(self, built: dict[str, Any]) -> None:
        """Two runs with the same seed store the same result."""
        first = run_simulation(new_simulation(built["ransomware"], user=None, runs=100, seed=3))
        second = run_simulation(new_simulation(built["ransomware"], user=None, runs=100, seed=3))
        assert first.result == second.result

    def test_invalid_model_fails(self, built: dict[str, Any]) -> None:
        """A model the engine refuses fails the simulation, with the element named; nothing else is stored."""
        built["pacs"].restore_h = None
        built["pacs"].save()
        simulation = new_simulation(built["san_failure"], user=None, runs=10)
        with pytest.raises(SimulationFailedError, match="PACS"):
            run_simulation(simulation)
        simulation.refresh_from_db()
        assert (SimulationStatus.FAILED, {}) == (simulation.status, simulation.result)
        assert "PACS" in simulation.error
        assert not Finding.objects.exists()


class TestStartSimulation:
    """``start_simulation`` queues a job the worker runs."""

    def test_job(self, built: dict[str, Any], tenants: Any) -> None:
        """The job runs the simulation as the user who asked."""
        simulation = start_simulation(built["san_failure"], user=tenants.users["analyst"], runs=50)
        assert SimulationStatus.QUEUED == simulation.status
        run_queued_tasks()
        simulation.refresh_from_db()
        assert SimulationStatus.DONE == simulation.status
        assert JobStatus.SUCCEEDED == Job.objects.get(pk=simulation.job_id).status
        assert "SAN failure" == simulation.result["scenario"]

    def test_refused_when_rights_lost(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer's queued simulation is not run: the job and the simulation fail, saying why."""
        simulation = start_simulation(built["san_failure"], user=tenants.users["viewer"], runs=50)
        run_queued_tasks()
        assert JobStatus.FAILED == Job.objects.get(pk=simulation.job_id).status
        simulation.refresh_from_db()
        assert (SimulationStatus.FAILED, {}) == (simulation.status, simulation.result)
        assert "may no longer add data" in simulation.error
