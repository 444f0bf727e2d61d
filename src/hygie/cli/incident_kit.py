"""``hygie incident kit`` and ``cell``: the offline crisis kit (HTML and PDF), and the crisis cell on screen.

``--node X`` generates one kit and writes ``kit-<node>-<date>.html`` and ``.pdf`` into ``-o DIR``;
``--all --scheduled`` regenerates the kit of every node whose crisis cell asks for a daily kit:
the command to put in cron or a systemd timer (docs/crisis-kit.md). ``--list`` shows the kits kept.
``cell --node X`` prints who to call: the members by role with their out-of-band contacts, who is on
duty now, and the meeting places (the cell is edited in the web UI or through the API).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    fail,
    find_node,
    progress_bars,
    resolve_user,
)

__all__ = ["register"]


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


def _slug(node: object) -> str:
    from django.utils.text import slugify

    return slugify(getattr(node, "short_name", "") or getattr(node, "name", "")) or str(getattr(node, "pk", "node"))


def _write(kit: object, folder: Path) -> list[Path]:
    """Copy the kit's stored files to ``folder`` under readable names."""
    from django.utils import timezone

    from hygie.apps.incidents.kit import kit_paths

    stamp = timezone.localtime(kit.generated_at).strftime("%Y-%m-%d")  # type: ignore[attr-defined]
    base = f"kit-{_slug(kit.node)}-{stamp}"  # type: ignore[attr-defined]
    written = []
    for source, suffix in zip(kit_paths(kit), (".html", ".pdf"), strict=True):  # type: ignore[arg-type]
        if source is None:
            continue
        target = folder / f"{base}{suffix}"
        shutil.copyfile(source, target)
        written.append(target)
    return written


def _list(node: object, effective: object) -> None:
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.kit import kit_paths
    from hygie.apps.incidents.models import CrisisKit

    table = Table(title=_("Crisis kits"))
    for column in (_("Id"), _("Generated"), _("Trigger"), _("HTML"), _("PDF")):
        table.add_column(column)
    for kit in CrisisKit.objects.restrict(effective, Action.VIEW).filter(node=node)[:100]:
        html, pdf = kit_paths(kit)
        table.add_row(str(kit.pk), f"{kit.generated_at:%Y-%m-%d %H:%M}", kit.get_trigger_display(), str(html),
                      str(pdf or "-"))
    console.print(table)


def kit_command(  # noqa: PLR0917 - Typer maps one parameter per option
    node: str = typer.Option(None, "--node", help="Establishment or group: id, FINESS or exact name."),
    output: Path = typer.Option(Path(), "-o", "--output", help="Folder to write the HTML and PDF into."),
    all_nodes: bool = typer.Option(False, "--all", help="Every node whose crisis cell asks for a daily kit."),
    scheduled: bool = typer.Option(False, "--scheduled", help="Record the kits as scheduled (cron, timer)."),
    list_kits: bool = typer.Option(False, "--list", help="List the kits kept for --node instead."),
    as_user: str = typer.Option(None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the "
                                                              "local administrator)."),
) -> None:
    """Generate the offline crisis kit (HTML and PDF) of a node, or of every node on the daily schedule."""
    user = resolve_user(as_user)
    from hygie.apps.incidents.kit import KitError, generate_kit, generate_kits_job
    from hygie.apps.incidents.models import KitTrigger

    if all_nodes == bool(node):
        fail(_("give either --node or --all"), EXIT_USAGE)
    with acting(user) as effective:
        if all_nodes:
            with progress_bars() as progress:
                result = generate_kits_job(progress=progress, user_id=getattr(user, "pk", None), scheduled=scheduled)
            console.print(_("%(count)d kit(s) generated.") % {"count": result["generated"]}, highlight=False)
            for failure in result["failed"]:
                console.print(_("failed for node %(node)s: %(error)s") % failure, highlight=False)
            if result["failed"]:
                raise SystemExit(EXIT_INVALID_INPUT)
            return
        target = find_node(effective, node)
        if list_kits:
            _list(target, effective)
            return
        folder = output.expanduser()
        if not folder.is_dir():
            fail(_("no such folder: %(path)s") % {"path": folder}, EXIT_NOT_FOUND)
        try:
            kit = generate_kit(target, user=user, trigger=KitTrigger.SCHEDULED if scheduled else KitTrigger.ON_DEMAND)
        except KitError as error:
            fail(str(error), EXIT_PERMISSION)
        try:
            written = _write(kit, folder)
        except OSError as error:
            fail(_("cannot write into %(path)s: %(error)s") % {"path": folder, "error": error.strerror})
    for path in written:
        console.print(str(path), highlight=False, soft_wrap=True)


def cell_command(
    node: str = typer.Option(..., "--node", help="Establishment or group: id, FINESS or exact name."),
    as_user: str = typer.Option(None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the "
                                                              "local administrator)."),
) -> None:
    """Show the crisis cell of a node: members and their out-of-band contacts, who is on duty, where to meet."""
    user = resolve_user(as_user)  # sets Django up: the imports below need it
    from django.utils import timezone
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.incidents.models import CrisisCell, CrisisMember, DutyShift

    with acting(user) as effective:
        target = find_node(effective, node)
        now = timezone.now()
        cell = CrisisCell.objects.restrict(effective, Action.VIEW).filter(node=target).first()
        members = list(CrisisMember.objects.restrict(effective, Action.VIEW).filter(node=target))
        on_duty = set(DutyShift.objects.restrict(effective, Action.VIEW).filter(
            member__node=target, starts_at__lte=now, ends_at__gt=now).values_list("member_id", flat=True))
    if cell is not None:
        for label, value in ((_("Meeting place"), cell.meeting_place),
                             (_("Fallback meeting place"), cell.fallback_meeting_place),
                             (_("Conference bridge"), cell.conference_bridge), (_("Plan blanc"), cell.plan_blanc_url)):
            if value:
                console.print(f"{label}: {value}", highlight=False, soft_wrap=True)
    table = Table(title=_("Crisis cell: %(node)s") % {"node": target})
    for column in (_("Role"), _("Name"), _("Mobile phone"), _("Personal e-mail"), _("On duty")):
        table.add_column(column)
    for member in members:
        table.add_row(f"{member.get_role_display()}{'' if member.rank == 1 else f' ({member.rank})'}", member.name,
                      member.mobile or member.landline or "-", member.personal_email or "-",
                      _("yes") if member.pk in on_duty else "")
    console.print(table)
    if not members:
        console.print(_("No member recorded: fill the crisis cell in the web UI."), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``kit`` and ``cell`` to the ``hygie incident`` group."""
    app.command("kit")(kit_command)
    app.command("cell")(cell_command)
