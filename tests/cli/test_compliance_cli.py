"""``hygie compliance frameworks``: list, show, validate and import-ciso on files; bad input exits with one line."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from hygie.cli.compliance import app
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND
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
