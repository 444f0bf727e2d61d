"""``hygie continuity``: simulate a recovery, audit backups and plan, list scenarios (issue 6, item 6).

The commands work on a YAML/JSON model file with no database (schema: ``docs/continuity.md``), or
on a platform establishment with ``--establishment ID`` (the model the platform writes from its
database). Bad input gets one line naming the element and an exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from gettext import gettext as _  # no Django here: these commands run without settings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_USAGE, err_console, fail, progress_bars

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hygie.engines._core.finding import Finding
    from hygie.engines.continuity.model import Model, Scenario
    from hygie.engines.continuity.simulate import Simulation
    from hygie.engines.continuity.whatif import WhatIf

__all__ = ["app"]

app = typer.Typer(
    help="Continuity and recovery: simulate recovery after a scenario, audit backups.", no_args_is_help=True
)

_SIMULATE_FORMATS = ("table", "json", "html")
_CHECK_FORMATS = ("table", "json")
#: Most Monte Carlo runs accepted: memory grows with components x runs (three float matrices).
MAX_RUNS = 100_000

ModelArgument = Annotated[
    Path | None, typer.Argument(metavar="MODEL", help="Continuity model, YAML or JSON (see docs/continuity.md).")
]
EstablishmentOption = Annotated[
    str | None,
    typer.Option("--establishment", help="A platform establishment (its id) instead of a model file."),
]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write the result to this file.")]


def _choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        fail(
            _("unknown %(what)s %(value)r; expected %(choices)s")
            % {"what": what, "value": value, "choices": ", ".join(choices)},
            EXIT_USAGE,
        )


def _model(path: Path | None, establishment: str | None) -> Model:
    """The model from the file or the platform; exactly one of the two; exit 2 or 3 with a message."""
    from hygie.engines.continuity.loader import ModelError, load_model

    if (path is None) == (establishment is None):
        fail(_("give either a model file or --establishment, not both nor neither"), EXIT_USAGE)
    try:
        if establishment is not None:
            try:
                # The platform side (Django) is imported only for this option.
                platform = importlib.import_module("hygie.cli.continuity_platform")
            except ImportError:
                fail(_("--establishment needs the Hygie platform, which is not available here"), EXIT_USAGE)
            model: Model = platform.establishment_model(establishment)
            return model
        assert path is not None  # noqa: S101 - one of the two is given (checked above); narrows the type
        if not path.exists():
            fail(_("model file not found: %(path)s") % {"path": path}, EXIT_INVALID_INPUT)
        return load_model(path)
    except ModelError as error:
        fail(str(error), EXIT_INVALID_INPUT)


def _scenario(model: Model, name: str) -> Scenario:
    if name not in model.scenarios:
        known = ", ".join(sorted(model.scenarios)) or _("none")
        fail(_("unknown scenario %(name)r; the model has: %(known)s") % {"name": name, "known": known}, EXIT_USAGE)
    return model.scenarios[name]


def _write(output: Path | None, text: str) -> None:
    """``text`` to the output file or standard output; exit 3 when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}, EXIT_INVALID_INPUT)


def _hours(value: float) -> str:
    return "∞" if value == float("inf") else f"{value:,.1f}"


def _print_tables(simulation: Simulation, what_ifs: Sequence[WhatIf], findings: Sequence[Finding]) -> None:
    console = Console(width=160)
    activities = Table(title=_("Activities (hours; P50 / P90 over %(runs)d runs)") % {"runs": simulation.runs})
    for header in (_("Activity"), _("RTO"), _("Downtime"), _("RPO"), _("Data loss"), _("Degraded hold"), _("Met")):
        activities.add_column(header, overflow="fold")
    for a in simulation.activities:
        met = [_("RTO") if a.meets_rto else "", _("RPO") if a.meets_rpo else ""]
        activities.add_row(
            a.name,
            _hours(a.rto_h),
            f"{_hours(a.downtime_p50)} / {_hours(a.downtime_p90)}",
            _hours(a.rpo_h),
            f"{_hours(a.data_loss_p50)} / {_hours(a.data_loss_p90)}",
            _hours(a.degraded_hold_h),
            " ".join(item for item in met if item) or _("none"),
            style=None if a.meets_rto else "red",
        )
    console.print(activities)
    schedule = Table(title=_("Median recovery schedule (hours)"))
    for header in (_("Component"), _("Team"), _("Start"), _("End"), _("End P90"), _("Rebuilt")):
        schedule.add_column(header, overflow="fold")
    for r in simulation.schedule:
        schedule.add_row(
            r.component, r.team, _hours(r.start_h), _hours(r.end_h), _hours(r.end_p90_h), _("yes") if r.rebuilt else ""
        )
    console.print(schedule)
    if what_ifs:
        ranking = Table(title=_("What if (hours saved)"))
        for header in (_("Change"), _("Downtime saved"), _("Data loss saved"), _("Made recoverable")):
            ranking.add_column(header, overflow="fold")
        for w in what_ifs:
            ranking.add_row(w.change, _hours(w.downtime_saved_h), _hours(w.data_loss_saved_h), str(w.made_recoverable))
        console.print(ranking)
    if findings:
        _print_findings(console, findings)


