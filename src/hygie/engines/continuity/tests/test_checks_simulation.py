"""Continuity simulation checks: each fires on the activity whose target a scenario breaks, else stays quiet."""

from __future__ import annotations

import json

import pytest

from hygie.engines._core import Severity
from hygie.engines.continuity.registry import CheckId
from hygie.engines.continuity.tests.check_builders import (
    ONLINE_ONLY,
    Change,
    activity,
    backup,
    simulated_findings,
)

#: Simulation checks: the change and the scenario that make each fire on the emergency activity.
SIMULATION_FIRES: dict[CheckId, list[tuple[Change, str]]] = {
    CheckId.RTO_NOT_MET: [(activity("emergency", rto_h=0.5), "server")],
    CheckId.RPO_NOT_MET: [
        (activity("emergency", rpo_h=1), "record"),
        (backup("dpi", copies=ONLINE_ONLY), "ransomware"),
    ],
    CheckId.DEGRADED_MODE_EXCEEDED: [
        (activity("emergency", degraded_modes=[{"name": "paper", "hold_h": 0.5}]), "server"),
        (activity("emergency", degraded_modes=[]), "server"),
    ],
}

#: Simulation checks: changes and scenarios that keep each quiet.
SIMULATION_QUIET: dict[CheckId, list[tuple[Change, str]]] = {
    CheckId.RTO_NOT_MET: [(activity("emergency", rto_h=1), "server")],
    CheckId.RPO_NOT_MET: [(activity("emergency", rpo_h=4), "ransomware"), (activity("emergency", rpo_h=0), "server")],
    CheckId.DEGRADED_MODE_EXCEEDED: [
        (activity("emergency", degraded_modes=[{"name": "paper", "hold_h": 1}]), "server")
    ],
}


class TestSimulationChecks:
    """Each simulation check fires on the activity whose target a scenario breaks, and stays quiet otherwise."""

    @pytest.mark.parametrize(
        ("check_id", "change", "scenario"),
        [(check_id, change, scenario) for check_id, cases in SIMULATION_FIRES.items() for change, scenario in cases],
        ids=lambda value: value if isinstance(value, str) else None,
    )
    def test_fires(self, check_id: CheckId, change: Change, scenario: str) -> None:
        findings = simulated_findings(check_id, change, scenario)
        assert [[("activity", "emergency"), ("scenario", scenario)]] == [
            [(a.kind, a.name) for a in f.affected] for f in findings
        ]

    @pytest.mark.parametrize(
        ("check_id", "change", "scenario"),
        [(check_id, change, scenario) for check_id, cases in SIMULATION_QUIET.items() for change, scenario in cases],
        ids=lambda value: value if isinstance(value, str) else None,
    )
    def test_quiet(self, check_id: CheckId, change: Change, scenario: str) -> None:
        assert [] == simulated_findings(check_id, change, scenario)

    def test_rto_evidence_gives_the_downtime_against_the_target(self) -> None:
        (finding,) = simulated_findings(CheckId.RTO_NOT_MET, activity("emergency", rto_h=0.5), "server")
        assert {
            "scenario": "server",
            "rto_h": 0.5,
            "downtime_p50_h": 1.0,
            "downtime_p90_h": 1.0,
            "runs": 201,
        } == finding.evidence

    def test_unbounded_loss_says_no_copy_survives_and_is_critical(self) -> None:
        (finding,) = simulated_findings(CheckId.RPO_NOT_MET, backup("dpi", copies=ONLINE_ONLY), "ransomware")
        assert (Severity.CRITICAL, None, True, "no copy survives") == (
            finding.severity,
            finding.evidence["data_loss_p50_h"],
            finding.evidence["no_copy_survives"],
            finding.evidence["explanation"],
        )
        json.dumps(finding.to_dict(), allow_nan=False)

    def test_bounded_loss_is_high_with_its_figures(self) -> None:
        (finding,) = simulated_findings(CheckId.RPO_NOT_MET, activity("emergency", rpo_h=1), "record")
        assert (Severity.HIGH, False) == (finding.severity, finding.evidence["no_copy_survives"])
        assert 1 < finding.evidence["data_loss_p50_h"] <= 4

    def test_degraded_mode_evidence_gives_the_uncovered_hours(self) -> None:
        change = activity("emergency", degraded_modes=[{"name": "paper", "hold_h": 0.25}])
        (finding,) = simulated_findings(CheckId.DEGRADED_MODE_EXCEEDED, change, "server")
        assert (0.25, 1.0, 0.75) == (
            finding.evidence["degraded_hold_h"],
            finding.evidence["downtime_p50_h"],
            finding.evidence["care_impact_p50_h"],
        )

    def test_the_same_activity_under_two_scenarios_gives_two_fingerprints(self) -> None:
        change = activity("emergency", rto_h=0.5, rpo_h=0)
        server = simulated_findings(CheckId.RTO_NOT_MET, change, "server")
        record = simulated_findings(CheckId.RTO_NOT_MET, change, "record")
        assert server[0].fingerprint != record[0].fingerprint
