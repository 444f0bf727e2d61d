"""The offline crisis kit: one self-contained HTML file and its PDF per node, on demand or on a schedule.

The HTML holds its styles inline and loads nothing (a Content-Security-Policy forbids it), so it
opens on any laptop with no network and prints with a page per section, in black and white. Both
files are kept in the private data directory under their SHA-256 (``DATA_DIR/incidents/kits/``);
every generation is a :class:`~hygie.apps.incidents.models.CrisisKit` row, older ones are kept.
``hygie incident kit --all --scheduled`` (cron or a systemd timer, docs/crisis-kit.md) regenerates
the kits of every cell that asks for a daily kit; :func:`start_generate_all` does it from the UI as
a background job with its status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents.kit_content import Operator, kit_context
from hygie.apps.incidents.models import CrisisCell, CrisisKit, KitTrigger
from hygie.apps.organizations.models import Node

__all__ = [
    "KitError",
    "generate_kit",
    "generate_kits_job",
    "kit_dir",
    "kit_paths",
    "render_kit_html",
    "scheduled_nodes",
    "start_generate_all",
]


class KitError(ValueError):
    """A kit cannot be generated; the message is meant for the person."""


def kit_dir() -> Path:
    """Where kit files live (private: served only through permission-checked views)."""
    return Path(settings.DATA_DIR) / "incidents" / "kits"


def kit_paths(kit: CrisisKit) -> tuple[Path, Path | None]:
    """The kit's HTML file and PDF file (``None`` when no PDF was made)."""
    folder = kit_dir()
    pdf = folder / f"{kit.pdf_sha256}.pdf" if kit.pdf_sha256 else None
    return folder / f"{kit.html_sha256}.html", pdf


def _store(data: bytes, suffix: str) -> tuple[str, int]:
    """Write ``data`` under its digest (atomically: a reader never sees half a file)."""
    digest = hashlib.sha256(data).hexdigest()
    folder = kit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".kit-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).chmod(0o600)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return digest, len(data)


def render_kit_html(node: Node, *, user: Any, now: dt.datetime,
                    language: str | None = None) -> tuple[str, dict[str, Any]]:
    """The kit's HTML (every value escaped by the template engine) and its summary counts."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = kit_context(node, user=user, now=now, language=language)
        return render_to_string("incidents/kit/kit.html", context), context["summary"]


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    # No base_url: the kit names no file to fetch, and WeasyPrint must not go looking for one.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def generate_kit(node: Node, *, user: Any, trigger: str = KitTrigger.ON_DEMAND, now: dt.datetime | None = None,
                 language: str | None = None, pdf: bool = True) -> CrisisKit:
    """Render ``node``'s kit (HTML and PDF), store both files and record the generation.

    ``user`` needs ADD on the node (a kit is a new record); ``None`` is the local operator or the
    scheduler, who may read every node. Raises :class:`KitError` when refused.
    """
    acting = user if user is not None else Operator()
    if not user_can(acting, Action.ADD, node.path):
        raise KitError(_("You may not generate the crisis kit of %(node)s.") % {"node": node})
    moment = now or timezone.now()
    html, summary = render_kit_html(node, user=acting, now=moment, language=language)
    data = html.encode("utf-8")
    html_sha, html_size = _store(data, ".html")
    pdf_sha, pdf_size = _store(_pdf(html), ".pdf") if pdf else ("", None)
    with transaction.atomic():
        return CrisisKit.objects.create(
            node=node, trigger=trigger, generated_at=moment,
            generated_by=user if getattr(user, "pk", None) is not None else None,
            html_sha256=html_sha, html_size=html_size, pdf_sha256=pdf_sha, pdf_size=pdf_size, summary=summary,
        )


def scheduled_nodes(user: Any = None) -> list[Node]:
    """Nodes whose crisis cell asks for a daily kit (among those ``user`` may add to), by path."""
    acting = user if user is not None else Operator()
    cells = CrisisCell.objects.restrict(acting, Action.ADD).filter(kit_daily=True).select_related("node")
    return [cell.node for cell in cells.order_by("node__path")]


def generate_kits_job(*, progress: Any, user_id: int | None = None, scheduled: bool = True) -> dict[str, Any]:
    """Generate the kit of every node whose cell asks for a daily kit; a job target and the CLI's ``--all``.

    One node's failure does not stop the others: it is logged and listed in the result.
    """
    from hygie.apps.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    if user_id is not None and user is None:
        raise KitError(_("The user who asked for the kits no longer exists."))
    nodes = scheduled_nodes(user)
    progress.start(_("Crisis kits"), len(nodes))
    made, failed = [], []
    trigger = KitTrigger.SCHEDULED if scheduled else KitTrigger.ON_DEMAND
    for node in nodes:
        try:
            kit = generate_kit(node, user=user, trigger=trigger)
        except (KitError, OSError) as error:
            failed.append({"node": node.pk, "error": str(error)})
            progress.log(f"{node}: {error}")
        else:
            made.append(kit.pk)
            progress.log(str(node))
        progress.advance()
    return {"generated": len(made), "kits": made, "failed": failed}


def start_generate_all(*, node: Node, user: Any) -> Any:
    """Start :func:`generate_kits_job` as a background job shown on ``node`` (the UI's "generate all")."""
    from hygie.apps.jobs.runner import start_job

    if not user_can(user, Action.ADD, node.path):
        raise KitError(_("You may not generate the crisis kit of %(node)s.") % {"node": node})
    return start_job(node=node, kind="incidents.crisis_kits", label=_("Generate the crisis kits"), user=user,
                     target="hygie.apps.incidents.kit.generate_kits_job",
                     user_id=getattr(user, "pk", None), scheduled=False)
