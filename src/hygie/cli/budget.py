"""``hygie budget``: IT budgets, projects against the 5-10 % rule, funding applications, ARS files.

See docs/user-guide/budget.md. Commands act as ``--as``/``HYGIE_USER`` (default: the local
administrator) through the same permission choke point as the web UI. A node is named by its id,
its FINESS (EJ or EG) or its exact name. Amounts are read by the one parser of the platform:
``"1 234 567,89"``, ``1234567.89``, ``"12 345 €"``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import orjson
import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    err_console,
    fail,
    find_node,
    require_on,
    resolve_user,
)

__all__ = ["app"]

app = typer.Typer(help="IT budgets, the 5-10 % cybersecurity rule, funding programmes and ARS files.",
                  no_args_is_help=True)
application_app = typer.Typer(help="Funding applications and their milestones.", no_args_is_help=True)
app.add_typer(application_app, name="application")

#: Largest CSV file the import reads (bytes).
MAX_CSV_BYTES = 2 * 1024 * 1024


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)
NodeOpt = typer.Option(..., "--node", help="Establishment, group or region: id, FINESS or exact name.")
YearOpt = typer.Option(None, "--year", min=2000, max=2100, help="Budget year (default: this year).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of tables.")




def _amount(text: str | None, option: str) -> Any:
    if text is None:
        return None
    from hygie.apps.budget.amounts import AmountError, parse_amount

    try:
        return parse_amount(text)
    except AmountError as error:
        fail(f"{option}: {error}", EXIT_INVALID_INPUT)


def _year(year: int | None) -> int:
    from hygie.apps.budget.summary import default_year

    return year or default_year()


def _eur(value: Any) -> str:
    from hygie.apps.budget.amounts import format_amount

    return "—" if value is None else format_amount(value, currency=True, space=" ")


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value} %"


def _json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


def _errors(error: Any) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.message_dict.items())
    return " ".join(map(str, error.messages))


@app.command("show")
def show_command(node: str = NodeOpt, year: int | None = YearOpt, as_json: bool = JsonOpt,
                 as_user: str | None = AsOpt) -> None:
    """A node's IT budget of the year, its projects against the 5-10 % rule and its funding applications."""
    user = resolve_user(as_user)
    from hygie.apps.budget.summary import node_year

    with acting(user) as effective:
        data = node_year(effective, find_node(effective, node), _year(year))
    budget = data["budget"]
    if as_json:
        _json({
            "node": data["node"].name, "year": data["year"],
            "budget": None if budget is None else {
                "operating": budget.operating, "investment": budget.investment, "cyber": budget.cyber_total,
                "cyber_share": budget.cyber_share},
            "projects": [{"id": p.pk, "name": p.name, "total": p.total, "cyber": p.cyber,
                          "cyber_share": p.cyber_share, "position": str(p.position), "flagged": p.flagged}
                         for p in data["projects"]],
            "projects_share": data["projects_share"],
            "applications": [{"id": a.pk, "title": a.title, "programme": a.programme.key, "state": a.state,
                              "late": [m.kind for m in a.late_milestones()]} for a in data["applications"]],
        })
        return
    from rich.table import Table

    console.print(f"[bold]{data['node']}[/] — {data['year']}", highlight=False)
    if budget is None:
        console.print(_("No IT budget recorded for this year."))
    else:
        message = _("IT budget: %(total)s (operating %(op)s, investment %(inv)s); cybersecurity: %(cyber)s (%(share)s)")
        values = {"total": _eur(budget.total), "op": _eur(budget.operating), "inv": _eur(budget.investment),
                  "cyber": _eur(budget.cyber_total), "share": _pct(budget.cyber_share)}
        console.print(message % values, highlight=False)
    table = Table(title=_("IT projects against the 5-10 % rule"))
    for header in (_("Project"), _("Budget"), _("Cybersecurity"), _("Share"), _("Flag")):
        table.add_column(header, overflow="fold")
    for project in data["projects"]:
        table.add_row(project.name, _eur(project.total), _eur(project.cyber), _pct(project.cyber_share),
                      _("below 5 %") if project.flagged else str(project.position.label))
    console.print(table)
    console.print(_("Projects: %(share)s for cybersecurity overall; %(flagged)d below 5 %%.")
                  % {"share": _pct(data["projects_share"]), "flagged": len(data["flagged"])}, highlight=False)
    for application in data["applications"]:
        late = ", ".join(m.kind for m in application.late_milestones())
        console.print(f"#{application.pk} {application.title} ({application.programme.key}): "
                      f"{application.state_label}" + (f" — {_('late')}: {late}" if late else ""), highlight=False)


