"""Politeness: how hard the engine may knock on a hospital's machines.

Medical devices (modalities, PACS gateways, infusion-pump servers, old printers) are known to fall
over under aggressive scans. The defaults below are deliberately gentle: a modest global rate, two
connections at a time per host, a cap on connections per host per audit, generous timeouts and a
single retry. Every figure can be raised by the administrator for robust targets.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

__all__ = ["HostBudgetExceededError", "HostGate", "PolicyError", "RateLimiter", "ScanPolicy"]


class PolicyError(ValueError):
    """A politeness setting out of its sane range; the message names it."""


class HostBudgetExceededError(Exception):
    """The per-host connection cap is spent: no further connection to this host in this audit."""


@dataclass(frozen=True, slots=True)
class ScanPolicy:
    """Politeness settings of one audit.

    - ``rate``: new connections per second, whole audit (discovery and probes together);
    - ``host_concurrency``: connections open at once to one host;
    - ``host_connection_cap``: connections to one host in the whole audit, retries included;
    - ``connect_timeout``: seconds to wait for a TCP handshake before calling the port filtered;
    - ``retries``: extra attempts on a port that timed out (refused ports are never retried);
    - ``probe_timeout``: seconds one protocol probe may take from connection to last byte;
    - ``max_read_bytes``: bytes one probe may read (endless or binary answers are cut here);
    - ``concurrency``: connections open at once, whole audit.
    """

    rate: float = 300.0
    host_concurrency: int = 2
    host_connection_cap: int = 3000
    connect_timeout: float = 2.0
    retries: int = 1
    probe_timeout: float = 8.0
    max_read_bytes: int = 256 * 1024
    concurrency: int = 256

    def __post_init__(self) -> None:
        checks = (
            (self.rate > 0, "rate must be positive (connections per second)"),
            (1 <= self.host_concurrency <= 1024, "host concurrency must be between 1 and 1024"),  # noqa: PLR2004
            (self.host_connection_cap >= 1, "the per-host connection cap must be at least 1"),
            (0 < self.connect_timeout <= 60, "the connect timeout must be between 0 and 60 seconds"),  # noqa: PLR2004
            (0 <= self.retries <= 5, "retries must be between 0 and 5"),  # noqa: PLR2004
            (0 < self.probe_timeout <= 120, "the probe timeout must be between 0 and 120 seconds"),  # noqa: PLR2004
            (1024 <= self.max_read_bytes <= 16 * 1024 * 1024, "the read limit must be between 1 KiB and 16 MiB"),  # noqa: PLR2004
            (1 <= self.concurrency <= 65536, "concurrency must be between 1 and 65536"),  # noqa: PLR2004
        )
        for ok, message in checks:
            if not ok:
                raise PolicyError(message)


class RateLimiter:
    """A token bucket shared by every coroutine of an audit: at most ``rate`` acquisitions per second.

    The bucket holds at most one second of tokens (at least one), so a pause never turns into a
    burst larger than the configured rate.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    def try_acquire(self) -> bool:
        """Take a token if one is available now (no waiting): the fast path of the scanner."""
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def delay(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1.0 - self._tokens) / self.rate)

    async def acquire(self) -> None:
        """Wait for a token."""
        async with self._lock:
            while not self.try_acquire():  # noqa: ASYNC110 - waiting on a clock, not on an event
                await asyncio.sleep(self.delay())


class HostGate:
    """Per-host politeness: a semaphore of ``host_concurrency`` and a budget of ``host_connection_cap``."""

    def __init__(self, policy: ScanPolicy) -> None:
        self._policy = policy
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self.used: dict[str, int] = {}

    def semaphore(self, address: str) -> asyncio.Semaphore:
        """The semaphore bounding simultaneous connections to ``address``."""
        semaphore = self._semaphores.get(address)
        if semaphore is None:
            semaphore = self._semaphores[address] = asyncio.Semaphore(self._policy.host_concurrency)
        return semaphore

    def spend(self, address: str) -> None:
        """Count one connection to ``address``; ``HostBudgetExceededError`` once the cap is reached."""
        used = self.used.get(address, 0)
        if used >= self._policy.host_connection_cap:
            raise HostBudgetExceededError(address)
        self.used[address] = used + 1

    def refund(self, address: str) -> None:
        """Give back one connection that never left this machine (no local port or descriptor was free)."""
        self.used[address] = max(0, self.used.get(address, 0) - 1)

    def exhausted(self, address: str) -> bool:
        """Whether the cap for ``address`` is spent."""
        return self.used.get(address, 0) >= self._policy.host_connection_cap
