"""Exposure audits stored in the platform (needs the database): perimeters, scans, imports, diff, reports.

The engine-only commands (``scan``, ``import``, ``diff`` on files) live in ``hygie.cli.exposure``;
these go through the same permission choke point and storage as the web UI. ``app`` holds them all,
to be mounted under ``hygie exposure`` (as a ``platform`` group: the engine already owns ``import``
and ``diff`` on files).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    fail,
    setup_django,
)

__all__ = ["app", "perimeter_app", "register"]

app = typer.Typer(help="Exposure audits stored in the platform.", no_args_is_help=True)
perimeter_app = typer.Typer(help="Declared perimeters (administrators of the node).", no_args_is_help=True)


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)


def _node(effective: Any, node_id: int, action: Any, what: str) -> Any:
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.organizations.models import Node

    node = Node.objects.restrict(effective, Action.VIEW).filter(pk=node_id).first()
    if node is None:
        fail(_("no node with id %(id)s") % {"id": node_id}, EXIT_NOT_FOUND)
    if not user_can(effective, action, node.path):
        fail(_("you may not %(what)s on %(node)s") % {"what": what, "node": node}, EXIT_PERMISSION)
    return node


def _perimeter(effective: Any, perimeter_id: int) -> Any:
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.exposure.models import ExposurePerimeter

    perimeter = (
        ExposurePerimeter.objects.restrict(effective, Action.VIEW)
        .select_related("node")
        .filter(pk=perimeter_id)
        .first()
    )
    if perimeter is None:
        fail(_("no exposure perimeter with id %(id)s") % {"id": perimeter_id}, EXIT_NOT_FOUND)
    return perimeter


def _scan(effective: Any, scan_id: int) -> Any:
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.exposure.models import ExposureScan

    scan = ExposureScan.objects.restrict(effective, Action.VIEW).select_related("node").filter(pk=scan_id).first()
    if scan is None:
        fail(_("no exposure scan with id %(id)s") % {"id": scan_id}, EXIT_NOT_FOUND)
    return scan


def _print_scan(scan: Any) -> None:
    console.print(
        _("Scan %(id)d on %(node)s: %(status)s, score %(score)s, %(services)d services, %(findings)d findings.")
        % {
            "id": scan.pk,
            "node": scan.node,
            "status": scan.get_status_display(),
            "score": scan.score if scan.score is not None else "-",
            "services": scan.service_count,
            "findings": scan.finding_count,
        },
        highlight=False,
    )


# --- Perimeters -----------------------------------------------------------------------------------


@perimeter_app.command("add")
def perimeter_add(  # noqa: PLR0917 - Typer maps one parameter per option
    node: int = typer.Option(..., "--node", help="Establishment or group (id)."),
    name: str = typer.Option(..., "--name", help="Name of the perimeter."),
    entries: list[str] = typer.Option(..., "--target", help="Range, host name or *.domain (repeat)."),
    authorised_by: str = typer.Option(..., "--authorised-by", help="Who authorised the audit."),
    valid_until: str = typer.Option(..., "--until", help="End of the authorisation (YYYY-MM-DD)."),
    exclusions: list[str] | None = typer.Option(None, "--exclude", help="Excluded address, range or name (repeat)."),
    domains: list[str] | None = typer.Option(None, "--domain", help="DNS domain to check (repeat)."),
    ports: str = typer.Option("hospital", "--ports", help="hospital, top1000 or a list (22,443,8000-8100)."),
    rate: float | None = typer.Option(None, "--rate", help="Connections per second."),
    interval_days: int | None = typer.Option(None, "--every", help="Scan every N days."),
    as_user: str | None = AsOpt,
) -> None:
    """Declare a perimeter (administrators of the node); entries are checked by the engine's parser."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.dateparse import parse_date, parse_datetime

    from hygie.apps.exposure.models import MANAGE_PERIMETERS, ExposurePerimeter

    until = parse_datetime(valid_until)
    if until is None:
        day = parse_date(valid_until)
        if day is None:
            fail(_("--until: expected a date (YYYY-MM-DD)"), EXIT_USAGE)
        until = dt.datetime.combine(day, dt.time(23, 59))
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    with acting(user) as effective:
        target = _node(effective, node, MANAGE_PERIMETERS, _("declare perimeters"))
        perimeter = ExposurePerimeter(
            node=target,
            name=name,
            entries="\n".join(entries),
            exclusions="\n".join(exclusions or []),
            dns_domains="\n".join(domains or []),
            authorised_by=authorised_by,
            valid_until=until,
            ports=ports,
            interval_days=interval_days,
        )
        if rate is not None:
            perimeter.rate = rate
        perimeter.schedule_next(timezone.now())
        try:
            perimeter.full_clean()
        except ValidationError as exc:
            fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), EXIT_INVALID_INPUT)
        perimeter.save()
    console.print(_("Perimeter %(id)d declared on %(node)s.") % {"id": perimeter.pk, "node": target}, highlight=False)