@app.command("rollup")
def rollup_command(node: str = NodeOpt, year: int | None = YearOpt, as_json: bool = JsonOpt,
                   as_user: str | None = AsOpt) -> None:
    """Roll-up of a group or a region: per establishment IT budget, cyber share, flagged projects."""
    user = resolve_user(as_user)
    from hygie.apps.budget.summary import rollup

    with acting(user) as effective:
        data = rollup(effective, find_node(effective, node), _year(year))
    rows = [{"node": r["node"].name, "it_total": r["it_total"], "projects": r["projects"],
             "projects_share": r["projects_share"], "flagged": r["flagged"]} for r in data["rows"]]
    if as_json:
        _json({"year": data["year"], "establishments": rows, "flagged": data["flagged"],
               "applications_by_milestone": {i["kind"]: i["count"] for i in data["by_milestone"]}})
        return
    from rich.table import Table

    table = Table(title=f"{data['node']} — {data['year']}")
    for header in (_("Establishment"), _("IT budget"), _("Projects"), _("Cyber share"), _("Below 5 %")):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(row["node"], _eur(row["it_total"]), str(row["projects"]), _pct(row["projects_share"]),
                      str(row["flagged"]))
    console.print(table)


@app.command("set")
def set_command(  # noqa: PLR0917 - Typer maps one parameter per option
    node: str = NodeOpt,
    year: int | None = YearOpt,
    operating: str | None = typer.Option(None, "--operating", help='IT operating budget, e.g. "1 234 567,89".'),
    investment: str | None = typer.Option(None, "--investment", help="IT investment budget."),
    cyber_operating: str | None = typer.Option(None, "--cyber-operating", help="Of which cybersecurity (operating)."),
    cyber_investment: str | None = typer.Option(
        None, "--cyber-investment", help="Of which cybersecurity (investment)."
    ),
    hospital_operating: str | None = typer.Option(None, "--hospital-operating",
                                                  help="The establishment's total operating budget."),
    as_user: str | None = AsOpt,
) -> None:
    """Set a node's IT budget for a year (created when missing; options left out keep their value)."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.editing import set_budget_year

    values = {
        "operating": _amount(operating, "--operating"),
        "investment": _amount(investment, "--investment"),
        "cyber_operating": _amount(cyber_operating, "--cyber-operating"),
        "cyber_investment": _amount(cyber_investment, "--cyber-investment"),
        "hospital_operating": _amount(hospital_operating, "--hospital-operating"),
    }
    values = {k: v for k, v in values.items() if v is not None}
    if not values:
        fail(_("give at least one amount (--operating, --investment...)"), EXIT_USAGE)
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.CHANGE, target, _("set the IT budget"))
        try:
            budget = set_budget_year(target, _year(year), **values)
        except ValidationError as error:
            fail(_errors(error), EXIT_INVALID_INPUT)
    console.print(_("IT budget %(year)d of %(node)s: %(total)s") % {
        "year": budget.year, "node": target, "total": _eur(budget.total)}, highlight=False)


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="CSV file: project, line, amount, cybersecurity (see the user guide)."),
    node: str = NodeOpt,
    year: int | None = YearOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Import IT projects and their lines from CSV, all or nothing."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.importing import ProjectImportError, import_projects

    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            fail(_("%(path)s is larger than %(size)d MiB") % {"path": path, "size": MAX_CSV_BYTES // 2**20})
        content = path.read_bytes()
    except FileNotFoundError:
        fail(_("file not found: %(path)s") % {"path": path}, EXIT_NOT_FOUND)
    except OSError as error:
        fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror})
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("import IT projects"))
        try:
            result = import_projects(target, _year(year), content)
        except ProjectImportError as error:
            fail(str(error), EXIT_INVALID_INPUT)
    console.print(_("%(created)d projects created, %(updated)d updated, %(lines)d lines.")
                  % {"created": result.created, "updated": result.updated, "lines": result.lines}, highlight=False)


@app.command("programmes")
def programmes_command(as_json: bool = JsonOpt, as_user: str | None = AsOpt) -> None:
    """The funding programmes: window, envelope, framework, conditions."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.models import FundingProgramme

    with acting(user) as effective:
        programmes = list(FundingProgramme.objects.restrict(effective, Action.VIEW))
    if as_json:
        _json([{"key": p.key, "name": p.name, "legal_basis": p.legal_basis, "opens_on": p.opens_on,
                "closes_on": p.closes_on, "objectives_from": p.objectives_from, "envelope": p.envelope,
                "framework_key": p.framework_key, "cyber_share_min": p.cyber_share_min, "conditions": p.conditions}
               for p in programmes])
        return
    from rich.table import Table

    table = Table(title=_("Funding programmes"))
    for header in (_("Key"), _("Name"), _("Legal basis"), _("Envelope"), _("Window"), _("Framework")):
        table.add_column(header, overflow="fold")
    for p in programmes:
        window = f"{p.opens_on or '—'} → {p.closes_on or '—'}"
        table.add_row(p.key, p.name, p.legal_basis or "—", _eur(p.envelope), window, p.framework_key or "—")
    console.print(table)


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(_("%(option)s: %(value)r is not a date (YYYY-MM-DD)") % {"option": option, "value": text[:40]},
             EXIT_INVALID_INPUT)


