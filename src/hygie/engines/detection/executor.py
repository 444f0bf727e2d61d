"""The rule executor: event batches in, detections out, on DuckDB (issue 5, item 3).

Each event is read once per log source: batches are split by ``Channel`` and buffered per channel;
a full buffer (or the end of the input) is evaluated with only the rules that can match that channel
plus the any-channel rules.

Two evaluators share that routing:

- ``indexed`` (the default): the rules' match programs, literals matched in one pass per field and
  the SQL-only atoms on DuckDB (:mod:`hygie.engines.detection.index`); planning costs what the rules
  in play need, not what the pack holds;
- ``sql``: each rule's whole SQL condition, in chunks, one DuckDB query per chunk computing every
  rule of the chunk at once over the Arrow table (registered zero-copy), chunks on as many cursors
  as ``threads``. Exact and simple, but DuckDB plans every comparison of every rule (seconds for a
  full SigmaHQ pack): the reference the indexed evaluator is tested against.

A rule whose SQL fails (a hostile or broken rule) is reported in ``failures`` and dropped for the
rest of the hunt; the other rules still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from hygie.engines.detection.index import AtomIndex, BufferEvaluation
from hygie.engines.detection.model import CompiledRule, Detection, RuleFailure
from hygie.engines.detection.routing import event_ids, required_fields

if TYPE_CHECKING:
    # DuckDB is imported where it is used: in a parallel hunt only the workers need it.
    import duckdb

__all__ = ["CHUNK_RULES", "EVALUATORS", "FLUSH_ROWS", "RuleExecutor", "detection_from_record", "quote"]

#: Rules per DuckDB query: small enough that a broken rule only costs re-running a few, large enough
#: that the per-query overhead stays small.
CHUNK_RULES = 200
#: Events buffered per channel before evaluation: bounds memory (a buffer of Sysmon events is some
#: 2 KiB per event), while keeping per-buffer costs (literal pass set-up, SQL atoms) small.
FLUSH_ROWS = 32_768
_ROW = "__hygie_row"
_TABLE = "hygie_events"
_CHANNEL = "Channel"
_ANY = ""
#: How rules are evaluated: ``indexed`` (literal pass + bitmaps, SQL only where needed; the default)
#: or ``sql`` (every rule as one SQL condition; slow to plan on large packs, kept as the reference).
EVALUATORS = ("indexed", "sql")


def quote(name: str) -> str:
    """A DuckDB identifier, quoted (field names come from the logs: never trust them)."""
    return '"' + name.replace('"', '""') + '"'


def _unique_columns(table: pa.Table) -> pa.Table:
    """Drop columns whose name repeats another's ignoring case: DuckDB identifiers are case-insensitive."""
    seen: set[str] = set()
    keep = []
    for index, name in enumerate(table.column_names):
        if name.lower() not in seen:
            seen.add(name.lower())
            keep.append(index)
    return table if len(keep) == table.num_columns else table.select(keep)


