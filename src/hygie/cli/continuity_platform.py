"""Continuity stored in the platform (needs the database): export, import, simulate, check, exercises.

The engine-only commands (``simulate``, ``check``, ``scenarios`` on a model file) live in
``hygie.cli.continuity``; they read a platform establishment's model through
:func:`establishment_model`. These commands go through the same permission choke point and
storage as the web UI, mounted as ``hygie continuity platform ...``. An establishment is named by
its id, its FINESS (EJ or EG) or its exact name; a group works too (its model is the whole group).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    err_console,
    fail,
    find_node,
    progress_bars,
    resolve_user,
)

if TYPE_CHECKING:
    from hygie.engines.continuity.model import Model

__all__ = ["app", "establishment_model", "register"]

app = typer.Typer(help="Continuity and recovery stored in the platform.", no_args_is_help=True)

#: Largest model file the import reads (bytes), as the engine's loader.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)
EstablishmentOpt = typer.Option(..., "--establishment", help="Establishment or group: id, FINESS or exact name.")




def _may(effective: Any, action: Any, node: Any, what: str) -> None:
    from hygie.apps.accounts.permissions import user_can

    if not user_can(effective, action, node.path):
        fail(_("you may not %(what)s on %(node)s") % {"what": what, "node": node}, EXIT_PERMISSION)


def establishment_model(establishment: str) -> Model:
    """The engine model of a platform establishment (id, FINESS or exact name), as HYGIE_USER sees it.

    Exits with a message (4: unknown, 2: ambiguous); raises
    :class:`~hygie.engines.continuity.loader.ModelError` when the stored model is invalid.
    """
    user = resolve_user(None)
    from hygie.apps.continuity.document import node_model

    with acting(user) as effective:
        return node_model(find_node(effective, establishment))


def _read_document(path: Path) -> Any:
    import yaml

    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            fail(_("%(path)s is larger than %(size)d MiB") % {"path": path, "size": MAX_DOCUMENT_BYTES // 2**20})
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error})
    try:
        # JSON is YAML 1.2; the safe loader builds plain mappings, lists and scalars only.
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" ({mark.line + 1}:{mark.column + 1})" if mark is not None else ""
        fail(_("%(path)s is not valid YAML or JSON%(where)s") % {"path": path.name, "where": where})


@app.command("export")
def export_command(
    establishment: str = EstablishmentOpt,
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file (.yaml/.yml: YAML)."),
    as_user: str | None = AsOpt,
) -> None:
    """Write the model of an establishment as the engine's document (JSON, or YAML for a .yaml file)."""
    user = resolve_user(as_user)
    from hygie.apps.continuity.document import model_document

    with acting(user) as effective:
        document = model_document(find_node(effective, establishment))
    if output is not None and output.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    else:
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror})
    err_console.print(_("written to %(path)s") % {"path": output}, highlight=False)


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="Model document, YAML or JSON (see docs/continuity.md)."),
    establishment: str = EstablishmentOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Import a model document into an establishment (managers), all or nothing."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.continuity.importing import import_document
    from hygie.engines.continuity.loader import ModelError

    if not path.is_file():
        fail(_("model file not found: %(path)s") % {"path": path})
    document = _read_document(path)
    with acting(user) as effective:
        node = find_node(effective, establishment)
        _may(effective, Action.DELETE, node, _("import a continuity model"))
        try:
            counts = import_document(node, document, actor=user)
        except ModelError as error:
            fail(str(error), EXIT_INVALID_INPUT)
    written = ", ".join(f"{kind}: {count}" for kind, count in counts.items())
    console.print(_("Imported into %(node)s (%(written)s).") % {"node": node, "written": written}, highlight=False)


def _scenario(node: Any, name: str) -> Any:
    """The scenario ``name`` of the node, else of its nearest ancestor; exit 2 with the known names."""
    from hygie.apps.continuity.models import RecoveryScenario

    scenarios = list(RecoveryScenario.objects.filter(node__path__in=node.lineage_paths()).select_related("node"))
    matching = sorted((s for s in scenarios if s.name == name.strip()), key=lambda s: -len(s.node.path))
    if not matching:
        known = ", ".join(sorted({s.name for s in scenarios})) or _("none")
        fail(_("unknown scenario %(name)r; %(node)s has: %(known)s") % {"name": name, "node": node, "known": known},
             EXIT_USAGE)  # fmt: skip
    return matching[0]


def _hours(value: Any) -> str:
    return "∞" if value is None else f"{value:,.1f}"


def _print_result(result: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=_("%(scenario)s: %(runs)d runs") % {"scenario": result["scenario"], "runs": result["runs"]})
    for header in (_("Activity"), _("RTO"), _("Downtime P50"), _("P90"), _("RPO"), _("Data loss P50"), _("RTO met")):
        table.add_column(header, overflow="fold")
    for activity in result["activities"]:
        table.add_row(
            activity["name"],
            _hours(activity["rto_h"]),
            _hours(activity["downtime_h"]["p50"]),
            _hours(activity["downtime_h"]["p90"]),
            _hours(activity["rpo_h"]),
            _hours(activity["data_loss_h"]["p50"]),
            _("yes") if activity["meets_rto"] else _("no"),
        )
    console.print(table)
    for what_if in result.get("what_if", [])[:5]:
        console.print(
            _("What if: %(change)s saves %(hours)s h of care downtime")
            % {"change": what_if["change"], "hours": _hours(what_if["downtime_saved_h"])},
            highlight=False,
        )


