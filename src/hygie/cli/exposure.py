"""``hygie exposure``: audit what a declared perimeter shows the Internet, or judge an nmap/masscan scan."""

from __future__ import annotations

import io
from gettext import gettext as _  # no Django here: these commands run without settings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hygie.cli import exposure_platform
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE, fail

if TYPE_CHECKING:
    from hygie.engines.exposure.cves import CveCatalogue
    from hygie.engines.exposure.diff import ScanDiff
    from hygie.engines.exposure.kev import KevCatalogue
    from hygie.engines.exposure.model import ScanResult
    from hygie.engines.exposure.perimeter_file import PerimeterFile

app = typer.Typer(help="Internet exposure audit.", no_args_is_help=True)
exposure_platform.register(app)

_FORMATS = ("table", "json", "html")

KevOption = Annotated[Path | None, typer.Option("--kev", help="CISA KEV catalogue (JSON or CSV).")]
NvdOption = Annotated[list[Path] | None, typer.Option("--nvd", help="NVD CVE JSON files (version ranges).")]
FormatOption = Annotated[str, typer.Option("--format", help="table, json or html.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write the report to this file.")]


def _check_format(output_format: str, choices: tuple[str, ...] = _FORMATS) -> None:
    if output_format not in choices:
        fail(
            _("unknown format %(format)r; expected %(choices)s")
            % {"format": output_format, "choices": ", ".join(choices)},
            EXIT_USAGE,
        )


def _catalogues(kev_path: Path | None, nvd_paths: list[Path] | None) -> tuple[KevCatalogue | None, CveCatalogue | None]:
    """The KEV catalogue and NVD CVE files given on the command line; bad files exit 3 with the reason."""
    from hygie.engines.exposure.cves import CveCatalogue, CveError
    from hygie.engines.exposure.kev import KevCatalogue, KevError

    kev = cves = None
    try:
        if kev_path is not None:
            kev = KevCatalogue.load(kev_path)
        if nvd_paths:
            cves = CveCatalogue.load(nvd_paths)
    except (KevError, CveError) as error:
        fail(str(error), EXIT_INVALID_INPUT)
    return kev, cves


def _services_table(result: ScanResult) -> Table:
    """One row per open service: address, port, service, product and version, TLS."""
    from hygie.engines.exposure.model import service_label

    table = Table(title=_("Exposed services"))
    for header in (_("Service"), _("Name"), _("Category"), _("Product"), _("TLS")):
        table.add_column(header)
    for host in result.hosts:
        for service in sorted(host.services, key=lambda s: s.port):
            tls = service.tls or {}
            product = " ".join(part for part in (service.product, service.version) if part)
            table.add_row(
                service_label(host.address, service.port, service.protocol),
                service.name or "?",
                service.category.value,
                product,
                str(tls.get("version") or ""),
            )
    return table


def _findings_table(result: ScanResult) -> Table:
    """The findings, worst first, under a title with the exposure score."""
    from hygie.engines.exposure.model import finding_target

    table = Table(title=_("Exposure score %(score)s/100") % {"score": result.score})
    for header in (_("Severity"), _("Check"), _("Target")):
        table.add_column(header)
    for finding in result.findings:
        table.add_row(finding.severity.name.lower(), finding.title, finding_target(finding))
    return table


def _emit(result: ScanResult, output_format: str, output: Path | None) -> None:
    """Print or write ``result`` as a table, JSON or a self-contained HTML report."""
    if output_format == "json":
        text = orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode()
    elif output_format == "html":
        text = _html(result)
    else:
        # Writing to a file: render into memory and export the text instead of printing it.
        console = Console(record=True, width=140, file=io.StringIO() if output else None)
        console.print(_services_table(result))
        console.print(_findings_table(result))
        for refusal in result.refused:
            console.print(
                _("refused %(target)s: %(reason)s") % {"target": refusal["target"], "reason": refusal["reason"]},
                style="yellow",
                highlight=False,
            )
        text = console.export_text() if output else ""
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
    elif output_format in {"json", "html"}:
        typer.echo(text)


def _html(result: ScanResult) -> str:
    """The platform's scan report (same template as the web UI's), rendered without any database."""
    from hygie.cli.context import setup_django

    setup_django()
    from hygie.apps.exposure.report import standalone_report_html

    return standalone_report_html(result)


