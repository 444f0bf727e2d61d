"""Entry point of the ``hygie`` command."""

from __future__ import annotations

import typer

from hygie.cli import demo, findings, inventory, org, server, user

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
server.register(app)
demo.register(app)


def main() -> None:
    """Run the CLI."""
    app()
