"""The demo group's continuity model: it loads with the demo, validates, and its simulations tell the story.

The demo is loaded once for the module (it takes seconds) inside a transaction rolled back at the
end, so the rest of the suite still starts from an empty database.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hygie.apps.continuity.document import node_model, scope_of
from hygie.apps.continuity.models import (
    Component,
    Exercise,
    ExerciseAction,
    ExerciseKind,
    ExerciseStatus,
    RecoveryScenario,
    Simulation,
    SimulationStatus,
)
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.models import Application, CareActivity
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import load_demo
from hygie.demo.continuity_governance import POWER_LOSS, RANSOMWARE, SAAS_OUTAGE
from hygie.demo.continuity_seed import SIMULATION_RUNS

EHPAD_ACTIVITY = "Soins et distribution des médicaments en EHPAD"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def group(demo: None, db: Any) -> Node:
    """The demo GHT."""
    return Node.objects.get(kind=NodeKind.GROUP)


def _result(group: Node, name: str) -> dict[str, Any]:
    simulation = Simulation.objects.get(scenario__node=group, scenario__name=name)
    assert (SimulationStatus.DONE, SIMULATION_RUNS) == (simulation.status, simulation.runs)
    return simulation.result


class TestModel:
    """The seed builds a model the engine accepts, tied to the demo inventory."""

    def test_group_and_establishment_models_validate(self, group: Node) -> None:
        """The group's model holds its 17 assessed activities; every establishment's model validates too."""
        model = node_model(group)
        assert 50 <= len(model.components)
        assert 17 == len(model.activities)
        assert {RANSOMWARE, SAAS_OUTAGE, POWER_LOSS} <= set(model.scenarios)
        for establishment in Node.objects.filter(kind=NodeKind.ESTABLISHMENT):
            assert node_model(establishment).activities, establishment.name

    def test_models_stay_within_their_tenant(self, group: Node) -> None:
        """The group's model names no row of the clinic (which hangs from the region), and the reverse."""
        clinic = Node.objects.get(kind=NodeKind.ESTABLISHMENT, parent=group.parent)
        for node, other in ((group, clinic), (clinic, group)):
            scope = scope_of(node)
            owners = [row.node for row in (*scope.components, *scope.teams, *scope.systems, *scope.scenarios)]
            assert owners
            assert not [owner for owner in owners if owner.path.startswith(other.path)], node.name

    def test_every_application_has_one_component(self, group: Node) -> None:
        """One recovery component per inventory application of the demo."""
        applications = Application.objects.count()
        assert applications == Component.objects.filter(application__isnull=False).count()
        assert applications == Component.objects.values("application").distinct().exclude(application=None).count()

    def test_infrastructure_runs_on_inventory_assets(self, group: Node) -> None:
        """The directory runs on two domain controllers of the data centre, the hypervisors on the ESXi hosts."""
        directory = Component.objects.get(node=group, category="directory")
        assert 2 == directory.assets.count()
        assert all(asset.name.startswith("VBR-SRV-") for asset in directory.assets.all())
        hypervisors = Component.objects.get(node=group, category="hypervisor")
        assert all(asset.name.startswith("VBR-ESX-") for asset in hypervisors.assets.all())
        assert hypervisors.assets.exists()

    def test_every_activity_has_a_bia(self, group: Node) -> None:
        """Each activity of the demo has a business-impact analysis and at least one degraded mode."""
        activities = CareActivity.objects.all()
        assert not activities.filter(impact__isnull=True).exists()
        assert not activities.filter(degraded_modes__isnull=True).exists()
        assert {"care", "administrative", "technical_platform"} == set(
            activities.values_list("impact__kind", flat=True)
        )


