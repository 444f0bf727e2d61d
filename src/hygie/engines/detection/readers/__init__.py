"""Readers: event logs (EVTX, JSON lines, zip archives of them) into Arrow record batches.

Batches follow :mod:`hygie.engines.detection.model`: the ``FIXED_COLUMNS`` first, then one string
column per event field met in the batch, named as Sigma's Windows taxonomy names it. Reading is
streamed (memory is bounded by ``batch_size``, whatever the input size) and bad input is never
fatal: corrupt records are counted in ``ReadStats.corrupt``, unreadable files noted in
``ReadStats.errors``, and reading goes on with the rest.
"""

from __future__ import annotations

from hygie.engines.detection.readers._values import render_value
from hygie.engines.detection.readers.evtx import normalise_event, read_evtx
from hygie.engines.detection.readers.flavours import normalise_json
from hygie.engines.detection.readers.jsonl import MAX_LINE_BYTES, read_jsonl
from hygie.engines.detection.readers.logs import ZipLimits, read_logs

__all__ = [
    "MAX_LINE_BYTES",
    "ZipLimits",
    "normalise_event",
    "normalise_json",
    "read_evtx",
    "read_jsonl",
    "read_logs",
    "render_value",
]
