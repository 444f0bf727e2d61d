"""Sigma correlation rules: parsing by pySigma into specs, and the four types over hand-built detections."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule

from hygie.engines.detection.correlation import (
    CorrelationSpec,
    RuleRef,
    apply_correlations,
    compile_correlation,
    correlation_spec,
    hidden_rules,
    referenced_rules,
    resolve_references,
)
from hygie.engines.detection.hunt import hunt
from hygie.engines.detection.model import Detection, Level, RuleFailure, RulePack
from hygie.engines.detection.rules.compiler import compile_collection

_T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
_FAILED = "5d2b7a3e-0000-4000-8000-000000000001"
_LOGON = "5d2b7a3e-0000-4000-8000-000000000002"
_PROC = "5d2b7a3e-0000-4000-8000-000000000003"

_BASE = f"""\
title: Failed logon
id: {_FAILED}
name: failed_logon
logsource: {{product: windows, service: security}}
detection:
  selection: {{EventID: 4625}}
  condition: selection
level: low
---
title: Successful logon
id: {_LOGON}
name: successful_logon
logsource: {{product: windows, service: security}}
detection:
  selection: {{EventID: 4624}}
  condition: selection
---
title: Suspicious process
id: {_PROC}
name: suspicious_process
logsource: {{product: windows, category: process_creation}}
detection:
  selection: {{Image|endswith: '\\\\evil.exe'}}
  condition: selection
"""

_CORRELATIONS = """\
title: Brute force
id: c0000000-0000-4000-8000-000000000001
level: high
tags: [attack.credential-access, attack.t1110]
correlation:
  type: event_count
  rules: failed_logon
  group-by: TargetUserName
  timespan: 5m
  condition: {gte: 5}
---
title: Spraying across hosts
id: c0000000-0000-4000-8000-000000000002
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 10m
  condition: {gte: 3, field: Computer}
---
title: Logon then process, any order
id: c0000000-0000-4000-8000-000000000003
correlation:
  type: temporal
  rules: [successful_logon, suspicious_process]
  group-by: [user]
  timespan: 2m
  aliases:
    user:
      successful_logon: TargetUserName
      suspicious_process: User
---
title: Logon then process, in order
id: c0000000-0000-4000-8000-000000000004
correlation:
  type: temporal_ordered
  generate: true
  rules: [successful_logon, suspicious_process]
  group-by: [user]
  timespan: 2m
  aliases:
    user:
      successful_logon: TargetUserName
      suspicious_process: User
