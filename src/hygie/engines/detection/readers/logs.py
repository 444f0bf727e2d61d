"""Reading whatever the user points at: files, folders (recursive) and zip archives of event logs.

Files are recognised by extension (``.evtx``; ``.json``, ``.jsonl``, ``.ndjson``, ``.log``;
``.zip``), and an unknown extension by its first bytes (an EVTX or zip signature). Other files are
skipped with a note in ``stats.errors``.

Zip entries are streamed: JSON lines straight from the archive, EVTX entries copied to a temporary
file (the parser needs random access) and deleted once read. Zip bombs are bounded by
:class:`ZipLimits`: entry count, bytes per entry and bytes per archive, counted while
decompressing (the sizes the archive declares are not trusted).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from hygie.engines.detection.readers._batch import BatchBuilder
from hygie.engines.detection.readers.evtx import NormalisedEvent, evtx_events, to_batches
from hygie.engines.detection.readers.jsonl import jsonl_events

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import pyarrow as pa  # type: ignore[import-untyped]

    from hygie.engines._core.progress import Progress
    from hygie.engines.detection.model import ReadStats

__all__ = ["EVTX_SUFFIXES", "JSON_SUFFIXES", "ZipLimits", "file_kind", "list_files", "logs_events", "read_logs"]

EVTX_SUFFIXES = frozenset({".evtx"})
JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".log"})
ZIP_SUFFIXES = frozenset({".zip"})
_EVTX_MAGIC = b"ElfFile\x00"
_ZIP_MAGIC = b"PK\x03\x04"
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Bounds on what one zip archive may expand to (zip-bomb protection)."""

    max_entries: int = 100_000
    max_entry_bytes: int = 16 << 30
    max_total_bytes: int = 64 << 30


class _LimitExceededError(Exception):
    """An archive entry expands beyond its limit."""


class _BoundedReader:
    """A read-only binary stream that fails once more than ``limit`` bytes came out of ``inner``."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        self.inner = inner
        self.limit = limit
        self.name = name
        self.count = 0

    def _account(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.limit:
            raise _LimitExceededError(f"expands beyond {self.limit} bytes")
        return data

    def read(self, size: int = -1) -> bytes:
        return self._account(self.inner.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._account(self.inner.readline(size))

    def peek(self, size: int = 0) -> bytes:
        peek: Callable[[int], bytes] | None = getattr(self.inner, "peek", None)
        return peek(size) if peek is not None else b""


def file_kind(path: Path) -> str:
    """``evtx``, ``json`` or ``zip`` from the extension, else from the first bytes; ``""`` when unknown."""
    suffix = path.suffix.lower()
    if suffix in EVTX_SUFFIXES:
        return "evtx"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in ZIP_SUFFIXES:
        return "zip"
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError:
        return ""
    if head == _EVTX_MAGIC:
        return "evtx"
    return "zip" if head.startswith(_ZIP_MAGIC) else ""


def list_files(paths: Sequence[Path], stats: ReadStats) -> list[Path]:
    """The files under ``paths`` (folders recursively, in name order); missing paths noted in ``stats``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(child for child in path.rglob("*") if child.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            stats.errors.append(f"{path}: no such file or folder")
    return found


def _entry_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in EVTX_SUFFIXES:
        return "evtx"
    return "json" if suffix in JSON_SUFFIXES else ""


def _zip_entry_events(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int, stats: ReadStats
) -> Iterator[tuple[str, NormalisedEvent]]:
    """One entry's events; raises ``_LimitExceededError`` when it expands beyond ``limit``."""
    with archive.open(info) as raw:
        stream = _BoundedReader(raw, limit, label)
        if _entry_kind(info.filename) == "json":
            yield from jsonl_events(stream, stats=stats, name=label)  # type: ignore[arg-type]
            return
        handle, temporary = tempfile.mkstemp(suffix=".evtx")
        try:
            with os.fdopen(handle, "wb") as copy:
                while chunk := stream.read(_COPY_CHUNK):
                    copy.write(chunk)
            yield from evtx_events(Path(temporary), stats=stats, name=label)
        finally:
            Path(temporary).unlink(missing_ok=True)


def _zip_events(path: Path, stats: ReadStats, limits: ZipLimits) -> Iterator[tuple[str, NormalisedEvent]]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        stats.errors.append(f"{path}: not a readable zip archive ({error})")
        return
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > limits.max_entries:
            stats.errors.append(f"{path}: {len(entries)} entries, over the limit of {limits.max_entries}; skipped")
            return
        budget = limits.max_total_bytes
        for info in entries:
            label = f"{path}!{info.filename}"
            if not _entry_kind(info.filename):
                stats.errors.append(f"{label}: not an event log (.evtx or JSON lines), skipped")
                continue
            if budget <= 0:
                stats.errors.append(f"{path}: expands beyond {limits.max_total_bytes} bytes; rest skipped")
                return
            limit = min(limits.max_entry_bytes, budget)
            stream_error = ""
            try:
                yield from _zip_entry_events(archive, info, label, limit, stats)
            except _LimitExceededError as error:
                stream_error = f"{error} (zip bomb?); entry skipped after that point"
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as error:
                stream_error = f"damaged entry ({error})"
            if stream_error:
                stats.errors.append(f"{label}: {stream_error}")
            # Charge the declared size at least: a lying header cannot stretch the archive budget.
            budget -= max(info.file_size, 1)


def logs_events(
    files: list[tuple[Path, str]], stats: ReadStats, advance: Callable[[int], None] | None, limits: ZipLimits
) -> Iterator[tuple[str, NormalisedEvent]]:
    """``(file label, event)`` of each file (``kind`` from :func:`file_kind`); ``advance`` gets bytes read."""
    for path, kind in files:
        if kind == "json":
            yield from jsonl_events(path, stats=stats, advance=advance)
            continue  # progress already advanced by the reader, as bytes go
        if kind == "evtx":
            yield from evtx_events(path, stats=stats)
        elif kind == "zip":
            yield from _zip_events(path, stats, limits)
        else:
            stats.errors.append(f"{path}: not an event log (.evtx, JSON lines or .zip), skipped")
        if advance is not None:
            advance(_size(path))


def read_logs(
    paths: Sequence[Path],
    *,
    stats: ReadStats,
    batch_size: int = 65536,
    progress: Progress | None = None,
    zip_limits: ZipLimits | None = None,
) -> Iterator[pa.RecordBatch]:
    """Events of files, folders (recursive) and zip archives as record batches, streamed.

    A batch may hold events of several files (column ``_file``); ``batch_size`` bounds its rows.
    Progress: ``progress.start("read", total_bytes)`` (bytes on disk), then ``advance(bytes)`` as
    files are read. Nothing raises for bad input: ``stats`` tells what was read, what was corrupt,
    and one message per file skipped or damaged.
    """
    files = [(path, file_kind(path)) for path in list_files(paths, stats)]
    if progress is not None:
        progress.start("read", sum(_size(path) for path, _ in files))
    # One builder for all files: a folder of small files still makes batches of batch_size rows.
    builder = BatchBuilder(batch_size)
    advance = progress.advance if progress is not None else None
    yield from to_batches(logs_events(files, stats, advance, zip_limits or ZipLimits()), builder)
    yield from builder.flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
