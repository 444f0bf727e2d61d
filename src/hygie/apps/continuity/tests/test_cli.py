"""``hygie continuity platform``: export, import, simulate --save, check --save, exercises; bad input exits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hygie.apps.continuity.models import Component, Exercise, ExerciseKind, Simulation, SimulationStatus
from hygie.apps.findings.models import Finding
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.continuity_platform import app, establishment_model

from .support import build_continuity, inventory


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


class TestEstablishmentModel:
    """``establishment_model`` (used by ``hygie continuity simulate --establishment``)."""

    def test_by_id_finess_or_name(self, built: dict[str, Any], tenants: Any) -> None:
        """The same model whichever way the establishment is named."""
        for name in (str(tenants.hospital_a.pk), "750712184", "Hospital A"):
            assert 6 == len(establishment_model(name).components)

    def test_unknown(self, tenants: Any) -> None:
        """An unknown establishment exits 4 with a message."""
        with pytest.raises(SystemExit) as stop:
            establishment_model("999999")
        assert EXIT_NOT_FOUND == stop.value.code


class TestCommands:
    """The platform commands, as the local administrator or a named user."""

    def test_export_then_import(self, built: dict[str, Any], tenants: Any, tmp_path: Path) -> None:
        """Export to YAML, import into hospital B (same inventory): the same document."""
        output = tmp_path / "model.yaml"
        assert 0 == _run("export", "--establishment", "Hospital A", "-o", str(output))[0]
        inventory(tenants.hospital_b)
        code, text = _run("import", str(output), "--establishment", "010003820")
        assert 0 == code, text
        assert "components: 6" in text
        assert 6 == Component.objects.filter(node=tenants.hospital_b).count()
        exported = tmp_path / "b.json"
        _run("export", "--establishment", str(tenants.hospital_b.pk), "-o", str(exported))
        first = tmp_path / "a.json"
        _run("export", "--establishment", "Hospital A", "-o", str(first))
        assert json.loads(first.read_text()) == json.loads(exported.read_text())

    def test_simulate_save(self, built: dict[str, Any], tenants: Any) -> None:
        """--save stores a done simulation and its findings."""
        code, text = _run("simulate", "--establishment", "Hospital A", "--scenario", "Ransomware", "--runs", "50",
                          "--save")  # fmt: skip
        assert 0 == code, text
        assert "Emergencies" in text
        simulation = Simulation.objects.get()
        assert (SimulationStatus.DONE, 50) == (simulation.status, simulation.runs)
        assert Finding.objects.filter(node=tenants.hospital_a, check_id="continuity.rto_not_met").exists()

    def test_simulate_without_save(self, built: dict[str, Any]) -> None:
        """Without --save nothing is stored."""
        code, text = _run("simulate", "--establishment", "Hospital A", "--scenario", "SAN failure", "--runs", "20")
        assert 0 == code, text
        assert not Simulation.objects.exists()

    def test_check_save(self, built: dict[str, Any], tenants: Any) -> None:
        """--save stores the model findings (source continuity)."""
        code, text = _run("check", "--establishment", "Hospital A", "--save")
        assert 0 == code, text
        assert Finding.objects.filter(node=tenants.hospital_a, source="continuity").exists()

    def test_exercises(self, tenants: Any) -> None:
        """The exercises of a group include its establishments'."""
        Exercise.objects.create(node=tenants.hospital_a, kind=ExerciseKind.TABLETOP, title="Night tabletop",
                                planned_on=dt.date(2026, 10, 1))  # fmt: skip
        code, text = _run("exercises", "--node", "GHT A")
        assert 0 == code, text
        assert "Night" in text  # the table may wrap the title


class TestBadInput:
    """Bad input: a message and an exit code, never a traceback, nothing stored."""

    @pytest.mark.parametrize(
        ("args", "code", "message"),
        [
            (["export", "--establishment", "424242"], EXIT_NOT_FOUND, "no node"),
            (["check", "--establishment", "Nowhere"], EXIT_NOT_FOUND, "no node"),
            (["simulate", "--establishment", "Hospital A", "--scenario", "Flood"], EXIT_USAGE, "unknown scenario"),
            (["exercises", "--node", "Hospital A", "--as", "ghost"], EXIT_NOT_FOUND, "no active user"),
            (["check", "--establishment", "Hospital A", "--as", "manager_b"], EXIT_NOT_FOUND, "no node"),
            (["check", "--establishment", "Hospital A", "--save", "--as", "viewer_a"], EXIT_PERMISSION, "may not"),
        ],
    )
    def test_exit_codes(self, built: dict[str, Any], args: list[str], code: int, message: str) -> None:
        """Unknown establishment, scenario or user, another tenant, a missing role."""
        exit_code, text = _run(*args)
        assert code == exit_code
        assert message in text
        assert "Traceback" not in text
        assert not Finding.objects.exists()

    def test_ambiguous_name(self, built: dict[str, Any], tenants: Any) -> None:
        """Two nodes with the same name: exit 2, give the id."""
        tenants.hospital_b.name = "Hospital A"
        tenants.hospital_b.save()
        code, text = _run("export", "--establishment", "Hospital A")
        assert EXIT_USAGE == code
        assert "several" in text

    def test_bad_import(self, built: dict[str, Any], tenants: Any, tmp_path: Path) -> None:
        """A broken file, an invalid model, a viewer: nothing stored."""
        broken = tmp_path / "broken.yaml"
        broken.write_text("teams: [unclosed", encoding="utf-8")
        invalid = tmp_path / "invalid.json"
        invalid.write_text(json.dumps({"teams": [{"name": "T", "capacity": 0}], "components": []}), encoding="utf-8")
        before = Component.objects.count()
        assert EXIT_INVALID_INPUT == _run("import", str(broken), "--establishment", "Hospital A")[0]
        code, text = _run("import", str(invalid), "--establishment", "Hospital A")
        assert (EXIT_INVALID_INPUT, True) == (code, "team 'T'" in text)
        assert EXIT_INVALID_INPUT == _run("import", str(tmp_path / "missing.yaml"), "--establishment", "Hospital A")[0]
        code, text = _run("import", str(invalid), "--establishment", "Hospital A", "--as", "viewer_a")
        assert EXIT_PERMISSION == code
        assert before == Component.objects.count()

    def test_invalid_model(self, built: dict[str, Any]) -> None:
        """A stored model the engine refuses: exit 3 naming the component."""
        built["pacs"].restore_h = None
        built["pacs"].save()
        code, text = _run("check", "--establishment", "Hospital A")
        assert EXIT_INVALID_INPUT == code
        assert "PACS" in text


class TestMounted:
    """The commands are mounted as ``hygie continuity platform``; the file-based commands read the platform."""

    def test_through_main(self, built: dict[str, Any]) -> None:
        """``hygie continuity platform export`` and ``hygie continuity check --establishment``."""
        from hygie.cli.main import app as main_app

        exported = CliRunner().invoke(main_app, ["continuity", "platform", "export", "--establishment", "Hospital A"])
        assert 0 == exported.exit_code, exported.output
        assert "Patient record" in json.loads(exported.output)["components"][4]["name"]
        checked = CliRunner().invoke(main_app, ["continuity", "check", "--establishment", "Hospital A", "--format",
                                                "json"])  # fmt: skip
        assert 0 == checked.exit_code, checked.output
        assert json.loads(checked.output)
