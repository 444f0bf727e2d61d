"""Hunting shares of the input in forked worker processes: how a hunt uses every core.

Reading events and matching them are Python-bound (the GIL), so threads would not help; processes
do. The parent builds the rule executor (rules compiled, literal index built) *before* forking, so
each worker inherits it for free; DuckDB and its threads start inside each worker, after the fork.
Each worker hunts its share (:func:`hygie.engines.detection.readers.pieces.plan_shares`) and sends
back its detections, read statistics and failed rules; progress (bytes read) goes through a shared
counter the parent polls.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, Final, cast

from hygie.engines.detection.model import Detection, ReadStats, RuleFailure

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from multiprocessing.sharedctypes import Synchronized

    from hygie.engines._core.progress import Progress
    from hygie.engines.detection.executor import RuleExecutor
    from hygie.engines.detection.readers.pieces import Piece

__all__ = ["WorkerError", "hunt_shares", "parallel_allowed"]

_POLL_SECONDS: Final = 0.1


class WorkerError(RuntimeError):
    """A worker process died or failed (its message says why)."""


def parallel_allowed() -> bool:
    """Forked workers are possible here (POSIX ``fork``; not inside a daemonic process)."""
    if sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not multiprocessing.current_process().daemon


def _work(
    executor: RuleExecutor, share: Sequence[Piece], batch_size: int, counter: Synchronized[int], conn: Connection
) -> None:
    """A worker's whole life: hunt the share, send detections as they come, then ``done`` and its figures."""
    from hygie.engines.detection.readers.pieces import read_pieces

    def advance(amount: int) -> None:
        with counter.get_lock():
            counter.value += amount

    stats = ReadStats()
    try:
        for batch in read_pieces(share, stats=stats, batch_size=batch_size, advance=advance):
            found = list(executor.feed(batch))
            if found:
                conn.send(("detections", found))  # sent as found: the worker keeps none
        found = list(executor.finish())
        if found:
            conn.send(("detections", found))
        conn.send(("done", stats, executor.failures, executor.dead))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises it there
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        executor.close()
        conn.close()


def _merge(stats: ReadStats, part: ReadStats) -> None:
    stats.files += part.files
    stats.events += part.events
    stats.corrupt += part.corrupt
    stats.errors.extend(part.errors)


def hunt_shares(  # noqa: C901 - one loop serving every worker's messages reads best
    executor: RuleExecutor,
    shares: Sequence[Sequence[Piece]],
    stats: ReadStats,
    emit: Callable[[list[Detection]], None],
    *,
    batch_size: int = 16384,
    progress: Progress | None = None,
) -> None:
    """Hunt every share with ``executor``'s rules, one forked worker per share; detections go to ``emit``.

    Read statistics are added to ``stats``; rule failures and dropped rules to the executor's own
    (so that ``executor.failures`` and ``executor.rules_run`` describe the whole hunt).
    """
    context = multiprocessing.get_context("fork")
    counter: Synchronized[int] = context.Value("q", 0)
    pending: dict[Any, Any] = {}
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(executor, share, batch_size, counter, sender), daemon=True)
        process.start()
        sender.close()  # the parent keeps only the reading end: EOF tells it a worker died
        pending[receiver] = process
    failures: dict[tuple[str, str, str], RuleFailure] = {}
    dead: set[int] = set()
    reported = 0
    problems: list[str] = []
    try:
        while pending:
            for ready in wait(list(pending), timeout=_POLL_SECONDS):
                receiver = cast("Connection", ready)
                process = pending[receiver]
                try:
                    message = receiver.recv()
                except EOFError:
                    message = ("error", f"worker exited with code {process.exitcode}")
                if message[0] == "detections":
                    emit(message[1])
                    continue
                del pending[receiver]
                receiver.close()
                process.join()
                if message[0] == "error":
                    problems.append(str(message[1]))
                    continue
                _, part, rule_failures, rule_dead = message
                _merge(stats, part)
                dead |= rule_dead
                for failure in rule_failures:
                    failures.setdefault((failure.rule_id, failure.path, failure.reason), failure)
            if progress is not None and counter.value > reported:
                progress.advance(counter.value - reported)
                reported = counter.value
    finally:
        for receiver, process in pending.items():
            process.kill()
            receiver.close()
    if problems:
        raise WorkerError("; ".join(problems))
    executor.adopt(list(failures.values()), dead)
