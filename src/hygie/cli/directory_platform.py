"""``hygie directory import|audits|report``: directory audits stored in the platform (needs the database).

The engine-only commands (``audit``, ``collect``) live in ``hygie.cli.directory``; these ones go
through the same permission choke point and storage as the web UI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE, acting, console, fail


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)


def _run(audit: Any, load: Any) -> None:
    """Audit synchronously (a progress bar on a terminal), then print the outcome; bad input exits 3."""
    from hygie.apps.directory.running import AuditFailedError, audit_collection
    from hygie.cli.context import progress_bars

    try:
        with progress_bars() as progress:
            audit_collection(audit, load, progress)
    except AuditFailedError as exc:
        fail(str(exc), EXIT_INVALID_INPUT)
    console.print(
        _("Audit %(id)d of %(domain)s on %(node)s: ANSSI level %(level)d, risk score %(score)d, %(count)d findings.")
        % {
            "id": audit.pk,
            "domain": audit.domain,
            "node": audit.node,
            "level": audit.level,
            "score": audit.score,
            "count": audit.finding_count,
        },
        highlight=False,
    )


def import_command(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="SharpHound zip/folder/JSON, LDIF file or snapshot folder."
    ),
    node: int = typer.Option(..., "--node", help="Establishment or group the audit belongs to (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """Audit INPUT now and store it like an upload from the UI (findings into the register)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.directory.models import AuditSource, DirectoryAudit
    from hygie.apps.directory.running import read_collection
    from hygie.apps.organizations.models import Node

    if not input_path.exists():
        fail(_("%(path)s does not exist") % {"path": input_path}, EXIT_INVALID_INPUT)
    with acting(user) as effective:
        target = Node.objects.restrict(effective, Action.VIEW).filter(pk=node).first()
        if target is None:
            fail(_("no node with id %(id)s") % {"id": node}, EXIT_NOT_FOUND)
        if not user_can(effective, Action.ADD, target.path):
            fail(_("you may not add audits to %(node)s") % {"node": target}, EXIT_PERMISSION)
        audit = DirectoryAudit.objects.create(
            node=target, source=AuditSource.CLI, label=input_path.name[:300], created_by=user
        )
        _run(audit, lambda _p: read_collection(input_path))


def run_command(
    credential_id: int = typer.Option(..., "--credential", help="Stored credential (id) to collect with."),
    as_user: str | None = AsOpt,
) -> None:
    """Collect a directory live with a stored credential, audit it now and store it (on the credential's node)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.directory.models import AuditSource, DirectoryAudit, DirectoryCredential
    from hygie.apps.directory.running import collect_with

    with acting(user) as effective:
        credential = (
            DirectoryCredential.objects.restrict(effective, Action.VIEW)
            .select_related("node")
            .filter(pk=credential_id)
            .first()
        )
        if credential is None:
            fail(_("no directory credential with id %(id)s") % {"id": credential_id}, EXIT_NOT_FOUND)
        if not user_can(effective, Action.ADD, credential.node.path):
            fail(_("you may not add audits to %(node)s") % {"node": credential.node}, EXIT_PERMISSION)
        audit = DirectoryAudit.objects.create(
            node=credential.node,
            source=AuditSource.LDAP,
            label=credential.url[:300],
            credential=credential,
            created_by=user,
        )
        _run(audit, lambda progress: collect_with(credential, progress))


def audits_command(
    node: int | None = typer.Option(None, "--node", help="Only this node and its subtree (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """List the stored directory audits."""
    from rich.table import Table

    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.directory.models import DirectoryAudit
    from hygie.apps.directory.tables import AUDIT_COLUMNS
    from hygie.apps.organizations.models import Node

    with acting(user) as effective:
        audits = DirectoryAudit.objects.restrict(effective, Action.VIEW).select_related("node")
        if node is not None:
            path = Node.objects.restrict(effective, Action.VIEW).filter(pk=node).values_list("path", flat=True).first()
            if path is None:
                fail(_("no node with id %(id)s") % {"id": node}, EXIT_NOT_FOUND)
            audits = audits.filter(node__path__startswith=path)
        table = Table()
        table.add_column("id", justify="right", no_wrap=True)
        table.add_column(_("Domain"), no_wrap=True)
        columns = [c for c in AUDIT_COLUMNS if c.name not in {"domain", "source"}]
        for column in columns:
            table.add_column(str(column.label))
        for audit in audits[:1000]:
            table.add_row(str(audit.pk), audit.domain or audit.label, *(column.text(audit) for column in columns))
    console.print(table)


def report_command(
    audit_id: int = typer.Argument(..., help="Audit id (see `hygie directory audits`)."),
    output_format: str = typer.Option("pdf", "--format", help="pdf or html."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    as_user: str | None = AsOpt,
) -> None:
    """Write the report of an audit (PDF or HTML) to a file."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.directory.models import DirectoryAudit
    from hygie.apps.directory.report import report_html, report_pdf

    if output_format not in {"pdf", "html"}:
        fail(_("unknown format %(format)r; expected pdf or html") % {"format": output_format}, EXIT_USAGE)
    with acting(user) as effective:
        audit = (
            DirectoryAudit.objects.restrict(effective, Action.VIEW).select_related("node").filter(pk=audit_id).first()
        )
        if audit is None:
            fail(_("no directory audit with id %(id)s") % {"id": audit_id}, EXIT_NOT_FOUND)
        if not audit.succeeded:
            fail(
                _("audit %(id)s has no result (%(status)s)") % {"id": audit_id, "status": audit.status},
                EXIT_INVALID_INPUT,
            )
        ancestors = audit.node.ancestors()
        try:
            if output_format == "pdf":
                output.write_bytes(report_pdf(audit, ancestors))
            else:
                output.write_text(report_html(audit, ancestors), encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}", EXIT_INVALID_INPUT)
    console.print(_("Report written to %(path)s") % {"path": output}, highlight=False)


def rotate_command() -> None:
    """Re-encrypt every stored directory password with the first key of HYGIE_CREDENTIAL_KEY (after a rotation)."""
    from hygie.cli.context import setup_django

    setup_django()
    from django.db import transaction

    from hygie.apps.accounts.audit import record
    from hygie.apps.directory.crypto import CredentialKeyError, rotate
    from hygie.apps.directory.models import DirectoryCredential

    with acting(None), transaction.atomic():
        count = 0
        for credential in DirectoryCredential.objects.exclude(password_encrypted="").select_for_update():
            try:
                token = rotate(credential.password_encrypted)
            except CredentialKeyError as exc:
                fail(f"{credential.label} ({credential.node_id}): {exc}", EXIT_INVALID_INPUT)
            DirectoryCredential.objects.filter(pk=credential.pk).update(password_encrypted=token)
            count += 1
        # The passwords and their tokens never enter the audit log: only that a rotation happened.
        record(
            "rotate_key",
            object_type="directory.DirectoryCredential",
            object_repr=f"{count} credentials",
            after={"count": count},
        )
    console.print(_("%(count)d credentials re-encrypted.") % {"count": count}, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the platform commands to the ``directory`` group."""
    app.command("import")(import_command)
    app.command("run")(run_command)
    app.command("audits")(audits_command)
    app.command("report")(report_command)
    app.command("rotate-credentials")(rotate_command)
