"""Offline copies for a crisis cell cut off from the central server, and the merge of what they wrote.

**Export** (on the central server): a fresh SQLite file, migrated through a second database alias
set up at run time, receives what the cell of one node needs: the nodes (subtree and ancestors),
the users holding roles there (with unusable passwords, no API token), their roles, regulatory
profiles, crisis cells, members, rota, templates, the inventory and continuity model (enough for
the kit) and the incidents with their indicators, tasks, log, obligations and declarations. Rows
keep their ids, so the copy names the same objects as the centre. A marker table in the file
(``hygie_offline_copy``) records the copy's name and, per table, the highest id exported.

**On the laptop** (``HYGIE_DATABASE_URL=sqlite:////path/copy.sqlite3``) every command works as
usual; :func:`current_origin` gives the copy's name, written as the ``origin`` of new log entries.
**Bundle**: what was written there (rows above the exported ids) as JSON keyed by ``uid``;
**merge** (:mod:`hygie.apps.incidents.offline_merge`) puts it back without loss or duplicate.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import graphlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents.models import Incident, LogEntry, ObligationRecord
from hygie.apps.organizations.models import Node

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "BUNDLE_FORMAT",
    "MARKER_TABLE",
    "CopyInfo",
    "ExportResult",
    "OfflineError",
    "OfflinePermissionError",
    "build_bundle",
    "current_copy",
    "current_origin",
    "export_copy",
]

#: The marker table of an offline copy (plain SQL: it must not depend on the settings or the models).
MARKER_TABLE = "hygie_offline_copy"
#: The ``format`` of a bundle file.
BUNDLE_FORMAT = "hygie-offline-bundle"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: Copied models, by app label and model name (the order is computed from their foreign keys).
#: Left out on purpose: API tokens, sessions, login failures, the audit log, jobs, evidence files
#: and generated kits (their files stay on the server), findings and detections (not for the cell).
_APPS = ("inventory", "continuity")
_INCIDENT_MODELS = ("RegulatoryProfile", "CrisisCell", "CrisisMember", "DutyShift", "CommunicationTemplate",
                    "Incident", "Indicator", "IncidentTask", "LogEntry", "ObligationRecord", "Declaration")
#: Tables whose highest exported id the marker keeps: rows above it were written on the copy.
_TRACKED = {"incident": Incident, "log_entry": LogEntry, "obligation": ObligationRecord}


class OfflineError(ValueError):
    """An export, bundle or merge refused; the message is meant for the person."""


class OfflinePermissionError(OfflineError):
    """Refused because the user may not do it there (the CLI exits 5)."""


@dataclass(frozen=True)
class CopyInfo:
    """What the marker of an offline copy says."""

    name: str
    node_id: int
    node_path: str
    exported_at: str
    high_water: dict[str, int]


@dataclass
class ExportResult:
    """What an export copied: rows per model label."""

    path: Path
    name: str
    counts: dict[str, int] = field(default_factory=dict)


def _check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise OfflineError(_("A copy name is 1 to 64 letters, digits, dots, dashes or underscores: %(name)r.")
                           % {"name": (name or "")[:80]})
    return name


@contextlib.contextmanager
def _alias_for(path: Path) -> Iterator[str]:
    """A database alias on the SQLite file at ``path``, configured for the duration of the block."""
    alias = f"offline_{uuid.uuid4().hex[:12]}"
    # configure_settings fills Django's defaults (TIME_ZONE, OPTIONS...) and insists on seeing a default.
    connections.settings[alias] = connections.configure_settings({
        DEFAULT_DB_ALIAS: copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS]),
        alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
    })[alias]
    try:
        # Connect at once: Django's test cases refuse a lazy first connection to an alias they do not know.
        connections[alias].connect()
        yield alias
    finally:
        with contextlib.suppress(Exception):
            connections[alias].close()
        with contextlib.suppress(KeyError, AttributeError):
            del connections[alias]
        connections.settings.pop(alias, None)


def _models() -> list[type[models.Model]]:
    chosen: list[type[models.Model]] = [apps.get_model("organizations", "Node"), apps.get_model("accounts", "User"),
                                        apps.get_model("accounts", "RoleAssignment")]
    for label in _APPS:
        chosen.extend(apps.get_app_config(label).get_models())
    chosen.extend(apps.get_model("incidents", name) for name in _INCIDENT_MODELS)
    # Parents before children, so that every foreign key finds its row (self-references sorted apart).
    sorter: graphlib.TopologicalSorter[type[models.Model]] = graphlib.TopologicalSorter()
    for model in chosen:
        targets = [f.related_model for f in model._meta.concrete_fields
                   if f.is_relation and f.related_model in chosen and f.related_model is not model]
        sorter.add(model, *targets)
    return list(sorter.static_order())


def _scope_q(model: type[models.Model], node: Node) -> Q:
    """Rows owned by the node's subtree or its ancestors (shared components of a group, say)."""
    path_field: str = getattr(model, "tenant_path_field", "node__path")
    return Q(**{f"{path_field}__startswith": node.path}) | Q(**{f"{path_field}__in": node.lineage_paths()})


