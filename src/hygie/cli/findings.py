"""`hygie findings ...` commands: list, export, import an engine run, change a status, expire acceptances."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer
from rich.table import Table

from hygie.cli.context import (
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    fail,
    resolve_user,
    setup_django,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

app = typer.Typer(
    help="The findings register: list, export, import engine runs, change statuses.", no_args_is_help=True
)


def _(message: str) -> str:
    """Translate a message (Django is set up by then; imported late to keep ``hygie --help`` fast)."""
    from django.utils.translation import gettext

    return gettext(message)


NodeOpt = typer.Option(None, "--node", help="Only this node and its subtree (id).")
SeverityOpt = typer.Option(None, "--severity", help="critical, high, medium, low or info (repeatable).")
StatusOpt = typer.Option(None, "--status", help="A status, or 'active' (open or in remediation).")
SourceOpt = typer.Option(None, "--source", help="Engine name (directory, exposure...) or 'manual'.")
AsOpt = typer.Option(None, "--as", help="Act as this user (default: HYGIE_USER, else the local administrator).")


def _findings(user: Any, node: int | None, severity: list[str] | None, status: str | None, source: str | None) -> Any:
    """The findings ``user`` may see, filtered by the shared FilterSet (bad values exit with the reason)."""
    from django.http import QueryDict

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.findings.filtersets import FindingFilterSet
    from hygie.apps.findings.models import Finding

    data = QueryDict(mutable=True)
    if node is not None:
        data["node"] = str(node)
    if severity:
        data.setlist("severity", [s.lower() for s in severity])
    if status:
        data["status"] = status
    if source:
        data["source"] = source
    queryset = Finding.objects.restrict(user, Action.VIEW).select_related("node", "owner")
    filterset = FindingFilterSet(data, queryset=queryset)
    if not filterset.is_valid():
        fail("; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()), EXIT_USAGE)
    return filterset.qs


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(_("%(option)s: %(value)r is not a date (YYYY-MM-DD)") % {"option": option, "value": value}, EXIT_USAGE)


@app.command("list")
def list_findings(  # noqa: PLR0917 - Typer maps parameters to options
    node: int | None = NodeOpt,
    severity: list[str] | None = SeverityOpt,
    status: str | None = StatusOpt,
    source: str | None = SourceOpt,
    limit: int = typer.Option(50, "--limit", min=1, help="Rows to show."),
    as_user: str | None = AsOpt,
) -> None:
    """Show findings as a table, most severe first."""
    setup_django()
    from hygie.apps.findings.tables import FINDING_COLUMNS

    user = resolve_user(as_user)
    with acting(user) as effective:
        rows = _findings(effective, node, severity, status, source)
        total = rows.count()
        table = Table(*["#", *[str(c.label) for c in FINDING_COLUMNS]], title=f"{min(total, limit)} / {total}")
        for finding in rows[:limit]:
            table.add_row(str(finding.pk), *[c.text(finding) for c in FINDING_COLUMNS])
    console.print(table)


def _json_item(finding: Any) -> dict[str, Any]:
    """Engine-contract fields (so an export can be imported again) plus the register's own."""
    return {
        "id": finding.pk,
        "node_id": finding.node_id,
        "source": finding.source,
        "check_id": finding.check_id,
        "fingerprint": finding.fingerprint,
        "title": finding.title,
        "severity": finding.severity_name,
        "status": finding.status,
        "affected": finding.affected,
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "references": finding.references,
        "owner": finding.owner.username if finding.owner_id else None,
        "due_date": finding.due_date.isoformat() if finding.due_date else None,
        "justification": finding.justification,
        "acceptance_expires": finding.acceptance_expires.isoformat() if finding.acceptance_expires else None,
        "first_seen": finding.first_seen.isoformat(),
        "last_seen": finding.last_seen.isoformat(),
        "closed_at": finding.closed_at.isoformat() if finding.closed_at else None,
    }


