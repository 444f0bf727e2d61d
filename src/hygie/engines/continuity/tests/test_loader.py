"""The model loader: backups and their copies, backup systems, restore tests, BIA targets, degraded modes, scenarios.

Every refusal names the element at fault (component, copy, test, activity, mode, scenario).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hygie.engines.continuity.loader import DEFAULT_SPREAD, ModelError, load_model, model_from_dict
from hygie.engines.continuity.model import BackupCopy, BackupSystem, RestoreTest, selects
from hygie.engines.continuity.simulate import simulate

BASE: dict[str, Any] = {
    "teams": [{"name": "it", "capacity": 2}],
    "backup_systems": [{"name": "vault", "authentication": "local_accounts", "mfa": True}],
    "components": [
        {
            "name": "ad",
            "kind": "infrastructure",
            "category": "directory",
            "site": "north",
            "team": "it",
            "restore_h": 2,
        },
        {
            "name": "hv",
            "kind": "infrastructure",
            "category": "hypervisor",
            "site": "south",
            "platform": "vmware",
            "team": "it",
            "restore_h": 3,
        },
        {"name": "dpi", "site": "north", "team": "it", "restore_h": 4, "depends_on": ["ad", "hv"]},
    ],
    "activities": [{"name": "emergency", "needs": ["dpi"], "rto_h": 8, "rpo_h": 4}],
}

Change = Callable[[dict[str, Any]], None]


def with_change(change: Change) -> dict[str, Any]:
    """A copy of ``BASE`` with ``change`` applied."""
    document = copy.deepcopy(BASE)
    change(document)
    return document


def dpi(document: dict[str, Any]) -> dict[str, Any]:
    """The ``dpi`` component of ``document``."""
    component: dict[str, Any] = document["components"][2]
    return component


def loaded_dpi(**values: Any) -> Any:
    """The ``dpi`` component loaded after setting ``values`` on it (``None`` removes a key)."""

    def change(document: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is None:
                dpi(document).pop(key, None)
            else:
                dpi(document)[key] = value

    return next(c for c in model_from_dict(with_change(change)).components if c.name == "dpi")


def loaded_activity(**values: Any) -> Any:
    """The ``emergency`` activity loaded after setting ``values`` on it (``None`` removes a key)."""

    def change(document: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is None:
                document["activities"][0].pop(key, None)
            else:
                document["activities"][0][key] = value

    return model_from_dict(with_change(change)).activities[0]


def refused(change: Change) -> str:
    """The message of the ``ModelError`` raised when loading ``BASE`` changed by ``change``."""
    with pytest.raises(ModelError) as caught:
        model_from_dict(with_change(change))
    return str(caught.value)


class TestBackups:
    """A backup plan: its copies written out, or the short form."""

    def test_copies_are_read_with_every_attribute(self) -> None:
        backup = loaded_dpi(
            backup={
                "frequency_h": 4,
                "method": "incremental",
                "retention_days": 90,
                "system": "vault",
                "copies": [
                    {"site": "north", "medium": "disk"},
                    {"site": "south", "medium": "tape", "online": False, "encrypted": True, "frequency_h": 168},
                    {"site": "cloud", "medium": "object", "immutable": True},
                ],
            }
        ).backup
        assert ("incremental", 90.0, "vault", 4.0) == (
            backup.method,
            backup.retention_days,
            backup.system,
            backup.frequency_h,
        )
        assert (
            BackupCopy("north", "disk"),
            BackupCopy("south", "tape", online=False, encrypted=True, frequency_h=168.0),
            BackupCopy("cloud", "object", immutable=True),
        ) == backup.copies
        assert (True, 4.0, 4.0) == (
            backup.offline,
            backup.newest_surviving_cycle_h(online_destroyed=False),
            backup.newest_surviving_cycle_h(online_destroyed=True),
        )

    def test_the_short_form_gives_the_online_copy_and_an_offline_one(self) -> None:
        backup = loaded_dpi(backup={"frequency_h": 24, "offline": True, "offline_frequency_h": 168}).backup
        assert (BackupCopy("", "disk"), BackupCopy("", "offline", online=False, frequency_h=168.0)) == backup.copies
        assert (30.0, "full", None) == (backup.retention_days, backup.method, backup.system)
        assert 168.0 == backup.newest_surviving_cycle_h(online_destroyed=True)

    def test_the_short_form_without_offline_has_one_online_copy(self) -> None:
        backup = loaded_dpi(backup={"frequency_h": 24}).backup
        assert ((BackupCopy("", "disk"),), False) == (backup.copies, backup.offline)
        assert backup.newest_surviving_cycle_h(online_destroyed=True) is None

    @pytest.mark.parametrize(
        ("backup", "message"),
        [
            ({"copies": [{"medium": "disk"}]}, "component 'dpi' backup: frequency_h is missing"),
            ({"frequency_h": -1}, "component 'dpi' backup: frequency_h is negative (-1)"),
            ({"frequency_h": 4, "system": "nas"}, "component 'dpi' backup: unknown backup system 'nas'"),
            ({"frequency_h": 4, "copies": ["tape"]}, "component 'dpi' backup copy #1: expected a mapping"),
            (
                {"frequency_h": 4, "copies": [{"medium": "disk"}, {"medium": "tape", "immutable": "yes"}]},
                "component 'dpi' backup copy #2: immutable must be true or false",
            ),
            (
                {"frequency_h": 4, "copies": [{"medium": "disk", "frequency_h": "daily"}]},
                "component 'dpi' backup copy #1: frequency_h must be a number",
            ),
            ({"frequency_h": 4, "offline": "yes"}, "component 'dpi' backup: offline must be true or false"),
            ("daily", "component 'dpi': backup must be a mapping"),
        ],
    )
    def test_bad_backups_are_refused_naming_the_component(self, backup: Any, message: str) -> None:
        assert message in refused(lambda d: dpi(d).update(backup=backup))

    def test_a_copy_online_flag_must_be_a_boolean(self) -> None:
        backup = {"frequency_h": 4, "copies": [{"medium": "tape", "online": "no"}]}
        assert "component 'dpi' backup copy #1: online must be true or false" in refused(
            lambda d: dpi(d).update(backup=backup)
        )


class TestBackupSystems:
    """Backup systems: how their console authenticates, MFA, isolation, supervision."""

    def test_attributes_and_defaults(self) -> None:
        document = with_change(lambda d: d["backup_systems"].append({"name": "old"}))
        systems = model_from_dict(document).backup_systems
        assert {
            "vault": BackupSystem("vault", authentication="local_accounts", mfa=True),
            "old": BackupSystem("old", authentication="production_directory"),
        } == systems

    @pytest.mark.parametrize(
        ("system", "message"),
        [
            (
                {"name": "nas", "authentication": "kerberos"},
                "backup system 'nas': authentication must be one of production_directory, dedicated_directory",
            ),
            ({"name": "nas", "isolation": "partly"}, "backup system 'nas': isolation must be true or false"),
            ({"name": "vault"}, "backup system 'vault' is declared twice"),
            ({"mfa": True}, "backup system #2: name is missing"),
        ],
    )
    def test_bad_systems_are_refused_naming_them(self, system: dict[str, Any], message: str) -> None:
        assert message in refused(lambda d: d["backup_systems"].append(system))


class TestRestoreTime:
    """Restore time: a measured test wins over a declared figure, which wins over an estimate."""

    def test_the_latest_successful_measured_test_wins(self) -> None:
        tests = [
            {"date": "2026-03-01", "success": True, "duration_h": 3},
            {"date": "2025-03-01", "success": True, "duration_h": 5},
            {"date": "2026-05-01", "success": False, "duration_h": 9},
            {"date": dt.date(2026, 4, 1), "success": True},
        ]
        component = loaded_dpi(restore_h=10, restore_tests=tests)
        assert (3.0, "measured", DEFAULT_SPREAD["measured"]) == (
            component.restore_h,
            component.restore_basis,
            component.spread,
        )
        assert [dt.date(2025, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)] == [
            test.date for test in component.restore_tests
        ]
        assert RestoreTest(dt.date(2026, 5, 1), success=False, duration_h=9.0) == component.restore_tests[-1]

    def test_a_declared_time_wins_over_the_estimate_and_keeps_the_transfer_part(self) -> None:
        component = loaded_dpi(restore_h=4, data_gb=100, throughput_gb_h=50)
        assert (4.0, "declared", 2.0, DEFAULT_SPREAD["declared"]) == (
            component.restore_h,
            component.restore_basis,
            component.transfer_h,
            component.spread,
        )

    def test_without_a_test_or_a_figure_the_time_is_estimated_from_size_and_throughput(self) -> None:
        component = loaded_dpi(restore_h=None, data_gb=100, throughput_gb_h=50, setup_h=1)
        assert (3.0, "estimated", 2.0, DEFAULT_SPREAD["estimated"]) == (
            component.restore_h,
            component.restore_basis,
            component.transfer_h,
            component.spread,
        )

    def test_a_failed_test_alone_measures_nothing(self) -> None:
        component = loaded_dpi(restore_tests=[{"date": "2026-01-01", "success": False, "duration_h": 1}])
        assert (4.0, "declared") == (component.restore_h, component.restore_basis)

    def test_an_explicit_spread_wins(self) -> None:
        assert 0.1 == loaded_dpi(spread=0.1).spread

    def test_a_rebuild_as_long_as_the_restore_is_accepted(self) -> None:
        assert 4.0 == loaded_dpi(rebuild_h=4).rebuild_hours

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"restore_h": None}, "component 'dpi': restore_h is missing (give restore_h, a successful restore test"),
            ({"restore_h": None, "data_gb": 100}, "component 'dpi': restore_h is missing"),
            ({"rebuild_h": 1}, "component 'dpi': rebuild_h (1.0) is shorter than the restore (4.0)"),
            (
                {"restore_tests": [{"date": "2026-01-01", "success": True, "duration_h": 9}], "rebuild_h": 5},
                "component 'dpi': rebuild_h (5.0) is shorter than the restore (9.0)",
            ),
            (
                {"restore_tests": [{"date": "2026-13-01", "success": True}]},
                "component 'dpi' restore test #1: date must be YYYY-MM-DD, not '2026-13-01'",
            ),
            (
                {"restore_tests": [{"date": "2026-01-01", "success": True}, {"success": True}]},
                "component 'dpi' restore test #2: date is missing",
            ),
            (
                {"restore_tests": [{"date": 20260101, "success": True}]},
                "component 'dpi' restore test #1: date is missing",
            ),
            (
                {"restore_tests": [{"date": "2026-01-01", "success": "ok"}]},
                "component 'dpi' restore test #1: success must be true or false",
            ),
            (
                {"restore_tests": [{"date": "2026-01-01", "success": True, "duration_h": -2}]},
                "component 'dpi' restore test #1: duration_h is negative (-2)",
            ),
            ({"restore_tests": ["2026-01-01"]}, "component 'dpi' restore test #1: expected a mapping"),
            ({"category": "mainframe"}, "component 'dpi': category must be one of directory"),
            ({"critical": "yes"}, "component 'dpi': critical must be true or false"),
        ],
    )
    def test_bad_components_are_refused_naming_them(self, values: dict[str, Any], message: str) -> None:
        def change(document: dict[str, Any]) -> None:
            for key, value in values.items():
                if value is None:
                    dpi(document).pop(key, None)
                else:
                    dpi(document)[key] = value

        assert message in refused(change)


GRID = {"impacts": {"patient_safety": [0, 1, 2, 4, 4, 4]}, "data_loss": [1, 2, 3, 4, 4]}


class TestActivityTargets:
    """Targets come from the BIA unless given explicitly; degraded modes give the hold time."""

    def test_targets_are_derived_from_the_bia(self) -> None:
        activity = loaded_activity(rto_h=None, rpo_h=None, bia=GRID)
        assert (24.0, 4.0, 72.0, 25.0) == (activity.rto_h, activity.rpo_h, activity.mtpd_h, activity.min_service_pct)

    def test_explicit_targets_override_the_bia(self) -> None:
        activity = loaded_activity(rto_h=8, rpo_h=None, bia=GRID, mtpd_h=48, min_service_pct=60)
        assert (8.0, 4.0, 48.0, 60.0) == (activity.rto_h, activity.rpo_h, activity.mtpd_h, activity.min_service_pct)

    def test_without_a_bia_nothing_is_derived(self) -> None:
        activity = loaded_activity()
        assert (8.0, 4.0, None, None, "care") == (
            activity.rto_h,
            activity.rpo_h,
            activity.mtpd_h,
            activity.min_service_pct,
            activity.kind,
        )

    def test_degraded_modes_hold_as_long_as_the_longest(self) -> None:
        modes = [{"name": "paper", "hold_h": 12, "procedure": "paper forms"}, {"name": "fallback pc", "hold_h": 48}]
        activity = loaded_activity(degraded_modes=modes)
        assert (48.0, ["paper", "fallback pc"], "paper forms") == (
            activity.degraded_hold_h,
            [mode.name for mode in activity.degraded_modes],
            activity.degraded_modes[0].procedure,
        )

    def test_an_explicit_hold_wins_over_the_modes(self) -> None:
        activity = loaded_activity(degraded_modes=[{"name": "paper", "hold_h": 12}], degraded_hold_h=6)
        assert 6.0 == activity.degraded_hold_h

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"rto_h": None}, "activity 'emergency': rto_h is missing"),
            (
                {"bia": {"impacts": {"finance": [0, 2, 1, 1, 1, 1]}}},
                "activity 'emergency': bia finance: impact levels must not decrease",
            ),
            ({"bia": {"impacts": {"weather": [0] * 6}}}, "activity 'emergency': bia impacts: unknown axis 'weather'"),
            ({"degraded_modes": [{"name": "paper"}]}, "activity 'emergency' degraded mode 'paper': hold_h is missing"),
            ({"degraded_modes": [{"hold_h": 4}]}, "activity 'emergency' degraded mode #1: name is missing"),
            (
                {"degraded_modes": [{"name": "paper", "hold_h": 4, "procedure": 3}]},
                "activity 'emergency' degraded mode 'paper': procedure must be text",
            ),
            ({"kind": "leisure"}, "activity 'emergency': kind must be one of care, administrative"),
            ({"mtpd_h": -1}, "activity 'emergency': mtpd_h is negative (-1)"),
        ],
    )
    def test_bad_activities_are_refused_naming_them(self, values: dict[str, Any], message: str) -> None:
        assert message in refused(lambda d: d["activities"][0].update(values))


class TestScenarios:
    """Scenarios select what they take by name, kind, category, site or platform; outages come back alone."""

    def test_selectors_take_the_components_they_name(self) -> None:
        scenario = {
            "name": "mixed",
            "lost": ["category:directory", "site:south", "platform:vmware", "application", "dpi"],
            "outages": {"platform:vmware": 48, "ad": 2},
        }
        model = model_from_dict(with_change(lambda d: d.setdefault("scenarios", []).append(scenario)))
        loaded = model.scenarios["mixed"]
        assert (("platform:vmware", 48.0), ("ad", 2.0)) == loaded.outages
        by_name = {component.name: component for component in model.components}
        taken = {
            selector: sorted(name for name, component in by_name.items() if selects(selector, component))
            for selector in loaded.lost
        }
        assert {
            "category:directory": ["ad"],
            "site:south": ["hv"],
            "platform:vmware": ["hv"],
            "application": ["dpi"],
            "dpi": ["dpi"],
        } == taken

    def test_an_outage_holds_the_activity_until_it_ends(self) -> None:
        scenario = {"name": "saas", "lost": [], "outages": {"site:south": 240}}
        model = model_from_dict(with_change(lambda d: d.setdefault("scenarios", []).append(scenario)))
        result = simulate(model, model.scenarios["saas"], runs=3, uncertainty=False)
        assert (240.0, []) == (result.activities[0].downtime_p50, result.schedule)

    @pytest.mark.parametrize(
        ("scenario", "message"),
        [
            (
                {"name": "flood", "lost": ["building:east"]},
                "scenario 'flood': 'building:east' is neither a component, a kind, nor a category:/site:/platform:",
            ),
            ({"name": "flood", "lost": ["site:"]}, "scenario 'flood': 'site:' is neither"),
            ({"name": "flood", "lost": [], "outages": {"pacs": 4}}, "scenario 'flood': 'pacs' is neither"),
            ({"name": "flood", "lost": [], "outages": {"ad": -4}}, "scenario 'flood' outage 'ad': ad is negative (-4)"),
            ({"name": "flood", "lost": [], "outages": ["ad"]}, "scenario 'flood': outages must map selectors to hours"),
            ({"name": "flood", "lost": "ad"}, "scenario 'flood': lost must be a list of names"),
        ],
    )
    def test_bad_scenarios_are_refused_naming_them(self, scenario: dict[str, Any], message: str) -> None:
        assert message in refused(lambda d: d.setdefault("scenarios", []).append(scenario))


class TestFiles:
    """Model files: YAML or JSON, with the file named in errors."""

    def test_a_yaml_file_loads(self, tmp_path: Path) -> None:
        path = tmp_path / "model.yaml"
        path.write_text(
            "teams: [{name: it, capacity: 1}]\n"
            "components:\n"
            "  - {name: dpi, team: it, restore_tests: [{date: 2026-01-15, success: true, duration_h: 2}],\n"
            "     backup: {frequency_h: 24, offline: true}}\n"
            "activities: [{name: care, needs: [dpi], rto_h: 4, rpo_h: 24}]\n",
            encoding="utf-8",
        )
        component = load_model(path).components[0]
        assert (2.0, "measured", dt.date(2026, 1, 15)) == (
            component.restore_h,
            component.restore_basis,
            component.restore_tests[0].date,
        )

    def test_broken_yaml_names_the_file_and_the_line(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.yaml"
        path.write_text("teams: [{name: it\ncomponents: [\n", encoding="utf-8")
        with pytest.raises(ModelError, match=r"broken\.yaml: not valid YAML or JSON at line"):
            load_model(path)