def _rows(model: type[models.Model], node: Node, user: Any, nodes: set[int]) -> list[models.Model]:
    label = model._meta.label
    if label == "organizations.Node":
        return list(Node.objects.filter(pk__in=nodes).order_by("depth", "pk"))
    role_model = apps.get_model("accounts", "RoleAssignment")
    if label == "accounts.User":
        holders = set(role_model.objects.filter(node_id__in=nodes).values_list("user_id", flat=True))
        if getattr(user, "pk", None) is not None:
            holders.add(user.pk)
        return list(model.objects.filter(pk__in=holders).order_by("pk"))
    if label == "accounts.RoleAssignment":
        return list(role_model.objects.filter(node_id__in=nodes).order_by("pk"))
    queryset = model._default_manager.all()
    if hasattr(queryset, "restrict"):
        queryset = queryset.restrict(user, Action.VIEW)
    return list(queryset.filter(_scope_q(model, node)).order_by("pk"))


def _keep(obj: models.Model, copied: dict[type[models.Model], set[Any]]) -> bool:
    """Point foreign keys only at copied rows: a missing optional target becomes empty, else the row stays out."""
    for fk in obj._meta.concrete_fields:
        if not fk.is_relation:
            continue
        value = getattr(obj, fk.attname)
        if value is None:
            continue
        target = copied.get(fk.related_model)
        if target is not None and value in target:
            continue
        if fk.related_model is type(obj) and value in copied.setdefault(type(obj), set()):
            continue
        if not fk.null:
            return False
        setattr(obj, fk.attname, None)
    return True


def _scrub(obj: models.Model) -> None:
    """A copied account cannot log in with its central password: the laptop is easily lost."""
    if obj._meta.label == "accounts.User":
        obj.password = make_password(None)  # type: ignore[attr-defined]


def _copy(alias: str, node: Node, user: Any) -> dict[str, int]:
    nodes = {n.pk for n in Node.objects.filter(path__startswith=node.path)} | {n.pk for n in node.ancestors()}
    copied: dict[type[models.Model], set[Any]] = {}
    counts: dict[str, int] = {}
    for model in _models():
        kept = []
        done = copied.setdefault(model, set())
        for obj in _rows(model, node, user, nodes):
            if _keep(obj, copied):
                _scrub(obj)
                kept.append(obj)
                done.add(obj.pk)
        model._default_manager.using(alias).bulk_create(kept, batch_size=500)
        counts[model._meta.label] = len(kept)
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            links = [link for link in through.objects.filter(**{f"{source}_id__in": done})
                     if getattr(link, f"{target}_id") in copied.get(m2m.related_model, set())]
            through.objects.using(alias).bulk_create(links, batch_size=500)
    return counts


def _reserve_ids(alias: str, high_water: dict[str, int]) -> None:
    """Make the copy number its new rows above every central id, not only above the rows it holds.

    The bundle takes what lies above the high-water marks: a laptop row numbered after the copied
    rows alone (another establishment's rows hold higher ids) would be missed and lost.
    """
    with connections[alias].cursor() as cursor:
        for key, model in _TRACKED.items():
            table = model._meta.db_table
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, high_water.get(key, 0)])


def _write_marker(alias: str, info: CopyInfo) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        payload = {"name": info.name, "node_id": info.node_id, "node_path": info.node_path,
                   "exported_at": info.exported_at, "high_water": info.high_water}
        for key, value in payload.items():
            cursor.execute(f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608 - constant
                           [key, json.dumps(value)])


def export_copy(node: Node, *, user: Any, path: Path, name: str) -> ExportResult:
    """Create the offline copy of ``node`` at ``path`` (a new file) for the crisis cell; see the module docstring.

    ``user`` must be able to view the node (``None``: the local operator). A failure leaves no file behind.
    """
    from hygie.apps.incidents.kit_content import Operator

    _check_name(name)
    acting = user if user is not None else Operator()
    if not user_can(acting, Action.VIEW, node.path):
        raise OfflinePermissionError(_("You may not export %(node)s.") % {"node": node})
    path = path.expanduser().resolve()
    if path.exists():
        raise OfflineError(_("%(path)s already exists: give a new file name.") % {"path": path})
    if not path.parent.is_dir():
        raise OfflineError(_("No such folder: %(path)s.") % {"path": path.parent})
    high_water = {key: model.objects.aggregate(top=models.Max("pk"))["top"] or 0 for key, model in _TRACKED.items()}
    try:
        with _alias_for(path) as alias:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
            with transaction.atomic(using=alias):
                counts = _copy(alias, node, acting)
                _write_marker(alias, CopyInfo(name=name, node_id=node.pk, node_path=node.path,
                                              exported_at=timezone.now().isoformat(), high_water=high_water))
                _reserve_ids(alias, high_water)
    except BaseException:
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return ExportResult(path=path, name=name, counts=counts)


