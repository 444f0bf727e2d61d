"""Run engine work in a thread of its own while the job's thread relays its progress.

Engines built on asyncio (the exposure scanner) report progress from inside their event loop,
where Django refuses synchronous database calls; the job records progress through its own
database connection. The work therefore runs in a worker thread and its progress events cross a
queue to the calling thread, which replays them on the job's ``Progress``.
"""

from __future__ import annotations

import concurrent.futures
import queue
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines._core import Progress

__all__ = ["RELAY_INTERVAL", "run_in_thread"]

T = TypeVar("T")


class _RelayProgress:
    """A ``Progress`` for the engine's thread: events go through a queue to the thread that owns the database.

    An engine may report progress from inside an asyncio event loop, where Django refuses database
    calls, while a job's progress is written through the job's own connection (its transaction in
    tests).
    """

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[tuple[str, Any, Any]] = queue.SimpleQueue()

    def start(self, label: str, total: int | None = None) -> None:
        """A phase begins."""
        self.events.put(("start", label, total))

    def advance(self, amount: int = 1) -> None:
        """More units done."""
        self.events.put(("advance", amount, None))

    def log(self, message: str) -> None:
        """A log line."""
        self.events.put(("log", message, None))

    def drain(self, progress: Progress) -> None:
        """Replay the pending events on ``progress`` (in the calling thread)."""
        while True:
            try:
                kind, first, second = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "start":
                progress.start(first, second)
            elif kind == "advance":
                progress.advance(first)
            else:
                progress.log(first)


#: Seconds between two relays of the engine's progress to the job.
RELAY_INTERVAL = 0.2


def run_in_thread(work: Callable[[Progress], T], progress: Progress) -> T:
    """Run ``work`` in a thread of its own while this thread relays its progress; its exception is raised here."""
    relay = _RelayProgress()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hygie-engine") as pool:
        future = pool.submit(work, relay)
        while True:
            try:
                outcome = future.result(timeout=RELAY_INTERVAL)
            except concurrent.futures.TimeoutError:
                relay.drain(progress)
                continue
            except BaseException:
                relay.drain(progress)
                raise
            relay.drain(progress)
            return outcome
