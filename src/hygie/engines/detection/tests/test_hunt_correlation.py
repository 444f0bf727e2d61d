"""Correlation rules through the whole hunt: loaded with the pack, their base rules run, their detections reported."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hygie.engines.detection.hunt import hunt
from hygie.engines.detection.model import Detection
from hygie.engines.detection.rules import load_rules
from hygie.engines.detection.spool import timeline_key

_RULES = """
title: Failed logon
id: 6b1f0a52-0000-4000-8000-000000000001
name: failed_logon
status: test
level: low
logsource: {product: windows, service: security}
detection:
  selection:
    EventID: 4625
  condition: selection
---
title: Password spraying on one account
id: 6b1f0a52-0000-4000-8000-000000000002
status: test
level: high
correlation:
  type: event_count
  rules:
    - failed_logon
  group-by:
    - TargetUserName
  timespan: 5m
  condition:
    gte: 5
"""


def _logons(path: Path) -> Path:
    """Five failed logons of alice within two minutes, three of bob."""
    events = [
        {"Channel": "Security", "EventID": 4625, "Computer": "dc1", "TargetUserName": user,
         "SystemTime": f"2026-01-01T10:0{minute}:00Z"}
        for user, count in (("alice", 5), ("bob", 3))
        for minute in range(count)
    ]  # fmt: skip
    path.write_bytes(b"\n".join(orjson.dumps(event) for event in events) + b"\n")
    return path


def test_a_correlation_rule_fires_once_per_group(tmp_path: Path) -> None:
    """Alice's burst gives one correlation detection; the base rule (``generate`` not set) reports nothing itself."""
    (tmp_path / "rules.yml").write_text(_RULES, encoding="utf-8")
    pack = load_rules([tmp_path / "rules.yml"])
    assert len(pack.rules) == 1
    assert len(pack.correlations) == 1
    result = hunt([_logons(tmp_path / "logons.jsonl")], pack)
    spraying = [d for d in result.detections if d.rule_id.endswith("0002")]
    assert len(spraying) == 1
    assert spraying[0].event["group"] == {"TargetUserName": "alice"}
    assert not [d for d in result.detections if d.rule_id.endswith("0001")]


def test_generate_true_keeps_the_base_detections(tmp_path: Path) -> None:
    """With ``generate: true`` the base rule's eight matches are reported beside the correlation."""
    (tmp_path / "rules.yml").write_text(_RULES.replace("  timespan: 5m", "  timespan: 5m\n  generate: true"))
    result = hunt([_logons(tmp_path / "logons.jsonl")], load_rules([tmp_path / "rules.yml"]))
    assert sum(1 for d in result.detections if d.rule_id.endswith("0001")) == 8
    assert sum(1 for d in result.detections if d.rule_id.endswith("0002")) == 1


def test_the_base_rule_runs_for_a_correlation_even_when_filtered_out(tmp_path: Path) -> None:
    """--min-level high keeps the correlation: its low-level base rule runs but is not reported."""
    (tmp_path / "rules.yml").write_text(_RULES, encoding="utf-8")
    pack = load_rules([tmp_path / "rules.yml"])
    from hygie.engines.detection.model import Level

    result = hunt([_logons(tmp_path / "logons.jsonl")], pack, min_level=Level.HIGH)
    assert [d.rule_id for d in result.detections] == ["6b1f0a52-0000-4000-8000-000000000002"]


@pytest.mark.parametrize("generate", [False, True])
def test_a_sink_receives_exactly_what_the_result_would_hold(tmp_path: Path, generate: bool) -> None:
    """Detections given to a sink as they come (correlations at the end) equal the result's own list."""
    text = _RULES.replace("  timespan: 5m", "  timespan: 5m\n  generate: true") if generate else _RULES
    (tmp_path / "rules.yml").write_text(text, encoding="utf-8")
    pack = load_rules([tmp_path / "rules.yml"])
    logons = _logons(tmp_path / "logons.jsonl")
    kept = hunt([logons], pack)
    sunk: list[Detection] = []
    streamed = hunt([logons], pack, sink=sunk.append)
    assert streamed.detections == []
    assert sorted(sunk, key=timeline_key) == kept.detections
    assert streamed.by_rule == kept.by_rule
    assert streamed.found == kept.found == (9 if generate else 1)
