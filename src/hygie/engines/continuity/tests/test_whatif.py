"""What-if comparisons: hand-checked savings, the restore-order variant, and monotonicity as a property."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.simulate import simulate
from hygie.engines.continuity.tests.test_simulate import EXAMPLE
from hygie.engines.continuity.whatif import MAX_OFFLINE_CANDIDATES, candidates, priority_order, what_ifs


class TestWhatIfsOnTheWorkedExample:
    """The example of test_simulate: ad 0-4, srv1 4-7, srv2 4-9, dpi 9-11, lab (rebuilt, 3 h) 11-14."""

    def test_savings_are_the_hand_computed_hours(self) -> None:
        """A second slot for the applications team: the lab runs 7-10 beside the record, 4 h saved.

        An offline copy of the lab: restored in 1 h (11-12) instead of rebuilt in 3 h, 2 h saved, and
        its data loss becomes bounded. A third infrastructure slot saves nothing (two servers only).
        """
        model = model_from_dict(EXAMPLE)
        ranked = what_ifs(model, model.scenarios["ransomware"], runs=4, seed=3, uncertainty=False)
        actual = [(w.kind, w.target, w.downtime_saved_h, w.made_recoverable) for w in ranked]
        assert [
            ("team_capacity", "apps", 4.0, 0),
            ("offline_copy", "lab", 2.0, 1),
            ("team_capacity", "infra", 0.0, 0),
        ] == actual
        assert "Add an offline copy of lab" == ranked[1].change

    def test_the_baseline_is_reused_only_with_the_same_runs(self) -> None:
        """A baseline on other runs is simulated again: common random numbers need the same runs."""
        model = model_from_dict(EXAMPLE)
        scenario = model.scenarios["ransomware"]
        other = simulate(model, scenario, runs=50, seed=1)
        assert what_ifs(model, scenario, runs=20, seed=1, baseline=other) == what_ifs(model, scenario, runs=20, seed=1)

    def test_a_scenario_with_nothing_to_improve_has_only_capacity_candidates(self) -> None:
        """Only srv2 lost, online backups intact: no offline copy to add, one busy team."""
        model = model_from_dict(EXAMPLE)
        ranked = what_ifs(model, model.scenarios["server"], runs=2, seed=0, uncertainty=False)
        assert [("team_capacity", "infra", 0.0)] == [(w.kind, w.target, w.downtime_saved_h) for w in ranked]


class TestRestoreOrder:
    """Components by their most urgent activity's RTO, dependencies always first."""

    def test_an_urgent_application_moves_ahead_of_a_less_urgent_one(self) -> None:
        """The lab (RTO 2 h) goes before the record (RTO 8 h): it is ready at 7 and saves 7 hours."""
        document = copy.deepcopy(EXAMPLE)
        document["activities"][1]["rto_h"] = 2
        model = model_from_dict(document)
        assert ["ad", "srv1", "lab", "srv2", "dpi"] == [c.name for c in priority_order(model)]
        ranked = what_ifs(model, model.scenarios["ransomware"], runs=1, seed=0, uncertainty=False)
        order = next(w for w in ranked if w.kind == "restore_order")
        # Before: dpi 9-11, lab 11-14 (25 h in all). After: lab 7-10, dpi 10-12 (22 h): 3 h saved.
        assert 3.0 == order.downtime_saved_h

    def test_no_candidate_when_the_order_does_not_change(self) -> None:
        """The example's order is already by RTO: no restore-order what-if."""
        model = model_from_dict(EXAMPLE)
        assert all(
            kind != "restore_order" for _change, kind, _t, _m in candidates(model, model.scenarios["ransomware"])
        )


