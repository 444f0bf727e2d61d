"""Entry point of the ``hygie`` command.

Command groups are imported only when used: ``hygie detect hunt`` must not pay for importing the
directory audit, the web server and every other engine (over half a second), since a hunt on a few
thousand events takes less than that. ``hygie --help`` still imports them all to list them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Final

import typer

from hygie.cli.context import EXIT_INVALID_INPUT, fail

__all__ = ["GROUPS", "build_app", "main"]

#: Command groups: name -> module holding its ``app``.
GROUPS: Final = {
    "org": "hygie.cli.org",
    "user": "hygie.cli.user",
    "inventory": "hygie.cli.inventory",
    "findings": "hygie.cli.findings",
    "directory": "hygie.cli.directory",
    "exposure": "hygie.cli.exposure",
    "detect": "hygie.cli.detect",
    "continuity": "hygie.cli.continuity",
    "compliance": "hygie.cli.compliance",
    "budget": "hygie.cli.budget",
    "awareness": "hygie.cli.awareness",
    "incident": "hygie.cli.incident",
}
#: Top-level commands: name -> module whose ``register(app)`` adds them.
COMMANDS: Final = {
    "migrate": "hygie.cli.server",
    "serve": "hygie.cli.server",
    "worker": "hygie.cli.server",
    "demo": "hygie.cli.demo",
}


def build_app(only: str | None = None) -> typer.Typer:
    """The ``hygie`` application; with ``only``, just the group or command of that name."""
    app = typer.Typer(
        name="hygie",
        help="Hygie: cyber-resilience platform for health establishments.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root() -> None:
        """Hygie: cyber-resilience platform for health establishments."""

    # The callback keeps the application a group of commands even when only one is loaded (Typer
    # would otherwise run a lone command as the whole program and refuse its name as an argument).
    for name, module in GROUPS.items():
        if only is None or only == name:
            app.add_typer(importlib.import_module(module).app, name=name)
    registered: set[str] = set()
    for name, module in COMMANDS.items():
        if (only is None or only == name) and module not in registered:
            registered.add(module)
            importlib.import_module(module).register(app)
    return app


def __getattr__(name: str) -> Any:
    """``from hygie.cli.main import app``: the full application, built on first access."""
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)


def _invoked(argv: list[str]) -> str | None:
    """The group or command named on the command line, when it is a known one (else None: load all)."""
    for arg in argv:
        if arg.startswith("-"):
            return None  # a root option (--help, --install-completion...): the full application
        return arg if arg in GROUPS or arg in COMMANDS else None
    return None


def main() -> None:
    """Run the CLI; a database that is missing or not migrated gets a message, not a traceback."""
    app = build_app(_invoked(sys.argv[1:]))
    try:
        app()
    except Exception as exc:
        # Imported here: commands that never touch the database do not import Django at all.
        from django.db.utils import OperationalError, ProgrammingError

        if not isinstance(exc, OperationalError | ProgrammingError):
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"the database is not ready ({first_line}); run `hygie migrate` first", EXIT_INVALID_INPUT)
