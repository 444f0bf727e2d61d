"""The continuity model and its recovery simulation: validation, a hand-computed example, properties."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.engines.continuity.loader import ModelError, model_from_dict
from hygie.engines.continuity.simulate import simulate

#: Directory (4 h) then two servers in parallel on a team of 2 (3 h and 5 h), then the patient record
#: (2 h) on the applications team, needing both servers: back at 4 + 5 + 2 = 11 h.
EXAMPLE: dict[str, Any] = {
    "teams": [{"name": "infra", "capacity": 2}, {"name": "apps", "capacity": 1}],
    "components": [
        {"name": "ad", "kind": "infrastructure", "team": "infra", "restore_h": 4},
        {"name": "srv1", "kind": "infrastructure", "team": "infra", "restore_h": 3, "depends_on": ["ad"]},
        {"name": "srv2", "kind": "infrastructure", "team": "infra", "restore_h": 5, "depends_on": ["ad"]},
        {
            "name": "dpi",
            "team": "apps",
            "restore_h": 2,
            "depends_on": ["srv1", "srv2"],
            "backup": {"frequency_h": 24, "offline": True, "offline_frequency_h": 168},
        },
        {"name": "lab", "team": "apps", "restore_h": 1, "depends_on": ["srv1"], "backup": {"frequency_h": 12}},
    ],
    "activities": [
        {"name": "emergency", "needs": ["dpi"], "rto_h": 8, "rpo_h": 24},
        {"name": "laboratory", "needs": ["lab"], "rto_h": 12, "rpo_h": 4},
    ],
    "scenarios": [
        {"name": "ransomware", "lost": ["infrastructure", "application"], "online_backups_destroyed": True},
        {"name": "server", "lost": ["srv2"]},
    ],
}


def test_the_worked_example_is_reproduced_exactly_without_uncertainty() -> None:
    """By hand, in dependency order: ad 0-4; srv1 4-7 and srv2 4-9 (two slots); dpi 9-11; lab 11-14.

    The applications team has one slot and restores in the plan's order: the lab, ready at 7, waits
    for the record (the serial scheme never lets a later restore jump ahead). The lab's only copy
    was online and is destroyed: it is rebuilt, three times its 1 h restore.
    """
    model = model_from_dict(EXAMPLE)
    result = simulate(model, model.scenarios["ransomware"], runs=3, uncertainty=False)
    plan = {(r.component, r.start_h, r.end_h) for r in result.schedule}
    assert plan == {("ad", 0, 4), ("srv1", 4, 7), ("srv2", 4, 9), ("dpi", 9, 11), ("lab", 11, 14)}
    emergency, laboratory = result.activities
    assert (emergency.downtime_p50, emergency.downtime_p90, emergency.meets_rto) == (11, 11, False)
    assert (laboratory.downtime_p50, laboratory.meets_rto) == (14, False)
    # Online copies destroyed: the lab has no offline copy (unbounded loss); the record loses up to a week.
    assert laboratory.data_loss_p50 == float("inf")
    assert 0 <= emergency.data_loss_p50 <= 168


def test_a_scenario_that_spares_the_directory_only_restores_what_it_takes() -> None:
    """Only srv2 is lost: it is restored at once (0-5); the record is back when srv2 is."""
    model = model_from_dict(EXAMPLE)
    result = simulate(model, model.scenarios["server"], runs=1, uncertainty=False)
    assert [(r.component, r.start_h, r.end_h) for r in result.schedule] == [("srv2", 0, 5)]
    assert result.activities[0].downtime_p50 == 5
    assert result.activities[1].downtime_p50 == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["components"][0].update(depends_on=["dpi"]), "dependency cycle: ad -> dpi -> srv1 -> ad"),
        (lambda d: d["components"][1].update(depends_on=["nowhere"]), "component 'srv1': unknown dependency 'nowhere'"),
        (lambda d: d["components"][2].update(restore_h=-1), "component 'srv2': restore_h is negative (-1)"),
        (lambda d: d["activities"][0].pop("rto_h"), "activity 'emergency': rto_h is missing"),
        (lambda d: d["activities"][1].update(needs=["pacs"]), "activity 'laboratory': unknown application 'pacs'"),
        (lambda d: d["components"][3].update(team="night"), "component 'dpi': unknown team 'night'"),
        (lambda d: d["scenarios"][1].update(lost=["srv9"]), "scenario 'server': 'srv9' is neither"),
        (lambda d: d["teams"][0].update(capacity=0), "team 'infra': capacity must be a whole number"),
        (lambda d: d["components"].append(dict(d["components"][0])), "component 'ad' is declared twice"),
    ],
)
def test_bad_models_are_refused_naming_the_element(change: Any, message: str) -> None:
    """Cycles, unknown references, negative durations, missing targets: one clear message each."""
    document = {key: [dict(item) for item in value] for key, value in EXAMPLE.items()}
    change(document)
    with pytest.raises(ModelError) as caught:
        model_from_dict(document)
    assert message in str(caught.value)


# -- properties ------------------------------------------------------------------------------------


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    """Random acyclic models: each component depends only on earlier ones."""
    count = draw(st.integers(1, 9))
    teams = [{"name": f"t{i}", "capacity": draw(st.integers(1, 3))} for i in range(draw(st.integers(1, 2)))]
    components = []
    for i in range(count):
        earlier = [f"c{j}" for j in range(i)]
        components.append(
            {
                "name": f"c{i}",
                "team": draw(st.sampled_from([team["name"] for team in teams])),
                "restore_h": draw(st.integers(0, 10)),
                "depends_on": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else [],
                "spread": draw(st.sampled_from([0.0, 0.5])),
            }
        )
    lost = draw(st.lists(st.sampled_from([c["name"] for c in components]), unique=True, min_size=1))
    return {
        "teams": teams,
        "components": components,
        "activities": [{"name": "a", "needs": [c["name"] for c in components], "rto_h": 24, "rpo_h": 24}],
        "scenarios": [{"name": "s", "lost": lost}],
    }


@settings(max_examples=60, deadline=None)
@given(models(), st.integers(0, 2**16))
def test_dependencies_first_and_capacity_never_exceeded(document: dict[str, Any], seed: int) -> None:
    """No restore starts before its dependencies are back; no team runs more restores than its capacity."""
    model = model_from_dict(document)
    result = simulate(model, model.scenarios["s"], runs=5, seed=seed)
    position = {name: i for i, name in enumerate(result.components)}
    lost = set(model.scenarios["s"].lost)
    for component in model.components:
        for dependency in component.depends_on:
            assert (result.starts[position[component.name]] >= result.ends[position[dependency]] - 1e-9).all()
    for team in model.teams.values():
        members = [position[c.name] for c in model.components if c.team == team.name and c.name in lost]
        for run in range(result.runs):
            for at in (result.starts[i, run] for i in members):
                busy = sum(1 for i in members if result.starts[i, run] <= at < result.ends[i, run])
                assert busy <= team.capacity


@settings(max_examples=60, deadline=None)
@given(models(), st.integers(0, 2**16))
def test_more_capacity_never_lengthens_downtime_and_a_seed_repeats(document: dict[str, Any], seed: int) -> None:
    """A team with one more slot never finishes any run later; the same seed gives the same result."""
    model = model_from_dict(document)
    base = simulate(model, model.scenarios["s"], runs=8, seed=seed)
    again = simulate(model, model.scenarios["s"], runs=8, seed=seed)
    assert np.array_equal(base.ends, again.ends)
    for team in document["teams"]:
        bigger = {
            **document,
            "teams": [t | ({"capacity": t["capacity"] + 1} if t is team else {}) for t in document["teams"]],
        }
        grown = model_from_dict(bigger)
        more = simulate(grown, grown.scenarios["s"], runs=8, seed=seed)
        assert (more.ends <= base.ends + 1e-9).all()
