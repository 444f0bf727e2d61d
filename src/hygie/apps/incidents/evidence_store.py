"""Evidence files of incidents: checked and stored like compliance evidence, by SHA-256.

The platform keeps one content-addressed store of evidence files (``hygie.apps.compliance.evidence_files``):
type by extension and content, size limit, nothing left behind when refused. This module binds it
to incidents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from hygie.apps.compliance.evidence_files import EvidenceError, evidence_path, store_evidence_file
from hygie.apps.incidents.models import Incident, IncidentEvidence

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["EvidenceError", "evidence_file", "store_bytes", "store_chunks"]


def store_chunks(incident: Incident, *, title: str, name: str, chunks: Iterable[bytes], user: Any,
                 note: str = "") -> IncidentEvidence:
    """Check and keep a file as evidence of ``incident``; ``EvidenceError`` when refused (nothing stored)."""
    stored = store_evidence_file(chunks, name)
    with transaction.atomic():
        return IncidentEvidence.objects.create(
            incident=incident, title=(title or stored.name).strip()[:300], file_name=stored.name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256, note=note, added_by=user,
        )


def store_bytes(incident: Incident, *, title: str, name: str, data: bytes, user: Any,
                note: str = "") -> IncidentEvidence:
    """:func:`store_chunks` for content already in memory (generated documents, tests)."""
    return store_chunks(incident, title=title, name=name, chunks=[data], user=user, note=note)


def evidence_file(evidence: IncidentEvidence) -> Path:
    """Where the evidence's content lies on disk (the store is shared: same digest, same file)."""
    return evidence_path(evidence)  # type: ignore[arg-type]  # duck-typed on ``sha256``