"""


def corpus_path() -> Path:
    """The public corpus (``HYGIE_CORPUS``, default ``../shared/corpus`` beside the repository)."""
    default = Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus"
    return Path(os.environ.get("HYGIE_CORPUS", default))


def specs(yaml_text: str = _BASE + "---\n" + _CORRELATIONS) -> dict[str, CorrelationSpec]:
    """The correlation specs of a multi-document YAML, by title."""
    collection = SigmaCollection.from_yaml(yaml_text)
    found = {}
    for rule in collection.rules:
        if isinstance(rule, SigmaCorrelationRule):
            found[str(rule.title)] = correlation_spec(rule)
    return found


def hit(rule_id: str, minutes: float, record_id: int, **event: str) -> Detection:
    """A base detection of ``rule_id`` at ``_T0 + minutes`` with the given event fields."""
    computer = event.setdefault("Computer", "ws1")
    return Detection(
        rule_id=rule_id,
        rule_title=rule_id,
        level=Level.LOW,
        tags=(),
        timestamp=_T0 + timedelta(minutes=minutes),
        computer=computer,
        channel="Security",
        event_id=4625,
        file="a.evtx",
        record_id=record_id,
        event=dict(event),
    )


def failed(user: str, minutes: list[float], start: int = 0, **event: str) -> list[Detection]:
    """Failed logons of ``user`` at those minutes."""
    return [hit(_FAILED, m, start + i, TargetUserName=user, **event) for i, m in enumerate(minutes)]


def by_group(found: list[Detection]) -> list[tuple[str, dict[str, Any], int]]:
    """(rule id, group, measured count) of each correlation detection."""
    return [(d.rule_id, d.event["group"], d.event["count"]) for d in found]


class TestSpec:
    """What pySigma parses becomes a spec: references resolved to ids and names, condition, aliases."""

    def test_event_count_spec(self) -> None:
        spec = specs()["Brute force"]
        assert spec.type == "event_count"
        assert spec.rules == (RuleRef("failed_logon", _FAILED, "failed_logon"),)
        assert (spec.group_by, spec.timespan, spec.operator, spec.count) == (("TargetUserName",), 300, "gte", 5)
        assert spec.level is Level.HIGH
        assert spec.tags == ("attack.credential-access", "attack.t1110")
        assert spec.generate is False

    def test_value_count_and_aliases(self) -> None:
        all_specs = specs()
        assert all_specs["Spraying across hosts"].field == "Computer"
        temporal = all_specs["Logon then process, any order"]
        # pySigma's default temporal condition: every referenced rule seen.
        assert (temporal.operator, temporal.count) == ("gte", 2)
        assert temporal.aliases == {"user": {"successful_logon": "TargetUserName", "suspicious_process": "User"}}
        assert all_specs["Logon then process, in order"].generate is True

    def test_round_trip(self) -> None:
        for spec in specs().values():
            assert CorrelationSpec.from_dict(spec.to_dict()) == spec

    def test_unsupported_type_is_a_failure(self) -> None:
        text = _BASE + "---\n" + _CORRELATIONS.split("---", maxsplit=1)[0].replace("event_count", "value_sum")
        text = text.replace("condition: {gte: 5}", "condition: {gte: 5, field: Bytes}")
        rule = next(r for r in SigmaCollection.from_yaml(text).rules if isinstance(r, SigmaCorrelationRule))
        failure = compile_correlation(rule, "x.yml")
        assert isinstance(failure, RuleFailure)
        assert "value_sum" in failure.reason
        assert failure.path == "x.yml"

    def test_unresolved_reference_keeps_the_text(self) -> None:
        """A correlation parsed alone (its rules in another file) still gives a spec, matched by id."""
        text = _CORRELATIONS.split("---", maxsplit=1)[0].replace("rules: failed_logon", f"rules: {_FAILED}")
        collection = SigmaCollection.from_yaml(text, resolve_references=False)
        spec = correlation_spec(next(r for r in collection.rules if isinstance(r, SigmaCorrelationRule)))
        assert spec.rules == (RuleRef(_FAILED),)
        found = apply_correlations(failed("alice", [0, 1, 2, 3, 4]), [spec])
        assert by_group(found) == [(spec.rule_id, {"TargetUserName": "alice"}, 5)]

    def test_referenced_and_hidden(self) -> None:
        all_specs = list(specs().values())
        assert {_FAILED, _LOGON, _PROC, "failed_logon"} <= referenced_rules(all_specs)
        # failed_logon is referenced only with generate: false; the others by a generating rule too.
        assert _FAILED in hidden_rules(all_specs)
        assert _LOGON not in hidden_rules(all_specs)


class TestEventCount:
    """Five failed logons per user within five minutes."""

    def test_fires_for_one_user_only(self) -> None:
        detections = failed("alice", [0, 1, 2, 3, 4.5]) + failed("bob", [0, 1, 2, 3], start=10)
        found = apply_correlations(detections, [specs()["Brute force"]])
        assert by_group(found) == [("c0000000-0000-4000-8000-000000000001", {"TargetUserName": "alice"}, 5)]
        only = found[0]
        assert only.level is Level.HIGH
        assert only.timestamp == _T0
        assert only.computer == "ws1"
        assert [m["record_id"] for m in only.event["matched"]] == [0, 1, 2, 3, 4]
        assert only.event["events"] == 5
        assert only.event["rules"] == [_FAILED]

    def test_not_across_a_window(self) -> None:
        """Five attempts spread over more than five minutes: no five-minute window holds five."""
        found = apply_correlations(failed("alice", [0, 1, 2, 5.5, 6.5]), [specs()["Brute force"]])
        assert found == []

    def test_sliding_window_finds_a_burst_across_a_bin_edge(self) -> None:
        """Events at 3..7 min cross a fixed five-minute bin edge; the sliding window still sees them."""
        found = apply_correlations(failed("alice", [3, 4, 5, 6, 7]), [specs()["Brute force"]])
        assert len(found) == 1
        assert found[0].timestamp == _T0 + timedelta(minutes=3)

    def test_one_detection_per_burst(self) -> None:
        """Ten attempts in one burst give one detection (windows do not overlap), a later burst another."""
        minutes = [i * 0.2 for i in range(10)] + [60 + i * 0.2 for i in range(6)]
        found = apply_correlations(failed("alice", minutes), [specs()["Brute force"]])
        assert [d.event["count"] for d in found] == [10, 6]

    def test_missing_group_field_and_undated_are_left_out(self) -> None:
        detections = [hit(_FAILED, m, i) for i, m in enumerate([0, 1, 2, 3, 4])]  # no TargetUserName
        undated = [Detection(_FAILED, "", Level.LOW, (), None, "ws1", "", 4625, "a", 9, {"TargetUserName": "bob"})] * 5
        assert apply_correlations([*detections, *undated], [specs()["Brute force"]]) == []

    def test_lt_condition(self) -> None:
        spec = specs()["Brute force"]
        few = CorrelationSpec.from_dict({**spec.to_dict(), "operator": "lt", "count": 2})
        found = apply_correlations(failed("alice", [0]) + failed("bob", [0, 1], start=5), [few])
        assert by_group(found) == [(spec.rule_id, {"TargetUserName": "alice"}, 1)]


class TestValueCount:
    """Distinct hosts per user."""

    def test_distinct_hosts(self) -> None:
        detections = [
            *failed("alice", [0], Computer="ws1"),
            *failed("alice", [1], start=1, Computer="ws2"),
            *failed("alice", [2], start=2, Computer="ws2"),
            *failed("alice", [3], start=3, Computer="ws3"),
            *failed("bob", [0, 1, 2, 3], start=10, Computer="ws1"),
        ]
        found = apply_correlations(detections, [specs()["Spraying across hosts"]])
        assert by_group(found) == [("c0000000-0000-4000-8000-000000000002", {"TargetUserName": "alice"}, 3)]
        assert found[0].computer == ""  # several hosts: none named
        assert found[0].event["events"] == 4


def logon(user: str, minutes: float, record_id: int) -> Detection:
    """A successful logon of ``user`` (the user is in ``TargetUserName``)."""
    return hit(_LOGON, minutes, record_id, TargetUserName=user)


def process(user: str, minutes: float, record_id: int) -> Detection:
    """A suspicious process of ``user`` (the user is in ``User``: the alias maps it)."""
    return hit(_PROC, minutes, record_id, User=user)


class TestTemporal:
    """A logon and a suspicious process of the same user (through aliases) within two minutes."""

    def test_any_order(self) -> None:
        spec = specs()["Logon then process, any order"]
        detections = [
            logon("alice", 0, 1),
            process("alice", 1, 2),  # A then B
            process("bob", 10, 3),
            logon("bob", 11, 4),  # B then A
            logon("carol", 20, 5),
            process("carol", 23, 6),  # too far apart
            logon("dave", 30, 7),
            process("erin", 30.5, 8),  # different users
        ]
        found = apply_correlations(detections, [spec])
        assert by_group(found) == [(spec.rule_id, {"user": "alice"}, 2), (spec.rule_id, {"user": "bob"}, 2)]

    def test_ordered(self) -> None:
        spec = specs()["Logon then process, in order"]
        detections = [
            logon("alice", 0, 1),
            process("alice", 1, 2),
            process("bob", 10, 3),
            logon("bob", 11, 4),  # wrong order
            process("carol", 20, 5),
            logon("carol", 20.5, 6),
            process("carol", 21, 7),  # a later logon-then-process chain is found
        ]
        found = apply_correlations(detections, [spec])
        assert by_group(found) == [(spec.rule_id, {"user": "alice"}, 2), (spec.rule_id, {"user": "carol"}, 2)]
        assert [m["record_id"] for m in found[1].event["matched"]] == [6, 7]

    def test_extended_condition(self) -> None:
        text = _BASE + "---\n" + _CORRELATIONS.split("---")[2]
        text = text.replace("timespan: 2m", "timespan: 2m\n  condition: successful_logon and not suspicious_process")
        spec = next(iter(specs(text).values()))
        assert spec.expression == "successful_logon and not suspicious_process"
        found = apply_correlations([logon("alice", 0, 1), process("alice", 1, 2), logon("bob", 0, 3)], [spec])
        assert by_group(found) == [(spec.rule_id, {"user": "bob"}, 1)]


class TestChainsAndErrors:
    """Correlations of correlations, bad specs reported per rule, names resolved across files."""

    def test_correlation_of_correlations(self) -> None:
        base = specs()["Brute force"]
        chained = CorrelationSpec(
            rule_id="chain",
            title="Brute force then logon",
            level=Level.CRITICAL,
            tags=(),
            type="temporal_ordered",
            rules=(RuleRef(base.rule_id), RuleRef(_LOGON)),
            group_by=("TargetUserName",),
            timespan=600,
            count=2,
        )
        detections = [*failed("alice", [0, 1, 2, 3, 4]), logon("alice", 6, 50)]
        found = apply_correlations(detections, [chained, base])  # order of the specs does not matter
        assert [d.rule_id for d in found] == [base.rule_id, "chain"]
        assert found[1].level is Level.CRITICAL

    def test_cycle_and_broken_expression_are_failures(self) -> None:
        one = CorrelationSpec("a", "A", Level.LOW, (), "temporal", (RuleRef("b"),), (), 60, count=1)
        two = CorrelationSpec("b", "B", Level.LOW, (), "temporal", (RuleRef("a"),), (), 60, count=1)
        broken = CorrelationSpec("c", "C", Level.LOW, (), "temporal", (RuleRef(_LOGON),), (), 60, expression="(((")
        good = specs()["Brute force"]
        failures: list[RuleFailure] = []
        found = apply_correlations(failed("alice", [0, 1, 2, 3, 4]), [one, two, broken, good], failures=failures)
        assert [d.rule_id for d in found] == [good.rule_id]
        assert {f.rule_id for f in failures} == {"a", "b", "c"}

    def test_names_map_resolves_names_from_other_files(self) -> None:
        spec = CorrelationSpec("x", "X", Level.LOW, (), "event_count", (RuleRef("failed_logon"),), (), 300, count=5)
        detections = failed("alice", [0, 1, 2, 3, 4])
        assert apply_correlations(detections, [spec]) == []
        assert len(apply_correlations(detections, [spec], names={"failed_logon": _FAILED})) == 1


def test_rules_in_other_files_resolve_by_name() -> None:
    """As the loader parses: each file alone, unresolved; then names resolved over the whole pack."""
    base = SigmaCollection.from_yaml(_BASE, resolve_references=False)
    names = {str(r.name): str(r.id) for r in base.rules}
    corr = SigmaCollection.from_yaml(_CORRELATIONS, resolve_references=False)
    loose = [correlation_spec(r) for r in corr.rules if isinstance(r, SigmaCorrelationRule)]
    assert loose[0].rules == (RuleRef("failed_logon"),)
    resolved = resolve_references(loose, names)
    assert resolved[0].rules == (RuleRef("failed_logon", _FAILED, "failed_logon"),)
    assert _FAILED in hidden_rules(resolved)
    found = apply_correlations(failed("alice", [0, 1, 2, 3, 4]), resolved)
    assert [d.rule_id for d in found] == [str(resolved[0].rule_id)]


def test_large_input_is_fast() -> None:
    """50,000 base detections over 500 users (one a minute each), four specs: a few seconds at most."""
    detections = [hit(_FAILED, i * 0.002, i, TargetUserName=f"user{i % 500}") for i in range(50_000)]
    started = time.perf_counter()
    found = apply_correlations(detections, list(specs().values()))
    seconds = time.perf_counter() - started
    assert len([d for d in found if d.event["correlation"] == "event_count"]) > 1000
    assert seconds < 5, seconds


_REAL = """\
title: Process creation
id: 11111111-0000-4000-8000-000000000001
name: proc
logsource: {product: windows, category: process_creation}
detection:
  selection: {EventID: 1}
  condition: selection
