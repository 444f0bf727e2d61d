"""``hygie incident offline``: a laptop copy for a cut-off crisis cell, and the merge of what it wrote.

``export`` (on the central server) writes a fresh SQLite copy of a node's crisis data; on the
laptop, ``HYGIE_DATABASE_URL=sqlite:////path/copy.sqlite3 hygie incident ...`` works as usual;
``bundle`` (on the laptop) writes what was logged there as JSON; ``merge`` (on the central server)
adds it without loss or duplicate. See docs/user-guide/incidents.md and docs/crisis-kit.md.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    acting,
    console,
    fail,
    find_node,
    resolve_user,
)

__all__ = ["register"]

offline_app = typer.Typer(help="Offline laptop copies for the crisis cell, and merging their crisis log back.",
                          no_args_is_help=True)

AsOpt = typer.Option(None, "--as", "--user",
                     help="Act as this user (default: HYGIE_USER, else the local administrator).")


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


@offline_app.command("export")
def export_command(
    node: str = typer.Option(..., "--node", help="Establishment or group: id, FINESS or exact name."),
    output: Path = typer.Option(..., "-o", "--output", help="The new SQLite file to write (must not exist)."),
    name: str = typer.Option("laptop", "--name", help="The copy's name, written as the origin of its entries."),
    as_user: str = AsOpt,
) -> None:
    """Write an offline copy of a node's crisis data (run on the central server)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.offline import OfflineError, OfflinePermissionError, export_copy

    with acting(user) as effective:
        target = find_node(effective, node)
        try:
            result = export_copy(target, user=user, path=output, name=name)
        except OfflineError as error:
            fail(str(error), EXIT_PERMISSION if isinstance(error, OfflinePermissionError) else EXIT_INVALID_INPUT)
    rows = sum(result.counts.values())
    console.print(_("Offline copy %(name)s written to %(path)s (%(rows)d rows).") % {
        "name": result.name, "path": result.path, "rows": rows}, highlight=False, soft_wrap=True)
    console.print(_("On the laptop: HYGIE_DATABASE_URL=sqlite:///%(path)s hygie incident ...") % {
        "path": result.path}, highlight=False, soft_wrap=True)


@offline_app.command("bundle")
def bundle_command(
    output: Path = typer.Option(..., "-o", "--output", help="The JSON file to write."),
    as_user: str = AsOpt,
) -> None:
    """Write what was logged on this offline copy as JSON (run on the laptop)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.offline import OfflineError, build_bundle

    with acting(user):
        try:
            bundle = build_bundle(user=user)
        except OfflineError as error:
            fail(str(error), EXIT_INVALID_INPUT)
    try:
        output.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror})
    console.print(_("%(incidents)d incident(s), %(entries)d entry(ies), %(obligations)d obligation(s) "
                    "written to %(path)s.") % {
        "incidents": len(bundle["incidents"]), "entries": len(bundle["entries"]),
        "obligations": len(bundle["obligations"]), "path": output}, highlight=False, soft_wrap=True)


@offline_app.command("merge")
def merge_command(
    path: Path = typer.Argument(..., help="A bundle written by 'hygie incident offline bundle'."),
    as_user: str = AsOpt,
) -> None:
    """Merge a laptop's bundle into this database, without loss or duplicate (run on the central server)."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.offline import OfflineError, OfflinePermissionError
    from hygie.apps.incidents.offline_merge import MAX_BUNDLE_BYTES, merge_bundle

    if not path.is_file():
        fail(_("file not found: %(path)s") % {"path": path}, EXIT_NOT_FOUND)
    try:
        if path.stat().st_size > MAX_BUNDLE_BYTES:
            fail(_("%(path)s is larger than the limit of %(size)d MiB") % {
                "path": path.name, "size": MAX_BUNDLE_BYTES // 2**20})
        data = path.read_bytes()
    except OSError as error:
        fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror})
    with acting(user):
        try:
            result = merge_bundle(data, user=user)
        except OfflineError as error:
            code = EXIT_PERMISSION if isinstance(error, OfflinePermissionError) else EXIT_INVALID_INPUT
            fail(str(error), code)
    console.print(_("Merged %(copy)s: %(created)d incident(s) created, %(added)d entry(ies) added, "
                    "%(present)d already present; %(done)d obligation(s) added, %(already)d already present.") % {
        "copy": result.copy, "created": result.incidents_created, "added": result.entries_added,
        "present": result.entries_present, "done": result.obligations_added,
        "already": result.obligations_present}, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``offline`` sub-group to the ``hygie incident`` group."""
    app.add_typer(offline_app, name="offline")
