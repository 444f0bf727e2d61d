"""Run compiled Sigma rules on PySpark over Parquet: the same detections as the DuckDB hunt (issue 5, item 3).

Two entry points. :func:`hunt_spark` reads logs with the detection readers and writes the events as
one Parquet dataset partitioned by ``Channel`` (Hive layout, ``Channel=<value>`` folders), then
hunts over it. :func:`hunt_parquet` hunts a Parquet directory that already exists: the log-lake
case, partitioned by ``Channel`` or holding a ``Channel`` column.

As in the DuckDB hunt, each channel is read with only the rules that can match it plus the
any-channel rules, and rules run in chunks: one Spark query per chunk computes, per event, the array
of the chunk's rules that match (``filter(array(CASE WHEN ... END, ...), x -> x IS NOT NULL)``).
Fields absent from the dataset are NULL strings. A chunk that fails is retried rule by rule; the
rules that still fail are reported in ``rules_skipped`` and the hunt goes on without them.

Spark runs in local mode by default, bound to 127.0.0.1 with its UI off: nothing listens on the
network. The session is created once per process and reused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as percent_encode

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from hygie.engines.detection.hunt import HuntResult, detection_from_record, select_rules, timeline
from hygie.engines.detection.model import FIXED_COLUMNS, CompiledRule, Detection, Level, ReadStats, RuleFailure
from hygie.engines.detection.routing import event_ids

if TYPE_CHECKING:
    from hygie.engines._core.progress import Progress
    from hygie.engines.detection.model import RulePack

    # pyspark ships no type information that mypy --strict accepts everywhere: session and frames
    # are handled as Any below, and only named for readers here.
    SparkSession = Any
    DataFrame = Any

__all__ = ["CHUNK_RULES", "hunt_parquet", "hunt_spark", "spark_session", "write_parquet"]

#: Rules per Spark query. Spark plans and generates code per query, which costs far more than
#: DuckDB's binding; larger chunks mean fewer queries, but a failing chunk re-runs rule by rule.
CHUNK_RULES = 100
_CHANNEL = "Channel"
_HITS = "__hygie_hits"
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: Arrow types of the fixed columns in the Parquet files (every other column is a string).
_FIXED_TYPES: dict[str, pa.DataType] = {
    "_file": pa.string(),
    "_record_id": pa.int64(),
    "_timestamp": pa.timestamp("us", tz="UTC"),
    "Channel": pa.string(),
    "EventID": pa.int64(),
    "Provider_Name": pa.string(),
    "Computer": pa.string(),
}

_session_lock = threading.Lock()
_session: Any = None


def spark_session() -> SparkSession:
    """The process's local Spark session, created on first use and reused.

    ``local[2]``, UI off, driver bound to 127.0.0.1, two shuffle partitions, UTC session time zone,
    case-insensitive column names (as DuckDB), quiet logs. Raises ``RuntimeError`` (with Spark's
    reason) when Spark cannot start, e.g. without a Java runtime.
    """
    global _session  # noqa: PLW0603 - one JVM per process: the session is a process-wide resource
    with _session_lock:
        if _session is not None:
            return _session
        from pyspark.sql import SparkSession as Builder

        # The JVM otherwise resolves the host name and may pick a non-loopback interface.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

        try:
            session = (
                Builder.builder.master("local[2]")
                .appName("hygie-detection")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.caseSensitive", "false")
                # Channel values such as "4688" must stay strings, whatever the folder names look like.
                .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate()
            )
        except Exception as error:  # Spark reports a missing JVM with several exception types
            raise RuntimeError(
                f"Spark could not start: {str(error).splitlines()[0] if str(error) else error!r}"
            ) from error
        session.sparkContext.setLogLevel("ERROR")
        _session = session
        return session


def _partition_name(value: str | None) -> str:
    """The Hive folder of a channel value; Spark decodes ``%XX`` back when it discovers partitions."""
    if value is None or value == "":
        return f"{_CHANNEL}={_NULL_PARTITION}"
    return f"{_CHANNEL}={percent_encode(value, safe=' -_.')}"


class _ParquetWriter:
    """Writes reader batches as a Parquet dataset partitioned by channel, with unified column names.

    Spark (like DuckDB) ignores the case of column names, so a field spelled ``image`` in one batch
    and ``Image`` in another must be one column: later spellings are renamed to the first one seen,
    and a repeat within one batch is dropped (the DuckDB hunt keeps the first column too).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files = 0
        self.rows = 0
        self._names: dict[str, str] = {name.lower(): name for name in FIXED_COLUMNS}

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            return
        table = self._normalise(table)
        channels = table.column(_CHANNEL)
        for value in pc.unique(channels).to_pylist():
            mask = pc.is_null(channels) if value is None else pc.equal(channels, pa.scalar(value, pa.string()))
            part = table.filter(mask).drop_columns([_CHANNEL])
            folder = self.directory / _partition_name(value)
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, folder / f"part-{self.files:06d}.parquet")
            self.files += 1
        self.rows += table.num_rows

    def _normalise(self, table: pa.Table) -> pa.Table:
        columns: list[pa.ChunkedArray] = []
        names: list[str] = []
        seen: set[str] = set()
        for name, column in zip(table.column_names, table.columns, strict=True):
            key = name.lower()
            if key in seen:
                continue
            seen.add(key)
            canonical = self._names.setdefault(key, name)
            wanted = _FIXED_TYPES.get(canonical, pa.string())
            columns.append(column if column.type == wanted else pc.cast(column, wanted))
            names.append(canonical)
        for name, wanted in _FIXED_TYPES.items():
            if name.lower() not in seen:  # a batch without a fixed column still has it, as nulls
                columns.append(pa.nulls(table.num_rows, wanted))
                names.append(name)
        return pa.Table.from_arrays(columns, names=names)


