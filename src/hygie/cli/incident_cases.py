"""``hygie incident open/list/show/log/clock/declare/status/timeline/stats/lessons``: incidents from a terminal.

An incident is named by its reference (``INC-2026-0001``), its id or its uid. Times are written
``2026-11-24 08:30`` (or ISO 8601 with an offset); a time without an offset is read in
``--tz`` (default Europe/Paris). The crisis log is append-only: no command edits or deletes an
entry; ``log REF "text" --corrects UID`` appends a correction. Exit codes: 3 invalid input,
4 not found, 5 not allowed (docs/user-guide/first-steps.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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

__all__ = ["find_incident", "parse_time", "register"]


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local "
                                                   "administrator).")
TzOpt = typer.Option("Europe/Paris", "--tz", help="Time zone of times written without an offset.")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
RefArg = typer.Argument(..., help="The incident: reference, id or uid.")


def parse_time(text: str | None, tz: str, label: str) -> dt.datetime | None:
    """``text`` as an aware time (naive: on ``tz``'s wall clock); exits 3 when unreadable."""
    if text is None:
        return None
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(_("unknown time zone %(tz)r") % {"tz": tz[:60]}, EXIT_INVALID_INPUT)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        fail(_("%(label)s: cannot read %(text)r; write 2026-11-24 08:30") % {"label": label, "text": text[:60]},
             EXIT_INVALID_INPUT)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment.year < 1970:  # noqa: PLR2004 - before any information system; also keeps offsets from overflowing
        fail(_("%(label)s: %(text)r is not a plausible time") % {"label": label, "text": text[:60]},
             EXIT_INVALID_INPUT)
    return moment


def find_incident(effective: Any, text: str) -> Any:
    """The incident named by reference, id or uid among those ``effective`` sees; exits 4 when none."""
    from django.db.models import Q

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.models import Incident

    text = text.strip()
    query = Q(reference__iexact=text) if text else Q(pk__in=[])
    if text.isdigit() and len(text) < 19:  # noqa: PLR2004 - beyond 18 digits it cannot be a row id
        query |= Q(pk=int(text))
    with contextlib.suppress(ValueError):
        query |= Q(uid=uuid.UUID(text))
    found = Incident.objects.restrict(effective, Action.VIEW).filter(query).select_related("node").first()
    if found is None:
        fail(_("no incident with reference, id or uid %(text)r") % {"text": text[:80]}, EXIT_NOT_FOUND)
    return found


def _paris(moment: dt.datetime | None) -> str:
    from hygie.engines.incidents import local_time

    return local_time(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


def _remaining(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    minutes = int(abs(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d {hours:02d}h{minutes:02d}" if days else f"{sign}{hours}h{minutes:02d}"


def _clock_table(incident: Any) -> Any:
    from django.utils import timezone
    from django.utils.translation import get_language
    from rich.table import Table

    from hygie.apps.incidents.services import incident_clocks

    now = timezone.now()
    table = Table(title=_("Regulatory clocks of %(ref)s") % {"ref": incident.reference})
    for column in (_("Obligation"), _("Id"), _("State"), _("Deadline (Paris)"), _("Remaining"), _("Done at")):
        table.add_column(column)
    for clock in incident_clocks(incident, now):
        remaining = _remaining(clock.remaining(now).total_seconds()) if clock.done_at is None else "-"
        deadline = _paris(clock.deadline) + (" *" if clock.provisional else "")
        table.add_row(clock.rule.title_in(get_language() or "en"), clock.rule.id, str(clock.state), deadline,
                      remaining, _paris(clock.done_at))
    return table


def _run(call: Any) -> Any:
    """Run a service call; its refusal becomes a message and exit 3 (nothing was stored)."""
    from hygie.apps.incidents.services import IncidentError

    try:
        return call()
    except IncidentError as error:
        fail(str(error), EXIT_INVALID_INPUT)


def _changeable(effective: Any, ref: str, what: str) -> Any:
    from hygie.apps.accounts.permissions import Action

    incident = find_incident(effective, ref)
    require_on(effective, Action.CHANGE, incident.node, what)
    return incident


def open_command(  # noqa: PLR0917 - Typer maps one parameter per option
    node: str = typer.Option(..., "--node", help="Node handling the incident: id, FINESS or exact name."),
    title: str = typer.Option(..., "--title", help="Short title."),
    kind: str = typer.Option(..., "--kind", help="ransomware, data_theft, intrusion, fraud, phishing, outage..."),
    aware_at: str = typer.Option(..., "--aware-at", help="When the establishment became aware (starts the clocks)."),
    occurred_at: str = typer.Option(None, "--occurred-at", help="When it started, if known."),
    establishment: list[str] = typer.Option([], "--establishment", help="Affected establishment (repeatable)."),
    severity: str = typer.Option("high", "--severity", help="critical, high, medium, low or info."),
    personal_data: bool = typer.Option(False, "--personal-data", help="Personal data breach (CNIL clock)."),
    high_risk: bool = typer.Option(False, "--high-risk", help="High risk to the persons (inform them)."),
    not_significant: bool = typer.Option(False, "--not-significant", help="Not a significant incident."),
    description: str = typer.Option("", "--description", help="What happened."),
    tz: str = TzOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Open an incident: its regulatory clocks start at --aware-at."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents import services
    from hygie.apps.incidents.models import IncidentKind
    from hygie.engines._core import Severity

    if kind not in IncidentKind.values:
        fail(_("unknown kind %(kind)r (known: %(kinds)s)") % {"kind": kind[:40], "kinds": ", ".join(
            IncidentKind.values)}, EXIT_INVALID_INPUT)
    try:
        level = Severity.parse(severity)
    except ValueError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    aware = parse_time(aware_at, tz, "--aware-at")
    started = parse_time(occurred_at, tz, "--occurred-at")
    with acting(user) as effective:
        target = find_node(effective, node)
        require_on(effective, Action.ADD, target, _("open an incident"))
        hit = [find_node(effective, name) for name in establishment]
        incident = _run(lambda: services.open_incident(
            node=target, user=user, title=title, kind=kind, aware_at=aware, occurred_at=started,
            severity=int(level), personal_data_breach=personal_data, high_risk_to_persons=high_risk,
            significant=not not_significant, description=description, establishments=hit))
    console.print(_("Opened %(ref)s (id %(id)d, uid %(uid)s).") % {"ref": incident.reference, "id": incident.pk,
                                                                  "uid": incident.uid}, highlight=False)
    console.print(_clock_table(incident))


def list_command(
    node: str = typer.Option(None, "--node", help="Only incidents handled in this node's subtree."),
    overdue: bool = typer.Option(False, "--overdue", help="Only incidents with an overdue clock."),
    as_json: bool = JsonOpt,
    as_user: str | None = AsOpt,
) -> None:
    """List incidents, latest first, with their overdue clocks."""
    user = resolve_user(as_user)
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.models import Incident
    from hygie.apps.incidents.services import overdue_clocks

    with acting(user) as effective:
        incidents = Incident.objects.restrict(effective, Action.VIEW).select_related("node").prefetch_related(
            "establishments", "obligations")
        if node:
            incidents = incidents.filter(node__path__startswith=find_node(effective, node).path)
        rows = list(incidents[:1000])
        late: dict[int, int] = {}
        for incident, _clock in overdue_clocks(rows):
            late[incident.pk] = late.get(incident.pk, 0) + 1
    if overdue:
        rows = [incident for incident in rows if incident.pk in late]
    if as_json:
        typer.echo(orjson.dumps([{"id": i.pk, "reference": i.reference, "title": i.title, "kind": i.kind,
                                  "status": i.status, "node": i.node.name, "aware_at": i.aware_at.isoformat(),
                                  "overdue": late.get(i.pk, 0)} for i in rows]).decode())
        return
    table = Table(title=_("Incidents"))
    for column in (_("Reference"), _("Title"), _("Type"), _("Status"), _("Handled by"), _("Aware since"),
                   _("Overdue clocks")):
        table.add_column(column)
    for i in rows:
        table.add_row(i.reference, i.title, str(i.get_kind_display()), str(i.get_status_display()), i.node.name,
                      _paris(i.aware_at), str(late.get(i.pk, 0)))
    console.print(table)


def show_command(ref: str = RefArg, as_json: bool = JsonOpt, as_user: str | None = AsOpt) -> None:
    """Show an incident: its facts, clocks and crisis log."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.models import LogEntry
    from hygie.apps.incidents.schemas import IncidentDetailOut, incident_detail

    with acting(user) as effective:
        incident = find_incident(effective, ref)
        if as_json:
            detail = IncidentDetailOut.model_validate(incident_detail(effective, incident))
            typer.echo(detail.model_dump_json())
            return
        entries = list(LogEntry.objects.restrict(effective, Action.VIEW).filter(incident=incident))
        console.print(f"[bold]{incident.reference}[/] {incident.title}", highlight=False, markup=False)
        for label, value in ((_("Type"), incident.get_kind_display()), (_("Status"), incident.get_status_display()),
                             (_("Handled by"), incident.node.name), (_("Aware since"), _paris(incident.aware_at))):
            console.print(f"{label}: {value}", highlight=False, markup=False)
        console.print(_clock_table(incident))
        for entry in entries:
            mark = f" ({_('corrects')} {entry.corrects.uid})" if entry.corrects_id else ""
            console.print(f"{_paris(entry.occurred_at)}  {entry.get_kind_display()}  {entry.author_name}: "
                          f"{entry.text}{mark}  [{entry.uid}]", highlight=False, markup=False, soft_wrap=True)


def log_command(  # noqa: PLR0917 - Typer maps one parameter per option
    ref: str = RefArg,
    text: str = typer.Argument(..., help="What was decided, done, said or seen."),
    kind: str = typer.Option(None, "--kind", help="decision, action, communication, observation, correction."),
    at: str = typer.Option(None, "--at", help="When it happened (default: now)."),
    corrects: str = typer.Option(None, "--corrects", help="Uid of the entry this one corrects."),
    tz: str = TzOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Append an entry to the crisis log (entries are never edited: correct one with --corrects)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.models import LogEntry, LogEntryKind
    from hygie.apps.incidents.services import add_log_entry

    moment = parse_time(at, tz, "--at")
    with acting(user) as effective:
        incident = _changeable(effective, ref, _("write in the crisis log"))
        original = None
        if corrects:
            try:
                key = uuid.UUID(corrects.strip())
            except ValueError:
                fail(_("--corrects takes an entry's uid"), EXIT_INVALID_INPUT)
            original = LogEntry.objects.restrict(effective, Action.VIEW).filter(uid=key).first()
            if original is None:
                fail(_("no crisis-log entry with uid %(uid)s") % {"uid": key}, EXIT_NOT_FOUND)
        chosen = kind or (LogEntryKind.CORRECTION if original else LogEntryKind.OBSERVATION)
        entry = _run(lambda: add_log_entry(incident, kind=chosen, text=text, user=user, occurred_at=moment,
                                           corrects=original))
    console.print(_("Entry %(uid)s written.") % {"uid": entry.uid}, highlight=False)


def clock_command(  # noqa: PLR0917 - Typer maps one parameter per option
    ref: str = RefArg,
    done: str = typer.Option(None, "--done", help="Record this obligation done (its id: cert_sante, cnil...)."),
    at: str = typer.Option(None, "--at", help="When it was done."),
    proof: str = typer.Option(None, "--proof", help="Receipt number, portal reference, address written to."),
    tz: str = TzOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Show the regulatory clocks (state, deadline in Paris time, time left), or record one done."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.services import record_obligation

    with acting(user) as effective:
        if done is None:
            console.print(_clock_table(find_incident(effective, ref)))
            return
        if not at or not proof:
            fail(_("--done needs --at and --proof"), EXIT_USAGE)
        moment = parse_time(at, tz, "--at")
        incident = _changeable(effective, ref, _("record an obligation"))
        _run(lambda: record_obligation(incident, done, done_at=moment, reference=proof, user=user))
        console.print(_clock_table(incident))


def declare_command(  # noqa: PLR0917 - Typer maps one parameter per option
    ref: str = RefArg,
    kind: str = typer.Argument(None, help="cert_sante, cnil, anssi, nis2_early_warning, nis2_notification, "
                                          "nis2_final_report."),
    output: Path = typer.Option(None, "-o", "--output", help="Write the declaration to this .pdf or .txt file."),
    sent: int = typer.Option(None, "--sent", help="Mark this declaration (its id) sent."),
    at: str = typer.Option(None, "--at", help="When it was sent."),
    reference: str = typer.Option(None, "--reference", help="The receipt or portal reference."),
    tz: str = TzOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Generate a declaration from the case (printed, or written as PDF or text), or mark one sent."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents import declarations
    from hygie.apps.incidents.models import Declaration

    if (kind is None) == (sent is None):
        fail(_("give a declaration kind to generate, or --sent ID"), EXIT_USAGE)
    if output is not None and output.suffix.lower() not in {".pdf", ".txt"}:
        fail(_("-o takes a .pdf or .txt file"), EXIT_INVALID_INPUT)
    with acting(user) as effective:
        incident = _changeable(effective, ref, _("declare an incident"))
        if sent is not None:
            if not at or not reference:
                fail(_("--sent needs --at and --reference"), EXIT_USAGE)
            moment = parse_time(at, tz, "--at")
            found = Declaration.objects.restrict(effective, Action.VIEW).filter(incident=incident, pk=sent).first()
            if found is None:
                fail(_("no declaration %(id)s in %(ref)s") % {"id": sent, "ref": incident.reference}, EXIT_NOT_FOUND)
            _run(lambda: declarations.mark_sent(found, moment, reference, user))
            console.print(_("Declaration %(id)d marked sent.") % {"id": found.pk}, highlight=False)
            return
        declaration = _run(lambda: declarations.generate_declaration(incident, kind, user=user))
    if output is None:
        typer.echo(declaration.text)
    else:
        data = (declarations.declaration_pdf(declaration) if output.suffix.lower() == ".pdf"
                else declaration.text.encode())
        try:
            output.expanduser().write_bytes(data)
        except OSError as error:
            fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror})
    console.print(_("Declaration %(id)d generated; once sent: hygie incident declare %(ref)s --sent %(id)d --at ... "
                    "--reference ...") % {"id": declaration.pk, "ref": incident.reference}, highlight=False,
                  soft_wrap=True)


def status_command(  # noqa: PLR0917 - Typer maps one parameter per option
    ref: str = RefArg,
    status: str = typer.Argument(..., help="open, contained, recovering or closed."),
    at: str = typer.Option(None, "--at", help="When (default: now)."),
    recovered: bool = typer.Option(False, "--recovered", help="Activity recovered (time to recover)."),
    tz: str = TzOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Move an incident to a status (logged)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.services import set_status

    moment = parse_time(at, tz, "--at")
    with acting(user) as effective:
        incident = _changeable(effective, ref, _("change an incident"))
        _run(lambda: set_status(incident, status, user=user, at=moment, recovered=recovered))
    console.print(_("%(ref)s: %(status)s.") % {"ref": incident.reference, "status": incident.get_status_display()},
                  highlight=False)


def timeline_command(
    ref: str = RefArg,
    output: Path = typer.Option(None, "-o", "--output", help="A .csv, .json or .pdf file (default: CSV printed)."),
    as_user: str | None = AsOpt,
) -> None:
    """Export the incident's timeline (log, times, obligations, declarations, tasks)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents import timeline

    suffix = output.suffix.lower() if output is not None else ".csv"
    if suffix not in {".csv", ".json", ".pdf"}:
        fail(_("-o takes a .csv, .json or .pdf file"), EXIT_INVALID_INPUT)
    with acting(user) as effective:
        incident = find_incident(effective, ref)
        if suffix == ".pdf":
            data = timeline.timeline_pdf(incident)
        elif suffix == ".json":
            data = orjson.dumps(timeline.timeline_json(incident), option=orjson.OPT_INDENT_2)
        else:
            data = timeline.timeline_csv(incident).encode()
    if output is None:
        typer.echo(data.decode(), nl=False)
        return
    try:
        output.expanduser().write_bytes(data)
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror})
    console.print(str(output), highlight=False, soft_wrap=True)


def stats_command(
    node: str = typer.Option(..., "--node", help="Establishment, group or region: id, FINESS or exact name."),
    as_json: bool = JsonOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Incident statistics of a node and its subtree: counts, time to report, time to recover."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.statistics import incident_statistics

    with acting(user) as effective:
        result = incident_statistics(find_node(effective, node), effective).to_dict()
    if as_json:
        typer.echo(orjson.dumps(result).decode())
        return
    console.print(_("%(node)s: %(total)d incident(s), %(late)d overdue clock(s)") % {
        "node": result["node_name"], "total": result["total"], "late": result["overdue_clocks"]}, highlight=False)
    for label, key in ((_("By type"), "by_kind"), (_("By severity"), "by_severity"), (_("By status"), "by_status"),
                       (_("By establishment"), "by_establishment")):
        parts = ", ".join(f"{name}: {count}" for name, count in result[key].items()) or "-"
        console.print(f"{label}: {parts}", highlight=False, markup=False, soft_wrap=True)
    for label, key in ((_("Time to report (h)"), "time_to_report"), (_("Time to recover (h)"), "time_to_recover")):
        durations = result[key]
        console.print(_("%(label)s: median %(median)s, max %(max)s over %(count)d") % {
            "label": label, "median": durations["median_hours"] if durations["count"] else "-",
            "max": durations["max_hours"] if durations["count"] else "-", "count": durations["count"]},
            highlight=False)


def lessons_command(ref: str = RefArg, as_user: str | None = AsOpt) -> None:
    """Put the incident's post-incident actions in the findings register (idempotent)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.lessons import actions_to_findings

    with acting(user) as effective:
        incident = _changeable(effective, ref, _("change an incident"))
        found = actions_to_findings(incident, user)
    console.print(_("%(count)d action(s) in the findings register.") % {"count": len(found)}, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the case commands to the ``hygie incident`` group."""
    for name, command in (("open", open_command), ("list", list_command), ("show", show_command),
                          ("log", log_command), ("clock", clock_command), ("declare", declare_command),
                          ("status", status_command), ("timeline", timeline_command), ("stats", stats_command),
                          ("lessons", lessons_command)):
        app.command(name)(command)
