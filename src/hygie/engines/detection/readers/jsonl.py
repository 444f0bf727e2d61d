"""JSON-lines event files into Arrow batches, streamed line by line.

Each line is one JSON object of any flavour :mod:`~hygie.engines.detection.readers.flavours`
recognises. ``_record_id`` is the line number (1-based), unique in the file even when it merges
several hosts; the event's own record id, when the flavour has one, is the ``EventRecordID`` field.

Bad input is never fatal: a line that is not a JSON object, or longer than ``MAX_LINE_BYTES``, is
counted in ``stats.corrupt`` (the first line numbers go to ``stats.errors``). A file whose first
lines are all invalid is not JSON lines (a text log, say): one error, and the reader stops there.
A file holding one JSON array of events (some exporters write that) is read when it is smaller
than ``MAX_ARRAY_BYTES``.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from hygie.engines.detection.readers._batch import BatchBuilder
from hygie.engines.detection.readers.evtx import MAX_FIELDS_PER_EVENT, NormalisedEvent, to_batches
from hygie.engines.detection.readers.flavours import normalise_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pyarrow as pa  # type: ignore[import-untyped]

    from hygie.engines.detection.model import ReadStats

__all__ = ["MAX_ARRAY_BYTES", "MAX_LINE_BYTES", "jsonl_events", "read_jsonl"]

#: Longest line read (longer ones are corrupt): bounds memory whatever the input.
MAX_LINE_BYTES = 1 << 20
#: Largest whole-file JSON array read (it has to be loaded at once).
MAX_ARRAY_BYTES = 64 << 20
#: Lines all invalid at the start of a file after which it is deemed not JSON lines.
SNIFF_LINES = 10
_MAX_LINE_NUMBERS = 5
_SKIP_CHUNK = 1 << 16
_ADVANCE_EVERY = 10_000


class _Lines:
    """Numbered lines of a binary stream, each at most ``limit`` bytes (longer ones come back as None)."""

    def __init__(self, stream: IO[bytes], limit: int, first_line: int = 1) -> None:
        self.stream = stream
        self.limit = limit
        self.consumed = 0
        self.first_line = first_line

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        readline = self.stream.readline
        limit = self.limit
        number = self.first_line - 1
        while True:
            line = readline(limit + 1)
            if not line:
                return
            number += 1
            self.consumed += len(line)
            if len(line) > limit and not line.endswith(b"\n"):
                self._skip_rest()
                yield number, None
                continue
            yield number, line

    def _skip_rest(self) -> None:
        while True:
            chunk = self.stream.readline(_SKIP_CHUNK)
            self.consumed += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return


class _Problems:
    """Per-file accounting of bad lines: counts in stats, the first line numbers in one message."""

    def __init__(self, label: str, stats: ReadStats) -> None:
        self.label = label
        self.stats = stats
        self.numbers: list[int] = []
        self.count = 0
        self.too_long = 0

    def bad(self, number: int, *, too_long: bool = False) -> None:
        self.stats.corrupt += 1
        self.count += 1
        self.too_long += too_long
        if len(self.numbers) < _MAX_LINE_NUMBERS:
            self.numbers.append(number)

    def report(self) -> None:
        if not self.count:
            return
        lines = ", ".join(str(number) for number in self.numbers)
        more = ", ..." if self.count > len(self.numbers) else ""
        long_note = f", {self.too_long} over {MAX_LINE_BYTES} bytes" if self.too_long else ""
        self.stats.errors.append(
            f"{self.label}: {self.count} invalid JSON line(s) skipped{long_note} (lines {lines}{more})"
        )


def _normalised(number: int, data: Any, problems: _Problems) -> NormalisedEvent | None:
    if type(data) is not dict:
        problems.bad(number)
        return None
    timestamp, channel, event_id, provider, computer, record_id, fields = normalise_json(data)
    if len(fields) > MAX_FIELDS_PER_EVENT:
        problems.bad(number)  # hostile input: a batch of that many columns
        return None
    if record_id is not None:
        fields["EventRecordID"] = record_id
    problems.stats.events += 1
    return (timestamp, channel, event_id, provider, computer, number, fields)


def _line_events(
    lines: _Lines, problems: _Problems, advance: Callable[[int], None] | None
) -> Iterator[NormalisedEvent]:
    valid = 0
    reported = 0
    loads = orjson.loads
    for number, line in lines:
        if line is None:
            problems.bad(number, too_long=True)
            continue
        try:
            data: Any = loads(line)
        except orjson.JSONDecodeError:
            if not line.strip():
                continue  # blank lines are allowed between events
            problems.bad(number)
            if not valid and problems.count >= SNIFF_LINES:
                problems.count = 0
                problems.stats.corrupt -= SNIFF_LINES
                problems.stats.errors.append(
                    f"{problems.label}: not JSON lines (its first {SNIFF_LINES} lines are not JSON)"
                )
                return
            continue
        event = _normalised(number, data, problems)
        if event is not None:
            valid += 1
            yield event
        if advance is not None and not number % _ADVANCE_EVERY:
            advance(lines.consumed - reported)
            reported = lines.consumed
    if advance is not None:
        advance(lines.consumed - reported)


def _array_events(stream: IO[bytes], problems: _Problems) -> Iterator[NormalisedEvent]:
    content = stream.read(MAX_ARRAY_BYTES + 1)
    if len(content) > MAX_ARRAY_BYTES:
        problems.stats.errors.append(f"{problems.label}: JSON array over {MAX_ARRAY_BYTES} bytes; export JSON lines")
        return
    try:
        items = orjson.loads(content)
    except orjson.JSONDecodeError as error:
        problems.stats.errors.append(f"{problems.label}: invalid JSON ({error})")
        return
    for number, item in enumerate(items if isinstance(items, list) else [items], start=1):
        event = _normalised(number, item, problems)
        if event is not None:
            yield event


def _starts_with_array(stream: IO[bytes]) -> bool:
    peek = getattr(stream, "peek", None)
    head: bytes = peek(64) if peek is not None else b""
    return head.lstrip()[:1] == b"["


def jsonl_events(
    path: Path | IO[bytes],
    *,
    stats: ReadStats,
    name: str = "",
    advance: Callable[[int], None] | None = None,
    first_line: int = 1,
    whole_file: bool = True,
) -> Iterator[tuple[str, NormalisedEvent]]:
    """``(file label, normalised event)`` for each event of one JSON-lines file or stream.

    ``_record_id`` is the line number. ``advance`` receives bytes read (progress). An unreadable
    file gives one message in ``stats.errors``; invalid lines are counted in ``stats.corrupt``.
    A slice of a file (parallel hunts) starts at line ``first_line``; only the first slice
    (``whole_file``) counts the file and may hold a JSON array.
    """
    label = name or (str(path) if isinstance(path, Path) else str(getattr(path, "name", "") or "<stream>"))
    if isinstance(path, Path):
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as error:
            stats.errors.append(f"{label}: cannot open ({error.strerror or error})")
            return
    else:
        stream = path
    stats.files += whole_file
    problems = _Problems(label, stats)
    try:
        if whole_file and _starts_with_array(stream):
            events = _array_events(stream, problems)
        else:
            events = _line_events(_Lines(stream, MAX_LINE_BYTES, first_line), problems, advance)
        for event in events:
            yield label, event
    except OSError as error:
        stats.errors.append(f"{label}: read failed ({error})")
    finally:
        problems.report()
        if isinstance(path, Path):
            stream.close()


def read_jsonl(
    path: Path | IO[bytes], *, stats: ReadStats, batch_size: int = 65536, name: str = ""
) -> Iterator[pa.RecordBatch]:
    """Events of one JSON-lines file (a path or an open binary stream) as record batches.

    ``name`` is the ``_file`` value (default: the path). See ``jsonl_events``.
    """
    builder = BatchBuilder(batch_size)
    yield from to_batches(jsonl_events(path, stats=stats, name=name), builder)
    yield from builder.flush()
