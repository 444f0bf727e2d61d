"""The hunt: logs read, rules run, correlations applied, a merged timeline (issue 5, items 3 and 4).

:func:`hunt` reads paths and runs a pack; with ``threads`` > 1 and enough input it cuts the input
into shares and hunts them in forked worker processes (:mod:`hygie.engines.detection.parallel`),
which is how both cores are used: reading and matching are Python-bound. :func:`hunt_batches` runs
rules over batches the caller already has. The executor itself is in
:mod:`hygie.engines.detection.executor`.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from hygie.engines.detection.correlation import CorrelationSpec, apply_correlations, hidden_rules, referenced_rules
from hygie.engines.detection.executor import EVALUATORS, FLUSH_ROWS, RuleExecutor, detection_from_record
from hygie.engines.detection.model import CompiledRule, Detection, Level, ReadStats, RuleFailure

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
    return sorted(
        detections,
        key=lambda d: (
            d.timestamp is None,
            d.timestamp.timestamp() if d.timestamp else 0.0,
            d.file,
            d.record_id,
            d.rule_id,
        ),
    )


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
    """What a hunt found (a merged timeline), what it read, and which rules it ran or skipped."""

    detections: list[Detection]
    read: ReadStats
    rules_run: int
    rules_skipped: list[RuleFailure]
    seconds: float
    events_per_second: float
    rules_selected: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def hunt(
    paths: Sequence[Path],
    pack: RulePack,
    *,
    min_level: Level | None = None,
    rule_ids: Collection[str] = (),
    tags: Collection[str] = (),
    threads: int = 2,
    batch_size: int = 65536,
    progress: Progress | None = None,
    evaluator: str = "indexed",
) -> HuntResult:
    """Read the logs under ``paths`` and run the pack's rules over them (forked workers when it pays).

    ``rules_skipped`` lists the pack's failures (rules that did not load) and rules DuckDB could not
    run; per-file read errors are in ``read.errors``. Nothing here raises on bad input.
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
    executor = RuleExecutor([*selected, *extra], threads=threads, evaluator=evaluator, atoms=pack.atoms)
    shares = plan_shares(paths, stats, threads if parallel_allowed() else 1)
    total = sum(piece.size for share in shares for piece in share)
    if progress is not None:
        progress.start("read", total)
    found: list[Detection] = []
    try:
        if len(shares) > 1 and total >= PARALLEL_MIN_BYTES:
            found = hunt_shares(executor, shares, stats, batch_size=batch_size, progress=progress)
        else:
            pieces = sorted((p for share in shares for p in share), key=lambda p: (str(p.path), p.start))
            advance = progress.advance if progress is not None else None
            for batch in read_pieces(pieces, stats=stats, batch_size=batch_size, advance=advance):
                found.extend(executor.feed(batch))
            found.extend(executor.finish())
    finally:
        executor.close()
    correlation_failures: list[RuleFailure] = []
    if correlations:
        correlated = apply_correlations(found, correlations, failures=correlation_failures)
        hidden = hidden_rules(correlations) | {rule.rule_id for rule in extra}
        found = [detection for detection in found if detection.rule_id not in hidden] + correlated
    seconds = time.perf_counter() - started
    by_rule: dict[str, int] = {}
    for detection in found:
        by_rule[detection.rule_id] = by_rule.get(detection.rule_id, 0) + 1
    return HuntResult(
        detections=timeline(found),
        read=stats,
        rules_run=executor.rules_run,
        rules_skipped=[*pack.failures, *executor.failures, *correlation_failures],
        seconds=seconds,
        events_per_second=stats.events / seconds if seconds > 0 else 0.0,
        rules_selected=len(selected),
        by_rule=by_rule,
    )
