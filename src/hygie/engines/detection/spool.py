"""A merged timeline of any number of detections in bounded memory: sorted runs on disk, merged.

A hunt over millions of events may find millions of detections; holding them all (event fields
included) would take gigabytes. The spool keeps at most ``memory`` detections; beyond that it
sorts them in timeline order and writes them as one run (JSON lines) to a private temporary
folder. Reading the spool merges the runs back in timeline order, one detection at a time.
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

import orjson

from hygie.engines.detection.model import Detection, Level

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

__all__ = ["TimelineSpool", "detection_from_dict", "timeline_key"]

#: Detections held in memory before a run is written (some 2-3 KiB each with their event).
MEMORY: Final = 50_000

_Key = tuple[bool, float, str, int, str]


def timeline_key(detection: Detection) -> _Key:
    """Time order, undated last; ties broken by file, record and rule (the merged timeline's order)."""
    stamp = detection.timestamp
    return (stamp is None, stamp.timestamp() if stamp else 0.0, detection.file, detection.record_id, detection.rule_id)


def detection_from_dict(data: dict[str, Any]) -> Detection:
    """Inverse of :meth:`Detection.to_dict`."""
    stamp = data.get("timestamp")
    event_id = data.get("event_id")
    return Detection(
        rule_id=str(data["rule_id"]),
        rule_title=str(data["rule_title"]),
        level=Level.parse(str(data["level"])),
        tags=tuple(str(tag) for tag in data.get("tags", ())),
        timestamp=datetime.fromisoformat(stamp) if stamp else None,
        computer=str(data.get("computer", "")),
        channel=str(data.get("channel", "")),
        event_id=int(event_id) if event_id is not None else None,
        file=str(data.get("file", "")),
        record_id=int(data.get("record_id", 0)),
        event=dict(data.get("event", {})),
    )


class TimelineSpool:
    """Collects detections (``add``, usable as a hunt's sink); iterate it for the merged timeline."""

    def __init__(self, memory: int = MEMORY) -> None:
        self.memory = max(1, memory)
        self.count = 0
        self._held: list[Detection] = []
        self._folder: Path | None = None
        self._runs: list[Path] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def add(self, detection: Detection) -> None:
        """Take one detection; a full memory is written out as a sorted run."""
        self._held.append(detection)
        self.count += 1
        if len(self._held) >= self.memory:
            self._spill()

    @property
    def runs(self) -> int:
        """Sorted runs written to disk so far."""
        return len(self._runs)

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="hygie-timeline-"))
        path = self._folder / f"run-{len(self._runs):05d}.jsonl"
        with path.open("wb") as out:
            for detection in sorted(self._held, key=timeline_key):
                out.write(orjson.dumps([list(timeline_key(detection)), detection.to_dict()]) + b"\n")
        self._runs.append(path)
        self._held = []

    def __iter__(self) -> Iterator[Detection]:
        """Every detection in timeline order (runs merged lazily)."""
        held = sorted(self._held, key=timeline_key)
        if not self._runs:
            yield from held
            return
        streams = [_read_run(path) for path in self._runs]
        streams.append((timeline_key(d), d) for d in held)
        for _, detection in heapq.merge(*streams, key=lambda pair: pair[0]):
            yield detection

    def close(self) -> None:
        """Remove the runs written to disk."""
        self._held = []
        self._runs = []
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _read_run(path: Path) -> Iterator[tuple[_Key, Detection]]:
    with path.open("rb") as lines:
        for line in lines:
            key, data = orjson.loads(line)
            yield (bool(key[0]), float(key[1]), str(key[2]), int(key[3]), str(key[4])), detection_from_dict(data)
