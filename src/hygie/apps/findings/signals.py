"""Signals of the findings register."""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["findings_ingested"]

#: Sent inside the transaction of an engine run, once its findings are stored: ``sender`` is the
#: source name (``"directory"``, ``"exposure"``, ``"continuity"``...), ``node`` the node of the run
#: and ``result`` its :class:`~hygie.apps.findings.ingest.IngestResult`. Receivers that act on
#: other tables defer their work with ``transaction.on_commit``, so that a failed run changes nothing.
findings_ingested = Signal()