class TestFasterStorage:
    """Transfers twice as fast: restore_h - transfer_h / 2 for every component."""

    def test_halving_the_transfer_shortens_the_restore(self) -> None:
        """The record estimated from 40 GB at 10 GB/h plus 2 h of set-up: 6 h, 4 of them transfer -> 4 h."""
        document = copy.deepcopy(EXAMPLE)
        record = document["components"][3]
        del record["restore_h"]
        record.update(data_gb=40, throughput_gb_h=10, setup_h=2)
        model = model_from_dict(document)
        ranked = what_ifs(model, model.scenarios["ransomware"], runs=1, seed=0, uncertainty=False)
        storage = next(w for w in ranked if w.kind == "faster_storage")
        # The record: 9-15 before, 9-13 after; the lab behind it 15-18 before, 13-16 after: 4 h saved.
        assert 4.0 == storage.downtime_saved_h


def test_offline_candidates_are_capped_and_most_needed_first() -> None:
    """Many rebuilt applications: at most MAX_OFFLINE_CANDIDATES, those most activities need first."""
    count = MAX_OFFLINE_CANDIDATES + 5
    document: dict[str, Any] = {
        "teams": [{"name": "t", "capacity": 1}],
        "components": [
            {"name": f"app{i}", "team": "t", "restore_h": 1, "backup": {"frequency_h": 24}} for i in range(count)
        ],
        "activities": [
            {"name": f"act{i}", "needs": [f"app{j}" for j in range(i, count)], "rto_h": 4, "rpo_h": 4}
            for i in range(count)
        ],
        "scenarios": [{"name": "r", "lost": ["application"], "online_backups_destroyed": True}],
    }
    model = model_from_dict(document)
    offline = [target for _c, kind, target, _m in candidates(model, model.scenarios["r"]) if kind == "offline_copy"]
    assert [f"app{i}" for i in range(count - 1, count - 1 - MAX_OFFLINE_CANDIDATES, -1)] == offline


# -- properties ------------------------------------------------------------------------------------


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    """Random acyclic models with backups (none, online only, or with an offline copy) and activities."""
    count = draw(st.integers(1, 8))
    teams = [{"name": f"t{i}", "capacity": draw(st.integers(1, 3))} for i in range(draw(st.integers(1, 2)))]
    backups = st.sampled_from(
        [None, {"frequency_h": 24}, {"frequency_h": 12, "offline": True, "offline_frequency_h": 168}]
    )
    components = []
    for i in range(count):
        earlier = [f"c{j}" for j in range(i)]
        component: dict[str, Any] = {
            "name": f"c{i}",
            "team": draw(st.sampled_from([team["name"] for team in teams])),
            "restore_h": draw(st.integers(0, 10)),
            "depends_on": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else [],
            "spread": draw(st.sampled_from([0.0, 0.5])),
        }
        backup = draw(backups)
        if backup is not None:
            component["backup"] = backup
        components.append(component)
    names = [c["name"] for c in components]
    activities = [
        {
            "name": f"a{i}",
            "needs": draw(st.lists(st.sampled_from(names), unique=True, min_size=1)),
            "rto_h": 8,
            "rpo_h": 24,
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    lost = draw(st.lists(st.sampled_from(names), unique=True, min_size=1))
    return {
        "teams": teams,
        "components": components,
        "activities": activities,
        "scenarios": [{"name": "s", "lost": lost, "online_backups_destroyed": draw(st.booleans())}],
    }


@settings(max_examples=60, deadline=None)
@given(models(), st.integers(0, 2**16))
def test_an_offline_copy_or_more_capacity_never_lengthens_downtime(document: dict[str, Any], seed: int) -> None:
    """For every run and activity, and on average: the variant's downtime is at most the baseline's."""
    model = model_from_dict(document)
    scenario = model.scenarios["s"]
    base = simulate(model, scenario, runs=8, seed=seed)
    for change, kind, _target, variant_model in candidates(model, scenario):
        if kind not in {"offline_copy", "team_capacity"}:
            continue
        variant = simulate(variant_model, scenario, runs=8, seed=seed)
        assert (variant.downtimes <= base.downtimes + 1e-9).all(), change
        assert variant.total_downtime_mean <= base.total_downtime_mean + 1e-9, change
    for what_if in what_ifs(model, scenario, runs=8, seed=seed, baseline=base):
        if what_if.kind in {"offline_copy", "team_capacity"}:
            assert what_if.downtime_saved_h >= -1e-9