---
title: Burst of processes per host and user
id: 22222222-0000-4000-8000-000000000001
correlation:
  type: event_count
  rules: proc
  group-by: [Computer, User]
  timespan: 1m
  condition: {gte: 10}
---
title: Many distinct images per host
id: 22222222-0000-4000-8000-000000000003
correlation:
  type: value_count
  rules: proc
  group-by: [Computer]
  timespan: 1m
  condition: {gte: 8, field: Image}
"""


def test_on_real_events() -> None:
    """Hunt the corpus EVTX with a base rule compiled by pySigma, then correlate its detections."""
    samples = corpus_path() / "detection" / "evtx-attack-samples"
    if not samples.is_dir():
        pytest.skip(f"EVTX samples absent at {samples}; set HYGIE_CORPUS")
    collection = SigmaCollection.from_yaml(_REAL, resolve_references=False)
    loose = [compile_correlation(r) for r in collection.rules if isinstance(r, SigmaCorrelationRule)]
    correlations = resolve_references(
        [s for s in loose if isinstance(s, CorrelationSpec)], {str(r.name): str(r.id) for r in collection.rules}
    )
    rules, failures = compile_collection(SigmaCollection.from_yaml(_REAL.split("---", maxsplit=1)[0]))
    assert failures == []
    result = hunt([samples], RulePack(rules=rules))
    base = len(result.detections)
    assert base > 1000  # Sysmon process creations of the samples
    found = apply_correlations(result.detections, correlations)
    kinds = {d.event["correlation"] for d in found}
    assert kinds == {"event_count", "value_count"}
    for detection in found:
        assert detection.event["count"] >= (10 if detection.event["correlation"] == "event_count" else 8)
        assert detection.timestamp is not None
        assert detection.timestamp.isoformat() == detection.event["first"]


def test_corpus_correlation_rules_load() -> None:
    """Every correlation rule of the SigmaHQ corpus gives a spec or a clear failure (never an exception)."""
    root = corpus_path() / "detection" / "sigma"
    if not root.is_dir():
        pytest.skip(f"SigmaHQ rules absent at {root}; set HYGIE_CORPUS")
    files = [p for p in root.rglob("*.yml") if "\ncorrelation:" in p.read_text(encoding="utf-8", errors="replace")]
    if not files:
        pytest.skip(f"the corpus at {root} has no correlation rules")
    for path in files:
        collection = SigmaCollection.from_yaml(path.read_text(encoding="utf-8"), collect_errors=True)
        for rule in collection.rules:
            if isinstance(rule, SigmaCorrelationRule):
                assert isinstance(compile_correlation(rule, str(path)), (CorrelationSpec, RuleFailure))
