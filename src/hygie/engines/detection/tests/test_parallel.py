"""Parallel hunts: shares of the input in forked workers find exactly what one process finds."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from hygie.engines.detection import hunt as hunt_module
from hygie.engines.detection.hunt import HuntResult, hunt
from hygie.engines.detection.model import ReadStats
from hygie.engines.detection.readers import pieces
from hygie.engines.detection.readers.pieces import plan_shares
from hygie.engines.detection.rules import load_rules

_SYSMON = "Microsoft-Windows-Sysmon/Operational"
_RULE = """
title: Shadow copies deleted
id: 5d0f5c10-0000-4000-8000-000000000001
status: test
level: high
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\vssadmin.exe'
    CommandLine|contains|all: [delete, shadows]
  condition: selection
"""


def _events(path: Path, count: int, *, bad_every: int = 0) -> Path:
    """``count`` JSON lines, every seventh one a shadow-copy deletion; every ``bad_every``-th line broken."""
    with path.open("wb") as out:
        for number in range(1, count + 1):
            if bad_every and not number % bad_every:
                out.write(b"{not json\n")
                continue
            image = "C:\\Windows\\System32\\vssadmin.exe" if not number % 7 else "C:\\Windows\\System32\\cmd.exe"
            event = {
                "Channel": _SYSMON,
                "EventID": 1,
                "Computer": f"ws{number % 13}.hopital.local",
                "UtcTime": f"2026-11-01 10:{number // 60 % 60:02d}:{number % 60:02d}.000",
                "Image": image,
                "CommandLine": f"{image} delete shadows /all /quiet {number}",
            }
            out.write(orjson.dumps(event) + b"\n")
    return path


def _pairs(result: HuntResult) -> list[tuple[str, str, int]]:
    return sorted((d.rule_id, d.file, d.record_id) for d in result.detections)


@pytest.fixture
def forced_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any input goes to forked workers, and JSON-lines files over 64 KiB are cut into slices."""
    monkeypatch.setattr(hunt_module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pieces, "SPLIT_BYTES", 64 << 10)


@pytest.mark.usefixtures("forced_parallel")
def test_forked_workers_find_what_one_process_finds(tmp_path: Path) -> None:
    """Same detections, record ids (line numbers), events, files and corrupt counts, whatever the workers."""
    rules = tmp_path / "rules.yml"
    rules.write_text(_RULE)
    logs = tmp_path / "logs"
    logs.mkdir()
    _events(logs / "big.jsonl", 4000, bad_every=997)
    _events(logs / "small.jsonl", 300)
    pack = load_rules([rules])
    alone = hunt([logs], pack, threads=1)
    together = hunt([logs], pack, threads=3)
    assert _pairs(together) == _pairs(alone)
    assert len(alone.detections) == 4000 // 7 + 300 // 7
    assert (together.read.files, together.read.events, together.read.corrupt) == (2, 4296, 4)
    assert (alone.read.files, alone.read.events, alone.read.corrupt) == (2, 4296, 4)
    assert sorted(d.record_id for d in alone.detections if d.file.endswith("big.jsonl"))[:2] == [7, 14]


def test_slices_start_on_line_boundaries_with_their_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large JSON-lines file is cut at line starts; each slice knows the number of its first line."""
    monkeypatch.setattr(pieces, "SPLIT_BYTES", 1 << 10)
    path = _events(tmp_path / "a.jsonl", 500)
    data = path.read_bytes()
    shares = plan_shares([path], ReadStats(), 4)
    slices = sorted((piece for share in shares for piece in share), key=lambda p: p.start)
    assert len(slices) == 4
    assert slices[0].start == 0
    assert slices[-1].end == len(data)
    for before, after in itertools.pairwise(slices):
        assert before.end == after.start
        assert data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1


def test_a_json_array_file_is_never_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file holding one JSON array cannot be read from its middle: it stays whole."""
    monkeypatch.setattr(pieces, "SPLIT_BYTES", 16)
    path = tmp_path / "array.json"
    path.write_bytes(orjson.dumps([{"EventID": n, "Channel": _SYSMON} for n in range(200)]))
    shares = plan_shares([path], ReadStats(), 4)
    assert [[piece.whole for piece in share] for share in shares] == [[True]]
