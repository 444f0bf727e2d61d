"""Continuity model checks and their registry: each check fires on a weakness and stays quiet on a sound model.

Each case changes one thing in the sound model (``check_builders.SOUND``) and expects one check to
fire on one object; the quiet cases check the boundaries (RPO equal to the cycle, a test exactly
365 days old...). Simulation checks are tested in ``test_checks_simulation``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hygie.engines._core import ReferenceKind, Severity
from hygie.engines.continuity.checks import audit, simulation_findings
from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.registry import CHECKS, KINDS, REMEDIATIONS, CheckId, CheckKind
from hygie.engines.continuity.simulate import simulate
from hygie.engines.continuity.tests.check_builders import (
    AS_OF,
    ONLINE_ONLY,
    Change,
    activity,
    add_component,
    backup,
    both,
    changed,
    component,
    model_findings,
    system,
)
from hygie.engines.continuity.tests.test_checks_simulation import SIMULATION_FIRES, SIMULATION_QUIET

#: Model checks: the change that makes each fire, and the object it names.
MODEL_FIRES: dict[CheckId, list[tuple[Change, str]]] = {
    CheckId.CRITICAL_WITHOUT_BACKUP: [(component("dpi", backup=None), "dpi"), (component("ad", backup=None), "ad")],
    CheckId.BACKUP_321_NOT_MET: [
        (backup("dpi", copies=[{"site": "A", "medium": "disk"}, {"site": "B", "medium": "disk"}]), "dpi"),
        (backup("dpi", copies=[{"site": "A", "medium": "disk"}, {"site": "A", "medium": "tape"}]), "dpi"),
        # The short form without ``offline``: one backup copy.
        (component("dpi", backup={"frequency_h": 4}), "dpi"),
    ],
    CheckId.BACKUP_NO_OFFLINE_COPY: [(backup("dpi", copies=ONLINE_ONLY), "dpi")],
    CheckId.RPO_UNREACHABLE: [
        (backup("dpi", frequency_h=48, copies=ONLINE_ONLY), "dpi"),
        # An activity that needs the directory directly holds it to its RPO.
        (both(activity("emergency", needs=["dpi", "ad"]), backup("ad", frequency_h=25)), "ad"),
    ],
    CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE: [
        (
            backup(
                "dpi",
                copies=[
                    {"site": "A", "medium": "disk"},
                    {"site": "C", "medium": "tape", "online": False, "frequency_h": 48},
                ],
            ),
            "dpi",
        ),
        (backup("dpi", copies=ONLINE_ONLY), "dpi"),
    ],
    CheckId.RESTORE_TEST_NEVER_DONE: [
        (component("dpi", restore_tests=None, restore_h=3), "dpi"),
        # A test dated after the audit has not happened yet.
        (component("dpi", restore_tests=[{"date": "2026-09-02", "success": True, "duration_h": 3}]), "dpi"),
    ],
    CheckId.RESTORE_TEST_OUTDATED: [
        (component("ad", restore_tests=[{"date": "2025-08-31", "success": True, "duration_h": 2}]), "ad"),
    ],
    CheckId.RESTORE_TEST_FAILED: [
        (
            component(
                "dpi",
                restore_tests=[
                    {"date": "2026-06-01", "success": True, "duration_h": 3},
                    {"date": "2026-07-01", "success": False},
                ],
            ),
            "dpi",
        ),
    ],
    CheckId.BACKUP_CONSOLE_PRODUCTION_DIRECTORY: [(system(authentication="production_directory"), "vault")],
    CheckId.BACKUP_CONSOLE_NO_MFA: [(system(mfa=False), "vault")],
    CheckId.BACKUP_NO_ISOLATION: [(system(isolation=False), "vault")],
    CheckId.BACKUP_NOT_SUPERVISED: [(system(supervised=False), "vault")],
    CheckId.SINGLE_POINT_OF_FAILURE: [(activity("emergency", needs=["dpi"]), "dpi")],
}

#: Model checks: changes near the boundary that must keep each quiet (the sound model is always tried).
MODEL_QUIET: dict[CheckId, list[Change]] = {
    CheckId.CRITICAL_WITHOUT_BACKUP: [add_component(name="intranet")],
    CheckId.BACKUP_321_NOT_MET: [
        backup("dpi", copies=[{"site": "A", "medium": "disk"}, {"site": "B", "medium": "tape"}]),
        add_component(name="intranet", backup={"frequency_h": 24}),
        # The short form with ``offline``: production, the online copy and the offline one on two media.
        component("dpi", backup={"frequency_h": 4, "offline": True}),
    ],
    CheckId.BACKUP_NO_OFFLINE_COPY: [
        backup("dpi", copies=[{"site": "A", "medium": "disk"}, {"site": "B", "medium": "disk", "immutable": True}]),
        add_component(name="intranet", backup={"frequency_h": 24}),
    ],
    CheckId.RPO_UNREACHABLE: [backup("dpi", frequency_h=24, copies=ONLINE_ONLY)],
    CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE: [
        backup(
            "dpi",
            copies=[
                {"site": "A", "medium": "disk"},
                {"site": "C", "medium": "tape", "online": False, "frequency_h": 24},
            ],
        ),
    ],
    CheckId.RESTORE_TEST_NEVER_DONE: [add_component(name="intranet", backup={"frequency_h": 24, "offline": True})],
    CheckId.RESTORE_TEST_OUTDATED: [
        component("ad", restore_tests=[{"date": "2025-09-01", "success": True, "duration_h": 2}]),
    ],
    CheckId.RESTORE_TEST_FAILED: [
        component(
            "dpi",
            restore_tests=[
                {"date": "2026-05-01", "success": False},
                {"date": "2026-06-01", "success": True, "duration_h": 3},
            ],
        ),
    ],
    CheckId.BACKUP_CONSOLE_PRODUCTION_DIRECTORY: [system(authentication="local_accounts")],
    CheckId.BACKUP_CONSOLE_NO_MFA: [system(authentication="production_directory")],
    CheckId.BACKUP_NO_ISOLATION: [system(mfa=False)],
    CheckId.BACKUP_NOT_SUPERVISED: [system(isolation=False)],
    # An articulation point under an activity with a week's RTO only.
    CheckId.SINGLE_POINT_OF_FAILURE: [activity("emergency", needs=["dpi"], rto_h=168)],
}


class TestRegistry:
    """Every check is registered once, described in both languages, cited, and tested both ways."""

    def test_every_check_id_is_registered_and_nothing_else(self) -> None:
        assert sorted(CheckId) == sorted(CHECKS.ids())

    def test_every_check_is_tested_firing_and_quiet(self) -> None:
        model = {c for c, kind in KINDS.items() if kind is CheckKind.MODEL}
        simulation = {c for c, kind in KINDS.items() if kind is CheckKind.SIMULATION}
        assert (model, model) == (set(MODEL_FIRES), set(MODEL_QUIET))
        assert (simulation, simulation) == (set(SIMULATION_FIRES), set(SIMULATION_QUIET))

    @pytest.mark.parametrize("spec", list(CHECKS), ids=lambda spec: spec.check_id)
    def test_every_check_has_titles_remediation_and_a_care_reference(self, spec: Any) -> None:
        assert callable(spec.implementation)
        assert spec.title_en.strip()
        assert spec.title_fr.strip()
        assert spec.title_en != spec.title_fr
        assert REMEDIATIONS[spec.check_id].strip()
        assert any(ref.kind is ReferenceKind.CARE and ref.id.startswith("d2.") for ref in spec.references)


class TestSoundModel:
    """A model without weakness gives no finding, audited or simulated."""

    def test_audit_is_quiet(self) -> None:
        assert [] == audit(model_from_dict(changed()), as_of=AS_OF)

    @pytest.mark.parametrize("scenario", ["server", "record", "ransomware"])
    def test_simulation_is_quiet(self, scenario: str) -> None:
        model = model_from_dict(changed())
        assert [] == simulation_findings(model, simulate(model, model.scenarios[scenario], runs=101, uncertainty=False))


class TestModelChecks:
    """Each model check fires on the object a change weakens, and stays quiet near its boundary."""

    @pytest.mark.parametrize(
        ("check_id", "change", "name"),
        [(check_id, change, name) for check_id, cases in MODEL_FIRES.items() for change, name in cases],
        ids=lambda value: value if isinstance(value, str) else None,
    )
    def test_fires(self, check_id: CheckId, change: Change, name: str) -> None:
        findings = model_findings(check_id, change)
        assert [name] == [f.affected[0].name for f in findings]
        assert all(f.title == CHECKS[check_id].title_en and f.references for f in findings)

    @pytest.mark.parametrize(
        ("check_id", "change"),
        [(check_id, change) for check_id, cases in MODEL_QUIET.items() for change in cases],
        ids=lambda value: value if isinstance(value, str) else None,
    )
    def test_quiet(self, check_id: CheckId, change: Change) -> None:
        assert [] == model_findings(check_id, change)


class TestModelEvidence:
    """The evidence carries the figures a reader needs to act."""

    def test_rpo_unreachable_names_both_figures_and_the_activity(self) -> None:
        (finding,) = model_findings(CheckId.RPO_UNREACHABLE, backup("dpi", frequency_h=48, copies=ONLINE_ONLY))
        assert {"backup_cycle_h": 48.0, "rpo_h": 24.0, "activity": "emergency", "activities": ["emergency"]} == {
            key: finding.evidence[key] for key in ("backup_cycle_h", "rpo_h", "activity", "activities")
        }

    def test_rpo_unreachable_takes_the_smallest_rpo_of_the_activities(self) -> None:
        change = both(
            backup("dpi", frequency_h=12, copies=ONLINE_ONLY),
            lambda d: d["activities"].append({"name": "lab", "needs": ["dpi"], "rto_h": 24, "rpo_h": 6}),
        )
        findings = {f.affected[0].name: f for f in model_findings(CheckId.RPO_UNREACHABLE, change)}
        # The directory under the record is not held to the lab's RPO: its loss is downtime, not lost records.
        assert ["dpi"] == sorted(findings)
        finding = findings["dpi"]
        assert (6.0, "lab", ["emergency", "lab"]) == (
            finding.evidence["rpo_h"],
            finding.evidence["activity"],
            finding.evidence["activities"],
        )

    def test_no_surviving_copy_after_ransomware_is_high(self) -> None:
        (finding,) = model_findings(CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE, backup("dpi", copies=ONLINE_ONLY))
        assert (Severity.HIGH, None, True) == (
            finding.severity,
            finding.evidence["backup_cycle_h"],
            finding.evidence["no_copy_survives"],
        )

    def test_an_old_offline_copy_after_ransomware_is_medium_with_its_cycle(self) -> None:
        copies = [{"site": "A", "medium": "disk"}, {"site": "C", "medium": "tape", "online": False, "frequency_h": 48}]
        (finding,) = model_findings(CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE, backup("dpi", copies=copies))
        assert (Severity.MEDIUM, 48.0, False) == (
            finding.severity,
            finding.evidence["backup_cycle_h"],
            finding.evidence["no_copy_survives"],
        )

    def test_321_says_what_is_missing(self) -> None:
        copies = [{"site": "A", "medium": "disk"}, {"site": "A", "medium": "disk"}]
        (finding,) = model_findings(CheckId.BACKUP_321_NOT_MET, backup("dpi", copies=copies))
        assert (3, ["disk"], 0, ["media", "off_site"]) == (
            finding.evidence["copies"],
            finding.evidence["media"],
            finding.evidence["off_site_copies"],
            finding.evidence["missing"],
        )

    def test_restore_test_age_is_counted_in_days(self) -> None:
        change = component("ad", restore_tests=[{"date": "2025-08-31", "success": True, "duration_h": 2}])
        (finding,) = model_findings(CheckId.RESTORE_TEST_OUTDATED, change)
        assert {"last_success": "2025-08-31", "age_days": 366} == finding.evidence

    def test_failed_restore_test_names_the_last_success(self) -> None:
        tests = [{"date": "2026-06-01", "success": True, "duration_h": 3}, {"date": "2026-07-01", "success": False}]
        (finding,) = model_findings(CheckId.RESTORE_TEST_FAILED, component("dpi", restore_tests=tests))
        assert {"last_test": "2026-07-01", "last_success": "2026-06-01"} == finding.evidence

    def test_a_backup_system_finding_names_every_component_it_backs_up(self) -> None:
        (finding,) = model_findings(
            CheckId.BACKUP_CONSOLE_PRODUCTION_DIRECTORY, system(authentication="production_directory")
        )
        assert [("backup_system", "vault"), ("component", "ad"), ("component", "dpi")] == [
            (a.kind, a.name) for a in finding.affected
        ]
        assert {
            "authentication": "production_directory",
            "components": ["ad", "dpi"],
            "critical_components": ["ad", "dpi"],
        } == finding.evidence

    def test_single_point_names_the_activities_depending_on_it(self) -> None:
        (finding,) = model_findings(CheckId.SINGLE_POINT_OF_FAILURE, activity("emergency", needs=["dpi"]))
        assert {"activities": ["emergency"], "critical_activities": ["emergency"]} == finding.evidence

    def test_every_finding_is_strict_json(self) -> None:
        """Even with every weakness at once, the findings serialise without NaN or infinity."""
        change = both(
            system(authentication="production_directory", mfa=False, isolation=False, supervised=False),
            backup("dpi", frequency_h=48, copies=ONLINE_ONLY),
            component("dpi", restore_tests=[{"date": "2026-07-01", "success": False}], restore_h=3),
            component("ad", backup=None, restore_tests=[{"date": "2024-01-01", "success": True, "duration_h": 2}]),
            activity("emergency", needs=["dpi"]),
        )
        findings = audit(model_from_dict(changed(change)), as_of=AS_OF)
        assert len({f.check_id for f in findings}) >= 10
        json.dumps([f.to_dict() for f in findings], allow_nan=False)
