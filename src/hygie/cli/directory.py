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

from hygie.cli import directory_platform
from hygie.cli.context import EXIT_INVALID_INPUT, fail, setup_django
from hygie.engines.directory.audit import AuditResult, audit
from hygie.engines.directory.errors import CollectionError, SnapshotError
from hygie.engines.directory.ldif import read_ldif
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

app = typer.Typer(help="Active Directory audit.", no_args_is_help=True)

# A saved snapshot folder is recognised by its manifest; anything else is read as SharpHound.
_SNAPSHOT_MANIFEST = "manifest.json"


def _load(path: Path) -> Snapshot:
    """A snapshot folder, an LDIF file or a SharpHound folder/zip/json; bad input exits 3 with the reader's message."""
    try:
        if path.is_dir() and (path / _SNAPSHOT_MANIFEST).is_file():
            return Snapshot.load(path)
        if path.suffix.lower() == ".ldif":
            return read_ldif(path)
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


def _attack_table(result: AuditResult) -> Table | None:
    """The attack-path summary (who reaches Tier 0) and the cut, one fix per row; None when skipped."""
    paths = result.attack_paths
    if paths is None:
        return None
    table = Table(
        title=_(
            "Paths to Tier 0 (%(tier0)s objects): %(principals)s principals, %(users)s users, %(computers)s computers"
        )
        % {
            "tier0": paths.tier0_count,
            "principals": paths.principals_with_path,
            "users": paths.users_with_path,
            "computers": paths.computers_with_path,
        }
    )
    for header in (_("Fix"), _("Principals disconnected"), _("In total"), _("Paths closed")):
        table.add_column(header)
    for fix in paths.cut:
        table.add_row(
            fix.text, str(fix.principals_disconnected), str(fix.cumulative_disconnected), str(fix.paths_closed)
        )
    return table


def _html_report(result: AuditResult, snapshot: Snapshot, input_path: Path) -> str:
    """The platform's audit report (same template as the web UI's), rendered without any database."""
    # Django renders the template only: settings are loaded, no table is read or written.
    setup_django()
    from django.utils import timezone

    from hygie.apps.directory.models import DirectoryAudit
    from hygie.apps.directory.report import report_html
    from hygie.apps.directory.running import apply_result, snapshot_domains
    from hygie.apps.organizations.models import Node

    report = DirectoryAudit(node=Node(name=input_path.name))
    apply_result(report, result, snapshot_domains(snapshot), timezone.now())
    return report_html(report, [])


@app.command("audit")
def audit_command(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT", help="SharpHound folder, zip or JSON file, LDIF export (.ldif), or snapshot folder."
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report to this file.")] = None,
) -> None:
    """Run the directory checks on INPUT and print the level, scores and findings."""
    if output_format not in {"table", "json", "html"}:
        fail(
            _("unknown format %(format)r; expected table, json or html") % {"format": output_format},
            EXIT_INVALID_INPUT,
        )
    snapshot = _load(input_path)
    result = audit(snapshot)
    if output_format == "json":
        text = orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode()
    elif output_format == "html":
        text = _html_report(result, snapshot, input_path)
    else:
        # Writing to a file: render into memory and export the text instead of printing it.
        console = Console(record=True, width=120, file=io.StringIO() if output else None)
        console.print(_table(result))
        attack = _attack_table(result)
        if attack is not None:
            console.print(attack)
        text = console.export_text() if output else ""
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    elif output_format in {"json", "html"}:
        typer.echo(text)


# --- hygie directory collect ---------------------------------------------------------------------

#: Where the collect command reads the bind password when it is not typed at the prompt.
PASSWORD_ENV = "HYGIE_LDAP_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class _PagingProgress:
    """Rich spinner with an entry count per LDAP search (the total is not known in advance)."""

    def __init__(self, bars: object) -> None:
        self._bars = bars
        self._task: object = None

    def start(self, label: str, total: int | None = None) -> None:
        """A new line per search."""
        self._task = self._bars.add_task(label, total=total)  # type: ignore[attr-defined]

    def advance(self, amount: int = 1) -> None:
        """More entries received."""
        if self._task is not None:
            self._bars.advance(self._task, amount)  # type: ignore[attr-defined]

    def log(self, message: str) -> None:
        """Print above the spinners."""
        self._bars.console.print(message)  # type: ignore[attr-defined]


def _password() -> str:
    """The bind password: the environment variable, else a hidden prompt on a terminal."""
    import os
    import sys

    from hygie.cli.context import EXIT_USAGE

    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        fail(
            _("no password: set %(env)s or run the command in a terminal to be prompted") % {"env": PASSWORD_ENV},
            EXIT_USAGE,
        )
    return str(typer.prompt(_("LDAP password"), hide_input=True))


@app.command("collect")
def collect_command(  # noqa: PLR0917 - Typer maps one parameter per option
    ldap_url: Annotated[str, typer.Option("--ldap", help="ldaps://HOST[:PORT] (or ldap://HOST with --start-tls).")],
    user: Annotated[str, typer.Option("--user", help="Bind account: user@domain, DOMAIN\\user or a DN.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Snapshot folder to write.")],
    base: Annotated[
        str | None, typer.Option("--base", help="Domain naming context (default: from the RootDSE).")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option("--ca-file", help="PEM file of the CA that signed the server certificate.")
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Do not verify the server certificate (not recommended).")
    ] = False,
    start_tls: Annotated[
        bool, typer.Option("--start-tls", help="Upgrade an ldap:// connection with StartTLS.")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing snapshot folder.")] = False,
) -> None:
    """Collect a domain live over LDAPS into a snapshot folder (password from HYGIE_LDAP_PASSWORD or a prompt)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from hygie.cli.context import EXIT_PERMISSION, EXIT_USAGE, console, err_console, is_tty
    from hygie.engines._core import NullProgress
    from hygie.engines.directory.ldap_collector import LdapCollectionError, collect_ldap

    if output.exists() and not overwrite:
        fail(_("%(path)s already exists; choose another folder or pass --overwrite") % {"path": output}, EXIT_USAGE)
    password = _password()
    if insecure:
        err_console.print(
            "[bold yellow]warning:[/] "
            + _("the server certificate will not be verified: anyone on the path can impersonate the server"),
            highlight=False,
        )
    settings = {"base": base, "user": user, "password": password, "ca_file": ca_file}
    try:
        if is_tty():
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} entries"))
            with Progress(*columns, console=console, transient=True) as bars:
                snapshot = collect_ldap(
                    ldap_url, **settings, verify=not insecure, start_tls=start_tls, progress=_PagingProgress(bars)
                )
        else:
            snapshot = collect_ldap(
                ldap_url, **settings, verify=not insecure, start_tls=start_tls, progress=NullProgress()
            )
    except LdapCollectionError as error:
        fail(str(error), EXIT_PERMISSION if error.reason in {"credentials", "rights"} else EXIT_INVALID_INPUT)
    except CollectionError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    try:
        snapshot.save(output, overwrite=overwrite)
    except OSError as error:
        fail(f"{output}: {error.strerror or error}", EXIT_INVALID_INPUT)
    table = Table(title=_("Snapshot written to %(path)s") % {"path": output})
    table.add_column(_("Table"))
    table.add_column(_("Rows"), justify="right")
    for name, count in snapshot.counts().items():
        table.add_row(name, str(count))
    console.print(table)
    for warning in snapshot.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)


# The platform commands (import, run, audits, report, rotate-credentials) need Django: their own module.
directory_platform.register(app)