def current_copy(using: str = "default") -> CopyInfo | None:
    """The marker of the database behind ``using`` when it is an offline copy, else ``None``."""
    target = connections[using]
    if target.vendor != "sqlite":
        return None
    # Read on the DB-API connection: a look at the file's metadata, once per connection, that must not
    # show in the query counts of the requests that happen to write the first log entry.
    target.ensure_connection()
    raw = target.connection
    found = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [MARKER_TABLE])
    if found.fetchone() is None:
        return None
    rows = raw.execute(f"SELECT key, value FROM {MARKER_TABLE}").fetchall()  # noqa: S608 - constant table name
    values = {key: json.loads(value) for key, value in rows}
    return CopyInfo(name=str(values["name"]), node_id=int(values["node_id"]), node_path=str(values["node_path"]),
                    exported_at=str(values["exported_at"]),
                    high_water={str(k): int(v) for k, v in dict(values["high_water"]).items()})


_ORIGIN_ATTR = "_hygie_offline_origin"


def current_origin() -> str:
    """The ``origin`` to write on new log entries: the copy's name on an offline copy, "" on the server.

    Read once per database connection (the marker never changes under a running process).
    """
    target = connections[DEFAULT_DB_ALIAS]
    cached: str | None = getattr(target, _ORIGIN_ATTR, None)
    if cached is None:
        info = current_copy()
        cached = info.name if info is not None else ""
        setattr(target, _ORIGIN_ATTR, cached)
    return cached


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


_INCIDENT_TEXT = ("reference", "title", "kind", "status", "description", "scope", "systems_and_data",
                  "handling_status", "impact_data", "impact_people", "impact_is", "impact_structure", "causes",
                  "lessons_learned")
_INCIDENT_TIMES = ("occurred_at", "aware_at", "contained_at", "recovered_at", "closed_at")


def _incident_data(incident: Incident) -> dict[str, Any]:
    data: dict[str, Any] = {"uid": str(incident.uid), "node_id": incident.node_id, "node_path": incident.node.path,
                            "severity": incident.severity, "significant": incident.significant,
                            "personal_data_breach": incident.personal_data_breach,
                            "high_risk_to_persons": incident.high_risk_to_persons,
                            "persons_affected": incident.persons_affected,
                            "establishments": sorted(n.pk for n in incident.establishments.all()),
                            "created_by": _username(incident.created_by)}
    data.update({name: getattr(incident, name) for name in _INCIDENT_TEXT})
    data.update({name: _iso(getattr(incident, name)) for name in _INCIDENT_TIMES})
    return data


def build_bundle(*, user: Any) -> dict[str, Any]:
    """What was written on this offline copy: incidents, log entries and obligations, keyed by ``uid``.

    Entries above the exported ids were written here; one written without an origin (by a tool that
    did not set it) is given the copy's name, which is where it was written.
    """
    from hygie.apps.incidents.kit_content import Operator

    info = current_copy()
    if info is None:
        raise OfflineError(_("This database is not an offline copy: run the bundle on the laptop's copy."))
    acting = user if user is not None else Operator()
    marks = info.high_water
    entries = list(LogEntry.objects.restrict(acting, Action.VIEW).filter(pk__gt=marks.get("log_entry", 0))
                   .select_related("incident", "author", "corrects").order_by("pk"))
    records = list(ObligationRecord.objects.restrict(acting, Action.VIEW).filter(pk__gt=marks.get("obligation", 0))
                   .select_related("incident", "recorded_by").order_by("pk"))
    wanted = {e.incident_id for e in entries} | {r.incident_id for r in records}
    incidents = (Incident.objects.restrict(acting, Action.VIEW)
                 .filter(Q(pk__in=wanted) | Q(pk__gt=marks.get("incident", 0)))
                 .select_related("node", "created_by").prefetch_related("establishments").order_by("pk"))
    return {
        "format": BUNDLE_FORMAT, "version": 1, "copy": info.name, "node_path": info.node_path,
        "created_at": timezone.now().isoformat(),
        "incidents": {str(i.uid): _incident_data(i) for i in incidents},
        "entries": {str(e.uid): {
            "uid": str(e.uid), "incident": str(e.incident.uid), "kind": e.kind, "text": e.text,
            "occurred_at": _iso(e.occurred_at), "recorded_at": _iso(e.recorded_at),
            "author": _username(e.author), "author_name": e.author_name,
            "corrects": str(e.corrects.uid) if e.corrects is not None else None,
            "origin": e.origin or info.name,
        } for e in entries},
        "obligations": {f"{r.incident.uid}:{r.obligation}": {
            "incident": str(r.incident.uid), "obligation": r.obligation, "done_at": _iso(r.done_at),
            "reference": r.reference, "note": r.note, "recorded_by": _username(r.recorded_by),
        } for r in records},
    }

