"""Importing a document into a node: created or updated by name, all or nothing, errors naming the element."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.apps.continuity.document import model_document
from hygie.apps.continuity.importing import import_document
from hygie.apps.continuity.models import (
    BackupCopy,
    BusinessImpact,
    Component,
    DegradedMode,
    RecoveryScenario,
    RecoveryTeam,
    RestoreTest,
)
from hygie.apps.inventory.models import CareActivity
from hygie.engines.continuity.loader import ModelError

from .support import build_continuity, inventory

MINIMAL: dict[str, Any] = {
    "teams": [{"name": "IT", "capacity": 1}],
    "components": [
        {"name": "AD", "kind": "infrastructure", "category": "directory", "team": "IT", "restore_h": 4},
        {
            "name": "Patient record",
            "team": "IT",
            "application": "DPI",
            "restore_h": 6,
            "depends_on": ["AD"],
            "backup": {"frequency_h": 24, "offline": True},
        },
    ],
    "activities": [{"name": "Emergencies", "needs": ["Patient record"], "rto_h": 4, "rpo_h": 24}],
    "scenarios": [{"name": "Ransomware", "lost": ["AD", "application"], "online_backups_destroyed": True}],
}


def _stored() -> tuple[int, int, int, int]:
    return (
        RecoveryTeam.objects.count(),
        Component.objects.count(),
        BusinessImpact.objects.count(),
        RecoveryScenario.objects.count(),
    )


class TestImport:
    """A valid document creates, then updates, by name."""

    def test_create_then_update(self, tenants: Any) -> None:
        """The short backup form gives two copies; a second import updates without duplicating."""
        inventory(tenants.hospital_a)
        counts = import_document(tenants.hospital_a, MINIMAL)
        assert {"teams": 1, "backup_systems": 0, "components": 2, "activities": 1, "scenarios": 1} == counts
        record = Component.objects.get(name="Patient record")
        assert "DPI" == record.application.name
        assert [(True, "disk"), (False, "tape")] == [
            (c.online, c.medium) for c in BackupCopy.objects.filter(plan__component=record).order_by("pk")
        ]
        extra = BusinessImpact.objects.get(activity__name="Emergencies").extra_needs.count()
        assert 0 == extra  # the patient record is needed through the DPI application
        changed = {**MINIMAL, "teams": [{"name": "IT", "capacity": 3}]}
        import_document(tenants.hospital_a, changed)
        assert 3 == RecoveryTeam.objects.get(name="IT").capacity
        assert (1, 2, 1, 1) == _stored()

    def test_children_follow_the_document(self, tenants: Any) -> None:
        """Restore tests matched by date, degraded modes by name; those the document drops are removed."""
        built = build_continuity(tenants.hospital_a)
        RestoreTest.objects.create(component=built["dpi"], date=dt.date(2025, 1, 1), success=False)
        document = model_document(tenants.hospital_a)
        dpi = next(c for c in document["components"] if c["name"] == "Patient record")
        dpi["restore_tests"] = [t for t in dpi["restore_tests"] if t["date"] == "2026-03-01"]
        dpi["restore_tests"][0]["duration_h"] = 5.0
        emergencies = next(a for a in document["activities"] if a["name"] == "Emergencies")
        emergencies["degraded_modes"] = [{"name": "Fallback PC", "hold_h": 6}]
        import_document(tenants.hospital_a, document)
        assert [5.0] == [t.duration_h for t in RestoreTest.objects.filter(component=built["dpi"])]
        assert built["restore_test"].pk == RestoreTest.objects.get(component=built["dpi"]).pk
        assert ["Fallback PC"] == [m.name for m in DegradedMode.objects.filter(activity=built["emergencies"])]


class TestBadDocument:
    """An invalid document stores nothing; the error names the element."""

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d["components"][1].update(depends_on=["Nowhere"]), "unknown dependency 'Nowhere'"),
            (lambda d: d["components"][0].update(depends_on=["Patient record"]), "dependency cycle"),
            (lambda d: d["components"][0].update(restore_h=-1), "component 'AD': restore_h is negative"),
            (lambda d: d["activities"][0].pop("rto_h"), "activity 'Emergencies': rto_h is missing"),
            (lambda d: d["activities"][0].update(name="Radiotherapy"), "activity 'Radiotherapy': no inventory"),
            (lambda d: d["components"][1].update(application="Unknown app"), "no inventory application named"),
            (lambda d: d["components"][1].update(platform="amiga"), "component 'Patient record': platform"),
            (
                lambda d: d["components"][1]["backup"].update(copies=[{"medium": "floppy"}]),
                "component 'Patient record' backup copy #1: medium",
            ),
        ],
    )
    def test_nothing_stored(self, tenants: Any, change: Any, message: str) -> None:
        """Engine errors (before writing) and platform errors (while writing) alike leave the database as it was."""
        inventory(tenants.hospital_a)
        document = {
            **MINIMAL,
            "components": [dict(c) for c in MINIMAL["components"]],
            "activities": [dict(a) for a in MINIMAL["activities"]],
        }
        document["components"][1]["backup"] = dict(MINIMAL["components"][1]["backup"])
        change(document)
        with pytest.raises(ModelError, match=message):
            import_document(tenants.hospital_a, document)
        assert (0, 0, 0, 0) == _stored()

    def test_not_a_mapping(self, tenants: Any) -> None:
        """A list is no model."""
        with pytest.raises(ModelError, match="mapping"):
            import_document(tenants.hospital_a, [1, 2])

    def test_ancestor_objects_read_only(self, tenants: Any) -> None:
        """A group's component in the document is a reference: the import into an establishment never changes it."""
        group = build_continuity(tenants.group_a)
        local = CareActivity.objects.create(node=tenants.hospital_a, name="Local emergencies")
        local.applications.set(group["applications"][:2])
        BusinessImpact.objects.create(activity=local, rto_h=4, rpo_h=4)
        document = model_document(tenants.hospital_a)
        assert "Patient record" in [c["name"] for c in document["components"]]
        for component in document["components"]:
            component["critical"] = not component["critical"]
        document["activities"][0]["rto_h"] = 2
        counts = import_document(tenants.hospital_a, document)
        assert (0, 1) == (counts["components"], counts["activities"])
        assert [True, False] == [Component.objects.get(pk=group[k].pk).critical for k in ("dpi", "pacs")]
        assert 2 == BusinessImpact.objects.get(activity=local).rto_h