@app.command("simulate")
def simulate_command(  # noqa: PLR0917 - Typer maps one parameter per option
    establishment: str = EstablishmentOpt,
    scenario: str = typer.Option(..., "--scenario", help="Scenario of the establishment or of its group."),
    runs: int = typer.Option(2000, "--runs", min=1, max=100_000, help="Monte Carlo runs."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed: the same seed gives the same result."),
    save: bool = typer.Option(False, "--save", help="Store the simulation and its findings in the platform."),
    as_user: str | None = AsOpt,
) -> None:
    """Simulate the recovery after a scenario; with --save, store it (and its findings) like the web UI does."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.continuity.document import document_of, scope_of
    from hygie.apps.continuity.running import SimulationFailedError, new_simulation, run_simulation
    from hygie.engines.continuity.loader import ModelError, model_from_dict
    from hygie.engines.continuity.serialise import to_dict
    from hygie.engines.continuity.simulate import simulate

    with acting(user) as effective:
        node = find_node(effective, establishment)
        chosen = _scenario(node, scenario)
        if not save:
            scope = scope_of(node)
            try:
                model = model_from_dict(document_of(scope))
            except ModelError as error:
                fail(str(error), EXIT_INVALID_INPUT)
            name = scope.scenario_names[chosen.pk]
            _print_result(to_dict(simulate(model, model.scenarios[name], runs=runs, seed=seed), model=model, seed=seed))
            return
        _may(effective, Action.ADD, chosen.node, _("simulate"))
        if chosen.node_id != node.pk:
            err_console.print(
                _("%(scenario)s belongs to %(owner)s: the stored simulation covers the model of %(owner)s.")
                % {"scenario": chosen.name, "owner": chosen.node},
                highlight=False,
            )
        simulation = new_simulation(chosen, user=user, runs=runs, seed=seed)
        try:
            with progress_bars() as progress:
                run_simulation(simulation, progress)
        except SimulationFailedError as error:
            fail(str(error), EXIT_INVALID_INPUT)
    _print_result(simulation.result)
    console.print(_("Simulation %(id)d stored.") % {"id": simulation.pk}, highlight=False)


@app.command("check")
def check_command(
    establishment: str = EstablishmentOpt,
    save: bool = typer.Option(False, "--save", help="Store the findings in the register (source continuity)."),
    as_user: str | None = AsOpt,
) -> None:
    """Audit the model of an establishment (backups, restore tests, single points of failure)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.continuity.assessment import model_findings, store_model_findings
    from hygie.apps.continuity.document import node_model
    from hygie.engines.continuity.loader import ModelError

    with acting(user) as effective:
        node = find_node(effective, establishment)
        if save:
            _may(effective, Action.ADD, node, _("store findings"))
        try:
            findings = model_findings(node_model(node))
        except ModelError as error:
            fail(str(error), EXIT_INVALID_INPUT)
        if save:
            result = store_model_findings(node, findings)
    for finding in findings:
        names = ", ".join(obj.name for obj in finding.affected)
        console.print(f"[{finding.severity.name.lower()}] {finding.title}: {names}", highlight=False, soft_wrap=True)
    console.print(_("%(count)d findings") % {"count": len(findings)}, highlight=False)
    if save:
        console.print(
            _("Stored: %(created)d new, %(updated)d updated, %(closed)d closed.")
            % {"created": result.created, "updated": result.updated, "closed": result.closed},
            highlight=False,
        )


@app.command("exercises")
def exercises_command(
    node: str = typer.Option(..., "--node", help="Establishment or group: id, FINESS or exact name."),
    as_user: str | None = AsOpt,
) -> None:
    """List the exercises of a node and below it, the latest planned first."""
    user = resolve_user(as_user)
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.continuity.models import Exercise

    with acting(user) as effective:
        target = find_node(effective, node)
        exercises = list(
            Exercise.objects.restrict(effective, Action.VIEW)
            .filter(node__path__startswith=target.path)
            .select_related("node")
            .prefetch_related("actions")[:1000]
        )
    table = Table(title=_("Exercises of %(node)s") % {"node": target})
    for header in ("id", _("Title"), _("Kind"), _("Status"), _("Planned on"), _("Held on"), _("Node"), _("Actions")):
        table.add_column(header, overflow="fold")
    for exercise in exercises:
        table.add_row(
            str(exercise.pk),
            exercise.title,
            exercise.get_kind_display(),
            exercise.get_status_display(),
            exercise.planned_on.isoformat(),
            exercise.held_on.isoformat() if exercise.held_on else "-",
            exercise.node.name,
            str(len(exercise.actions.all())),
        )
    console.print(table)


def register(parent: typer.Typer, name: str = "platform") -> None:
    """Mount the platform commands under ``parent`` (``hygie continuity platform ...``)."""
    parent.add_typer(app, name=name)