def write_parquet(
    paths: Sequence[Path],
    directory: Path,
    *,
    stats: ReadStats,
    batch_size: int = 65536,
    progress: Progress | None = None,
) -> int:
    """Read the logs under ``paths`` into a Parquet dataset under ``directory``, partitioned by channel.

    Returns the number of Parquet files written; ``stats`` tells what was read (bad input is noted
    there, never raised).
    """
    from hygie.engines.detection.readers import read_logs

    writer = _ParquetWriter(directory)
    for batch in read_logs(paths, stats=stats, batch_size=batch_size, progress=progress):
        writer.write(batch)
    return writer.files


class _SparkRunner:
    """Evaluates rules over one events DataFrame, channel by channel, chunk by chunk."""

    def __init__(self, events: DataFrame, rules: Sequence[CompiledRule], chunk_rules: int, threads: int) -> None:
        self.failures: list[RuleFailure] = []
        self._events = events
        self._chunk = max(1, chunk_rules)
        self._threads = max(1, threads)
        self._rules = [rule for rule in rules if self._usable(rule)]
        # Event ids are read from the DuckDB rendering: the routing analysis knows its quoting.
        self._event_ids = [event_ids(rule.sql.get("duckdb", "")) for rule in self._rules]
        self._dead: set[int] = set()
        self._present = {name.lower() for name in events.columns}
        self._by_channel: dict[str, list[int]] = {}
        self._any: list[int] = []
        for index, rule in enumerate(self._rules):
            if not rule.channels:
                self._any.append(index)
            for channel in {c.lower() for c in rule.channels}:
                self._by_channel.setdefault(channel, []).append(index)

    @property
    def rules_run(self) -> int:
        return len(self._rules) - len(self._dead)

    def _usable(self, rule: CompiledRule) -> bool:
        if not rule.sql.get("spark", "").strip():
            self.failures.append(RuleFailure(rule.path, "no Spark condition", rule.rule_id, rule.title))
            return False
        return True

    def run(self) -> list[Detection]:
        """Every detection of the live rules, channel by channel (queries run on ``threads`` threads)."""
        from pyspark.sql import functions as F  # noqa: N812 - the PySpark convention

        seen: dict[str | None, set[int]] = {}
        for row in self._events.select(_CHANNEL, "EventID").distinct().collect():
            ids = seen.setdefault(row[0], set())
            if row[1] is not None:
                ids.add(int(row[1]))
        jobs: list[tuple[DataFrame, list[int]]] = []
        for value, present_ids in seen.items():
            # Null and empty channels only meet any-channel rules, as in the DuckDB hunt.
            key = str(value).lower() if value else ""
            indices = sorted(set(self._by_channel.get(key, [])) | set(self._any)) if key else list(self._any)
            # Planning dominates Spark's cost: rules whose event ids are absent from the channel are not planned.
            indices = [i for i in indices if self._may_match(i, present_ids)]
            if not indices:
                continue  # no rule can match this channel: its events are never queried
            column = F.col(_CHANNEL)
            frame = self._events.where(column.isNull() if value is None else column == F.lit(value))
            jobs.extend((frame, indices[start : start + self._chunk]) for start in range(0, len(indices), self._chunk))
        found: list[Detection] = []
        if self._threads == 1 or len(jobs) < 2:  # noqa: PLR2004 - one job needs no pool
            for frame, chunk in jobs:
                found.extend(self._run_chunk(frame, chunk))
            return found
        # Spark plans each query on the calling thread: concurrent queries use the driver's cores.
        with ThreadPoolExecutor(max_workers=self._threads) as pool:
            for result in pool.map(lambda job: self._run_chunk(*job), jobs):
                found.extend(result)
        return found

    def _may_match(self, index: int, present_ids: set[int]) -> bool:
        wanted = self._event_ids[index]
        return wanted is None or bool(wanted & present_ids)

    def _run_chunk(self, frame: DataFrame, chunk: list[int]) -> list[Detection]:
        chunk = [index for index in chunk if index not in self._dead]
        if not chunk:
            return []
        try:
            return self._query(frame, chunk)
        except Exception as error:  # Spark raises parse, analysis and Py4J (runtime) errors alike  # noqa: BLE001
            if len(chunk) == 1:
                self._fail(chunk[0], error)
                return []
            found: list[Detection] = []
            for index in chunk:
                try:
                    found.extend(self._query(frame, [index]))
                except Exception as single_error:  # noqa: BLE001 - same as above, per rule now
                    self._fail(index, single_error)
            return found

    def _fail(self, index: int, error: Exception) -> None:
        if index in self._dead:
            return
        self._dead.add(index)
        rule = self._rules[index]
        lines = [line for line in str(error).splitlines() if line.strip()]
        reason = f"Spark could not run the rule: {lines[0] if lines else type(error).__name__}"
        self.failures.append(RuleFailure(rule.path, reason, rule.rule_id, rule.title))

    def _query(self, frame: DataFrame, chunk: list[int]) -> list[Detection]:
        """One query for the chunk: matching events with the array of their rules' indices."""
        from pyspark.sql import functions as F  # noqa: N812 - the PySpark convention

        missing: dict[str, str] = {}
        for index in chunk:
            for name in self._rules[index].fields:
                if name.lower() not in self._present:
                    missing.setdefault(name.lower(), name)
        if missing:
            # Fields absent from the dataset are NULL for every rule, as Sigma expects (never an error).
            frame = frame.withColumns({name: F.lit(None).cast("string") for name in missing.values()})
        cases = ", ".join(f"CASE WHEN ({self._rules[index].sql['spark']}) THEN {index} END" for index in chunk)
        hits = f"filter(array({cases}), hit -> hit IS NOT NULL) AS {_HITS}"
        # Rule SQL is the compiler's output with quoted fields; a broken one fails alone (see _run_chunk).
        matched = frame.selectExpr("*", hits).where(F.size(F.col(_HITS)) > 0)
        if missing:
            matched = matched.drop(*missing.values())
        table = matched.toArrow()
        found: list[Detection] = []
        for record in table.to_pylist():
            rule_indices = record.pop(_HITS)
            found.extend(detection_from_record(self._rules[index], record) for index in sorted(rule_indices))
        return found


