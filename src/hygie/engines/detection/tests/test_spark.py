"""The Spark runner: the same compiled rules on PySpark over Parquet find the same detections as DuckDB."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from hygie.engines.detection.hunt import hunt
from hygie.engines.detection.model import CompiledRule, Level, ReadStats, RulePack
from hygie.engines.detection.rules import load_rules

_SYSMON = "Microsoft-Windows-Sysmon/Operational"
_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def corpus_path() -> Path:
    """The public corpus (``HYGIE_CORPUS``, default ``../shared/corpus`` beside the repository)."""
    default = Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus"
    return Path(os.environ.get("HYGIE_CORPUS", default))


def _spark_missing() -> str:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java not on PATH, JAVA_HOME unset)"
    return ""


pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(bool(_spark_missing()), reason=_spark_missing() or "spark available"),
]

SAMPLES = corpus_path() / "detection" / "evtx-attack-samples"
WINDOWS_RULES = corpus_path() / "detection" / "sigma" / "rules" / "windows"
needs_corpus = pytest.mark.skipif(
    not (SAMPLES.is_dir() and WINDOWS_RULES.is_dir()),
    reason=f"the public corpus is absent ({SAMPLES}); set HYGIE_CORPUS",
)


@pytest.fixture(scope="module")
def spark() -> Any:
    """The shared local session (created once for the module)."""
    from hygie.engines.detection.spark import spark_session

    return spark_session()


def rule(rule_id: str, spark_sql: str, *, channels: tuple[str, ...] = (), fields: tuple[str, ...] = ()) -> CompiledRule:
    """A compiled rule built by hand, with only a Spark condition."""
    return CompiledRule(
        rule_id=rule_id,
        title=f"Rule {rule_id}",
        level=Level.HIGH,
        status="test",
        description="",
        tags=(),
        references=(),
        author="",
        logsource={},
        channels=channels,
        fields=fields,
        sql={"spark": spark_sql},
    )


def write_events(directory: Path, rows: list[dict[str, Any]]) -> Path:
    """Reader-shaped events written as Parquet through the runner's writer."""
    from hygie.engines.detection.spark import _ParquetWriter

    names = sorted({k for r in rows for k in r} - {"Channel", "EventID", "_record_id"})
    columns: dict[str, pa.Array] = {
        "_file": pa.array(["a.evtx"] * len(rows), pa.string()),
        "_record_id": pa.array([r.get("_record_id", i + 1) for i, r in enumerate(rows)], pa.int64()),
        "_timestamp": pa.array([_T0] * len(rows), pa.timestamp("us", tz="UTC")),
        "Channel": pa.array([r.get("Channel") for r in rows], pa.string()),
        "EventID": pa.array([r.get("EventID") for r in rows], pa.int64()),
        "Provider_Name": pa.array([None] * len(rows), pa.string()),
        "Computer": pa.array(["pc1"] * len(rows), pa.string()),
    }
    for name in names:
        columns[name] = pa.array([r.get(name) for r in rows], pa.string())
    writer = _ParquetWriter(directory)
    writer.write(pa.RecordBatch.from_pydict(columns))
    return directory


