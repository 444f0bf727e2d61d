"""``hygie compliance frameworks``: list, show, validate and import-ciso on files; bad input exits with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from hygie.cli.compliance import app
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.frameworks import DATA_DIR, load_framework
from hygie.frameworks.tests.test_ciso_assistant import LIBRARY

runner = CliRunner()
#: A terminal wide enough that tables fold no id across lines.
WIDE = {"COLUMNS": "220"}


class TestShipped:
    """The shipped frameworks, listed and shown."""

    def test_list_names_every_shipped_framework(self) -> None:
        result = runner.invoke(app, ["frameworks", "list"], env=WIDE)
        assert 0 == result.exit_code, result.output
        for framework_id in ("care_d1", "care_d2", "nis2_art21", "nis_ose", "anssi_hygiene", "anssi_ad"):
            assert framework_id in result.output

    def test_show_lists_requirements_and_their_checks(self) -> None:
        result = runner.invoke(app, ["frameworks", "show", "care_d2"], env=WIDE)
        assert 0 == result.exit_code, result.output
        assert "d2.o3.c" in result.output
        assert "continuity.backup_no_offline_copy" in result.output

    def test_an_unknown_framework_exits_not_found(self) -> None:
        result = runner.invoke(app, ["frameworks", "show", "iso27001"])
        assert EXIT_NOT_FOUND == result.exit_code
        assert "no shipped framework 'iso27001'" in result.output
        assert "Traceback" not in result.output


class TestValidate:
    """A framework file checked from the command line."""

    def test_a_shipped_file_is_valid(self) -> None:
        result = runner.invoke(app, ["frameworks", "validate", str(DATA_DIR / "care_d2.yaml")])
        assert 0 == result.exit_code, result.output
        assert "care_d2 is valid" in result.output

    def test_an_unknown_engine_check_is_refused(self, tmp_path: Path) -> None:
        document = yaml.safe_load((DATA_DIR / "nis2_art21.yaml").read_text(encoding="utf-8"))
        document["requirements"][0]["checks"] = ["directory.no_such_check"]
        path = tmp_path / "nis2.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        result = runner.invoke(app, ["frameworks", "validate", str(path)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "directory.no_such_check" in result.output

    def test_malformed_and_missing_files_exit_invalid_input(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.yaml"
        broken.write_text("id: [unclosed\n", encoding="utf-8")
        for path in (broken, tmp_path / "absent.yaml"):
            result = runner.invoke(app, ["frameworks", "validate", str(path)])
            assert EXIT_INVALID_INPUT == result.exit_code, result.output
            assert "Traceback" not in result.output


class TestImportCiso:
    """A CISO Assistant library converted into Hygie's format, which then loads on its own."""

    def test_the_converted_file_loads_back(self, tmp_path: Path) -> None:
        library = tmp_path / "library.yaml"
        library.write_text(yaml.safe_dump(LIBRARY, allow_unicode=True), encoding="utf-8")
        output = tmp_path / "ours.yaml"
        result = runner.invoke(app, ["frameworks", "import-ciso", str(library), "-o", str(output)])
        assert 0 == result.exit_code, result.output
        framework = load_framework(output)
        assert framework.requirements

    def test_a_file_that_is_no_library_writes_nothing(self, tmp_path: Path) -> None:
        output = tmp_path / "ours.yaml"
        result = runner.invoke(app, ["frameworks", "import-ciso", str(DATA_DIR / "care_d2.yaml"), "-o", str(output)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert not output.exists()
        assert "Traceback" not in result.output


# --- Platform commands (database) ------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


class TestPlatform:
    """sync, assess, status, set, confirm, evidence, gaps, export, rollup, import; clear errors."""

    def test_a_cisos_session(self, tenants: Any, tmp_path: Path) -> None:
        from hygie.apps.compliance.models import Assessment, Evidence, RequirementAssessment, Status
        from hygie.apps.findings.models import Finding

        code, text = _run("sync")
        assert 0 == code, text
        assert "care_d2" in text
        code, text = _run("assess", "--node", "750712184", "--framework", "nis2_art21", "--as", "manager_a")
        assert 0 == code, text
        assessment = Assessment.objects.get(node=tenants.hospital_a, framework__key="nis2_art21")
        ref = assessment.items.order_by("requirement__order").first().requirement.ref
        base = ("--node", "Hospital A", "--framework", "nis2_art21")
        code, text = _run("set", ref, *base, "--status", "partial", "--owner", "analyst_a", "--due", "2027-01-31",
                          "--comment", "Draft", "--as", "analyst_a")
        assert 0 == code, text
        item = RequirementAssessment.objects.get(assessment=assessment, requirement__ref=ref)
        assert (Status.PARTIAL, "analyst_a") == (item.status, item.owner.username)
        code, text = _run("status", *base, "--format", "json")
        assert 0 == code, text
        document = json.loads(text)
        assert ref == document["requirements"][0]["ref"]
        assert "partial" == document["requirements"][0]["status"]
        code, text = _run("status", *base)
        assert 0 == code
        assert ref in text
        proof = tmp_path / "minutes.txt"
        proof.write_text("Committee minutes\n", encoding="utf-8")
        code, text = _run("evidence", "add", ref, str(proof), *base, "--title", "Minutes")
        assert 0 == code, text
        assert Evidence.objects.filter(item=item, title="Minutes").exists()
        code, text = _run("refresh", *base)
        assert 0 == code, text
        code, text = _run("gaps", *base, "--plan", "--owner", "manager_a", "--due", "2027-06-30")
        assert 0 == code, text
        assert Finding.objects.filter(source="compliance", node=tenants.hospital_a).exists()
        for fmt in ("csv", "json", "pdf"):
            output = tmp_path / f"export.{fmt}"
            code, text = _run("export", *base, "--format", fmt, "-o", str(output))
            assert 0 == code, text
            assert output.stat().st_size > 0
        code, text = _run("rollup", "--node", "GHT A", "--framework", "nis2_art21")
        assert 0 == code, text
        assert "Hospital A" in text

    def test_confirm_measures(self, tenants: Any) -> None:
        from hygie.apps.compliance.models import Measure, RequirementAssessment, Status

        assert 0 == _run("assess", "--node", "Hospital A", "--framework", "care_d2")[0]
        items = RequirementAssessment.objects.filter(assessment__node=tenants.hospital_a)
        items.filter(requirement__ref="d2.p1").update(measure=Measure.FAILING)
        code, text = _run("confirm", "d2.p1", "--node", "Hospital A", "--framework", "care_d2")
        assert 0 == code, text
        assert Status.NOT_MET == items.get(requirement__ref="d2.p1").status
        items.filter(requirement__ref="d2.p2").update(measure=Measure.PASSING)
        code, text = _run("confirm", "--all-measured", "--node", "Hospital A", "--framework", "care_d2")
        assert 0 == code, text
        assert Status.MET == items.get(requirement__ref="d2.p2").status
        assert EXIT_USAGE == _run("confirm", "--node", "Hospital A", "--framework", "care_d2")[0]

    def test_import_a_file(self, tenants: Any, tmp_path: Path) -> None:
        from hygie.apps.compliance.models import Framework

        library = tmp_path / "library.yaml"
        library.write_text(yaml.safe_dump(LIBRARY, allow_unicode=True), encoding="utf-8")
        code, text = _run("import", str(library), "--node", "Hospital A", "--as", "analyst_a")
        assert 0 == code, text
        assert Framework.objects.filter(node=tenants.hospital_a).exists()
        broken = tmp_path / "broken.yaml"
        broken.write_text("id: [unclosed\n", encoding="utf-8")
        code, text = _run("import", str(broken), "--node", "Hospital A")
        assert EXIT_INVALID_INPUT == code
        assert "broken.yaml" in text
        assert "Traceback" not in text
        assert EXIT_INVALID_INPUT == _run("import", str(tmp_path / "absent.yaml"), "--node", "Hospital A")[0]

    def test_errors(self, tenants: Any, tmp_path: Path) -> None:
        base = ("--node", "Hospital A", "--framework", "nis2_art21")
        code, text = _run("status", *base)
        assert EXIT_NOT_FOUND == code
        assert "no assessment" in text
        assert EXIT_NOT_FOUND == _run("assess", "--node", "Nowhere", "--framework", "nis2_art21")[0]
        assert EXIT_NOT_FOUND == _run("assess", "--node", "Hospital A", "--framework", "iso27001")[0]
        assert EXIT_PERMISSION == _run("assess", *base, "--as", "viewer_a")[0]
        assert EXIT_NOT_FOUND == _run("assess", *base, "--as", "manager_b")[0]  # hospital A is not theirs
        assert 0 == _run("assess", *base)[0]
        assert EXIT_INVALID_INPUT == _run("assess", *base)[0]  # twice
        code, text = _run("set", "nope", *base, "--status", "met")
        assert EXIT_NOT_FOUND == code
        ref = "art21.2.a"
        code, text = _run("set", ref, *base, "--status", "not_applicable")
        assert EXIT_INVALID_INPUT == code, text
        assert "Say why" in text
        assert EXIT_INVALID_INPUT == _run("set", ref, *base, "--status", "done")[0]
        assert EXIT_USAGE == _run("set", ref, *base, "--due", "tomorrow")[0]
        fake = tmp_path / "fake.pdf"
        fake.write_bytes(b"MZ\x90\x00")
        code, text = _run("evidence", "add", ref, str(fake), *base)
        assert EXIT_INVALID_INPUT == code
        assert "not a PDF" in text
        assert EXIT_USAGE == _run("export", *base, "--format", "xls", "-o", str(tmp_path / "x"))[0]
        assert EXIT_USAGE == _run("gaps", *base, "--owner", "manager_a")[0]
        assert EXIT_PERMISSION == _run("refresh", *base, "--as", "viewer_a")[0]
