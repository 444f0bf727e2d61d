"""A node's model as the engine's document: what it holds, clash prefixes, the round trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hygie.apps.continuity.document import model_document, node_model
from hygie.apps.continuity.importing import import_document
from hygie.apps.continuity.models import Component, ComponentCategory, ComponentKind, RecoveryScenario, RecoveryTeam
from hygie.engines.continuity.loader import ModelError

from .support import build_continuity, inventory


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


def _names(document: dict[str, Any], kind: str) -> list[str]:
    return [item["name"] for item in document[kind]]


class TestModelDocument:
    """``model_document`` writes the engine schema from the database."""

    def test_contents(self, built: dict[str, Any], tenants: Any) -> None:
        """Teams, systems, components with backups and tests, activities with needs and BIAs, scenarios."""
        document = model_document(tenants.hospital_a)
        assert ["Applications", "Infrastructure"] == _names(document, "teams")
        assert ["Tape library", "Veeam"] == _names(document, "backup_systems")
        assert ["Active Directory", "Admissions", "Hypervisors", "PACS", "Patient record", "SAN storage"] == _names(
            document, "components"
        )
        dpi = next(c for c in document["components"] if c["name"] == "Patient record")
        assert ["Active Directory", "Hypervisors", "SAN storage"] == dpi["depends_on"]
        assert "DPI" == dpi["application"]
        assert "Tape library" == dpi["backup"]["system"]
        assert [False, True] == [c.get("immutable", False) for c in dpi["backup"]["copies"]]
        assert [{"date": "2026-03-01", "success": True, "duration_h": 7.5, "to_production": True}] == dpi[
            "restore_tests"
        ]
        activities = {a["name"]: a for a in document["activities"]}
        assert ["PACS", "Patient record"] == activities["Emergencies"]["needs"]
        assert 48 == activities["Billing"]["rto_h"]
        assert [{"name": "Paper forms", "hold_h": 12, "procedure": "Kit in A&E"}] == activities["Emergencies"][
            "degraded_modes"
        ]
        assert ["Ransomware", "SAN failure"] == _names(document, "scenarios")

    def test_node_model(self, built: dict[str, Any], tenants: Any) -> None:
        """The document is a valid engine model, with derived and explicit targets."""
        model = node_model(tenants.hospital_a)
        activities = {a.name: a for a in model.activities}
        assert (1.0, 1.0, 24.0) == (
            activities["Emergencies"].rto_h,
            activities["Emergencies"].rpo_h,
            activities["Emergencies"].mtpd_h,
        )
        assert 48.0 == activities["Billing"].rto_h
        assert 12.0 == activities["Emergencies"].degraded_hold_h
        dpi = next(c for c in model.components if c.name == "Patient record")
        assert ("measured", 7.5) == (dpi.restore_basis, dpi.restore_h)
        assert {"Ransomware", "SAN failure"} == set(model.scenarios)

    def test_ancestor_components_and_clashes(self, built: dict[str, Any], tenants: Any) -> None:
        """A group's shared component a node's component depends on is in; same names get the owner's prefix."""
        group_team = RecoveryTeam.objects.create(node=tenants.group_a, name="Infrastructure", capacity=3)
        shared = Component.objects.create(
            node=tenants.group_a, name="Active Directory", kind=ComponentKind.INFRASTRUCTURE,
            category=ComponentCategory.DIRECTORY, team=group_team, restore_h=10,
        )  # fmt: skip
        Component.objects.create(node=tenants.group_a, name="Unrelated", team=group_team, restore_h=1)
        built["pacs"].depends_on.add(shared)
        document = model_document(tenants.hospital_a)
        names = _names(document, "components")
        assert "Unrelated" not in names
        assert {"GHT A/Active Directory", "Hospital A/Active Directory"} <= set(names)
        assert {"GHT A/Infrastructure", "Hospital A/Infrastructure"} <= set(_names(document, "teams"))
        ransomware = next(s for s in document["scenarios"] if s["name"] == "Ransomware")
        assert ["platform:windows", "category:hypervisor"] == ransomware["lost"]
        node_model(tenants.hospital_a)  # still valid

    def test_ancestor_scenario_selectors(self, built: dict[str, Any], tenants: Any) -> None:
        """A group's scenario applies; its selectors naming components of other establishments are dropped."""
        RecoveryScenario.objects.create(
            node=tenants.group_a, name="Group outage", lost=["PACS", "Elsewhere"], outages={"Other": 3}
        )
        document = model_document(tenants.hospital_a)
        scenario = next(s for s in document["scenarios"] if s["name"] == "Group outage")
        assert ["PACS"] == scenario["lost"]
        assert "outages" not in scenario
        assert 0 == len(model_document(tenants.hospital_b)["components"])

    def test_invalid_model(self, built: dict[str, Any], tenants: Any) -> None:
        """A component with no restore time at all makes the model invalid, naming it."""
        built["hypervisors"].restore_h = None
        built["hypervisors"].save()
        with pytest.raises(ModelError, match="Hypervisors"):
            node_model(tenants.hospital_a)


class TestRoundTrip:
    """Importing an export gives the same document."""

    def test_same_node(self, built: dict[str, Any], tenants: Any) -> None:
        """Export, import back: nothing changes."""
        document = model_document(tenants.hospital_a)
        import_document(tenants.hospital_a, copy.deepcopy(document))
        assert document == model_document(tenants.hospital_a)

    def test_other_node(self, built: dict[str, Any], tenants: Any) -> None:
        """Hospital A's model imported into hospital B (with the same inventory only) exports the same."""
        document = model_document(tenants.hospital_a)
        inventory(tenants.hospital_b)
        counts = import_document(tenants.hospital_b, copy.deepcopy(document))
        assert {"teams": 2, "backup_systems": 2, "components": 6, "activities": 2, "scenarios": 2} == counts
        assert document == model_document(tenants.hospital_b)