class TestHuntParquet:
    """hunt_parquet over hand-built events and rules."""

    def test_semantics(self, spark: Any, tmp_path: Path) -> None:
        """RLIKE, ILIKE escapes, null and empty fields, cidr prefixes, numeric EventID, channels, bad rules."""
        from hygie.engines.detection.spark import hunt_parquet

        events = write_events(
            tmp_path / "lake",
            [
                {"Channel": _SYSMON, "EventID": 1, "Image": "C:\\Windows\\cmd.exe", "CommandLine": "cmd /c whoami"},
                {"Channel": _SYSMON, "EventID": 3, "DestinationIp": "10.1.2.3", "Image": "50%_off.exe"},
                {"Channel": "Security", "EventID": 4688, "Image": "", "CommandLine": "it's"},
                {"Channel": None, "EventID": 1},
            ],
        )
        rules = [
            rule("regex", "`CommandLine` RLIKE '(?i)CMD\\\\s+/c'", channels=(_SYSMON,), fields=("CommandLine",)),
            rule("ilike", "`Image` ILIKE '%\\\\\\\\cmd.exe' ESCAPE '\\\\'", channels=(_SYSMON,), fields=("Image",)),
            rule("percent", "`Image` ILIKE '50\\\\%%' ESCAPE '\\\\'", fields=("Image",)),
            rule("cidr", "`DestinationIp` ILIKE '10.%' ESCAPE '\\\\'", fields=("DestinationIp",)),
            rule("event", "`EventID` IN (1, 4688)"),
            rule("empty", "`Image` = ''", fields=("Image",)),
            rule("absent", "`ParentImage` IS NULL AND `EventID` = 4688", fields=("ParentImage",)),
            rule("quote", "lower(`CommandLine`) = 'it\\'s'", channels=("security",), fields=("CommandLine",)),
            rule("broken", "`Image` RLIKE '('", fields=("Image",)),
            rule("nosql", ""),
        ]
        rules[-1] = CompiledRule(**{**{s: getattr(rules[-1], s) for s in CompiledRule.__slots__}, "sql": {}})
        result = hunt_parquet(events, RulePack(rules=rules), spark=spark)
        found = sorted((d.rule_id, d.record_id) for d in result.detections)
        assert [
            ("absent", 3),
            ("cidr", 2),
            ("empty", 3),
            ("event", 1),
            ("event", 3),
            ("event", 4),
            ("ilike", 1),
            ("percent", 2),
            ("quote", 3),
            ("regex", 1),
        ] == found
        assert {"broken", "nosql"} == {f.rule_id for f in result.rules_skipped}
        assert 8 == result.rules_run
        assert 4 == result.read.events
        first = next(d for d in result.detections if d.rule_id == "regex")
        assert _T0 == first.timestamp
        assert (_SYSMON, 1, "a.evtx", "pc1") == (first.channel, first.event_id, first.file, first.computer)
        assert {
            "Channel": _SYSMON,
            "EventID": "1",
            "Image": "C:\\Windows\\cmd.exe",
            "CommandLine": "cmd /c whoami",
        } == {k: v for k, v in first.event.items() if k not in {"Provider_Name", "Computer"}}

    def test_empty_directory(self, tmp_path: Path) -> None:
        """A directory without Parquet files is a read error, not a crash."""
        from hygie.engines.detection.spark import hunt_parquet

        result = hunt_parquet(tmp_path, RulePack(rules=[rule("x", "true")]))
        assert [] == result.detections
        assert 1 == len(result.read.errors)


@needs_corpus
class TestIdenticalDetections:
    """On real logs, Spark and DuckDB report the same (rule, file, record) detections."""

    def test_corpus_subset(self, spark: Any, tmp_path: Path) -> None:
        """Two attack-sample folders; the rules DuckDB fires there plus rules of the same channels that do not fire."""
        from hygie.engines.detection.spark import hunt_parquet, hunt_spark

        paths = [SAMPLES / "Credential Access", SAMPLES / "Lateral Movement"]
        pack = load_rules([WINDOWS_RULES], cache_dir=tmp_path / "cache")
        duck = hunt(paths, pack)
        fired = set(duck.by_rule)
        channels = {d.channel.lower() for d in duck.detections}
        quiet = [r for r in pack.rules if r.rule_id not in fired and {c.lower() for c in r.channels} & channels]
        # Spark plans each query slowly (~0.1 s per rule): a fixed sample of non-firing rules keeps the test short.
        kept = [r for r in pack.rules if r.rule_id in fired] + sorted(quiet, key=lambda r: r.rule_id)[:40]
        subset = RulePack(rules=kept, atoms=pack.atoms)
        expected = {(d.rule_id, d.file, d.record_id) for d in hunt(paths, subset).detections}
        assert len(expected) > 50

        result = hunt_spark(paths, subset, spark=spark, parquet_dir=tmp_path / "lake")
        assert expected == {(d.rule_id, d.file, d.record_id) for d in result.detections}
        assert duck.read.events == result.read.events
        again = hunt_parquet(tmp_path / "lake", subset, spark=spark, rule_ids=sorted(fired)[:5])
        assert {k for k in expected if k[0] in sorted(fired)[:5]} == {
            (d.rule_id, d.file, d.record_id) for d in again.detections
        }

    def test_bad_input(self, spark: Any, tmp_path: Path) -> None:
        """A corrupt file is a per-file error; the hunt goes on."""
        from hygie.engines.detection.spark import hunt_spark

        (tmp_path / "bad.evtx").write_bytes(b"ElfFile\x00garbage")
        result = hunt_spark([tmp_path / "bad.evtx"], RulePack(rules=[rule("x", "true")]), spark=spark)
        assert [] == result.detections
        assert result.read.errors or result.read.corrupt
        assert isinstance(result.read, ReadStats)