def _write_json(rows: Iterator[Any], out: IO[str]) -> int:
    # One object at a time: an export of 100,000 findings never sits whole in memory.
    count = 0
    out.write("[")
    for finding in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(_json_item(finding), ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def _write_csv(rows: Iterator[Any], out: IO[str]) -> int:
    from hygie.apps.findings.tables import FINDING_COLUMNS
    from hygie.web.tables import csv_rows

    writer = csv.writer(out)
    count = -1
    for row in csv_rows(rows, FINDING_COLUMNS):
        writer.writerow(row)
        count += 1
    return count


@app.command("export")
def export(  # noqa: PLR0917 - Typer maps parameters to options
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
    node: int | None = NodeOpt,
    severity: list[str] | None = SeverityOpt,
    status: str | None = StatusOpt,
    source: str | None = SourceOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Export findings as CSV (the list's columns) or JSON, streamed."""
    setup_django()
    if fmt not in {"csv", "json"}:
        fail(_("--format must be csv or json, not %(format)r") % {"format": fmt}, EXIT_USAGE)
    user = resolve_user(as_user)
    with acting(user) as effective:
        rows = _findings(effective, node, severity, status, source).iterator(chunk_size=2000)
        writer = _write_csv if fmt == "csv" else _write_json
        if output is None:
            writer(rows, sys.stdout)
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = writer(rows, handle)
        except OSError as exc:
            fail(_("cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror})
    console.print(_("%(count)d findings written to %(file)s") % {"count": count, "file": output}, highlight=False)


@app.command("import")
def import_run(
    file: Path = typer.Argument(..., help="JSON list of findings in the engine contract's form."),
    node: int = typer.Option(..., "--node", help="Node the findings belong to (id)."),
    source: str = typer.Option(..., "--source", help="Engine name; its findings on the node not in the file close."),
    as_user: str | None = AsOpt,
) -> None:
    """Ingest an engine run: create new findings, update known ones, close those no longer seen."""
    setup_django()
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.findings.ingest import ingest, parse_findings
    from hygie.apps.organizations.models import Node

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(_("cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror})
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(_("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": exc})
    try:
        findings = parse_findings(data)
    except ValueError as exc:
        fail(_("%(file)s: %(error)s; nothing stored") % {"file": file, "error": exc})
    user = resolve_user(as_user)
    with acting(user) as effective:
        target = Node.objects.restrict(effective, Action.VIEW).filter(pk=node).first()
        if target is None:
            fail(_("no node with id %(id)s") % {"id": node}, EXIT_NOT_FOUND)
        if not user_can(effective, Action.CHANGE, target.path):
            fail(_("you may not change findings of %(node)s") % {"node": target}, EXIT_PERMISSION)
        try:
            result = ingest(target, source, findings)
        except ValueError as exc:
            fail(str(exc))
    console.print(
        _("%(source)s on %(node)s: %(created)d created, %(updated)d updated, %(reopened)d reopened, %(closed)d closed")
        % {"source": source, "node": target, **result.as_dict()},
        highlight=False,
    )


@app.command("set-status")
def set_status(  # noqa: PLR0917 - Typer maps parameters to options
    finding_id: int = typer.Argument(..., help="Finding id."),
    status: str = typer.Argument(..., help="open, in_remediation, risk_accepted, fixed or false_positive."),
    comment: str = typer.Option("", "--comment", help="Why (kept in the history)."),
    justification: str | None = typer.Option(
        None, "--justification", help="Needed for risk_accepted and false_positive."
    ),
    expires: str | None = typer.Option(None, "--expires", help="Expiry of a risk acceptance (YYYY-MM-DD)."),
    owner: str | None = typer.Option(None, "--owner", help="New owner (username)."),
    due: str | None = typer.Option(None, "--due", help="New due date (YYYY-MM-DD)."),
    as_user: str | None = AsOpt,
) -> None:
    """Change a finding's status (and optionally its owner and due date)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.apps.accounts.models import User
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.findings.models import Finding
    from hygie.apps.findings.workflow import KEEP, change_finding
    from hygie.web.validation import reasons

    expiry = _date(expires, "--expires")
    due_date = _date(due, "--due") if due is not None else KEEP
    user = resolve_user(as_user)
    with acting(user) as effective:
        finding = Finding.objects.restrict(effective, Action.VIEW).select_related("node").filter(pk=finding_id).first()
        if finding is None:
            fail(_("no finding with id %(id)s") % {"id": finding_id}, EXIT_NOT_FOUND)
        if not Finding.objects.restrict(effective, Action.CHANGE).filter(pk=finding_id).exists():
            fail(_("you may not change finding %(id)s") % {"id": finding_id}, EXIT_PERMISSION)
        new_owner: Any = KEEP
        if owner is not None:
            new_owner = User.objects.filter(username=owner, is_active=True).first()
            if new_owner is None:
                fail(_("no active user named %(name)r") % {"name": owner}, EXIT_NOT_FOUND)
        try:
            change_finding(
                finding,
                actor=effective,
                status=status,
                owner=new_owner,
                due_date=due_date,
                justification=justification,
                acceptance_expires=expiry,
                comment=comment,
            )
        except ValidationError as exc:
            fail(reasons(exc))
    console.print(
        _("finding %(id)s: %(status)s") % {"id": finding_id, "status": finding.get_status_display()}, highlight=False
    )


@app.command("expire-acceptances")
def expire_acceptances_command(as_user: str | None = AsOpt) -> None:
    """Reopen findings whose risk acceptance has expired (run it daily)."""
    setup_django()
    from hygie.apps.findings.workflow import expire_acceptances

    user = resolve_user(as_user)
    with acting(user):
        count = expire_acceptances()
    console.print(_("%(count)d expired risk acceptances reopened") % {"count": count}, highlight=False)
