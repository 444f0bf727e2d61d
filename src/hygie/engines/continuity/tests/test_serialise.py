"""The JSON form of a simulation: the issue's keys, unbounded losses as null, rounded hours."""

from __future__ import annotations

import json

from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.serialise import to_dict
from hygie.engines.continuity.simulate import simulate
from hygie.engines.continuity.tests.test_simulate import EXAMPLE
from hygie.engines.continuity.whatif import what_ifs


class TestToDict:
    """to_dict on the worked example without uncertainty."""

    def test_the_document_has_the_issue_keys_and_the_exact_figures(self) -> None:
        """Activities, schedule and what-ifs as the issue lists them; the lab's loss is unbounded."""
        model = model_from_dict(EXAMPLE)
        scenario = model.scenarios["ransomware"]
        simulation = simulate(model, scenario, runs=10, seed=4, uncertainty=False)
        ranked = what_ifs(model, scenario, runs=10, seed=4, uncertainty=False)
        data = json.loads(json.dumps(to_dict(simulation, model=model, seed=4, what_ifs=ranked), allow_nan=False))
        assert {"scenario", "runs", "seed", "activities", "schedule", "what_if", "findings"} == set(data)
        assert ("ransomware", 10, 4) == (data["scenario"], data["runs"], data["seed"])
        emergency, laboratory = data["activities"]
        assert {"p50": 11.0, "p90": 11.0} == emergency["downtime_h"]
        assert (8.0, False, "care") == (emergency["rto_h"], emergency["meets_rto"], emergency["kind"])
        assert {"p50": None, "p90": None} == laboratory["data_loss_h"]
        assert laboratory["unrecoverable"] is True
        assert laboratory["meets_rpo"] is False
        assert {"p50": 14.0, "p90": 14.0} == laboratory["care_impact_h"]
        assert {
            "component": "lab",
            "team": "apps",
            "start_h": 11.0,
            "end_h": 14.0,
            "end_p90_h": 14.0,
            "rebuilt": True,
        } == (data["schedule"][-1])
        first = data["what_if"][0]
        assert ("team_capacity", "apps", 4.0) == (first["kind"], first["target"], first["downtime_saved_h"])
        keys = {"change", "kind", "target", "downtime_saved_h", "data_loss_saved_h", "made_recoverable", "capacity"}
        assert keys == set(first)
        assert 2 == first["capacity"]  # the team's capacity with the change
        assert [] == data["findings"]