@perimeter_app.command("list")
def perimeter_list(
    node: int | None = typer.Option(None, "--node", help="Only this node and its subtree (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """List the perimeters."""
    setup_django()
    from hygie.apps.exposure.models import ExposurePerimeter
    from hygie.apps.exposure.tables import PERIMETER_COLUMNS

    _print_list(ExposurePerimeter, PERIMETER_COLUMNS, node, as_user)


@perimeter_app.command("show")
def perimeter_show(
    perimeter_id: int = typer.Argument(..., help="Perimeter id."),
    as_user: str | None = AsOpt,
) -> None:
    """Show a perimeter."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    with acting(user) as effective:
        perimeter = _perimeter(effective, perimeter_id)
        lines = [
            f"{perimeter.name} ({perimeter.node})",
            _("targets: %(v)s") % {"v": ", ".join(perimeter.entry_list())},
            _("exclusions: %(v)s") % {"v": ", ".join(perimeter.exclusion_list()) or "-"},
            _("DNS domains: %(v)s") % {"v": ", ".join(perimeter.domain_list()) or "-"},
            _("authorised by %(who)s until %(until)s")
            % {"who": perimeter.authorised_by, "until": perimeter.valid_until.isoformat()},
            _("ports: %(v)s") % {"v": perimeter.ports},
            _("every %(days)s days, next %(next)s")
            % {"days": perimeter.interval_days or "-", "next": perimeter.next_run_at or "-"},
        ]
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


# --- Scans ----------------------------------------------------------------------------------------


@app.command("run")
def run_command(
    perimeter_id: int = typer.Argument(..., help="Perimeter id."),
    wait: bool = typer.Option(False, "--wait", help="Scan now, here, and wait (default: queue a job)."),
    as_user: str | None = AsOpt,
) -> None:
    """Scan a perimeter: queued as a job for the worker, or run here with --wait."""
    from hygie.cli.context import progress_bars, resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.exposure.running import ScanFailedError, new_scan, scan_perimeter, start_scan

    with acting(user) as effective:
        perimeter = _perimeter(effective, perimeter_id)
        if not user_can(effective, Action.ADD, perimeter.node.path):
            fail(_("you may not scan on %(node)s") % {"node": perimeter.node}, EXIT_PERMISSION)
        if not wait:
            scan = start_scan(user, perimeter)
            console.print(_("Scan %(id)d queued (job %(job)d).") % {"id": scan.pk, "job": scan.job.pk}, highlight=False)
            return
        scan = new_scan(perimeter, user)
        try:
            with progress_bars() as progress:
                scan_perimeter(scan, progress)
        except ScanFailedError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
        _print_scan(scan)


@app.command("scans")
def scans_command(
    node: int | None = typer.Option(None, "--node", help="Only this node and its subtree (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """List the stored scans."""
    setup_django()
    from hygie.apps.exposure.models import ExposureScan
    from hygie.apps.exposure.tables import SCAN_COLUMNS

    _print_list(ExposureScan, SCAN_COLUMNS, node, as_user)


def _print_list(model: Any, columns: Any, node: int | None, as_user: str | None) -> None:
    """A table of the ``model`` rows ``as_user`` may see (under ``node`` when given), at most 1,000."""
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.cli.context import resolve_user

    with acting(resolve_user(as_user)) as effective:
        rows = model.objects.restrict(effective, Action.VIEW).select_related("node")
        if node is not None:
            rows = rows.filter(node__path__startswith=_node(effective, node, Action.VIEW, "").path)
        table = Table()
        table.add_column("id", justify="right", no_wrap=True)
        for column in columns:
            table.add_column(str(column.label))
        for row in rows[:1000]:
            table.add_row(str(row.pk), *(column.text(row) for column in columns))
    console.print(table)


@app.command("import")
def import_command(
    input_path: Path = typer.Argument(..., metavar="FILE", help="nmap XML (-oX) or masscan JSON (-oJ)."),
    node: int = typer.Option(..., "--node", help="Establishment or group the scan belongs to (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """Import FILE, judge it and store it like an upload from the UI (findings into the register)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.exposure.running import ScanFailedError, import_file

    if not input_path.is_file():
        fail(_("%(path)s does not exist") % {"path": input_path}, EXIT_INVALID_INPUT)
    with acting(user) as effective:
        target = _node(effective, node, Action.ADD, _("add scans"))
        try:
            scan = import_file(user, target, input_path, input_path.name)
        except ScanFailedError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
        _print_scan(scan)


@app.command("diff")
def diff_command(
    base_id: int = typer.Argument(..., metavar="A", help="Earlier scan id."),
    scan_id: int = typer.Argument(..., metavar="B", help="Later scan id."),
    as_user: str | None = AsOpt,
) -> None:
    """What changed from scan A to scan B: new, closed and changed services, new and resolved findings."""
    import orjson

    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.exposure.analysis import diff_document

    with acting(user) as effective:
        base, scan = _scan(effective, base_id), _scan(effective, scan_id)
        document = diff_document(base, scan)
        if document is None:
            fail(_("both scans must be finished"), EXIT_INVALID_INPUT)
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())


@app.command("report")
def report_command(
    scan_id: int = typer.Argument(..., metavar="SCAN", help="Scan id (see `scans`)."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    output_format: str = typer.Option("pdf", "--format", help="pdf or html."),
    as_user: str | None = AsOpt,
) -> None:
    """Write the report of a scan (PDF or HTML), with the diff against the previous scan."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.exposure.analysis import diff_document
    from hygie.apps.exposure.models import ExposureScan
    from hygie.apps.exposure.report import render_report
    from hygie.apps.exposure.running import previous_scan

    if output_format not in {"pdf", "html"}:
        fail(_("unknown format %(format)r; expected pdf or html") % {"format": output_format}, EXIT_USAGE)
    with acting(user) as effective:
        scan = _scan(effective, scan_id)
        if not scan.succeeded:
            fail(
                _("scan %(id)s has no result (%(status)s)") % {"id": scan_id, "status": scan.status}, EXIT_INVALID_INPUT
            )
        visible = ExposureScan.objects.restrict(effective, Action.VIEW)
        content, _type = render_report(scan, output_format, diff_document(previous_scan(scan, visible), scan))
        try:
            output.write_bytes(content)
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}", EXIT_INVALID_INPUT)
    console.print(_("Report written to %(path)s") % {"path": output}, highlight=False)


@app.command("schedule")
def schedule_command(
    run_due: bool = typer.Option(False, "--run-due", help="Queue a scan of every perimeter that is due."),
) -> None:
    """Show the scheduled perimeters, or queue the due scans (run it from a timer; see the admin guide)."""
    from hygie.cli.context import setup_django

    setup_django()
    from django.utils import timezone

    from hygie.apps.exposure.models import ExposurePerimeter
    from hygie.apps.exposure.running import enqueue_due_scans

    with acting(None):
        if run_due:
            started = enqueue_due_scans(timezone.now())
            for scan in started:
                console.print(
                    _("Scan %(id)d of %(name)s queued.") % {"id": scan.pk, "name": scan.label}, highlight=False
                )
            console.print(_("%(count)d scans queued.") % {"count": len(started)}, highlight=False)
            return
        for perimeter in ExposurePerimeter.objects.filter(interval_days__isnull=False).order_by("next_run_at"):
            console.print(
                f"{perimeter.pk}\t{perimeter.name}\t{perimeter.interval_days}\t{perimeter.next_run_at or '-'}",
                highlight=False,
            )


@app.command("kev")
def kev_command(
    source: Path = typer.Argument(..., metavar="FILE", help="CISA KEV catalogue (JSON or CSV) to use for scans."),
) -> None:
    """Install the known-exploited catalogue the scans match products against (never downloaded)."""
    from hygie.cli.context import setup_django

    setup_django()
    from hygie.apps.accounts.audit import record
    from hygie.apps.exposure.running import ScanFailedError, install_kev

    with acting(None):
        try:
            count = install_kev(source)
        except ScanFailedError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
        record(
            "kev_import", object_type="exposure.KevCatalogue", object_repr=source.name[:200], after={"entries": count}
        )
    console.print(_("KEV catalogue installed: %(count)d entries.") % {"count": count}, highlight=False)


app.add_typer(perimeter_app, name="perimeter")


def register(parent: typer.Typer, name: str = "platform") -> None:
    """Mount the platform commands under ``parent`` (``hygie exposure platform ...``)."""
    parent.add_typer(app, name=name)