class TestScenarios:
    """Both scenarios of the issue exist and were simulated when the demo loaded."""

    def test_scenarios_exist(self, group: Node) -> None:
        """The ransomware and the SaaS outage belong to the group."""
        ransomware = RecoveryScenario.objects.get(node=group, name=RANSOMWARE)
        assert ransomware.online_backups_destroyed
        assert {"category:directory", "platform:windows", "category:hypervisor"} == set(ransomware.lost)
        saas = RecoveryScenario.objects.get(node=group, name=SAAS_OUTAGE)
        assert 240 == next(iter(saas.outages.values()))

    def test_ransomware_misses_rto_and_loses_data_for_good(self, group: Node) -> None:
        """After the ransomware most activities miss their RTO and a few lose data no copy can bring back."""
        activities = _result(group, RANSOMWARE)["activities"]
        missed = [a["name"] for a in activities if not a["meets_rto"]]
        unrecoverable = [a["name"] for a in activities if a.get("unrecoverable")]
        assert len(activities) // 2 < len(missed) < len(activities)
        assert EHPAD_ACTIVITY not in missed  # its record is a SaaS: the ransomware does not reach it
        assert 2 <= len(unrecoverable) <= 6
        assert "Maternité et salle de naissance" in unrecoverable

    def test_saas_outage_hits_only_the_activity_needing_it(self, group: Node) -> None:
        """Ten days without the nursing home's SaaS record stop its activity, and only that one."""
        activities = _result(group, SAAS_OUTAGE)["activities"]
        down = {a["name"]: a for a in activities if a["downtime_h"]["p50"] > 0}
        assert [EHPAD_ACTIVITY] == list(down)
        assert not down[EHPAD_ACTIVITY]["meets_rto"]
        assert math.isclose(240.0, down[EHPAD_ACTIVITY]["downtime_h"]["p50"])


class TestGovernance:
    """Programmes, exercises and findings are there for the readiness view and the findings register."""

    def test_activity_shares_of_the_group_sum_to_100(self, group: Node) -> None:
        """The members' shares of the group's activity sum to 100 % (the 66 % rule needs them)."""
        shares = Node.objects.filter(parent=group).values_list("activity_share", flat=True)
        assert math.isclose(100.0, sum(float(share or 0) for share in shares))

    def test_field_test_covers_two_thirds_of_the_group(self, group: Node) -> None:
        """The held field test of the plan covers establishments totalling at least 66 % of the activity."""
        field_test = Exercise.objects.get(node=group, kind=ExerciseKind.PCA_FIELD_TEST, status=ExerciseStatus.HELD)
        covered = sum(float(node.activity_share or 0) for node in field_test.entities.all())
        assert 66 <= covered < 100
        assert Exercise.objects.filter(kind=ExerciseKind.CRISIS_EXERCISE, status=ExerciseStatus.PLANNED).exists()

    def test_covered_establishment_meets_the_field_test_objective(self, group: Node) -> None:
        """CH Valbrise owns no field test, but the group's covered it: d2.o1.d is met for the hospital."""
        from hygie.apps.continuity.readiness import MET, readiness

        field_test = Exercise.objects.get(node=group, kind=ExerciseKind.PCA_FIELD_TEST, status=ExerciseStatus.HELD)
        valbrise = Node.objects.get(kind=NodeKind.ESTABLISHMENT, short_name="CH Valbrise")
        assert valbrise in field_test.entities.all()
        assert field_test.held_on is not None
        objective = next(o for o in readiness(valbrise, as_of=field_test.held_on).objectives if o.id == "d2.o1.d")
        assert MET == objective.status

    def test_exercise_actions_and_continuity_findings(self, group: Node) -> None:
        """Exercise actions live in the findings register, beside the model audit's findings."""
        assert 3 == ExerciseAction.objects.count()
        assert Finding.objects.filter(source="continuity").exclude(exercise_action__isnull=False).exists()
        checks = set(Finding.objects.filter(source="continuity").values_list("check_id", flat=True))
        assert {
            "continuity.backup_console_production_directory",
            "continuity.backup_no_offline_copy",
            "continuity.rpo_unreachable",
            "continuity.restore_test_failed",
            "continuity.restore_test_outdated",
        } <= checks
