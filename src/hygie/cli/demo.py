"""``hygie demo``: load the demo hospital group."""

from __future__ import annotations

from typing import Any

import typer


class _RichProgress:
    """Shows the demo loader's phases as Rich progress bars."""

    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, label: str, total: int | None = None) -> None:
        """A new bar per phase."""
        self._task = self._progress.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        """Move the current bar."""
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def log(self, message: str) -> None:
        """Print above the bars."""
        self._progress.console.print(message)


def register(app: typer.Typer) -> None:
    """Add the demo command to the root app."""

    @app.command()
    def demo() -> None:
        """Load the demo hospital group (a fictional GHT) and print its logins."""
        from django.db.utils import DatabaseError
        from django.utils.translation import gettext as _
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        from rich.table import Table

        from hygie.cli.context import console, fail, setup_django

        setup_django()
        from hygie.demo import load_demo

        try:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
            ) as bars:
                summary = load_demo(_RichProgress(bars))
        except DatabaseError as exc:
            # Typically a database without its schema: tell how to create it instead of a traceback.
            fail(_("cannot load the demo (%(error)s); run `hygie migrate` first.") % {"error": exc})
        if summary.already_loaded:
            console.print(_("The demo is already loaded: nothing changed."))
        else:
            console.print(_("Demo loaded."))
        console.print(
            _(
                "%(establishments)d establishments, %(assets)d assets, %(applications)d applications, "
                "%(care)d care activities, %(findings)d findings."
            )
            % {
                "establishments": summary.establishments,
                "assets": summary.assets,
                "applications": summary.applications,
                "care": summary.care_activities,
                "findings": summary.findings,
            },
            highlight=False,
        )
        table = Table(title=_("Demo logins"))
        table.add_column(_("Username"))
        table.add_column(_("Role"))
        table.add_column(_("Node"))
        for login in summary.logins:
            table.add_row(login.username, login.role, login.node)
        console.print(table)
        console.print(
            _("Password of every demo account: %(password)s") % {"password": summary.password}, highlight=False
        )
