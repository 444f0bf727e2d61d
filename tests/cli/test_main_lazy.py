"""The ``hygie`` entry point loads only the command group named on the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hygie.cli.main import COMMANDS, GROUPS, _invoked, build_app


@pytest.mark.parametrize("name", sorted({*GROUPS, *COMMANDS}))
def test_each_command_works_when_loaded_alone(name: str) -> None:
    """``hygie NAME --help`` on the application holding only NAME (a lone command stays a subcommand)."""
    result = CliRunner().invoke(build_app(name), [name, "--help"])
    assert 0 == result.exit_code, result.output
    assert f"hygie {name}" in result.output.replace("  ", " ")


def test_the_named_group_is_found_and_root_options_load_everything() -> None:
    """The first argument picks the group; an option first, or an unknown name, loads every group."""
    assert "detect" == _invoked(["detect", "hunt", "x"])
    assert _invoked(["--help"]) is None
    assert _invoked(["nonsense"]) is None
    assert _invoked([]) is None
    result = CliRunner().invoke(build_app(None), ["--help"])
    assert 0 == result.exit_code
    for name in GROUPS:
        assert name in result.output