@app.command("scan")
def scan_command(  # noqa: PLR0917 - Typer maps one parameter per option
    targets: Annotated[list[str], typer.Argument(metavar="TARGETS...", help="Addresses, ranges or host names.")],
    perimeter_file: Annotated[
        Path | None, typer.Option("--perimeter", help="Perimeter file (TOML): declared ranges, names, authorisation.")
    ] = None,
    platform_perimeter: Annotated[
        int | None, typer.Option("--platform-perimeter", help="Id of a perimeter declared in the platform.")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Platform user whose rights apply (with --platform-perimeter).")
    ] = None,
    ports: Annotated[
        str, typer.Option("--ports", help="Ports, ranges and named sets (hospital, top1000).")
    ] = "hospital",
    rate: Annotated[float | None, typer.Option("--rate", help="New connections per second, whole audit.")] = None,
    host_concurrency: Annotated[
        int | None, typer.Option("--host-concurrency", help="Connections open at once to one host.")
    ] = None,
    host_cap: Annotated[int | None, typer.Option("--host-cap", help="Connections to one host per audit.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Connect timeout in seconds.")] = None,
    retries: Annotated[int | None, typer.Option("--retries", help="Extra attempts on ports that time out.")] = None,
    domains: Annotated[
        list[str] | None, typer.Option("--domain", help="DNS domain to check (default: the perimeter file's).")
    ] = None,
    kev_path: KevOption = None,
    nvd_paths: NvdOption = None,
    output_format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Discover, identify and judge the services of TARGETS; targets outside the perimeter are refused."""
    from dataclasses import replace

    from hygie.engines.exposure.audit import AuditRequest, ExposureError
    from hygie.engines.exposure.dns import DnsError
    from hygie.engines.exposure.perimeter import PerimeterError
    from hygie.engines.exposure.perimeter_file import load_perimeter_file
    from hygie.engines.exposure.policy import PolicyError, ScanPolicy
    from hygie.engines.exposure.ports import PortError, parse_ports

    _check_format(output_format)
    if (perimeter_file is None) == (platform_perimeter is None):
        fail(_("give exactly one of --perimeter FILE or --platform-perimeter ID"), EXIT_USAGE)
    try:
        if perimeter_file is not None:
            declared = load_perimeter_file(perimeter_file)
        else:
            declared = _platform_perimeter(platform_perimeter or 0, as_user)
        port_list = parse_ports(ports)
        overrides = {
            key: value
            for key, value in (
                ("rate", rate),
                ("host_concurrency", host_concurrency),
                ("host_connection_cap", host_cap),
                ("connect_timeout", timeout),
                ("retries", retries),
            )
            if value is not None
        }
        policy = replace(ScanPolicy(), **overrides)
    except (PerimeterError, PortError, PolicyError, DnsError) as error:
        fail(str(error), EXIT_INVALID_INPUT)
    kev, cves = _catalogues(kev_path, nvd_paths)
    request = AuditRequest(
        targets=tuple(targets),
        domains=tuple(domains) if domains else declared.domains,
        ports=port_list,
        policy=policy,
        resolver=declared.resolver,
    )
    try:
        result = _run_with_progress(request, declared.perimeter, kev, cves)
    except ExposureError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    _emit(result, output_format, output)


def _platform_perimeter(perimeter_id: int, as_user: str | None) -> PerimeterFile:
    """A perimeter declared in the platform, read through the permission choke point of ``--as``."""
    from hygie.cli.context import acting, resolve_user, setup_django

    setup_django()
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.exposure.models import ExposurePerimeter
    from hygie.engines.exposure.dns import ResolverConfig
    from hygie.engines.exposure.perimeter_file import PerimeterFile

    with acting(resolve_user(as_user)) as effective:
        stored = (
            ExposurePerimeter.objects.restrict(effective, Action.VIEW)
            .select_related("node")
            .filter(pk=perimeter_id)
            .first()
        )
        # Scanning sends packets in the node's name: the same right as starting a scan in the platform.
        allowed = stored is not None and user_can(effective, Action.ADD, stored.node.path)
    if stored is None:
        fail(_("no exposure perimeter with id %(id)s") % {"id": perimeter_id}, EXIT_NOT_FOUND)
    if not allowed:
        fail(_("you may not scan on %(node)s") % {"node": stored.node}, EXIT_PERMISSION)
    if not stored.enabled:
        fail(_("the perimeter %(id)s is disabled") % {"id": perimeter_id}, EXIT_INVALID_INPUT)
    nameservers = tuple(stored.nameserver_list())
    return PerimeterFile(
        stored.perimeter(),
        tuple(stored.domain_list()),
        ResolverConfig(nameservers=nameservers) if nameservers else None,
    )


def _run_with_progress(request: Any, perimeter: Any, kev: Any, cves: Any) -> ScanResult:
    """Run the audit with progress bars on a terminal, silently otherwise."""
    from hygie.cli.context import progress_bars
    from hygie.engines.exposure.audit import run_audit

    with progress_bars() as progress:
        return run_audit(request, perimeter=perimeter, kev=kev, cves=cves, progress=progress)


@app.command("import")
def import_command(
    input_path: Annotated[Path, typer.Argument(metavar="FILE", help="nmap XML (-oX) or masscan JSON (-oJ).")],
    kev_path: KevOption = None,
    nvd_paths: NvdOption = None,
    output_format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Judge an existing nmap or masscan scan with the same checks as a Hygie scan."""
    from datetime import UTC, datetime

    from hygie.engines.exposure.imports import ScanImportError, import_scan
    from hygie.engines.exposure.judge import judge
    from hygie.engines.exposure.registry import JudgeContext

    _check_format(output_format)
    kev, cves = _catalogues(kev_path, nvd_paths)
    try:
        result = import_scan(input_path)
    except ScanImportError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    context = JudgeContext(now=datetime.now(tz=UTC), kev=kev)
    if cves is not None:
        context.extra["cves"] = cves
    judge(result, context)
    _emit(result, output_format, output)


def _load_result(path: Path) -> ScanResult:
    """A scan result written by ``--format json``; bad files exit 3 with the reason."""
    from hygie.engines._core import FindingFormatError
    from hygie.engines.exposure.model import ResultFormatError, ScanResult

    try:
        return ScanResult.from_dict(orjson.loads(path.read_bytes()))
    except OSError as error:
        fail(f"{path}: {error.strerror or error}", EXIT_INVALID_INPUT)
    except orjson.JSONDecodeError as error:
        fail(f"{path}: not JSON ({error})", EXIT_INVALID_INPUT)
    except (ResultFormatError, FindingFormatError) as error:
        fail(f"{path}: {error}", EXIT_INVALID_INPUT)


def _diff_table(diff: ScanDiff) -> Table:
    from hygie.engines.exposure.model import service_label

    table = Table(title=_("Changes between the two scans"))
    for header in (_("Change"), _("What")):
        table.add_column(header)
    for address, service in diff.new_services:
        table.add_row(_("new service"), service_label(address, service.port, service.protocol), style="bold red")
    for address, service in diff.closed_services:
        table.add_row(_("closed service"), service_label(address, service.port, service.protocol), style="green")
    for finding in diff.new_findings:
        table.add_row(_("new finding"), finding.title, style="bold red")
    for finding in diff.resolved_findings:
        table.add_row(_("resolved finding"), finding.title, style="green")
    return table


@app.command("diff")
def diff_command(
    old_path: Annotated[Path, typer.Argument(metavar="OLD", help="Earlier scan result (JSON).")],
    new_path: Annotated[Path, typer.Argument(metavar="NEW", help="Later scan result (JSON).")],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """New and closed services, new and resolved findings between two scan results."""
    from hygie.engines.exposure.diff import diff_scans

    _check_format(output_format, ("table", "json"))
    diff = diff_scans(_load_result(old_path), _load_result(new_path))
    if output_format == "json":
        typer.echo(orjson.dumps(diff.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        Console().print(_diff_table(diff))


@app.command("checks")
def checks_command() -> None:
    """List the registered probes and checks."""
    from hygie.engines.exposure import checks as _checks  # noqa: F401 - registers the checks
    from hygie.engines.exposure.identify import PROBES
    from hygie.engines.exposure.registry import CHECKS, KINDS

    table = Table(title=_("Probes"))
    for header in (_("Probe"), _("Ports"), _("Services")):
        table.add_column(header)
    for spec in sorted(PROBES.values(), key=lambda s: (s.order, s.probe_id)):
        ports = ", ".join(str(p) for p in sorted(spec.ports)) or ("*" if spec.fallback else "")
        table.add_row(spec.probe_id, ports, ", ".join(sorted(spec.services)))
    console = Console()
    console.print(table)
    checks = Table(title=_("Checks"))
    for header in (_("Check"), _("Kind"), _("Severity"), _("Title")):
        checks.add_column(header)
    for check in CHECKS:
        checks.add_row(check.check_id, KINDS[check.check_id].value, check.severity.name.lower(), check.title_en)
    console.print(checks)
