"""`hygie inventory ...` commands: CSV import (all or nothing) and export of the inventory."""

from __future__ import annotations

import contextlib
import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    acting,
    console,
    err_console,
    fail,
    progress_bars,
    resolve_user,
)

app = typer.Typer(help="Inventory: import and export assets, applications and care activities.", no_args_is_help=True)


class Kind(StrEnum):
    """What the file holds (same names as the API's ``/inventory/{kind}/import``)."""

    ASSETS = "assets"
    APPLICATIONS = "applications"
    CARE_ACTIVITIES = "care-activities"


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV file (UTF-8 or Windows-1252, ',' or ';')."),
    kind: Kind = typer.Option(..., "--kind", help="What the file holds."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every line, change nothing.")] = False,
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (their roles apply)."),
) -> None:
    """Import a CSV file: every bad line is listed and nothing is stored unless all lines are valid."""
    user = resolve_user(as_user)
    from django.conf import settings

    from hygie.apps.inventory.importing import ImportRefusedError, import_csv

    if not file.is_file():
        fail(f"no such file: {file}", EXIT_NOT_FOUND)
    if file.stat().st_size > settings.HYGIE_MAX_UPLOAD_BYTES:
        fail(f"the file is too large (limit: {settings.HYGIE_MAX_UPLOAD_BYTES} bytes)", EXIT_INVALID_INPUT)
    with acting(user) as effective, progress_bars() as progress:
        try:
            report = import_csv(file.read_bytes(), str(kind), effective, dry_run=dry_run, progress=progress)
        except ImportRefusedError as exc:
            fail(exc.message, EXIT_INVALID_INPUT)
    if report.problems:
        _print_problems(report.problems)
        fail(f"{len(report.problems)} problem(s) in {report.rows} line(s); nothing was saved", EXIT_INVALID_INPUT)
    verb = "would be" if dry_run else "were"
    console.print(
        f"{report.rows} line(s): {report.created} {verb} created, {report.updated} {verb} updated, "
        f"{report.unchanged} unchanged.",
        highlight=False,
    )


def _print_problems(problems: list[Any]) -> None:
    from rich.table import Table

    table = Table("line", "column", "reason", title="Problems")
    for problem in problems:
        table.add_row(str(problem.line), problem.column, problem.reason)
    err_console.print(table)


@app.command("export")
def export_file(
    kind: Kind = typer.Option(..., "--kind", help="What to export."),
    node: int | None = typer.Option(None, "--node", help="Only this node and the nodes below it."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (their roles apply)."),
) -> None:
    """Export as CSV with the import columns (the file re-imports as is)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.inventory.csvcolumns import SPECS, ImportKind, export_columns
    from hygie.apps.organizations.models import Node
    from hygie.web.tables import csv_rows

    spec = SPECS[ImportKind(str(kind))]
    with acting(user) as effective:
        rows = spec.model.objects.restrict(effective, Action.VIEW)  # type: ignore[attr-defined]
        if node is not None:
            found = Node.objects.restrict(effective, Action.VIEW).filter(pk=node).first()
            if found is None:
                fail(f"no node {node}", EXIT_NOT_FOUND)
            rows = rows.filter(node__path__startswith=found.path)
        rows = rows.select_related("node").prefetch_related(*spec.relations).order_by("node__path", "name")
        with contextlib.ExitStack() as stack:
            stream = stack.enter_context(output.open("w", newline="", encoding="utf-8")) if output else sys.stdout
            writer = csv.writer(stream)
            writer.writerows(csv_rows(rows.iterator(chunk_size=2000), export_columns(spec.kind)))