def _load_events(session: SparkSession, directory: Path) -> DataFrame:
    from pyspark.sql import functions as F  # noqa: N812 - the PySpark convention

    events = session.read.option("mergeSchema", "true").parquet(str(directory))
    if _CHANNEL.lower() not in {name.lower() for name in events.columns}:
        events = events.withColumn(_CHANNEL, F.lit(None).cast("string"))
    return events


def _result(  # noqa: PLR0917 - a private assembler of the result's parts
    pack: RulePack,
    selected: list[CompiledRule],
    runner: _SparkRunner | None,
    found: list[Detection],
    stats: ReadStats,
    started: float,
) -> HuntResult:
    seconds = time.perf_counter() - started
    by_rule: dict[str, int] = {}
    for detection in found:
        by_rule[detection.rule_id] = by_rule.get(detection.rule_id, 0) + 1
    failures = runner.failures if runner is not None else []
    return HuntResult(
        detections=timeline(found),
        read=stats,
        rules_run=runner.rules_run if runner is not None else len(selected),
        rules_skipped=[*pack.failures, *failures],
        seconds=seconds,
        events_per_second=stats.events / seconds if seconds > 0 else 0.0,
        rules_selected=len(selected),
        by_rule=by_rule,
    )


def hunt_parquet(
    parquet_dir: Path,
    pack: RulePack,
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
    spark: SparkSession | None = None,
    chunk_rules: int = CHUNK_RULES,
    threads: int = 2,
) -> HuntResult:
    """Run the pack's rules on Spark over a Parquet dataset of events (the log-lake case).

    The dataset has the columns of :mod:`hygie.engines.detection.model` (``Channel`` as a column or
    as ``Channel=`` partition folders); files may have different field columns (schemas are merged).
    ``read.files`` counts Parquet files and ``read.events`` events. Rules Spark cannot run are in
    ``rules_skipped``.
    """
    started = time.perf_counter()
    selected = select_rules(pack.rules, min_level=min_level, rule_ids=rule_ids, tags=tags)
    stats = ReadStats(files=sum(1 for _ in parquet_dir.rglob("*.parquet")) if parquet_dir.is_dir() else 0)
    if stats.files == 0:
        stats.errors.append(f"{parquet_dir}: no Parquet file")
        return _result(pack, selected, None, [], stats, started)
    return _hunt_dataset(parquet_dir, pack, selected, stats, spark, (chunk_rules, threads), started)


