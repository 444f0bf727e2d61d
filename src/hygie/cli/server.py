"""``hygie serve``, ``hygie worker``, ``hygie migrate``, ``hygie manage``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the server commands to the root app."""

    @app.command()
    def migrate() -> None:
        """Create or update the database schema."""
        from django.core.management import call_command

        from hygie.cli.context import setup_django

        setup_django()
        call_command("migrate", verbosity=0)
        typer.echo("Database is up to date.")

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """Run a Django management command (for administrators)."""
        from django.core.management import execute_from_command_line

        from hygie.cli.context import setup_django

        setup_django()
        execute_from_command_line(["hygie manage", *ctx.args])
