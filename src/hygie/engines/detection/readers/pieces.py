"""Cutting the input into pieces of similar size, one share per worker of a parallel hunt.

Files are the natural unit (EVTX and zip files are read whole); a large JSON-lines file is cut at
line boundaries into slices, so that one big export still keeps every core busy. A slice knows the
number of its first line, so that events keep the record ids (line numbers) a whole read gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from hygie.engines.detection.readers._batch import BatchBuilder
from hygie.engines.detection.readers.evtx import to_batches
from hygie.engines.detection.readers.jsonl import jsonl_events
from hygie.engines.detection.readers.logs import ZipLimits, file_kind, list_files, logs_events

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import pyarrow as pa  # type: ignore[import-untyped]

    from hygie.engines.detection.model import ReadStats
    from hygie.engines.detection.readers.evtx import NormalisedEvent

__all__ = ["Piece", "plan_shares", "read_pieces"]

#: JSON-lines files larger than this are cut into slices.
SPLIT_BYTES: Final = 16 << 20
_CHUNK: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class Piece:
    """A file, or the bytes ``[start, end)`` of a JSON-lines file starting at line ``first_line``."""

    path: Path
    kind: str
    size: int
    start: int = 0
    end: int = -1
    first_line: int = 1

    @property
    def whole(self) -> bool:
        """The piece is a whole file."""
        return self.end < 0


def _sniff_array(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(64).lstrip()[:1] == b"["
    except OSError:
        return True  # unreadable: left whole, the reader reports it


def _slices(path: Path, size: int, parts: int) -> list[Piece]:
    """``path`` cut into ``parts`` slices at line starts, each with its first line's number."""
    cuts = [size * i // parts for i in range(1, parts)]
    starts = [0]
    lines_before = [0]
    with path.open("rb") as stream:
        position = 0
        newlines = 0
        for cut in cuts:
            # Count newlines up to the cut, then move to the start of the next line.
            while position < cut:
                chunk = stream.read(min(_CHUNK, cut - position))
                if not chunk:
                    break
                newlines += chunk.count(b"\n")
                position += len(chunk)
            rest = stream.readline()
            position += len(rest)
            newlines += rest.endswith(b"\n")
            if position >= size:
                break
            if position > starts[-1]:
                starts.append(position)
                lines_before.append(newlines)
    ends = [*starts[1:], size]
    return [
        Piece(path, "json", end - start, start, end, first + 1)
        for start, end, first in zip(starts, ends, lines_before, strict=True)
    ]


def plan_shares(paths: Sequence[Path], stats: ReadStats, workers: int) -> list[list[Piece]]:
    """The input cut into at most ``workers`` shares of similar byte size (largest pieces first)."""
    pieces: list[Piece] = []
    for path in list_files(paths, stats):
        kind = file_kind(path)
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if kind == "json" and workers > 1 and size > SPLIT_BYTES and not _sniff_array(path):
            try:
                pieces.extend(_slices(path, size, workers))
                continue
            except OSError:
                pass  # left whole: the reader reports why it cannot read it
        pieces.append(Piece(path, kind, size))
    shares: list[list[Piece]] = [[] for _ in range(max(1, workers))]
    loads = [0] * len(shares)
    for piece in sorted(pieces, key=lambda p: -p.size):
        lightest = loads.index(min(loads))
        shares[lightest].append(piece)
        loads[lightest] += piece.size
    for share in shares:
        share.sort(key=lambda p: (str(p.path), p.start))  # read in path order, as a sequential hunt does
    return [share for share in shares if share]


class _Slice:
    """The bytes ``[start, end)`` of a file as a binary stream (``readline`` and ``read`` only)."""

    def __init__(self, stream: IO[bytes], start: int, end: int) -> None:
        stream.seek(start)
        self.stream = stream
        self.left = end - start
        self.name = getattr(stream, "name", "")

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        limit = self.left if size < 0 else min(size, self.left)
        line = self.stream.readline(limit)
        self.left -= len(line)
        return line

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data


def _piece_events(
    pieces: Sequence[Piece], stats: ReadStats, advance: Callable[[int], None] | None, limits: ZipLimits
) -> Iterator[tuple[str, NormalisedEvent]]:
    for piece in pieces:
        if piece.whole:
            yield from logs_events([(piece.path, piece.kind)], stats, advance, limits)
            continue
        try:
            handle = piece.path.open("rb")
        except OSError as error:
            stats.errors.append(f"{piece.path}: cannot open ({error.strerror or error})")
            continue
        with handle:
            stream = _Slice(handle, piece.start, piece.end)
            yield from jsonl_events(
                stream,  # type: ignore[arg-type]
                stats=stats,
                name=str(piece.path),
                advance=advance,
                first_line=piece.first_line,
                whole_file=piece.start == 0,
            )


def read_pieces(
    pieces: Sequence[Piece],
    *,
    stats: ReadStats,
    batch_size: int = 65536,
    advance: Callable[[int], None] | None = None,
    zip_limits: ZipLimits | None = None,
) -> Iterator[pa.RecordBatch]:
    """The events of a share as record batches (as :func:`read_logs` reads whole paths)."""
    builder = BatchBuilder(batch_size)
    yield from to_batches(_piece_events(pieces, stats, advance, zip_limits or ZipLimits()), builder)
    yield from builder.flush()
