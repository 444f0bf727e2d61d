"""Log detection stored in the platform (needs the database): log sources, uploads, hunts, alerts, rule packs.

The engine-only commands (``hunt`` and ``rules check`` on files) live in ``hygie.cli.detect``;
these go through the same permission choke point and storage as the web UI, mounted as
``hygie detect platform ...``.
"""

from __future__ import annotations

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

__all__ = ["app", "register"]

app = typer.Typer(help="Log detection stored in the platform.", no_args_is_help=True)


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)


def _source(effective: Any, source_id: int, action: Any) -> Any:
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.detection.models import LogSource

    source = LogSource.objects.restrict(effective, Action.VIEW).select_related("node").filter(pk=source_id).first()
    if source is None:
        fail(_("no log source with id %(id)s") % {"id": source_id}, EXIT_NOT_FOUND)
    if not user_can(effective, action, source.node.path):
        fail(_("you may not add data on %(node)s") % {"node": source.node}, EXIT_PERMISSION)
    return source


def _table(headers: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    table = Table()
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _print_hunt(hunt: Any) -> None:
    console.print(
        _(
            "Hunt %(id)d: %(status)s, %(events)d events in %(files)d files, "
            "%(detections)d detections, %(new)d new alerts."
        )
        % {
            "id": hunt.pk,
            "status": hunt.get_status_display(),
            "events": hunt.events,
            "files": hunt.files,
            "detections": hunt.detection_count,
            "new": hunt.new_alert_count,
        },
        highlight=False,
    )


@app.command("sources")
def sources_command(as_user: str | None = AsOpt) -> None:
    """List the log sources."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.detection.models import LogSource

    with acting(user) as effective:
        rows = [
            [
                str(s.pk),
                s.name,
                s.node.name,
                s.get_kind_display(),
                ", ".join(s.host_list()),
                s.watched_folder or "-",
                str(s.last_ingested_at or "-"),
            ]
            for s in LogSource.objects.restrict(effective, Action.VIEW).select_related("node")[:1000]
        ]
    _table(["id", _("Name"), _("Node"), _("Kind"), _("Hosts"), _("Watched folder"), _("Last ingestion")], rows)


@app.command("upload")
def upload_command(
    source_id: int = typer.Argument(..., metavar="SOURCE_ID", help="Log source id (see `sources`)."),
    input_path: Path = typer.Argument(..., metavar="FILE", help=".evtx, .jsonl, .json or .zip of them."),
    as_user: str | None = AsOpt,
) -> None:
    """Store FILE in a log source, like an upload from the UI (not hunted: see `hunt`)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.detection.uploads import UploadRefusedError, store_log_file

    if not input_path.is_file():
        fail(_("%(path)s does not exist") % {"path": input_path}, EXIT_INVALID_INPUT)
    with acting(user) as effective:
        source = _source(effective, source_id, Action.ADD)
        try:
            with input_path.open("rb") as handle:
                upload, created = store_log_file(
                    source, iter(lambda: handle.read(1 << 20), b""), input_path.name, user=user
                )
        except UploadRefusedError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
    message = (
        _("Stored as file %(id)d (SHA-256 %(sha)s).")
        if created
        else _("Already stored as file %(id)d (SHA-256 %(sha)s).")
    )
    console.print(message % {"id": upload.pk, "sha": upload.sha256}, highlight=False)


@app.command("hunt")
def hunt_command(
    source_id: int = typer.Argument(..., metavar="SOURCE_ID", help="Log source id."),
    pack: str | None = typer.Option(None, "--pack", help="Rule pack name (default: the built-in hospital pack)."),
    queue: bool = typer.Option(False, "--queue", help="Queue a job for the worker instead of hunting here."),
    as_user: str | None = AsOpt,
) -> None:
    """Hunt every file of a log source with the active version of a pack; alerts are stored."""
    from hygie.cli.context import progress_bars, resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.detection.packs import ensure_builtin_packs
    from hygie.apps.detection.running import HuntFailedError, default_version, execute_hunt, new_hunt, start_hunt

    with acting(user) as effective:
        source = _source(effective, source_id, Action.ADD)
        ensure_builtin_packs()
        version = default_version(effective, pack)
        if version is None:
            fail(_("no active rule pack named %(name)s") % {"name": pack or "hospital"}, EXIT_NOT_FOUND)
        if not source.uploads.exists():
            fail(_("log source %(id)d has no file: upload one first") % {"id": source.pk}, EXIT_INVALID_INPUT)
        if queue:
            hunt = start_hunt(user, source, version, [])
            console.print(_("Hunt %(id)d queued (job %(job)d).") % {"id": hunt.pk, "job": hunt.job.pk}, highlight=False)
            return
        hunt = new_hunt(source, version, [], user)
        try:
            with progress_bars() as progress:
                execute_hunt(hunt, progress)
        except HuntFailedError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
    _print_hunt(hunt)


@app.command("alerts")
def alerts_command(
    status: str | None = typer.Option(None, "--status", help="new, acknowledged, false_positive or escalated."),
    min_level: str | None = typer.Option(None, "--min-level", help="informational, low, medium, high or critical."),
    source_id: int | None = typer.Option(None, "--source", help="Only this log source (id)."),
    as_user: str | None = AsOpt,
) -> None:
    """List the alerts (at most 1,000, newest first)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.detection.models import Alert, AlertStatus
    from hygie.engines.detection.model import Level

    alerts = Alert.objects.none()
    with acting(user) as effective:
        alerts = Alert.objects.restrict(effective, Action.VIEW).select_related("node", "asset")
        if status is not None:
            if status not in AlertStatus.values:
                fail(
                    _("unknown status %(v)r; expected %(c)s") % {"v": status, "c": ", ".join(AlertStatus.values)},
                    EXIT_USAGE,
                )
            alerts = alerts.filter(status=status)
        if min_level is not None:
            try:
                alerts = alerts.filter(level__gte=int(Level.parse(min_level)))
            except ValueError as exc:
                fail(str(exc), EXIT_USAGE)
        if source_id is not None:
            alerts = alerts.filter(source_id=source_id)
        rows = [
            [
                str(a.pk),
                a.get_level_display(),
                a.get_status_display(),
                a.rule_title,
                a.computer,
                a.asset.name if a.asset else "-",
                a.timestamp.isoformat() if a.timestamp else "-",
                a.node.name,
            ]
            for a in alerts[:1000]
        ]
    _table(["id", _("Level"), _("Status"), _("Rule"), _("Host"), _("Asset"), _("Event time"), _("Node")], rows)


@app.command("watch")
def watch_command(
    queue: bool = typer.Option(False, "--queue", help="Queue the hunts as jobs instead of hunting here."),
) -> None:
    """Take the new files of every watched folder once and hunt them (run it from a timer)."""
    setup_django()
    from hygie.apps.detection.packs import ensure_builtin_packs
    from hygie.apps.detection.running import scan_watched_folders

    with acting(None):
        ensure_builtin_packs()
        outcome = scan_watched_folders(wait=not queue)
    for source, hunt, messages in outcome:
        console.print(f"{source.name} ({source.node}):", highlight=False)
        if hunt is not None:
            _print_hunt(hunt)
        for message in messages:
            console.print(f"  {message}", highlight=False, soft_wrap=True)
    console.print(_("%(count)d log sources with new files.") % {"count": len(outcome)}, highlight=False)


@app.command("packs")
def packs_command(as_user: str | None = AsOpt) -> None:
    """List the rule packs and their active versions (registers the built-in packs first)."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.detection.models import RulePack
    from hygie.apps.detection.packs import ensure_builtin_packs

    with acting(user) as effective:
        ensure_builtin_packs()
        rows = []
        for pack in RulePack.objects.restrict(effective, Action.VIEW).select_related("node"):
            active = pack.active_version()
            rows.append(
                [
                    str(pack.pk),
                    pack.name,
                    pack.node.name if pack.node else _("global"),
                    f"v{active.number}" if active else "-",
                    str(active.rule_count) if active else "-",
                    str(active.failure_count) if active else "-",
                ]
            )
    _table(["id", _("Name"), _("Node"), _("Active"), _("Rules"), _("Refused")], rows)


@app.command("pack-upload")
def pack_upload_command(
    name: str = typer.Argument(..., metavar="NAME", help="Pack name (a new version when the pack exists)."),
    path: Path = typer.Argument(..., metavar="PATH", help="A .zip of Sigma rules or a folder of them."),
    node: int | None = typer.Option(None, "--node", help="Establishment or group the pack is for (id); none: global."),
    as_user: str | None = AsOpt,
) -> None:
    """Compile PATH into a new version of the pack NAME of a node; refused when no rule loads."""
    from hygie.cli.context import resolve_user

    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action, user_can
    from hygie.apps.detection.models import RulePack
    from hygie.apps.detection.packs import PackError, add_version
    from hygie.apps.organizations.models import Node

    if not path.exists():
        fail(_("%(path)s does not exist") % {"path": path}, EXIT_INVALID_INPUT)
    with acting(user) as effective:
        target = None
        if node is None:
            if not effective.is_superuser:
                fail(_("only superusers add global rule packs: give --node"), EXIT_PERMISSION)
        else:
            target = Node.objects.restrict(effective, Action.VIEW).filter(pk=node).first()
            if target is None:
                fail(_("no node with id %(id)s") % {"id": node}, EXIT_NOT_FOUND)
            if not user_can(effective, Action.ADD, target.path):
                fail(_("you may not add rule packs on %(node)s") % {"node": target}, EXIT_PERMISSION)
        from django.db import transaction

        try:
            with transaction.atomic():
                pack, _created = RulePack.objects.get_or_create(node=target, name=name.strip()[:100])
                version, created = add_version(pack, path, user, source_name=path.name)
        except PackError as exc:
            fail(str(exc), EXIT_INVALID_INPUT)
    console.print(
        (
            _("Version %(number)d: %(rules)d rules loaded, %(failed)d refused.")
            if created
            else _("Unchanged: already version %(number)d (%(rules)d rules, %(failed)d refused).")
        )
        % {"number": version.number, "rules": version.rule_count, "failed": version.failure_count},
        highlight=False,
    )
    for failure in version.failures[:50]:
        console.print(f"  {failure['path']}: {failure['reason']}", highlight=False, soft_wrap=True)


def register(parent: typer.Typer, name: str = "platform") -> None:
    """Mount the platform commands under ``parent`` (``hygie detect platform ...``)."""
    parent.add_typer(app, name=name)
