"""Ingestion of an engine run: upsert its findings for one node and source, close what it no longer sees.

Findings are matched by (node, check id, fingerprint). A run of 20,000 findings costs a handful of
queries: one read of the node's findings, bulk inserts and updates in batches, one bulk insert of
history events and one audit event for the whole run (``audit.record``: bulk operations bypass the
per-object signals).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import current_actor, record
from hygie.apps.findings.models import Finding, FindingEvent, FindingStatus
from hygie.apps.findings.models.findings import ACTIVE_STATUSES
from hygie.apps.findings.signals import findings_ingested
from hygie.engines._core import Finding as EngineFinding
from hygie.engines._core import FindingFormatError

if TYPE_CHECKING:
    import datetime as dt

    from hygie.apps.organizations.models import Node

__all__ = ["IngestResult", "ingest", "parse_findings"]

BATCH = 1000
UPDATE_BATCH = 100
_SOURCE_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_TITLE_MAX = 300


@dataclass(frozen=True)
class IngestResult:
    """What a run changed."""

    created: int = 0
    updated: int = 0
    reopened: int = 0
    closed: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return asdict(self)


def parse_findings(items: Any) -> list[EngineFinding]:
    """Engine findings from their ``to_dict`` form; ``ValueError`` names the first bad item."""
    if not isinstance(items, list):
        raise ValueError(_("A JSON list of findings is expected."))  # noqa: TRY004 - callers catch ValueError for all bad input
    parsed: list[EngineFinding] = []
    for index, item in enumerate(items):
        try:
            finding = EngineFinding.from_dict(item)
        except (FindingFormatError, ValueError) as exc:
            raise ValueError(_("finding #%(index)d: %(reason)s") % {"index": index, "reason": exc}) from exc
        # PostgreSQL refuses NUL in text and JSON columns: refuse it here, with the item's index.
        if _has_nul(finding.to_dict()):
            raise ValueError(_("finding #%(index)d: text cannot contain NUL characters") % {"index": index})
        if len(finding.title) > _TITLE_MAX:
            raise ValueError(_("finding #%(index)d: the title is longer than %(max)d characters")
                             % {"index": index, "max": _TITLE_MAX})
        parsed.append(finding)
    return parsed


def _has_nul(value: Any) -> bool:
    """True when a NUL character hides anywhere in ``value`` (keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


class _AssetIndex:
    """Assets of a subtree by lower-cased name and by IP address, to link findings to them."""

    def __init__(self, node: Node) -> None:
        from hygie.apps.inventory.models import Asset

        self.by_key: dict[str, int] = {}
        rows = Asset.objects.filter(node__path__startswith=node.path).values_list("id", "name", "ip_addresses")
        for pk, name, addresses in rows.iterator(chunk_size=BATCH):
            self.by_key.setdefault(name.strip().lower(), pk)
            for address in addresses or []:
                self.by_key.setdefault(_normal_ip(str(address)), pk)

    def find(self, finding: EngineFinding) -> int | None:
        """The first asset named (or addressed) by an affected object."""
        for obj in finding.affected:
            for candidate in (obj.identifier, obj.name):
                key = _normal_ip(candidate) if candidate else ""
                if key and key in self.by_key:
                    return self.by_key[key]
        return None


def _normal_ip(text: str) -> str:
    """An IP address in canonical form, else the lower-cased text (so names and IPs share one index)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def _content(finding: EngineFinding, asset_id: int | None) -> dict[str, Any]:
    return {
        "title": finding.title,
        "severity": int(finding.severity),
        "affected": [a.to_dict() for a in finding.affected],
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "references": [r.to_dict() for r in finding.references],
        "asset_id": asset_id,
    }


def ingest(  # noqa: C901, PLR0912, PLR0915 - one pass over the run, kept together so the query count is visible
    node: Node,
    source: str,
    findings: Iterable[EngineFinding],
    *,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Upsert ``findings`` of ``source`` on ``node``; close the node's findings of that source not seen."""
    if not _SOURCE_RE.fullmatch(source or ""):
        raise ValueError(_("The source must be a lower-case name such as 'directory' (32 characters at most)."))
    now = now or timezone.now()
    run: dict[tuple[str, str], EngineFinding] = {}
    for finding in findings:
        run[finding.check_id, finding.fingerprint] = finding  # the last duplicate wins
    assets = _AssetIndex(node)
    actor, channel = current_actor()
    actor_name = getattr(actor, "username", "") or channel
    check_ids = {check_id for check_id, _fp in run}

    with transaction.atomic():
        # Findings of another source can share a check id on this node: read them too, so that an
        # upsert never trips the (node, check_id, fingerprint) unique constraint.
        existing = {
            (f.check_id, f.fingerprint): f
            for f in Finding.objects.select_for_update()
            .filter(node=node)
            .filter(Q(source=source) | Q(check_id__in=check_ids))
            .iterator(chunk_size=BATCH)
        }
        to_create: list[Finding] = []
        changed: list[Finding] = []
        changed_fields: set[str] = {"last_seen"}
        seen_only: list[int] = []
        events: list[FindingEvent] = []
        reopened = 0
        for key, incoming in run.items():
            content = _content(incoming, assets.find(incoming))
            current = existing.get(key)
            if current is None:
                to_create.append(Finding(node=node, source=source, check_id=incoming.check_id,
                                         fingerprint=incoming.fingerprint, first_seen=now, last_seen=now, **content))
                continue
            dirty = False
            for field, value in content.items():
                if field == "asset_id" and value is None:
                    continue  # keep a link made by hand when the run names no known asset
                if getattr(current, field) != value:
                    setattr(current, field, value)
                    changed_fields.add(field)
                    dirty = True
            current.last_seen = now
            if current.status == FindingStatus.FIXED:
                current.status = FindingStatus.OPEN
                current.closed_at = None
                changed_fields.update(("status", "closed_at"))
                dirty = True
                reopened += 1
                events.append(FindingEvent(finding=current, timestamp=now, actor_name=actor_name,
                                           from_status=FindingStatus.FIXED, to_status=FindingStatus.OPEN,
                                           comment=_("Seen again by a %(source)s run: reopened.") % {"source": source}))
            if dirty:
                changed.append(current)
            else:
                seen_only.append(current.pk)

        closing = [f for key, f in existing.items()
                   if f.source == source and key not in run and f.status in ACTIVE_STATUSES]
        for finding in closing:
            events.append(FindingEvent(finding=finding, timestamp=now, actor_name=actor_name,
                                       from_status=finding.status, to_status=FindingStatus.FIXED,
                                       comment=_("Not seen in the %(source)s run: closed as fixed.")
                                       % {"source": source}))
            finding.status = FindingStatus.FIXED
            finding.closed_at = now

        Finding.objects.bulk_create(to_create, batch_size=BATCH)
        _ensure_pks(node, to_create)
        events.extend(
            FindingEvent(finding=f, timestamp=now, actor_name=actor_name, to_status=FindingStatus.OPEN,
                         comment=_("First seen by a %(source)s run.") % {"source": source})
            for f in to_create
        )
        if changed:
            # Small batches: bulk_update writes CASE WHEN expressions whose cost grows with the batch.
            Finding.objects.bulk_update(changed, sorted(changed_fields), batch_size=UPDATE_BATCH)
        # Rows that only get a new last_seen (or are closed) share their new values: plain UPDATEs.
        for start in range(0, len(seen_only), BATCH):
            Finding.objects.filter(pk__in=seen_only[start:start + BATCH]).update(last_seen=now)
        closing_ids = [f.pk for f in closing]
        for start in range(0, len(closing_ids), BATCH):
            Finding.objects.filter(pk__in=closing_ids[start:start + BATCH]).update(
                status=FindingStatus.FIXED, closed_at=now)
        FindingEvent.objects.bulk_create(events, batch_size=BATCH)
        result = IngestResult(created=len(to_create), updated=len(changed) + len(seen_only) - reopened,
                              reopened=reopened, closed=len(closing))
        record("ingest", object_type="findings.Finding", object_repr=f"{source} run on {node}"[:200],
               node_id=node.pk, after={"source": source, "received": len(run), **result.as_dict()})
        findings_ingested.send(sender=source, node=node, result=result)
    return result


def _ensure_pks(node: Node, created: list[Finding]) -> None:
    """Fill primary keys where the database could not return them from the bulk insert."""
    missing = [f for f in created if f.pk is None]
    if not missing:
        return
    ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(missing), BATCH):
        rows = Finding.objects.filter(
            node=node, fingerprint__in=[f.fingerprint for f in missing[start:start + BATCH]],
        ).values_list("pk", "check_id", "fingerprint")
        ids.update(((check_id, fingerprint), pk) for pk, check_id, fingerprint in rows)
    for finding in missing:
        finding.pk = ids[finding.check_id, finding.fingerprint]