def _print_findings(console: Console, findings: Sequence[Finding]) -> None:
    table = Table(title=_("Findings"))
    for header in (_("Severity"), _("Check"), _("Finding"), _("Affected")):
        table.add_column(header, overflow="fold")
    for finding in sorted(findings, key=lambda f: (-f.severity, f.check_id)):
        table.add_row(
            finding.severity.name.lower(),
            finding.check_id,
            finding.title,
            ", ".join(a.name for a in finding.affected),
        )
    console.print(table)


@app.command("simulate")
def simulate_command(  # noqa: PLR0917 - Typer maps one parameter per option
    model_path: ModelArgument = None,
    scenario: Annotated[str, typer.Option("--scenario", help="The scenario to simulate (see `scenarios`).")] = "",
    establishment: EstablishmentOption = None,
    runs: Annotated[int, typer.Option("--runs", min=1, max=MAX_RUNS, help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: the same seed gives the same result.")] = 0,
    no_uncertainty: Annotated[
        bool, typer.Option("--no-uncertainty", help="Exact restore times (every run alike).")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    output: OutputOption = None,
    no_what_if: Annotated[bool, typer.Option("--no-what-if", help="Skip the what-if comparisons.")] = False,
) -> None:
    """Simulate the recovery after a scenario: downtime and data loss per activity, schedule, what-ifs."""
    from hygie.engines.continuity.report import to_html
    from hygie.engines.continuity.serialise import available_findings, to_dict
    from hygie.engines.continuity.simulate import simulate
    from hygie.engines.continuity.whatif import WHAT_IF_RUNS, what_ifs

    _choice(output_format, _SIMULATE_FORMATS, _("format"))
    if not scenario:
        fail(_("--scenario is required (list them with `hygie continuity scenarios MODEL`)"), EXIT_USAGE)
    model = _model(model_path, establishment)
    chosen = _scenario(model, scenario)
    uncertainty = not no_uncertainty
    simulation = simulate(model, chosen, runs=runs, seed=seed, uncertainty=uncertainty)
    ranked: list[WhatIf] = []
    if not no_what_if:
        # Each candidate is one more simulation: fewer runs keep it quick, and common random numbers
        # (same seed, same runs for baseline and variant) keep the differences steady.
        what_if_runs = min(runs, WHAT_IF_RUNS)
        baseline = simulation if what_if_runs == simulation.runs else None
        with progress_bars() as progress:
            ranked = what_ifs(
                model,
                chosen,
                runs=what_if_runs,
                seed=seed,
                baseline=baseline,
                uncertainty=uncertainty,
                progress=progress,
            )
    findings = available_findings(model, simulation, as_of=dt.datetime.now(dt.UTC).date()) or []
    if output_format == "json":
        data = to_dict(simulation, model=model, seed=seed, what_ifs=ranked, findings=findings)
        _write(output, orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif output_format == "html":
        _write(output, to_html(simulation, model=model, seed=seed, what_ifs=ranked, findings=findings))
    else:
        _print_tables(simulation, ranked, findings)
    if output is not None:
        err_console.print(_("written to %(path)s") % {"path": output}, highlight=False)


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(_("--as-of must be a date YYYY-MM-DD, not %(value)r") % {"value": value}, EXIT_USAGE)


@app.command("check")
def check_command(
    model_path: ModelArgument = None,
    establishment: EstablishmentOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Audit as of this date, YYYY-MM-DD (default today).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Audit backups and the plan: 3-2-1 copies, RPO reachable, restore tests, single points of failure."""
    from hygie.engines.continuity.serialise import available_findings

    _choice(output_format, _CHECK_FORMATS, _("format"))
    when = _date(as_of)
    model = _model(model_path, establishment)
    findings = available_findings(model, None, as_of=when)
    if findings is None:
        fail(_("the continuity checks are not available in this installation"), EXIT_USAGE)
    if output_format == "json":
        data: Any = [finding.to_dict() for finding in findings]
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console(width=160)
    if findings:
        _print_findings(console, findings)
    console.print(_("%(count)d findings") % {"count": len(findings)}, highlight=False)


@app.command("scenarios")
def scenarios_command(
    model_path: ModelArgument = None,
    establishment: EstablishmentOption = None,
) -> None:
    """The model's scenarios: what each takes."""
    model = _model(model_path, establishment)
    console = Console(width=160)
    table = Table(title=_("Scenarios"))
    for header in (_("Scenario"), _("Lost"), _("Outages (hours)"), _("Online backups destroyed"), _("Description")):
        table.add_column(header, overflow="fold")
    for scenario in model.scenarios.values():
        table.add_row(
            scenario.name,
            ", ".join(scenario.lost),
            ", ".join(f"{item}: {hours:g}" for item, hours in scenario.outages),
            _("yes") if scenario.online_backups_destroyed else _("no"),
            scenario.description,
        )
    console.print(table)


# The platform commands (Django imported only when they run): ``hygie continuity platform ...``.
importlib.import_module("hygie.cli.continuity_platform").register(app)
