"""Comparisons across scans: the diff of two scans and the "what is new" card of a node's dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from hygie.apps.accounts.permissions import Action
from hygie.apps.exposure.models import ExposureScan

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["ExposureCard", "diff_document", "diff_scans_of", "exposure_card"]

#: Most recent scans read for one dashboard card: enough for every perimeter of a large group.
CARD_ROWS = 2000


def diff_scans_of(base: ExposureScan, scan: ExposureScan) -> Any:
    """The engine's ``ScanDiff`` from ``base`` to ``scan`` (both finished)."""
    from hygie.engines.exposure.diff import diff_scans

    return diff_scans(base.scan_result(), scan.scan_result())


def diff_document(base: ExposureScan | None, scan: ExposureScan) -> dict[str, Any] | None:
    """The diff as JSON (``ScanDiff.to_dict``), None when there is nothing to compare with."""
    if base is None or not base.succeeded or not scan.succeeded:
        return None
    document: dict[str, Any] = diff_scans_of(base, scan).to_dict()
    return document


@dataclass(frozen=True)
class ExposureCard:
    """What the node dashboard says about Internet exposure: news since the previous scans."""

    scans: int
    new_services: int
    new_findings: int
    since: dt.datetime | None
    latest_id: int | None

    @property
    def has_news(self) -> bool:
        """True when something appeared since the previous scans."""
        return bool(self.new_services or self.new_findings)


def exposure_card(user: Any, node: Node) -> ExposureCard | None:
    """Sum the changes of the latest scan of each perimeter in ``node``'s subtree (None: no scan yet).

    One query over the small summary columns (the changes are counted when a scan is stored), so
    the dashboard reads no result document however many scans the subtree holds.
    """
    rows = (
        ExposureScan.objects.restrict(user, Action.VIEW)
        .done()
        .filter(node__path__startswith=node.path)
        .order_by("-scanned_at", "-id")
        .values("id", "node_id", "perimeter_id", "changes")[:CARD_ROWS]
    )
    latest: dict[tuple[int, int | None], dict[str, Any]] = {}
    for row in rows:
        latest.setdefault((row["node_id"], row["perimeter_id"]), row)
    if not latest:
        return None
    since: dt.datetime | None = None
    new_services = new_findings = 0
    for row in latest.values():
        changes = row["changes"] or {}
        new_services += int(changes.get("new_services") or 0)
        new_findings += int(changes.get("new_findings") or 0)
        when = parse_datetime(str(changes.get("since") or ""))
        if when is not None and (since is None or when < since):
            since = when
    newest = next(iter(latest.values()))
    return ExposureCard(len(latest), new_services, new_findings, since, newest["id"])