@app.command("programme-set")
def programme_set_command(  # noqa: PLR0917 - Typer maps one parameter per option
    key: str = typer.Argument(..., help="Programme key (see `hygie budget programmes`)."),
    opens: str | None = typer.Option(None, "--opens", help="Window opens on (YYYY-MM-DD)."),
    closes: str | None = typer.Option(None, "--closes", help="Window closes on (YYYY-MM-DD)."),
    envelope: str | None = typer.Option(None, "--envelope", help="Envelope in euros."),
    conditions: str | None = typer.Option(None, "--conditions", help="Conditions text."),
    as_user: str | None = AsOpt,
) -> None:
    """Complete or correct a programme (superusers only: programmes are global reference data)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.models import FundingProgramme

    with acting(user) as effective:
        if not getattr(effective, "is_superuser", False):
            fail(_("only superusers change funding programmes"), EXIT_PERMISSION)
        programme = FundingProgramme.objects.restrict(effective, Action.CHANGE).filter(key=key).first()
        if programme is None:
            fail(_("no programme %(key)r") % {"key": key[:40]}, EXIT_NOT_FOUND)
        for field, value in (("opens_on", _date(opens, "--opens")), ("closes_on", _date(closes, "--closes")),
                             ("envelope", _amount(envelope, "--envelope")), ("conditions", conditions)):
            if value is not None:
                setattr(programme, field, value)
        if programme.opens_on and programme.closes_on and programme.closes_on < programme.opens_on:
            fail(_("the window closes before it opens"), EXIT_INVALID_INPUT)
        programme.save()
    console.print(_("Programme %(key)s saved.") % {"key": programme.key}, highlight=False)


@application_app.command("create")
def application_create_command(  # noqa: PLR0917 - Typer maps one parameter per option
    node: str = NodeOpt,
    programme: str = typer.Option(..., "--programme", help="Programme key: segur, care_d1, care_d1_bis, care_d2."),
    title: str = typer.Option(..., "--title", help="Title of the application."),
    amount: str = typer.Option(..., "--amount", help='Amount requested, e.g. "120 000,00".'),
    reference: str = typer.Option("", "--reference", help="ARS reference."),
    applied: str | None = typer.Option(None, "--applied", help="Applied on (YYYY-MM-DD): marks the first milestone."),
    as_user: str | None = AsOpt,
) -> None:
    """Apply to a programme: the application and its five milestones."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.editing import complete_milestone, create_application
    from hygie.apps.budget.models import FundingProgramme

    requested = _amount(amount, "--amount")
    applied_on = _date(applied, "--applied")
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("apply for funding"))
        found = FundingProgramme.objects.restrict(effective, Action.VIEW).filter(key=programme).first()
        if found is None:
            known = ", ".join(FundingProgramme.objects.values_list("key", flat=True))
            fail(_("unknown programme %(key)r; known: %(known)s") % {"key": programme[:40], "known": known},
                 EXIT_USAGE)
        try:
            application = create_application(target, found, title=title, amount_requested=requested,
                                             reference=reference)
            if applied_on is not None:
                complete_milestone(application.milestones.get(kind="applied"), done_on=applied_on)
        except ValidationError as error:
            fail(_errors(error), EXIT_INVALID_INPUT)
    console.print(_("Application #%(id)d created.") % {"id": application.pk}, highlight=False)


