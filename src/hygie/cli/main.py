"""Entry point of the ``hygie`` command."""

from __future__ import annotations

import typer

from hygie.cli import demo, detect, directory, exposure, findings, inventory, org, server, user
from hygie.cli.context import EXIT_INVALID_INPUT, fail

app = typer.Typer(
    name="hygie",
    help="Hygie: cyber-resilience platform for health establishments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(org.app, name="org")
app.add_typer(user.app, name="user")
app.add_typer(inventory.app, name="inventory")
app.add_typer(findings.app, name="findings")
app.add_typer(directory.app, name="directory")
app.add_typer(exposure.app, name="exposure")
app.add_typer(detect.app, name="detect")
server.register(app)
demo.register(app)


def main() -> None:
    """Run the CLI; a database that is missing or not migrated gets a message, not a traceback."""
    from django.db.utils import OperationalError, ProgrammingError

    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"the database is not ready ({first_line}); run `hygie migrate` first", EXIT_INVALID_INPUT)