def _hunt_dataset(  # noqa: PLR0917 - private, shared by both entry points
    parquet_dir: Path,
    pack: RulePack,
    selected: list[CompiledRule],
    stats: ReadStats,
    spark: SparkSession | None,
    tuning: tuple[int, int],
    started: float,
) -> HuntResult:
    session = spark if spark is not None else spark_session()
    try:
        events = _load_events(session, parquet_dir)
    except Exception as error:  # an unreadable dataset is a read error, not a crash  # noqa: BLE001
        stats.errors.append(f"{parquet_dir}: Spark could not read the dataset: {str(error).splitlines()[0]}")
        return _result(pack, selected, None, [], stats, started)
    if stats.events == 0:
        stats.events = int(events.count())
    runner = _SparkRunner(events, selected, *tuning)
    found = runner.run()
    return _result(pack, selected, runner, found, stats, started)


def hunt_spark(
    paths: Sequence[Path],
    pack: RulePack,
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
    batch_size: int = 65536,
    progress: Progress | None = None,
    spark: SparkSession | None = None,
    parquet_dir: Path | None = None,
    chunk_rules: int = CHUNK_RULES,
    threads: int = 2,
) -> HuntResult:
    """Read the logs under ``paths``, write them as Parquet, and run the pack's rules on Spark.

    The Parquet dataset goes to ``parquet_dir`` (kept: it can be hunted again with
    :func:`hunt_parquet`) or to a temporary folder removed afterwards. Same result as
    :func:`hygie.engines.detection.hunt.hunt`: per-file read errors in ``read.errors``, rules that
    did not load or that Spark could not run in ``rules_skipped``; nothing raises on bad input.
    """
    started = time.perf_counter()
    selected = select_rules(pack.rules, min_level=min_level, rule_ids=rule_ids, tags=tags)
    stats = ReadStats()
    temporary = parquet_dir is None
    directory = Path(tempfile.mkdtemp(prefix="hygie-parquet-")) if parquet_dir is None else parquet_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = write_parquet(paths, directory, stats=stats, batch_size=batch_size, progress=progress)
        if written == 0 or not selected:
            return _result(pack, selected, None, [], stats, started)
        return _hunt_dataset(directory, pack, selected, stats, spark, (chunk_rules, threads), started)
    finally:
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
