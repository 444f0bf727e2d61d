"""Imports of training completions and GoPhish results: one import is one transaction.

A refused file (wrong columns, a bad line, an unknown establishment) raises :class:`CsvError` and
stores nothing. People are stored as keyed hashes of their e-mail (see ``csvfiles.pseudonym``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import record
from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.csvfiles import MAX_CSV_BYTES, CsvError
from hygie.apps.awareness.gophish import funnels_by_category, parse_gophish
from hygie.apps.awareness.models import PhishingCampaign, PhishingResult, TrainingCompletion, TrainingSession
from hygie.apps.awareness.training_csv import parse_training
from hygie.apps.organizations.models import Node

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["MAX_NAME", "ImportResult", "import_gophish", "import_training"]

MAX_NAME = 200
BATCH = 2000


@dataclass(frozen=True)
class ImportResult:
    """What a training import changed."""

    lines: int = 0
    sessions_created: int = 0
    completions_created: int = 0
    already_known: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return asdict(self)


class _Establishments:
    """Resolve an establishment cell (FINESS EJ/EG, exact name, or empty) to a node under the importing node."""

    def __init__(self, node: Node, user: Any) -> None:
        nodes = Node.objects.all() if user is None else Node.objects.restrict(user, Action.ADD)
        self.node = node
        self.nodes = nodes.filter(path__startswith=node.path)
        self.cache: dict[str, Node] = {}

    def get(self, text: str, line: int) -> Node:
        if not text:
            return self.node
        if text not in self.cache:
            found = list(self.nodes.filter(Q(finess_ej=text) | Q(finess_eg=text) | Q(name=text))[:2])
            if len(found) != 1:
                reason = _("names several nodes") if found else _("is no FINESS or name of a node under %(node)s") % {
                    "node": self.node}
                raise CsvError(_("Line %(line)d: establishment %(value)r %(reason)s.")
                               % {"line": line, "value": text[:60], "reason": reason})
            self.cache[text] = found[0]
        return self.cache[text]


def import_training(
    node: Node, data: bytes, *, user: Any, today: dt.date | None = None, max_bytes: int = MAX_CSV_BYTES
) -> ImportResult:
    """Store the completions of a training CSV for ``node`` (sessions matched by title, created when new).

    ``user`` may only name establishments where they may add data (``None``: the platform itself).
    """
    today = today or timezone.localdate()
    rows = parse_training(data, settings.SECRET_KEY, today=today, max_bytes=max_bytes)
    establishments = _Establishments(node, user)
    with transaction.atomic():
        sessions: dict[str, TrainingSession] = {
            s.title.casefold(): s for s in TrainingSession.objects.select_for_update().filter(node=node)
        }
        created_sessions = 0
        for row in rows:
            key = row.session.casefold()
            if key not in sessions:
                sessions[key] = TrainingSession.objects.create(node=node, title=row.session, kind=row.session_kind)
                created_sessions += 1
        session_ids = [s.pk for s in sessions.values()]
        known = set(TrainingCompletion.objects.filter(session_id__in=session_ids).values_list("session_id", "person"))
        new = []
        for row in rows:
            session = sessions[row.session.casefold()]
            if (session.pk, row.person) in known:
                continue
            known.add((session.pk, row.person))
            new.append(TrainingCompletion(session=session, node=establishments.get(row.establishment, row.line),
                                          person=row.person, category=row.category, completed_on=row.completed_on))
        TrainingCompletion.objects.bulk_create(new, batch_size=BATCH)
        result = ImportResult(len(rows), created_sessions, len(new), len(rows) - len(new))
        record("import", object_type="awareness.TrainingCompletion", object_repr=f"training import on {node}"[:200],
               node_id=node.pk, after=result.as_dict())
    return result


def import_gophish(
    node: Node, data: bytes, *, name: str, source_name: str = "", max_bytes: int = MAX_CSV_BYTES
) -> PhishingCampaign:
    """Store a GoPhish results export as a new campaign of ``node``, with its funnel."""
    name = (name or "").strip()
    if not name:
        raise CsvError(_("The campaign needs a name."))
    if len(name) > MAX_NAME or "\x00" in name:
        raise CsvError(_("The campaign name must be at most %(max)d printable characters.") % {"max": MAX_NAME})
    results = parse_gophish(data, settings.SECRET_KEY, max_bytes=max_bytes)
    dates = [r.sent_on for r in results if r.sent_on is not None]
    with transaction.atomic():
        campaign = PhishingCampaign.objects.create(
            node=node,
            name=name,
            launched_on=min(dates) if dates else timezone.localdate(),
            source_name=source_name[:MAX_NAME],
            funnel=funnels_by_category((r.category, r.stage, r.reported) for r in results),
        )
        PhishingResult.objects.bulk_create(
            [PhishingResult(campaign=campaign, person=r.person, category=r.category, status=r.status[:32],
                            stage=r.stage, reported=r.reported) for r in results],
            batch_size=BATCH,
        )
    return campaign