def _application(effective: Any, application_id: int, action: Any) -> Any:
    from hygie.apps.budget.models import FundingApplication

    found = FundingApplication.objects.restrict(effective, action).select_related("node", "programme").filter(
        pk=application_id).first()
    if found is None:
        fail(_("no funding application #%(id)d that you may use") % {"id": application_id}, EXIT_NOT_FOUND)
    return found


@application_app.command("list")
def application_list_command(node: str = NodeOpt, as_json: bool = JsonOpt, as_user: str | None = AsOpt) -> None:
    """Funding applications of a node's subtree with their state and late milestones."""
    user = resolve_user(as_user)
    from hygie.apps.budget.summary import applications_of

    with acting(user) as effective:
        applications = applications_of(effective, find_node(effective, node))
    rows = [{"id": a.pk, "node": a.node.name, "programme": a.programme.key, "title": a.title, "state": a.state,
             "next": a.next_milestone.kind if a.next_milestone else None,
             "late": [m.kind for m in a.late_milestones()]} for a in applications]
    if as_json:
        _json(rows)
        return
    for row in rows:
        late = f" — {_('late')}: {', '.join(row['late'])}" if row["late"] else ""
        console.print(f"#{row['id']} {row['node']}: {row['title']} ({row['programme']}) — "
                      f"{row['state'] or '-'} → {row['next'] or '-'}{late}", highlight=False)


@application_app.command("milestone")
def milestone_command(  # noqa: PLR0917 - Typer maps one parameter per option
    application_id: int = typer.Argument(..., min=1, help="Application id."),
    kind: str = typer.Argument(..., help="applied, validated, declared, checked or paid."),
    done: str | None = typer.Option(None, "--done", help="Done on (YYYY-MM-DD; default: today)."),
    planned: str | None = typer.Option(None, "--planned", help="Planned on (YYYY-MM-DD)."),
    amount: str | None = typer.Option(None, "--amount", help="Amount granted (validated) or paid (paid)."),
    note: str | None = typer.Option(None, "--note", help="Note."),
    reopen: bool = typer.Option(False, "--reopen", help="Mark the milestone not done."),
    as_user: str | None = AsOpt,
) -> None:
    """Record a milestone of an application as done (or reopen it)."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget.editing import complete_milestone
    from hygie.apps.budget.models import MILESTONE_ORDER

    if kind not in MILESTONE_ORDER:
        fail(_("unknown milestone %(kind)r; expected one of %(known)s")
             % {"kind": kind[:40], "known": ", ".join(MILESTONE_ORDER)}, EXIT_USAGE)
    done_on = None if reopen else (_date(done, "--done") or timezone.localdate())
    with acting(user) as effective:
        application = _application(effective, application_id, Action.VIEW)
        require_on(effective, Action.CHANGE, application.node, _("record a milestone"))
        try:
            milestone = complete_milestone(application.milestones.get(kind=kind), done_on=done_on,
                                           amount=_amount(amount, "--amount"), note=note,
                                           planned_on=_date(planned, "--planned"))
        except ValidationError as error:
            fail(_errors(error), EXIT_INVALID_INPUT)
    console.print(_("%(milestone)s: done on %(date)s.") % {"milestone": milestone, "date": milestone.done_on or "-"},
                  highlight=False)


@app.command("ars-file")
def ars_file_command(
    application_id: int = typer.Argument(..., min=1, help="Application id (see `hygie budget application list`)."),
    file_format: str = typer.Option("pdf", "--format", help="pdf or zip."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    as_user: str | None = AsOpt,
) -> None:
    """Write the ARS evidence file of an application: a PDF, or a ZIP with the PDF, CSVs and the assessment."""
    if file_format not in {"pdf", "zip"}:
        fail(_("--format is pdf or zip"), EXIT_USAGE)
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.budget import ars_file

    with acting(user) as effective:
        application = _application(effective, application_id, Action.VIEW)
        content = ars_file.ars_zip(application) if file_format == "zip" else ars_file.ars_pdf(application)
    try:
        output.write_bytes(content)
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror})
    err_console.print(_("written to %(path)s (%(size)d bytes)") % {"path": output, "size": len(content)},
                      highlight=False)
