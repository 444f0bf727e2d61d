"""The dependency graph: critical components and single points of failure."""

from __future__ import annotations

from typing import Any

from hygie.engines.continuity.dependencies import (
    CRITICAL_RTO_H,
    SinglePoint,
    activities_by_component,
    critical_components,
    needed_components,
    single_points_of_failure,
)
from hygie.engines.continuity.loader import model_from_dict


def chain(**activity: Any) -> dict[str, Any]:
    """One activity needing ``app``, on ``srv``, on the directory ``ad``; ``spare`` needed by nobody."""
    return {
        "teams": [{"name": "it", "capacity": 1}],
        "components": [
            {"name": "ad", "kind": "infrastructure", "team": "it", "restore_h": 1},
            {"name": "srv", "kind": "infrastructure", "team": "it", "restore_h": 1, "depends_on": ["ad"]},
            {"name": "app", "team": "it", "restore_h": 1, "depends_on": ["srv"]},
            {"name": "spare", "team": "it", "restore_h": 1},
        ],
        "activities": [{"name": "care", "needs": ["app"], "rto_h": 24, "rpo_h": 24, **activity}],
    }


class TestCriticalComponents:
    """Critical: flagged, or needed (transitively) by an activity with an RTO of at most 72 h."""

    def test_everything_a_critical_activity_depends_on_is_critical(self) -> None:
        assert {"ad", "srv", "app"} == critical_components(model_from_dict(chain()))

    def test_an_rto_of_exactly_72_hours_is_critical_and_just_above_is_not(self) -> None:
        assert {"ad", "srv", "app"} == critical_components(model_from_dict(chain(rto_h=CRITICAL_RTO_H)))
        assert set() == critical_components(model_from_dict(chain(rto_h=72.5)))

    def test_a_flagged_component_is_critical_whatever_needs_it(self) -> None:
        document = chain(rto_h=168)
        document["components"][3]["critical"] = True
        assert {"spare"} == critical_components(model_from_dict(document))

    def test_needed_components_and_their_dependents_are_transitive(self) -> None:
        model = model_from_dict(chain())
        assert {"ad", "srv", "app"} == needed_components(model, model.activities[0])
        dependents = activities_by_component(model)
        assert (["care"], []) == ([a.name for a in dependents["ad"]], dependents["spare"])


class TestSinglePoints:
    """Articulation points of the activity/component graph, kept under critical activities."""

    def test_a_chain_cuts_at_its_inner_components_not_at_its_leaf(self) -> None:
        """Removing ``app`` or ``srv`` disconnects the graph; removing the leaf ``ad`` does not."""
        points = single_points_of_failure(model_from_dict(chain()))
        assert [SinglePoint("app", ("care",), ("care",)), SinglePoint("srv", ("care",), ("care",))] == points

    def test_redundant_paths_leave_no_single_point(self) -> None:
        """The activity needs both the application and the directory directly: a cycle, no cut vertex."""
        document = chain(needs=["app", "ad"])
        document["components"][2]["depends_on"] = ["srv", "ad"]
        assert [] == single_points_of_failure(model_from_dict(document))

    def test_an_activity_cutting_the_graph_is_not_a_failure_point(self) -> None:
        """``care`` joins ``app``'s chain and ``spare``: it is an articulation point but not a component."""
        points = single_points_of_failure(model_from_dict(chain(needs=["app", "spare"])))
        assert ["app", "srv"] == [point.component for point in points]

    def test_only_points_under_a_critical_activity_are_kept_with_every_dependent_activity(self) -> None:
        document = chain(rto_h=168)
        assert [] == single_points_of_failure(model_from_dict(document))
        document["activities"].append({"name": "urgent", "needs": ["srv"], "rto_h": 4, "rpo_h": 4})
        points = single_points_of_failure(model_from_dict(document))
        # ``app`` still cuts ``care`` off, but ``care`` can wait a week: only ``srv`` is kept.
        assert [SinglePoint("srv", ("care", "urgent"), ("urgent",))] == points
