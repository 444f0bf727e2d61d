"""Building Arrow record batches from normalised events, by log source and by shape.

Every reader turns its input into *normalised events* (the fixed values plus a dict of raw field
values, see ``readers.evtx.NormalisedEvent``) and hands them to a :class:`BatchBuilder`.

* Events are **partitioned by** ``Channel``: a batch holds one log source, so it carries only the
  columns of that source (a Security batch has no Sysmon columns) and the rule engine can match a
  batch against the rules of its log source alone.
* Within a partition, events are grouped by **shape** (their field names, in order): an event
  costs two tuple appends, and each column is converted by Arrow once per shape. Rows of a batch
  therefore come grouped by shape, not in file order: sort on ``_timestamp`` or ``_record_id``
  where order matters.
* A batch may hold events of several files (``_file`` tells them apart): folders of small files
  still make large batches. At most ``batch_size`` rows per batch, and at most
  ``PENDING_FACTOR * batch_size`` rows waiting in at most ``MAX_PARTITIONS`` partitions (memory
  stays bounded: about 500 MiB at the default batch size, measured).

DuckDB and Spark bind column names case-insensitively, so two fields differing only by case
(``TargetFilename`` and ``TargetFileName`` from different providers) share one column, named by the
first spelling met; when one event has both, the first value is kept. A payload field named like
a fixed column (an ``EventData`` ``Computer``) becomes ``Event_<name>``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from hygie.engines.detection.model import FIXED_COLUMNS
from hygie.engines.detection.readers._values import text_array, to_timestamps

__all__ = ["MAX_PARTITIONS", "MAX_SHAPES_PER_BATCH", "PENDING_FACTOR", "BatchBuilder"]

#: Shapes after which a partition is emitted early: bounds the columns of a batch on hostile input.
MAX_SHAPES_PER_BATCH = 4096
#: Rows waiting in all partitions, in batches: beyond, the largest partition is emitted.
PENDING_FACTOR = 2
#: Channels waiting at once: beyond, the largest is emitted (hostile input with ever new channels).
MAX_PARTITIONS = 256
_MAX_CACHED_SHAPES = 65536
_FIXED_FOLDED = {name.casefold(): name for name in FIXED_COLUMNS}

_Fixed = tuple[str, int, str | None, str | None, int | None, str | None, str | None]


class _Shape:
    """Events whose fields have the same names in the same order: their fixed values and fields."""

    __slots__ = ("fixed", "values")

    def __init__(self) -> None:
        self.fixed: list[_Fixed] = []
        self.values: list[tuple[Any, ...]] = []


class _Partition:
    """The waiting events of one channel."""

    __slots__ = ("shapes", "size")

    def __init__(self) -> None:
        self.size = 0
        self.shapes: dict[tuple[str, ...], _Shape] = {}


class BatchBuilder:
    """Accumulates normalised events and emits record batches (see the module docstring)."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = max(1, batch_size)
        self.pending = 0
        self._partitions: dict[str | None, _Partition] = {}
        # Canonical column name per spelling met (stable across batches of the builder).
        self._folded: dict[str, str] = {}
        self._canonical_shapes: dict[tuple[str, ...], tuple[list[int], list[str]]] = {}

    def add(  # noqa: PLR0917 - the hot path: positional arguments, no per-event object
        self,
        file_name: str,
        record_id: int,
        timestamp: str | None,
        channel: str | None,
        event_id: int | None,
        provider: str | None,
        computer: str | None,
        fields: dict[str, Any],
    ) -> pa.RecordBatch | None:
        """Add one event; returns a batch when one is due (full, or memory bound reached), else None."""
        partition = self._partitions.get(channel)
        if partition is None:
            partition = self._partitions[channel] = _Partition()
        key = tuple(fields)
        shape = partition.shapes.get(key)
        emitted = None
        if shape is None:
            if len(partition.shapes) >= MAX_SHAPES_PER_BATCH:
                emitted = self._emit(channel)
                partition = self._partitions[channel] = _Partition()
            shape = partition.shapes[key] = _Shape()
        shape.fixed.append((file_name, record_id, timestamp, channel, event_id, provider, computer))
        shape.values.append(tuple(fields.values()))
        partition.size += 1
        self.pending += 1
        if emitted is not None:
            return emitted
        if partition.size >= self.batch_size:
            return self._emit(channel)
        if self.pending >= PENDING_FACTOR * self.batch_size or len(self._partitions) > MAX_PARTITIONS:
            largest = max(self._partitions, key=lambda name: self._partitions[name].size)
            return self._emit(largest)
        return None

    def flush(self) -> list[pa.RecordBatch]:
        """All waiting events, one batch per channel; the builder is then empty."""
        return [self._emit(channel) for channel in list(self._partitions)]

    def _emit(self, channel: str | None) -> pa.RecordBatch:
        partition = self._partitions.pop(channel)
        self.pending -= partition.size
        return self._batch(partition)

    def _canonical(self, key: tuple[str, ...]) -> tuple[list[int], list[str]]:
        """Positions kept and their column names, for one shape (case variants merged)."""
        known = self._canonical_shapes.get(key)
        if known is not None:
            return known
        positions: list[int] = []
        names: list[str] = []
        seen: set[str] = set()
        for position, name in enumerate(key):
            folded = name.casefold()
            if not name or folded in _FIXED_FOLDED:
                # A payload field named like a fixed column must not shadow it in SQL (nor be nameless).
                folded = f"event_{folded}"
                name = f"Event_{name}"  # noqa: PLW2901 - the renamed field is the one kept
            if folded in seen:
                continue  # one event with two case variants of a name: the first is kept
            seen.add(folded)
            positions.append(position)
            names.append(self._folded.setdefault(folded, name))
        if len(self._canonical_shapes) > _MAX_CACHED_SHAPES:
            self._canonical_shapes.clear()  # hostile input with ever new keys: keep memory bounded
        self._canonical_shapes[key] = (positions, names)
        return positions, names

    def _field_columns(self, partition: _Partition) -> tuple[list[str], list[pa.Array]]:
        # Rows come in shape order: each shape's column is converted at once, with a null run
        # where a shape lacks a column.
        pieces: dict[str, list[pa.Array]] = {}
        filled: dict[str, int] = {}
        start = 0
        for key, shape in partition.shapes.items():
            count = len(shape.values)
            if key:
                positions, names = self._canonical(key)
                columns = list(zip(*shape.values, strict=True))
                for position, name in zip(positions, names, strict=True):
                    parts = pieces.setdefault(name, [])
                    gap = start - filled.get(name, 0)
                    if gap:
                        parts.append(pa.nulls(gap, pa.string()))
                    parts.append(text_array(columns[position]))
                    filled[name] = start + count
            start += count
        arrays: list[pa.Array] = []
        for name, parts in pieces.items():
            gap = partition.size - filled[name]
            if gap:
                parts.append(pa.nulls(gap, pa.string()))
            arrays.append(parts[0] if len(parts) == 1 else pa.concat_arrays(parts))
        return list(pieces), arrays

    def _batch(self, partition: _Partition) -> pa.RecordBatch:
        fixed = [row for shape in partition.shapes.values() for row in shape.fixed]
        files, record_ids, timestamps, channels, event_ids, providers, computers = zip(*fixed, strict=True)
        arrays: list[pa.Array] = [
            pa.array(files, type=pa.string()),
            pa.array(record_ids, type=pa.int64()),
            to_timestamps(list(timestamps)),
            pa.array(channels, type=pa.string()),
            pa.array(event_ids, type=pa.int64()),
            pa.array(providers, type=pa.string()),
            pa.array(computers, type=pa.string()),
        ]
        names, field_arrays = self._field_columns(partition)
        return pa.RecordBatch.from_arrays(arrays + field_arrays, names=list(FIXED_COLUMNS) + names)
