"""The installed ``hygie`` command, run as a real process on a fresh SQLite database.

In-process tests share the test runner's configured Django; only a separate process proves each
command configures Django itself before touching models, and fails with a message, not a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND


def _hygie(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("HYGIE_DATABASE_URL", None)  # a fresh embedded database, whatever the suite runs on
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-c", "from hygie.cli.main import main; main()", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: Any) -> Path:
    """A migrated data directory shared by the tests of this module."""
    path = tmp_path_factory.mktemp("hygie-cli")
    result = _hygie(path, "migrate")
    assert 0 == result.returncode, result.stderr
    return path


class TestRealProcess:
    """Each command group works from a cold start."""

    def test_org_and_user_commands(self, data_dir: Path) -> None:
        """Build a small tree, create and grant a user, then read it back."""
        steps = [
            ("org", "add", "--kind", "nation", "--name", "France"),
            ("org", "add", "--kind", "region", "--name", "Bretagne", "--parent", "1"),
            ("user", "create", "carole", "--password-stdin"),
            ("user", "grant", "carole", "viewer", "2"),
        ]
        for step in steps:
            result = _hygie(data_dir, *step, stdin="Une-phrase-de-passe-longue\n")
            assert (0, "") == (result.returncode, result.stderr), step
        tree = _hygie(data_dir, "org", "tree", "--as", "carole")
        assert (0, True) == (tree.returncode, "Bretagne" in tree.stdout)
        assert "viewer @ Bretagne" in _hygie(data_dir, "user", "list").stdout

    @pytest.mark.parametrize(
        "command",
        [
            ("exposure", "platform", "scans"),
            ("exposure", "platform", "perimeter", "list"),
            ("exposure", "platform", "schedule"),
            ("directory", "audits"),
        ],
    )
    def test_platform_listings_start_cold(self, data_dir: Path, command: tuple[str, ...]) -> None:
        """The platform listings of the engines configure Django themselves before reading models."""
        result = _hygie(data_dir, *command)
        assert (0, "") == (result.returncode, result.stderr), result.stderr

    def test_errors_are_messages(self, data_dir: Path) -> None:
        """Unknown ids and invalid input end with an exit code and no traceback."""
        missing = _hygie(data_dir, "org", "show", "4242")
        invalid = _hygie(data_dir, "org", "add", "--kind", "site", "--name", "Nowhere")
        assert (EXIT_NOT_FOUND, EXIT_INVALID_INPUT) == (missing.returncode, invalid.returncode)
        assert "Traceback" not in missing.stderr + invalid.stderr


class TestUnmigratedDatabase:
    """A command run before `hygie migrate` says so instead of printing a traceback."""

    def test_message_and_exit_code(self, tmp_path: Path) -> None:
        """Exit code 3 and a hint to migrate, nothing on stderr that looks like a traceback."""
        result = subprocess.run(  # noqa: S603 - our own entry point
            [str(Path(sys.executable).with_name("hygie")), "org", "tree"],
            env={**os.environ, "HYGIE_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=120,
            check=False,
        )
        assert 3 == result.returncode
        assert "hygie migrate" in result.stderr
        assert "Traceback" not in result.stderr
