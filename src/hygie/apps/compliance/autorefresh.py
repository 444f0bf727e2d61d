"""Measures follow the engines: after an engine run on a node, the assessments around it are refreshed.

A directory audit, an exposure scan or a continuity check stores its findings through
``hygie.apps.findings.ingest``, which sends ``findings_ingested``. The assessments of the node,
of its subtree (an establishment's own audit) and of its ancestors (a group whose shared directory
was audited at an establishment) then take their new measures once the run is committed, so the
requirement pages show the latest audit without anyone pressing "Refresh".
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import structlog
from django.db import transaction
from django.db.models import Q

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["ENGINE_SOURCES", "assessments_around", "on_findings_ingested", "refresh_around"]

log = structlog.get_logger(__name__)

#: Sources whose runs measure requirements (their check ids are those frameworks name).
ENGINE_SOURCES = frozenset({"directory", "exposure", "continuity"})


def assessments_around(node: Node) -> Any:
    """Assessments of ``node``, of its subtree and of its ancestors: those a run on ``node`` may measure.

    This is the platform acting on the node's own data after a run it already accepted, as the
    findings ingestion does: no user is involved, so there is no user to restrict to.
    """
    from hygie.apps.compliance.models import Assessment

    return Assessment.objects.filter(
        Q(node__path__startswith=node.path) | Q(node__path__in=node.lineage_paths())
    ).select_related("node", "framework")


def refresh_around(node: Node) -> int:
    """Refresh every assessment around ``node``; how many requirement measures changed."""
    from hygie.apps.compliance.measures import refresh

    return sum(refresh(assessment) for assessment in assessments_around(node))


def _refresh_committed(node_id: int, source: str) -> None:
    from hygie.apps.organizations.models import Node

    node = Node.objects.filter(pk=node_id).first()
    if node is None:
        return
    try:
        changed = refresh_around(node)
    except Exception:
        log.exception("compliance.autorefresh_failed", node=node_id, source=source)
        return
    log.info("compliance.autorefreshed", node=node_id, source=source, changed=changed)


def on_findings_ingested(sender: str, node: Node, **_kwargs: Any) -> None:
    """Receiver of ``findings_ingested``: refresh the assessments around the node once the run commits."""
    if sender in ENGINE_SOURCES:
        transaction.on_commit(partial(_refresh_committed, node.pk, sender))
