"""``hygie awareness``: staff censuses, targets, training and GoPhish imports, coverage, checks.

Every command goes through the same permission choke point as the web UI (``--as`` or
``HYGIE_USER``; by default the local administrator). A node is named by its id, its FINESS (EJ or
EG) or its exact name. See docs/user-guide/awareness.md.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path

import orjson
import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    acting,
    console,
    fail,
    find_node,
    require_on,
    resolve_user,
)

__all__ = ["app"]

app = typer.Typer(help="Awareness: staff, training coverage, phishing simulations.", no_args_is_help=True)
import_app = typer.Typer(help="Import training completions or GoPhish results (CSV).", no_args_is_help=True)
app.add_typer(import_app, name="import")


class Category(StrEnum):
    """Staff categories (the model's values)."""

    MEDICAL = "medical"
    PARAMEDICAL = "paramedical"
    ADMINISTRATIVE = "administrative"
    TECHNICAL = "technical"
    IT = "it"
    MANAGEMENT = "management"


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)
NodeOpt = typer.Option(..., "--node", help="Establishment, group or region: id, FINESS or exact name.")




def _read(path: Path) -> bytes:
    from hygie.apps.awareness.csvfiles import MAX_CSV_BYTES

    if not path.is_file():
        fail(_("file not found: %(path)s") % {"path": path}, EXIT_NOT_FOUND)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            fail(_("%(path)s is larger than the limit of %(size)d MiB") % {"path": path.name,
                                                                           "size": MAX_CSV_BYTES // 2**20})
        return path.read_bytes()
    except OSError as error:
        fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror})


@import_app.command("training")
def import_training_command(
    path: Path = typer.Argument(
        ..., help="CSV: email,first_name,last_name,category,establishment,session,completed_on"
    ),
    node: str = NodeOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Import training completions for a node, all or nothing."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.awareness.csvfiles import CsvError
    from hygie.apps.awareness.importing import import_training

    data = _read(path)
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("import training completions"))
        try:
            result = import_training(target, data, user=effective)
        except CsvError as error:
            fail(f"{path.name}: {error}", EXIT_INVALID_INPUT)
    console.print(
        _("%(lines)d line(s) read: %(created)d completion(s) stored, %(known)d already known, "
          "%(sessions)d new session(s).")
        % {"lines": result.lines, "created": result.completions_created, "known": result.already_known,
           "sessions": result.sessions_created},
        highlight=False,
        soft_wrap=True,
    )


@import_app.command("gophish")
def import_gophish_command(
    path: Path = typer.Argument(..., help="GoPhish's CSV results export of one campaign."),
    node: str = NodeOpt,
    name: str = typer.Option(..., "--name", help="Name of the campaign."),
    as_user: str | None = AsOpt,
) -> None:
    """Import a GoPhish campaign's results as a new campaign of a node, and print its funnel."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.awareness.csvfiles import CsvError
    from hygie.apps.awareness.importing import import_gophish

    data = _read(path)
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("import a phishing campaign"))
        try:
            campaign = import_gophish(target, data, name=name, source_name=path.name)
        except CsvError as error:
            fail(f"{path.name}: {error}", EXIT_INVALID_INPUT)
    overall = campaign.funnel["overall"]
    console.print(
        _("Campaign %(id)d stored: %(sent)d delivered, %(opened)d opened, %(clicked)d clicked, "
          "%(submitted)d submitted data, %(reported)d reported.")
        % {"id": campaign.pk, **{k: overall[k] for k in ("sent", "opened", "clicked", "submitted", "reported")}},
        highlight=False,
        soft_wrap=True,
    )


@app.command("staff")
def staff_command(
    node: str = NodeOpt,
    category: Category = typer.Option(..., "--category", help="Staff category."),
    headcount: int = typer.Option(..., "--headcount", min=0, max=1_000_000, help="Number of staff."),
    as_of: str | None = typer.Option(None, "--as-of", help="Census date, YYYY-MM-DD (default: today)."),
    as_user: str | None = AsOpt,
) -> None:
    """Record the headcount of one staff category at a node (a new dated census)."""
    user = resolve_user(as_user)
    from django.utils import timezone

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.awareness.census import record_census

    today = timezone.localdate()
    try:
        date = dt.date.fromisoformat(as_of) if as_of else today
    except ValueError:
        fail(_("--as-of must be a date YYYY-MM-DD, not %(value)r") % {"value": as_of}, EXIT_USAGE)
    if date > today:
        fail(_("a census cannot be dated in the future"), EXIT_USAGE)
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("record a staff census"))
        record_census(target, {category.value: headcount}, date)
    console.print(_("%(node)s: %(category)s headcount %(count)d as of %(date)s.")
                  % {"node": target, "category": category.value, "count": headcount, "date": date.isoformat()},
                  highlight=False, soft_wrap=True)


@app.command("target")
def target_command(
    node: str = NodeOpt,
    coverage: float | None = typer.Option(None, "--coverage", min=0, max=100, help="Training coverage target (%)."),
    click_ceiling: float | None = typer.Option(None, "--click-ceiling", min=0, max=100,
                                               help="Phishing click-rate ceiling (%)."),
    as_user: str | None = AsOpt,
) -> None:
    """Set a node's targets (a target left out is inherited from the nearest ancestor)."""
    user = resolve_user(as_user)
    from decimal import Decimal

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.awareness.models import AwarenessTarget

    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.CHANGE, target, _("set awareness targets"))
        row = AwarenessTarget.objects.filter(node=target).first() or AwarenessTarget(node=target)
        row.coverage_target_pct = None if coverage is None else Decimal(str(round(coverage, 2)))
        row.click_ceiling_pct = None if click_ceiling is None else Decimal(str(round(click_ceiling, 2)))
        row.save()
    console.print(_("Targets of %(node)s saved.") % {"node": target}, highlight=False, soft_wrap=True)


@app.command("coverage")
def coverage_command(
    node: str = NodeOpt,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str | None = AsOpt,
) -> None:
    """Training coverage of a node over the last twelve months, per staff category, against its target."""
    user = resolve_user(as_user)
    from django.utils import timezone
    from rich.table import Table

    from hygie.apps.awareness.coverage import node_coverage

    with acting(user) as effective:
        target = find_node(effective, node)
        coverage = node_coverage(target, user=effective, as_of=timezone.localdate())
    if as_json:
        sys.stdout.write(orjson.dumps(coverage.as_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    table = Table(title=_("Training coverage: %(node)s") % {"node": target})
    for header in (_("Category"), _("Headcount"), _("Trained"), _("Coverage"), _("Target")):
        table.add_column(header)
    for row in coverage.categories:
        table.add_row(
            row.category,
            str(row.headcount),
            str(row.trained),
            "—" if row.percent is None else f"{row.percent} %",
            "—" if row.target_percent is None else f"{row.target_percent} %" + (" ✗" if row.below else ""),
        )
    console.print(table)
    total = "—" if coverage.percent is None else f"{coverage.percent} %"
    console.print(_("Overall: %(total)s") % {"total": total}, highlight=False, soft_wrap=True)


@app.command("check")
def check_command(node: str = NodeOpt, as_user: str | None = AsOpt) -> None:
    """Write the awareness findings of a node and the nodes below it (closed when back to target)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.awareness.checks import check_node

    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.CHANGE, target, _("check awareness"))
        raised = check_node(target)
    console.print(_("%(count)d awareness finding(s) raised on %(nodes)d node(s).")
                  % {"count": sum(raised.values()), "nodes": len(raised)}, highlight=False, soft_wrap=True)
