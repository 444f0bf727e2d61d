"""The hunt: logs read, rules run, correlations applied, a merged timeline (issue 5, items 3 and 4).

:func:`hunt` reads paths and runs a pack; with ``threads`` > 1 and enough input it cuts the input
into shares and hunts them in forked worker processes (:mod:`hygie.engines.detection.parallel`),
which is how both cores are used: reading and matching are Python-bound. :func:`hunt_batches` runs
rules over batches the caller already has. The executor itself is in
:mod:`hygie.engines.detection.executor`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from hygie.engines.detection.correlation import CorrelationSpec, apply_correlations, hidden_rules, referenced_rules
from hygie.engines.detection.executor import EVALUATORS, FLUSH_ROWS, RuleExecutor, detection_from_record
from hygie.engines.detection.model import CompiledRule, Detection, Level, ReadStats, RuleFailure
from hygie.engines.detection.spool import timeline_key

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa  # type: ignore[import-untyped]

    from hygie.engines._core.progress import Progress
    from hygie.engines.detection.model import RulePack

#: What the hunt filters select: compiled rules and correlation rules alike.
Selectable = TypeVar("Selectable", CompiledRule, CorrelationSpec)

__all__ = [
    "EVALUATORS",
    "HuntResult",
    "RuleExecutor",
    "detection_from_record",
    "hunt",
    "hunt_batches",
    "select_rules",
    "timeline",
]

#: Below this much input, a hunt runs in this process: forking workers costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20


def select_rules(
    rules: Iterable[Selectable],
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
) -> list[Selectable]:
    """The rules kept by the filters of ``hygie detect hunt``.

    ``min_level``: at least this level. ``rule_ids``: each an id (exact) or a title substring
    (case-insensitive); a rule is kept if any matches. ``tags``: a rule is kept if one of its tags
    equals a given tag or lies under it (``attack.t1003`` keeps ``attack.t1003.001``), ignoring case.
    """
    wanted = [value.strip().lower() for value in rule_ids if value.strip()]
    wanted_tags = [tag.strip().lower() for tag in tags if tag.strip()]
    kept = []
    for rule in rules:
        if min_level is not None and rule.level < min_level:
            continue
        if wanted and not any(w == rule.rule_id.lower() or w in rule.title.lower() for w in wanted):
            continue
        rule_tags = [tag.lower() for tag in rule.tags]
        if wanted_tags and not any(t == w or t.startswith(w + ".") for t in rule_tags for w in wanted_tags):
            continue
        kept.append(rule)
    return kept


def timeline(detections: Iterable[Detection]) -> list[Detection]:
    """Detections in time order (undated ones last), ties broken by file, record and rule."""
    return sorted(detections, key=timeline_key)


def hunt_batches(
    batches: Iterable[pa.RecordBatch],
    rules: Sequence[CompiledRule],
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
    threads: int = 2,
    flush_rows: int = FLUSH_ROWS,
    failures: list[RuleFailure] | None = None,
    evaluator: str = "indexed",
    atoms: Sequence[list[Any]] = (),
) -> Iterator[Detection]:
    """Detections of ``rules`` (after the filters) over ``batches``, in input order per channel buffer.

    Rules that fail in DuckDB are appended to ``failures`` (when given) and skipped. Rules of a loaded
    pack need the pack's atom table: pass ``atoms=pack.atoms``.
    """
    executor = RuleExecutor(
        select_rules(rules, min_level=min_level, rule_ids=rule_ids, tags=tags),
        threads=threads,
        flush_rows=flush_rows,
        evaluator=evaluator,
        atoms=atoms,
    )
    try:
        for batch in batches:
            yield from executor.feed(batch)
        yield from executor.finish()
    finally:
        executor.close()
        if failures is not None:
            failures.extend(executor.failures)


@dataclass(slots=True)
class HuntResult:
    """What a hunt found (a merged timeline), what it read, and which rules it ran or skipped.

    ``detections`` is empty when the hunt gave them to a sink as they came; ``by_rule`` and
    :attr:`found` count them either way.
    """

    detections: list[Detection]
    read: ReadStats
    rules_run: int
    rules_skipped: list[RuleFailure]
    seconds: float
    events_per_second: float
    rules_selected: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> int:
        """How many detections the hunt reported."""
        return sum(self.by_rule.values())


class _Collector:
    """Where detections go: kept for the timeline, or handed to a sink at once (memory stays flat).

    Detections of correlations' base rules are also kept (the correlations need them at the end);
    those of hidden rules (``generate: false``, or run only for a correlation) are never reported.
    """

    def __init__(self, sink: Callable[[Detection], None] | None, correlated: set[str], hidden: set[str]) -> None:
        self.sink = sink
        self.correlated = correlated
        self.hidden = hidden
        self.kept: list[Detection] = []
        self.by_rule: dict[str, int] = {}

    def add(self, detections: Iterable[Detection]) -> None:
        for detection in detections:
            rule_id = detection.rule_id
            if self.sink is None or rule_id in self.correlated:
                self.kept.append(detection)
            if rule_id in self.hidden:
                continue
            self.by_rule[rule_id] = self.by_rule.get(rule_id, 0) + 1
            if self.sink is not None:
                self.sink(detection)

    def reported(self) -> list[Detection]:
        """What is kept and not hidden (the hunt's detections when there is no sink)."""
        return [detection for detection in self.kept if detection.rule_id not in self.hidden]


def hunt(
    paths: Sequence[Path],
    pack: RulePack,
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
    threads: int = 2,
    batch_size: int = 16384,
    progress: Progress | None = None,
    evaluator: str = "indexed",
    sink: Callable[[Detection], None] | None = None,
) -> HuntResult:
    """Read the logs under ``paths`` and run the pack's rules over them (forked workers when it pays).

    ``rules_skipped`` lists the pack's failures (rules that did not load) and rules DuckDB could not
    run; per-file read errors are in ``read.errors``. Nothing here raises on bad input. With
    ``sink``, each detection goes to it as soon as it is found (correlations' at the end) and the
    result holds none: memory stays flat whatever the number of detections.
    """
    from hygie.engines.detection.parallel import hunt_shares, parallel_allowed
    from hygie.engines.detection.readers.pieces import plan_shares, read_pieces

    started = time.perf_counter()
    stats = ReadStats()
    selected = select_rules(pack.rules, min_level=min_level, rule_ids=rule_ids, tags=tags)
    correlations = select_rules(pack.correlations, min_level=min_level, rule_ids=rule_ids, tags=tags)
    # Base rules of a selected correlation run even when the filters left them out; their own
    # detections are then not reported (nor those of rules marked ``generate: false``).
    chosen = {rule.rule_id for rule in selected}
    needed = referenced_rules(correlations)
    extra = [rule for rule in pack.rules if rule.rule_id in needed and rule.rule_id not in chosen]
    hidden = (hidden_rules(correlations) | {rule.rule_id for rule in extra}) if correlations else set()
    collector = _Collector(sink, set(needed), hidden)
    executor = RuleExecutor([*selected, *extra], threads=threads, evaluator=evaluator, atoms=pack.atoms)
    shares = plan_shares(paths, stats, threads if parallel_allowed() else 1)
    total = sum(piece.size for share in shares for piece in share)
    if progress is not None:
        progress.start("read", total)
    try:
        if len(shares) > 1 and total >= PARALLEL_MIN_BYTES:
            hunt_shares(executor, shares, stats, collector.add, batch_size=batch_size, progress=progress)
        else:
            pieces = sorted((p for share in shares for p in share), key=lambda p: (str(p.path), p.start))
            advance = progress.advance if progress is not None else None
            for batch in read_pieces(pieces, stats=stats, batch_size=batch_size, advance=advance):
                collector.add(executor.feed(batch))
            collector.add(executor.finish())
    finally:
        executor.close()
    correlation_failures: list[RuleFailure] = []
    if correlations:
        # The base rules' detections are all kept (hidden ones too): the correlations count them.
        correlated = apply_correlations(collector.kept, correlations, failures=correlation_failures)
        collector.add(correlated)
    seconds = time.perf_counter() - started
    return HuntResult(
        detections=timeline(collector.reported()) if sink is None else [],
        read=stats,
        rules_run=executor.rules_run,
        rules_skipped=[*pack.failures, *executor.failures, *correlation_failures],
        seconds=seconds,
        events_per_second=stats.events / seconds if seconds > 0 else 0.0,
        rules_selected=len(selected),
        by_rule=collector.by_rule,
    )
