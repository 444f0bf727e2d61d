"""The DuckDB hunt: channel routing, missing fields as NULL, filters, schemas, outputs, bad rules."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa  # type: ignore[import-untyped]

from hygie.engines.detection.hunt import HuntResult, hunt_batches, select_rules, timeline
from hygie.engines.detection.model import CompiledRule, Detection, Level, ReadStats, RuleFailure
from hygie.engines.detection.output import to_csv, to_html, to_json_lines
from hygie.engines.detection.routing import event_ids

_SYSMON = "Microsoft-Windows-Sysmon/Operational"
_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def corpus_path() -> Path:
    """The public corpus (``HYGIE_CORPUS``, default ``../shared/corpus`` beside the repository)."""
    default = Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus"
    return Path(os.environ.get("HYGIE_CORPUS", default))


def rule(
    rule_id: str,
    sql: str,
    *,
    channels: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
    level: Level = Level.HIGH,
    tags: tuple[str, ...] = (),
    title: str = "",
) -> CompiledRule:
    """A compiled rule built by hand (stands for the Sigma compiler's output)."""
    return CompiledRule(
        rule_id=rule_id,
        title=title or f"Rule {rule_id}",
        level=level,
        status="test",
        description="",
        tags=tags,
        references=(),
        author="",
        logsource={},
        channels=channels,
        fields=fields,
        sql={"duckdb": sql},
    )


def batch(rows: list[dict[str, Any]], file: str = "a.evtx") -> pa.RecordBatch:
    """A reader-shaped batch: the fixed columns, then one string column per field met in ``rows``."""
    names = sorted({k for r in rows for k in r} - {"Channel", "EventID", "Computer", "_timestamp", "_record_id"})
    columns: dict[str, pa.Array] = {
        "_file": pa.array([file] * len(rows), pa.string()),
        "_record_id": pa.array([r.get("_record_id", i + 1) for i, r in enumerate(rows)], pa.int64()),
        "_timestamp": pa.array([r.get("_timestamp", _T0) for r in rows], pa.timestamp("us", tz="UTC")),
        "Channel": pa.array([r.get("Channel") for r in rows], pa.string()),
        "EventID": pa.array([r.get("EventID") for r in rows], pa.int64()),
        "Provider_Name": pa.array([None] * len(rows), pa.string()),
        "Computer": pa.array([r.get("Computer", "pc1") for r in rows], pa.string()),
    }
    for name in names:
        columns[name] = pa.array([r.get(name) for r in rows], pa.string())
    return pa.RecordBatch.from_pydict(columns)


def run(batches: list[pa.RecordBatch], rules: list[CompiledRule], **kwargs: Any) -> list[tuple[str, int]]:
    """(rule id, record id) pairs found, sorted."""
    return sorted((d.rule_id, d.record_id) for d in hunt_batches(batches, rules, **kwargs))


class TestHuntBatches:
    """hunt_batches over hand-built batches and rules."""

    def test_routes_rules_by_channel(self) -> None:
        """A rule bound to a channel only sees that channel's events; an any-channel rule sees all."""
        events = batch(
            [
                {"Channel": _SYSMON, "EventID": 1, "Image": "C:\\x\\cmd.exe"},
                {"Channel": "Security", "EventID": 1, "Image": "C:\\x\\cmd.exe"},
                {"Channel": None, "EventID": 1, "Image": "C:\\x\\cmd.exe"},
            ]
        )
        rules = [
            rule("sysmon", "\"Image\" ILIKE '%cmd.exe'", channels=(_SYSMON,), fields=("Image",)),
            rule("security", '"EventID" = 1', channels=("security",)),
            rule("any", '"EventID" = 1'),
        ]
        assert [("any", 1), ("any", 2), ("any", 3), ("security", 2), ("sysmon", 1)] == run([events], rules)

    def test_missing_field_is_null(self) -> None:
        """A field absent from the events reads as NULL: IS NULL matches, comparisons do not, nothing fails."""
        events = batch([{"Channel": "Security", "EventID": 4688}])
        rules = [
            rule("null", '"ParentImage" IS NULL', fields=("ParentImage",)),
            rule("eq", "\"ParentImage\" = 'x'", fields=("ParentImage",)),
        ]
        failures: list[RuleFailure] = []
        assert [("null", 1)] == run([events], rules, failures=failures)
        assert [] == failures

    def test_batches_with_different_schemas(self) -> None:
        """Batches of one channel with different field columns are evaluated together, right per event."""
        first = batch([{"Channel": "Security", "EventID": 1, "A": "x", "_record_id": 1}])
        second = batch([{"Channel": "Security", "EventID": 1, "B": "x", "_record_id": 2}], file="b.evtx")
        rules = [rule("a", "\"A\" = 'x'", fields=("A",)), rule("b", "\"B\" = 'x'", fields=("B",))]
        assert [("a", 1), ("b", 2)] == run([first, second], rules)
        assert [("a", 1), ("b", 2)] == run([first, second], rules, flush_rows=1)

    def test_filters(self) -> None:
        """min_level, rule id or title substring, and tags (with sub-techniques) select the rules."""
        events = batch([{"Channel": "Security", "EventID": 1}])
        rules = [
            rule("low", "TRUE", level=Level.LOW, tags=("attack.t1003.001",), title="Dump LSASS"),
            rule("crit", "TRUE", level=Level.CRITICAL, tags=("attack.t1490",), title="Shadow copy deletion"),
        ]
        assert [("crit", 1)] == run([events], rules, min_level=Level.HIGH)
        assert [("low", 1)] == run([events], rules, rule_ids=["lsass"])
        assert [("crit", 1)] == run([events], rules, rule_ids=["crit"])
        assert [("low", 1)] == run([events], rules, tags=["ATTACK.T1003"])
        assert [] == select_rules(rules, tags=["attack.t100"])

    def test_matched_event_and_metadata(self) -> None:
        """A detection carries the rule metadata and the event's non-null fields as strings."""
        events = batch([{"Channel": "Security", "EventID": 4624, "LogonType": "10", "Other": None, "_record_id": 7}])
        [detection] = hunt_batches([events], [rule("r", "\"LogonType\" = '10'", tags=("attack.t1021",))])
        assert ("r", Level.HIGH, ("attack.t1021",), 4624, 7, "pc1", "Security", "a.evtx") == (
            detection.rule_id,
            detection.level,
            detection.tags,
            detection.event_id,
            detection.record_id,
            detection.computer,
            detection.channel,
            detection.file,
        )
        assert {"Channel": "Security", "EventID": "4624", "Computer": "pc1", "LogonType": "10"} == detection.event

    def test_broken_rule_is_skipped_and_the_rest_run(self) -> None:
        """A rule DuckDB cannot run is reported with the reason; the other rules of its query still fire."""
        events = batch([{"Channel": "Security", "EventID": 1}])
        rules = [rule("ok", '"EventID" = 1'), rule("bad", "no_such_function(1)"), rule("empty", "")]
        failures: list[RuleFailure] = []
        assert [("ok", 1)] == run([events], rules, failures=failures)
        assert {"bad", "empty"} == {f.rule_id for f in failures}

    def test_many_rules_in_parallel_chunks(self) -> None:
        """Hundreds of rules (several queries, two cursors) give the same answer as one at a time."""
        events = batch([{"Channel": "Security", "EventID": i} for i in range(50)])
        rules = [rule(f"r{i}", f'"EventID" = {i % 50}') for i in range(500)]
        found = run([events], rules, threads=2)
        assert len(rules) == len(found)
        assert ("r7", 8) in found

    def test_timeline_order(self) -> None:
        """The merged timeline is sorted by time, undated detections last."""
        rows = [
            {"Channel": "Security", "EventID": 1, "_timestamp": _T0 + timedelta(seconds=s), "_record_id": s}
            for s in (5, 1, 3)
        ]
        ordered = timeline(hunt_batches([batch(rows)], [rule("r", "TRUE")]))
        assert [1, 3, 5] == [d.record_id for d in ordered]


def _result(detections: list[Detection]) -> HuntResult:
    return HuntResult(detections, ReadStats(files=1, events=3), 1, [], 0.5, 6.0)


class TestOutput:
    """JSON lines, CSV and HTML forms of detections."""

    hostile = '<script>alert("x")</script>'

    def detections(self) -> list[Detection]:
        """One detection whose event holds a hostile field."""
        events = batch([{"Channel": "Security", "EventID": 1, "CommandLine": self.hostile}])
        return list(hunt_batches([events], [rule("r", "TRUE", tags=("attack.t1059",), title="<b>t</b>")]))

    def test_json_lines_parse_back(self) -> None:
        """Each line is a detection's dict."""
        detections = self.detections()
        lines = to_json_lines(detections).splitlines()
        assert [d.to_dict() for d in detections] == [orjson.loads(line) for line in lines]
        assert self.hostile == orjson.loads(lines[0])["event"]["CommandLine"]

    def test_csv(self) -> None:
        """Flat columns plus the event as JSON text."""
        [row] = list(csv.DictReader(io.StringIO(to_csv(self.detections()))))
        assert ("r", "high", "attack.t1059", "1") == (row["rule_id"], row["level"], row["tags"], row["event_id"])
        assert self.hostile == orjson.loads(row["event"])["CommandLine"]

    def test_html_escapes_hostile_fields(self) -> None:
        """No event or rule text reaches the page unescaped."""
        page = to_html(_result(self.detections()))
        assert "<script>" not in page
        assert "<b>t</b>" not in page
        assert "&lt;script&gt;" in page
        assert "attack.t1059" in page


class TestEventIdRouting:
    """Rules are evaluated only on the events of their event ids, when the SQL says which."""

    prefix = "lower(\"Channel\") = 'security' AND "

    def test_event_ids_read_conservatively(self) -> None:
        """A leading EventID conjunct is used; a top-level OR or anything else gives None."""
        assert frozenset({4624}) == event_ids(self.prefix + '"EventID" = 4624 AND ("A" = \'x\' OR "B" = \'y\')')
        assert frozenset({1, 2}) == event_ids(self.prefix + '"EventID" IN (1, 2) AND "A" = \'x\'')
        assert event_ids(self.prefix + '"EventID" = 1 AND "A" = \'x\' OR "B" = \'y\'') is None
        assert event_ids("\"A\" = ' OR '") is None

    def test_routed_rules_match_like_unrouted(self) -> None:
        """Routing by event id finds the same detections, and rules of absent ids are not run."""
        events = batch([{"Channel": "Security", "EventID": 4624}, {"Channel": "Security", "EventID": 4625}])
        rules = [
            rule("one", self.prefix + '"EventID" = 4624 AND TRUE'),
            rule("absent", self.prefix + '"EventID" = 1 AND no_such_function(1)'),
            rule("any", '"EventID" > 0'),
        ]
        failures: list[RuleFailure] = []
        assert [("any", 1), ("any", 2), ("one", 1)] == run([events], rules, failures=failures)
        assert [] == failures
