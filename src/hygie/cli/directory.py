"""``hygie directory``: audit an Active Directory collection without any database."""

from __future__ import annotations

import io
from gettext import gettext as _  # no Django here: this command runs without settings
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hygie.cli.context import EXIT_INVALID_INPUT, fail
from hygie.engines.directory.audit import AuditResult, audit
from hygie.engines.directory.errors import CollectionError, SnapshotError
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

app = typer.Typer(help="Active Directory audit.", no_args_is_help=True)

# A saved snapshot folder is recognised by its manifest; anything else is read as SharpHound.
_SNAPSHOT_MANIFEST = "manifest.json"


def _load(path: Path) -> Snapshot:
    """A snapshot folder or a SharpHound folder/zip/json; bad input exits 3 with the reader's message."""
    try:
        if path.is_dir() and (path / _SNAPSHOT_MANIFEST).is_file():
            return Snapshot.load(path)
        return read_sharphound(path)
    except (CollectionError, SnapshotError) as error:
        fail(str(error), EXIT_INVALID_INPUT)
    except OSError as error:
        fail(f"{path}: {error.strerror or error}", EXIT_INVALID_INPUT)


def _table(result: AuditResult) -> Table:
    """A Rich table of the findings, worst first, under a title with level and score."""
    table = Table(
        title=_("ANSSI level %(level)s, risk score %(score)s/100") % {"level": result.level, "score": result.score}
    )
    for header in (_("Severity"), _("Check"), _("ANSSI"), _("Objects")):
        table.add_column(header)
    for finding in result.findings:
        anssi = ", ".join(ref.id for ref in finding.references)
        table.add_row(finding.severity.name.lower(), finding.title, anssi, str(len(finding.affected)))
    return table


@app.command("audit")
def audit_command(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="SharpHound folder, zip or JSON file, or snapshot folder.")
    ],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report to this file.")] = None,
) -> None:
    """Run the directory checks on INPUT and print the level, scores and findings."""
    if output_format not in {"table", "json"}:
        fail(_("unknown format %(format)r; expected table or json") % {"format": output_format}, EXIT_INVALID_INPUT)
    result = audit(_load(input_path))
    if output_format == "json":
        text = orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode()
    else:
        # Writing to a file: render into memory and export the text instead of printing it.
        console = Console(record=True, width=120, file=io.StringIO() if output else None)
        console.print(_table(result))
        text = console.export_text() if output else ""
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    elif output_format == "json":
        typer.echo(text)
