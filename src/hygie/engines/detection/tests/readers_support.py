"""Shared by the reader tests: corpus paths and small helpers over batches and JSON-lines files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

CORPUS = Path(os.environ.get("HYGIE_CORPUS") or Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus")
SAMPLES = CORPUS / "detection" / "evtx-attack-samples"
SYSMON_FILE = SAMPLES / "AutomatedTestingTools" / "Malware" / "DE_timestomp_and_dll_sideloading_and_RunPersist.evtx"
NETWORK_FILE = SAMPLES / "AutomatedTestingTools" / "PanacheSysmon_vs_AtomicRedTeam01.evtx"
SECURITY_FILE = SAMPLES / "Command and Control" / "DE_RDP_Tunnel_5156.evtx"
SCRIPT_BLOCK_FILE = SAMPLES / "Credential Access" / "Powershell_4104_MiniDumpWriteDump_Lsass.evtx"
CLASSIC_POWERSHELL_FILE = SAMPLES / "Other" / "emotet" / "exec_emotet_ps_800_get-item.evtx"
XML_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
SYSMON = "Microsoft-Windows-Sysmon/Operational"

needs_corpus = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the public corpus is absent ({SAMPLES}); set HYGIE_CORPUS"
)


def corpus_files() -> list[Path]:
    """Every EVTX file of the attack samples (empty when the corpus is absent)."""
    return sorted(SAMPLES.rglob("*.evtx")) if SAMPLES.is_dir() else []


def rows(batches: Any) -> list[dict[str, Any]]:
    """All events of some batches as dicts, without their null fields."""
    return [
        {key: value for key, value in row.items() if value is not None}
        for batch in batches
        for row in batch.to_pylist()
    ]


def event(events: list[dict[str, Any]], channel: str, event_id: int, record_id: int | None = None) -> dict[str, Any]:
    """The first event of ``channel`` and ``event_id`` (and ``record_id`` when given)."""
    for row in events:
        if row["Channel"] == channel and row["EventID"] == event_id and record_id in {None, row["_record_id"]}:
            return row
    raise AssertionError(f"no {channel} {event_id} event")


def write_lines(path: Path, lines: list[Any]) -> Path:
    """A JSON-lines file: objects are dumped, bytes written as they are."""
    path.write_bytes(b"".join((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines))
    return path