class RuleExecutor:
    """Evaluates rules over event batches on a persistent DuckDB database; feed batches, then ``finish``.

    Holds at most ``flush_rows`` events per channel, plus the detections found.
    """

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        *,
        threads: int = 2,
        flush_rows: int = FLUSH_ROWS,
        chunk_rules: int = CHUNK_RULES,
        evaluator: str = "indexed",
        atoms: Sequence[list[Any]] = (),
    ) -> None:
        if evaluator not in EVALUATORS:
            raise ValueError(f"unknown evaluator {evaluator!r}; expected one of {', '.join(EVALUATORS)}")
        self.failures: list[RuleFailure] = []
        self.events = 0
        self._threads = max(1, threads)
        self._flush_rows = max(1, flush_rows)
        self._chunk = max(1, chunk_rules)
        self._rules = [rule for rule in rules if self._usable(rule, evaluator)]
        self._dead: set[int] = set()
        # The SQL analyses serve the SQL evaluator only: the indexed one skips them for rules with a program.
        sql_only = [evaluator == "sql" or rule.program is None for rule in self._rules]
        self._event_ids = [
            event_ids(r.sql["duckdb"]) if s else None for r, s in zip(self._rules, sql_only, strict=True)
        ]
        self._required = [
            required_fields(r.sql["duckdb"]) if s else () for r, s in zip(self._rules, sql_only, strict=True)
        ]
        self._by_channel: dict[str, list[int]] = {}
        self._any: list[int] = []
        for index, rule in enumerate(self._rules):
            if not rule.channels:
                self._any.append(index)
            for channel in {c.lower() for c in rule.channels}:
                self._by_channel.setdefault(channel, []).append(index)
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered: dict[str, int] = {}
        # DuckDB and the thread pool start on first use: a parallel hunt forks its workers from
        # this executor, and a process must not fork while such threads run.
        self._database: duckdb.DuckDBPyConnection | None = None
        self._cursor_list: list[duckdb.DuckDBPyConnection] = []
        self._pool: ThreadPoolExecutor | None = None
        self._index = AtomIndex(self._rules, atoms) if evaluator == "indexed" else None

    @property
    def _cursors(self) -> list[duckdb.DuckDBPyConnection]:
        if self._database is None:
            import duckdb

            self._database = duckdb.connect(":memory:", config={"threads": self._threads})
            self._cursor_list = [self._database.cursor() for _ in range(self._threads)]
            for cursor in self._cursor_list:
                # Parallelism comes from one chunk per cursor; one thread each avoids oversubscription.
                cursor.execute("SET threads = 1")
            self._pool = ThreadPoolExecutor(max_workers=self._threads) if self._threads > 1 else None
        return self._cursor_list

    @property
    def dead(self) -> frozenset[int]:
        """Indexes (in the executor's rule list) of the rules that failed and were dropped."""
        return frozenset(self._dead)

    def adopt(self, failures: list[RuleFailure], dead: set[int]) -> None:
        """Take over the failures and dropped rules of workers that ran copies of this executor."""
        for failure in failures:
            if failure not in self.failures:
                self.failures.append(failure)
        self._dead |= dead

    @property
    def rules_run(self) -> int:
        """Rules that ran (or would run) without error."""
        return len(self._rules) - len(self._dead)

    def _usable(self, rule: CompiledRule, evaluator: str) -> bool:
        if evaluator == "indexed" and rule.program is not None:
            return True  # its SQL is not needed (and, from a cache, not even parsed)
        if not rule.sql.get("duckdb", "").strip():
            self.failures.append(RuleFailure(rule.path, "no DuckDB condition", rule.rule_id, rule.title))
            return False
        return True

    def feed(self, batch: pa.RecordBatch | pa.Table) -> Iterator[Detection]:
        """Buffer ``batch`` split by channel; yields detections of every buffer that became full."""
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if table.num_rows == 0:
            return
        self.events += table.num_rows
        channels = table.column(_CHANNEL) if _CHANNEL in table.column_names else None
        if channels is None:
            yield from self._add(_ANY, table)
            return
        for value in pc.unique(channels).to_pylist():
            if value is None:
                part = table.filter(pc.is_null(channels))
            else:
                part = table.filter(pc.equal(channels, pa.scalar(value, channels.type)))
            yield from self._add(str(value).lower() if value is not None else _ANY, part)

    def finish(self) -> Iterator[Detection]:
        """Evaluate what is still buffered; call once, at the end of the input."""
        for key in list(self._buffers):
            yield from self._flush(key)

    def close(self) -> None:
        """Release the DuckDB database and the worker threads."""
        if self._pool is not None:
            self._pool.shutdown()
        for cursor in self._cursor_list:
            cursor.close()
        if self._database is not None:
            self._database.close()

    def _add(self, key: str, table: pa.Table) -> Iterator[Detection]:
        if not self._by_channel.get(key) and not self._any:
            return  # no rule can match this channel: the events are counted, never queried
        self._buffers.setdefault(key, []).append(table)
        self._buffered[key] = self._buffered.get(key, 0) + table.num_rows
        if self._buffered[key] >= self._flush_rows:
            yield from self._flush(key)

    def _flush(self, key: str) -> Iterator[Detection]:
        parts = self._buffers.pop(key, [])
        self._buffered.pop(key, None)
        if not parts:
            return
        table = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
        table = _unique_columns(table)
        table = table.append_column(_ROW, pa.array(range(table.num_rows), pa.int64()))
        indices = sorted(set(self._by_channel.get(key, [])) | set(self._any))
        live = [index for index in indices if index not in self._dead]
        present = {name.lower() for name in table.column_names}
        hits: list[tuple[int, int]] = []
        if self._index is not None:
            hits, live = self._indexed(table, live)
        jobs: list[Callable[[duckdb.DuckDBPyConnection], list[tuple[int, int]]]] = []
        for part, routed in self._route(table, live):
            rules = self._needed(part, routed)
            for start in range(0, len(rules), self._chunk):
                chunk = rules[start : start + self._chunk]
                jobs.append(partial(self._run_chunk, table=part, chunk=chunk, present=present))
        for result in self._map(jobs):
            hits.extend(result)
        yield from self._detections(table, hits)

    def _indexed(self, table: pa.Table, live: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
        """Hits of the rules that have a match program; the rules without one are left for SQL."""
        assert self._index is not None  # noqa: S101 - only called in indexed mode
        index = self._index
        evaluation = BufferEvaluation(index, table)
        pending: list[tuple[int, Any]] = []
        sql_rules: list[int] = []
        needed: set[int] = set()
        hits: list[tuple[int, int]] = []
        for rule in live:
            if not index.has_program[rule]:
                sql_rules.append(rule)
                continue
            rows = evaluation.candidate_rows(rule)
            if rows is not None and rows.size == 0:
                continue
            if index.sql_atoms[rule]:
                # Settle what the literals can settle; only the undecided rows wait for DuckDB.
                surely, maybe = evaluation.bounds(rule, rows)
                if maybe.size == surely.size:
                    hits.extend((int(row), rule) for row in surely)
                    continue
                rows = maybe
                needed.update(index.sql_atoms[rule])
            pending.append((rule, rows))
        evaluation.compute_sql(needed, lambda: self._cursors[0])
        for rule, rows in pending:
            broken = [evaluation.failed[a] for a in index.sql_atoms[rule] if a in evaluation.failed]
            if broken:
                self._fail(rule, RuntimeError(broken[0]))
                continue
            hits.extend((int(row), rule) for row in evaluation.matches(rule, rows))
        return hits, sql_rules

    def _route(self, table: pa.Table, rules: list[int]) -> Iterator[tuple[pa.Table, list[int]]]:
        """Rules grouped with the events they can match: by event id when known, all events otherwise."""
        groups: dict[frozenset[int] | None, list[int]] = {}
        for index in rules:
            groups.setdefault(self._event_ids[index], []).append(index)
        ids = table.column("EventID") if "EventID" in table.column_names else None
        seen = {int(value) for value in pc.unique(ids).to_pylist() if value is not None} if ids is not None else set()
        for wanted, members in groups.items():
            if wanted is None or ids is None:
                yield table, members
            elif wanted & seen:
                # Rules whose event ids are absent from these events are not even planned.
                yield table.filter(pc.is_in(ids, pa.array(sorted(wanted), ids.type))), members

    def _needed(self, table: pa.Table, rules: list[int]) -> list[int]:
        """The rules that can match ``table``: not those needing a field that is NULL in all its events.

        Planning and initialising a rule's expressions costs far more than running it on a buffer, so
        a rule that cannot match is better not sent to DuckDB at all (about 10% of a full pack on
        the attack samples).
        """
        filled = {
            name.lower()
            for name, column in zip(table.column_names, table.columns, strict=True)
            if column.null_count < table.num_rows
        }
        return [index for index in rules if all(names & filled for names in self._required[index])]

    def _map(
        self, jobs: list[Callable[[duckdb.DuckDBPyConnection], list[tuple[int, int]]]]
    ) -> Iterator[list[tuple[int, int]]]:
        """Run the jobs, each on a cursor of its own (at most one job per cursor at a time)."""
        if not jobs:
            return  # no DuckDB started for nothing
        cursors = self._cursors
        if self._pool is None or len(jobs) < 2:  # noqa: PLR2004 - one job needs no pool
            for job in jobs:
                yield job(cursors[0])
            return
        for start in range(0, len(jobs), len(self._cursors)):
            wave = jobs[start : start + len(self._cursors)]
            futures = [self._pool.submit(job, cursor) for job, cursor in zip(wave, self._cursors, strict=False)]
            for future in futures:
                yield future.result()

    def _run_chunk(
        self, cursor: duckdb.DuckDBPyConnection, table: pa.Table, chunk: list[int], present: set[str]
    ) -> list[tuple[int, int]]:
        """``(row, rule index)`` pairs matched by the chunk's rules; failing rules are isolated."""
        import duckdb

        cursor.register(_TABLE, table)
        try:
            return self._query(cursor, chunk, present)
        except duckdb.Error as error:
            if len(chunk) == 1:
                self._fail(chunk[0], error)
                return []
            return self._isolate(cursor, chunk, present)
        finally:
            cursor.unregister(_TABLE)

    def _isolate(self, cursor: duckdb.DuckDBPyConnection, chunk: list[int], present: set[str]) -> list[tuple[int, int]]:
        """The chunk's query failed: run its rules one by one, dropping those that fail."""
        import duckdb

        hits: list[tuple[int, int]] = []
        for index in chunk:
            try:
                hits.extend(self._query(cursor, [index], present))
            except duckdb.Error as error:
                self._fail(index, error)
        return hits

    def _fail(self, index: int, error: Exception) -> None:
        if index in self._dead:
            return
        self._dead.add(index)
        rule = self._rules[index]
        reason = f"DuckDB could not run the rule: {str(error).splitlines()[0]}"
        self.failures.append(RuleFailure(rule.path, reason, rule.rule_id, rule.title))

    def _query(self, cursor: duckdb.DuckDBPyConnection, chunk: list[int], present: set[str]) -> list[tuple[int, int]]:
        """One query for the whole chunk: per row, the list of rules that match, unnested."""
        missing: dict[str, str] = {}  # lower-case name -> name, once each
        for index in chunk:
            for name in self._rules[index].fields:
                if name.lower() not in present:
                    missing.setdefault(name.lower(), name)
        # Fields absent from these events are NULL for every rule, as Sigma expects (never an error).
        extra = "".join(f", NULL::VARCHAR AS {quote(name)}" for name in missing.values())
        cases = ", ".join(f"CASE WHEN ({self._rules[index].sql['duckdb']}) THEN {index} END" for index in chunk)
        # Rule SQL is the compiler's output and field names are quoted: no user text is spliced raw.
        select = f"SELECT {_ROW}, unnest(list_filter([{cases}], lambda hit: hit IS NOT NULL)) AS rule_index"
        sql = f"{select} FROM (SELECT *{extra} FROM {_TABLE})"  # noqa: S608
        return [(int(row), int(rule)) for row, rule in cursor.execute(sql).fetchall()]

    def _detections(self, table: pa.Table, hits: list[tuple[int, int]]) -> Iterator[Detection]:
        if not hits:
            return
        rows = sorted({row for row, _ in hits})
        events = dict(zip(rows, table.drop_columns([_ROW]).take(rows).to_pylist(), strict=True))
        for row, index in sorted(hits):
            yield detection_from_record(self._rules[index], events[row])


def detection_from_record(rule: CompiledRule, record: dict[str, Any]) -> Detection:
    """The detection of ``rule`` on one matched event row (shared by the DuckDB and Spark runners)."""
    event = {name: str(value) for name, value in record.items() if value is not None and not name.startswith("_")}
    event_id = record.get("EventID")
    return Detection(
        rule_id=rule.rule_id,
        rule_title=rule.title,
        level=rule.level,
        tags=rule.tags,
        timestamp=record.get("_timestamp"),
        computer=str(record.get("Computer") or ""),
        channel=str(record.get("Channel") or ""),
        event_id=int(event_id) if event_id is not None else None,
        file=str(record.get("_file") or ""),
        record_id=int(record.get("_record_id") or 0),
        event=event,
    )
