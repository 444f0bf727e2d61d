"""Model checks of a node's continuity model, stored as findings (source ``continuity``).

The engine's :func:`~hygie.engines.continuity.checks.audit` runs the backup, restore-test, backup
system and single-point-of-failure checks; :func:`~hygie.apps.findings.ingest.ingest` upserts them
on the node and closes, as fixed, the node's ``continuity`` findings the audit no longer raises.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from hygie.apps.continuity.document import node_model
from hygie.apps.findings.ingest import ingest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hygie.apps.findings.ingest import IngestResult
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import Model

__all__ = ["SOURCE", "audit_node", "model_findings", "store_model_findings"]

#: The findings register's source of the model checks.
SOURCE = "continuity"


def store_model_findings(node: Node, findings: Sequence[Finding]) -> IngestResult:
    """Upsert the model findings of ``node`` (and close those no longer raised)."""
    return ingest(node, SOURCE, findings)


def model_findings(model: Model, as_of: dt.date | None = None) -> list[Finding]:
    """The engine's model checks on ``model`` as of ``as_of`` (default: today)."""
    from hygie.engines.continuity.checks import audit

    return audit(model, as_of=as_of or timezone.localdate())


def audit_node(node: Node, *, as_of: dt.date | None = None) -> int:
    """Run the model checks on ``node``'s model and store them as findings; how many it raised.

    Raises :class:`~hygie.engines.continuity.loader.ModelError` when the node's model is invalid
    (nothing stored then).
    """
    findings = model_findings(node_model(node), as_of)
    store_model_findings(node, findings)
    return len(findings)
