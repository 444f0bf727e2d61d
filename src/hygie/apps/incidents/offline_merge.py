"""Merge the bundle of an offline copy into the central database: nothing lost, nothing twice.

In one transaction: an incident unknown centrally (by ``uid``) is created on its node (which must
exist, with the same path, and where the user may ADD); a log entry is inserted when its ``uid``
is unknown and skipped when known, so merging twice changes nothing; ``corrects`` is resolved by
``uid``; the entry keeps its times, author name and origin. An obligation already recorded for the
incident is skipped. Anything wrong (malformed JSON, unknown fields, an entry of an incident that
is neither in the bundle nor known, a node of another tenant, a time in the future, an oversized
file) refuses the whole bundle with a message naming the element, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents.models import Incident, IncidentKind, LogEntry, LogEntryKind, ObligationRecord
from hygie.apps.incidents.offline import BUNDLE_FORMAT, OfflineError, OfflinePermissionError
from hygie.apps.incidents.services import MAX_LOG_TEXT, IncidentError, check_not_future
from hygie.apps.organizations.models import Node
from hygie.engines.incidents import shipped_rules

__all__ = ["MAX_BUNDLE_BYTES", "MergeResult", "merge_bundle"]

#: Largest bundle accepted: a week of crisis log on one laptop is a few megabytes.
MAX_BUNDLE_BYTES = 50 * 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_LOG_TEXT)


class _IncidentIn(_Strict):
    uid: uuid.UUID
    node_id: int
    node_path: str = Field(max_length=255)
    reference: str = Field(max_length=40)
    title: str = Field(min_length=1, max_length=200)
    kind: str
    status: str
    severity: int
    significant: bool
    personal_data_breach: bool
    high_risk_to_persons: bool
    persons_affected: int | None = Field(default=None, ge=0)
    establishments: list[int] = Field(max_length=1000)
    created_by: str | None = Field(default=None, max_length=150)
    occurred_at: dt.datetime | None
    aware_at: dt.datetime
    contained_at: dt.datetime | None
    recovered_at: dt.datetime | None
    closed_at: dt.datetime | None
    description: str
    scope: str
    systems_and_data: str
    handling_status: str
    impact_data: str
    impact_people: str
    impact_is: str
    impact_structure: str
    causes: str
    lessons_learned: str


class _EntryIn(_Strict):
    uid: uuid.UUID
    incident: uuid.UUID
    kind: str
    text: str = Field(min_length=1)
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    author: str | None = Field(default=None, max_length=150)
    author_name: str = Field(max_length=150)
    corrects: uuid.UUID | None
    origin: str = Field(max_length=100)


class _ObligationIn(_Strict):
    incident: uuid.UUID
    obligation: str = Field(max_length=40)
    done_at: dt.datetime
    reference: str = Field(min_length=1, max_length=300)
    note: str
    recorded_by: str | None = Field(default=None, max_length=150)


class _BundleIn(_Strict):
    format: Literal["hygie-offline-bundle"]
    version: Literal[1]
    copy_name: str = Field(alias="copy", max_length=64)
    node_path: str = Field(max_length=255)
    created_at: dt.datetime
    incidents: dict[str, _IncidentIn]
    entries: dict[str, _EntryIn]
    obligations: dict[str, _ObligationIn]


@dataclass(frozen=True)
class MergeResult:
    """What a merge did."""

    copy: str
    incidents_created: int
    entries_added: int
    entries_present: int
    obligations_added: int
    obligations_present: int


def _parse(data: bytes) -> _BundleIn:
    if len(data) > MAX_BUNDLE_BYTES:
        raise OfflineError(_("The bundle is larger than %(size)d MiB; refused.") % {"size": MAX_BUNDLE_BYTES // 2**20})
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise OfflineError(_("The bundle is not valid JSON: %(error)s.") % {"error": error}) from None
    if not isinstance(raw, dict) or raw.get("format") != BUNDLE_FORMAT:
        raise OfflineError(_("This file is not a Hygie offline bundle."))
    try:
        bundle = _BundleIn.model_validate(raw)
    except SchemaError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise OfflineError(_("Invalid bundle at %(where)s: %(problem)s.") % {
            "where": where[:200], "problem": first["msg"]}) from None
    for label, items in (("incidents", bundle.incidents), ("entries", bundle.entries)):
        for key, item in items.items():
            if key != str(item.uid):
                raise OfflineError(_("Invalid bundle at %(where)s: the key is not the uid.") % {
                    "where": f"{label}.{key[:40]}"})
    return bundle


def _check_time(value: dt.datetime | None, where: str) -> None:
    try:
        check_not_future(value, where)
    except IncidentError as error:
        raise OfflineError(str(error)) from None


class _Merger:
    """One merge, inside the caller's transaction."""

    def __init__(self, bundle: _BundleIn, user: Any) -> None:
        self.bundle = bundle
        self.user = user
        self.incidents: dict[uuid.UUID, Incident] = {}
        self.users: dict[str, Any] = {}
        self.created = 0

    def account(self, username: str | None) -> Any:
        """The central account of that name, if any (ids differ between databases; names do not)."""
        if not username:
            return None
        if username not in self.users:
            self.users[username] = User.objects.filter(username=username).first()
        return self.users[username]

    def incident(self, uid: uuid.UUID) -> Incident:
        """The central incident of ``uid``, created from the bundle when unknown."""
        if uid in self.incidents:
            return self.incidents[uid]
        data = self.bundle.incidents.get(str(uid))
        existing = Incident.objects.filter(uid=uid).select_related("node").first()
        if existing is not None:
            if not user_can(self.user, Action.CHANGE, existing.node.path):
                raise OfflinePermissionError(_("Incident %(uid)s: you may not change it.") % {"uid": uid})
            self.incidents[uid] = existing
            return existing
        if data is None:
            raise OfflineError(_("Incident %(uid)s is neither in the bundle nor in the database.") % {"uid": uid})
        self.incidents[uid] = self._create(data)
        return self.incidents[uid]

    def _create(self, data: _IncidentIn) -> Incident:
        where = f"incidents.{data.uid}"
        node = Node.objects.filter(pk=data.node_id, path=data.node_path).first()
        if node is None or not user_can(self.user, Action.ADD, node.path):
            raise OfflinePermissionError(
                _("%(where)s: unknown node, or you may not open an incident there.") % {"where": where})
        if data.kind not in IncidentKind.values:
            raise OfflineError(_("%(where)s: unknown type %(kind)r.") % {"where": where, "kind": data.kind[:40]})
        for name in ("occurred_at", "aware_at", "contained_at", "recovered_at", "closed_at"):
            _check_time(getattr(data, name), f"{where}.{name}")
        hit = list(Node.objects.filter(pk__in=data.establishments, path__startswith=node.path))
        if len(hit) != len(set(data.establishments)):
            raise OfflineError(_("%(where)s: an affected establishment is not under %(node)s.") % {
                "where": where, "node": node})
        fields = data.model_dump(exclude={"uid", "node_id", "node_path", "establishments", "created_by"})
        incident = Incident(uid=data.uid, node=node, created_by=self.account(data.created_by), **fields)
        if Incident.objects.filter(reference=incident.reference).exists():
            # Each copy numbers its incidents alone: keep the laptop's number, marked with the copy's name.
            incident.reference = f"{incident.reference}-{self.bundle.copy_name}"[:40]
        try:
            incident.full_clean(exclude=["created_by"])
        except ValidationError as error:
            raise OfflineError(f"{where}: {'; '.join(error.messages)[:300]}") from None
        incident.save()
        incident.establishments.set(hit)
        self.created += 1
        return incident

    def entries(self) -> tuple[int, int]:
        """Insert the unknown entries, corrected ones before their corrections; (added, present)."""
        pending = dict(self.bundle.entries)
        known = {str(e.uid): e for e in LogEntry.objects.filter(uid__in=[v.uid for v in pending.values()])}
        added = present = 0
        while pending:
            progressed = False
            for key, entry in list(pending.items()):
                target = str(entry.corrects) if entry.corrects else None
                if target is not None and target in pending:
                    continue  # the corrected entry goes in first
                del pending[key]
                progressed = True
                incident = self.incident(entry.incident)
                if key in known:
                    if known[key].incident_id != incident.pk:
                        raise OfflineError(_("entries.%(uid)s already exists in another incident.") % {"uid": key})
                    present += 1
                    continue
                known[key] = self._insert(entry, incident, target)
                added += 1
            if not progressed:
                raise OfflineError(_("The bundle's corrections refer to each other in a loop."))
        return added, present

    def _insert(self, entry: _EntryIn, incident: Incident, target: str | None) -> LogEntry:
        where = f"entries.{entry.uid}"
        if entry.kind not in LogEntryKind.values:
            raise OfflineError(_("%(where)s: unknown kind %(kind)r.") % {"where": where, "kind": entry.kind[:40]})
        _check_time(entry.occurred_at, f"{where}.occurred_at")
        _check_time(entry.recorded_at, f"{where}.recorded_at")
        corrects = None
        if target is not None:
            corrects = LogEntry.objects.filter(uid=target).first()
            if corrects is None or corrects.incident_id != incident.pk:
                raise OfflineError(_("%(where)s: it corrects an entry unknown in this incident.") % {"where": where})
        elif entry.kind == LogEntryKind.CORRECTION:
            raise OfflineError(_("%(where)s: a correction must name the entry it corrects.") % {"where": where})
        return LogEntry.objects.create(
            uid=entry.uid, incident=incident, kind=entry.kind, text=entry.text.strip(),
            occurred_at=entry.occurred_at, recorded_at=entry.recorded_at, author=self.account(entry.author),
            author_name=entry.author_name or "offline", corrects=corrects, origin=entry.origin)

    def obligations(self) -> tuple[int, int]:
        """Record the obligations not recorded yet; (added, present)."""
        rules = {rule.id for rule in shipped_rules()}
        added = present = 0
        for key, item in self.bundle.obligations.items():
            where = f"obligations.{key[:80]}"
            if item.obligation not in rules:
                raise OfflineError(_("%(where)s: unknown obligation.") % {"where": where})
            _check_time(item.done_at, f"{where}.done_at")
            incident = self.incident(item.incident)
            if incident.obligations.filter(obligation=item.obligation).exists():
                present += 1
                continue
            ObligationRecord.objects.create(incident=incident, obligation=item.obligation, done_at=item.done_at,
                                            reference=item.reference.strip(), note=item.note,
                                            recorded_by=self.account(item.recorded_by))
            added += 1
        return added, present


def merge_bundle(data: bytes, *, user: Any) -> MergeResult:
    """Merge a bundle (the file's bytes) as ``user`` (``None``: the local operator).

    Raises :class:`OfflineError` when refused; then nothing is stored.
    """
    from hygie.apps.incidents.kit_content import Operator

    bundle = _parse(data)
    merger = _Merger(bundle, user if user is not None else Operator())
    with transaction.atomic():
        for uid in bundle.incidents:
            merger.incident(uuid.UUID(uid))
        added, present = merger.entries()
        done, already = merger.obligations()
    return MergeResult(copy=bundle.copy_name, incidents_created=merger.created, entries_added=added,
                       entries_present=present, obligations_added=done, obligations_present=already)
