"""``hygie serve``, ``hygie worker``, ``hygie migrate``, ``hygie manage``."""

from __future__ import annotations

import os
from typing import Any

import typer

from hygie.cli.context import EXIT_INVALID_INPUT, fail


def _gunicorn_app(host: str, port: int, workers: int, threads: int) -> Any:
    """A gunicorn application serving Hygie's WSGI app, configured from our options only.

    gunicorn would otherwise parse ``sys.argv`` (our own options) as its own; a small subclass of
    its ``BaseApplication`` keeps the configuration explicit.
    """
    from gunicorn.app.base import BaseApplication

    class _HygieApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # Long engine work runs in the task worker; a request never needs more than this.
                "timeout": 120,
                "accesslog": "-",
                "errorlog": "-",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from hygie.web.wsgi import application

            return application

    return _HygieApplication()


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

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        workers: int = typer.Option(2, min=1, max=64, help="Worker processes."),
        threads: int = typer.Option(4, min=1, max=64, help="Threads per worker process."),
    ) -> None:
        """Serve the web UI and the API (gunicorn; static files by whitenoise)."""
        from hygie.cli.context import setup_django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.web.settings")
        # Fail early with a message (not a worker boot loop) when settings or the database are wrong.
        try:
            setup_django()
        except Exception as exc:  # noqa: BLE001 - any configuration error becomes a message
            fail(f"cannot start: {exc}", EXIT_INVALID_INPUT)
        typer.echo(f"Hygie listening on http://{host}:{port}/ (Ctrl-C to stop)")
        _gunicorn_app(host, port, workers, threads).run()

    @app.command()
    def worker(
        batch: bool = typer.Option(False, "--batch", help="Process the queued tasks, then exit."),
        interval: float = typer.Option(1.0, min=0.1, help="Seconds between polls of the queue."),
        queue_name: str = typer.Option("default", help="Queue to process ('*' for all)."),
    ) -> None:
        """Run background jobs (django-tasks database worker)."""
        from django.core.management import call_command

        from hygie.cli.context import setup_django

        setup_django()
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            queue_name=queue_name,
            startup_delay=False,
        )

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """Run a Django management command (for administrators)."""
        from django.core.management import execute_from_command_line

        from hygie.cli.context import setup_django

        setup_django()
        execute_from_command_line(["hygie manage", *ctx.args])
