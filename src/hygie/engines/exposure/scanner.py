"""Discovery: which TCP ports of which addresses accept a connection, found politely and fast.

A TCP connect scan (no raw sockets, no privileges). A completed handshake is an open port (closed
again at once, without reading a byte), a reset a closed one, silence until ``connect_timeout`` a
timeout, retried ``retries`` times before the port is called filtered. "No route to host" and other
network errors make the port filtered without retry; a host that answers nothing else is given up.

The scan is a state machine driven by callbacks, not a coroutine per attempt: a coroutine, a future
and a ``wait_for`` timer per connection would cost more than the connection, and an audit makes
hundreds of thousands. Its sockets sit in a private epoll set watched by the running event loop
(the scan shares the loop with the rest of the audit); every attempt has the same timeout, so they
expire in the order they started and one timer walks a queue from its head.

Politeness (:mod:`~hygie.engines.exposure.policy`), attempt by attempt: every new connection,
retries included, takes a token of the audit's :class:`RateLimiter`; at most ``host_concurrency``
connections are open to one host, ``concurrency`` in all, and never more than the descriptor limit
allows (the soft limit is raised to the hard one); every attempt is charged to the audit's
:class:`HostGate`, and a host whose cap is spent is listed in ``skipped``. Hosts are served in turn,
one attempt each, so the ports of one host are spread over the scan instead of arriving in a burst.

Linux only (epoll, and the reuse of refused sockets explained in ``_Scan._launch``), like the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import os
import resource
import select
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hygie.engines._core import NullProgress, Progress
from hygie.engines.exposure.policy import HostBudgetExceededError, HostGate, RateLimiter, ScanPolicy

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["DiscoveryResult", "discover", "discover_sync", "raise_descriptor_limit"]

MAX_PORT = 65535

_NOFILE = resource.RLIMIT_NOFILE

#: Descriptors kept free for everything else the process does (log files, probes, the database).
_RESERVED_DESCRIPTORS = 64

#: A host that gave this many unreachable answers and nothing else is given up (skipped): each
#: further port would only wait for the same failed neighbour resolution.
_UNREACHABLE_GIVE_UP = 8

#: Local shortages (ephemeral ports, descriptors, buffers): the attempt is put back, not judged.
_LOCAL_SHORTAGE = frozenset({errno.EADDRNOTAVAIL, errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.EAGAIN})

#: Consecutive local shortages after which the scan stops with an error instead of spinning.
_SHORTAGE_LIMIT = 2000

#: Pseudo error codes: our own connect timeout, and an attempt left to epoll.
_TIMED_OUT = -1
_IN_FLIGHT = -2

#: Sockets read per wake-up of the epoll descriptor.
_BATCH = 1024

#: Attempts started per callback before the loop gets a turn.
_LAUNCH_BATCH = 256


@dataclass(slots=True)
class DiscoveryResult:
    """What a discovery scan found.

    - ``open_ports``: address -> sorted open ports (only addresses with at least one open port);
    - ``filtered``: address -> sorted ports that timed out after every retry, or that an
      unreachable answer closed;
    - ``skipped``: address -> why some of its ports were not tried (connection cap spent, host
      unreachable);
    - ``attempts``: connection attempts made, retries included;
    - ``duration``: seconds from the first attempt to the last answer.
    """

    open_ports: dict[str, list[int]] = field(default_factory=dict)
    filtered: dict[str, list[int]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    duration: float = 0.0


def raise_descriptor_limit() -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit (when allowed) and return the soft limit now in force."""
    soft, hard = (1 << 20 if limit == resource.RLIM_INFINITY else limit for limit in resource.getrlimit(_NOFILE))
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(_NOFILE, (hard, resource.getrlimit(_NOFILE)[1]))
            soft = hard
    return soft


def _open_descriptors() -> int:
    """Descriptors the process holds now (a generous guess where /proc is missing)."""
    try:
        return sum(1 for _ in Path("/proc/self/fd").iterdir())
    except OSError:
        return 256


def _parse_addresses(addresses: Iterable[str]) -> list[tuple[str, socket.AddressFamily]]:
    """Distinct addresses in their canonical form, in order; ``ValueError`` naming the first bad one."""
    if isinstance(addresses, (str, bytes)):
        raise TypeError("addresses must be a sequence of IP address strings, not one string")
    seen: dict[str, socket.AddressFamily] = {}
    for raw in addresses:
        if not isinstance(raw, str):
            raise TypeError(f"{raw!r} is not an IP address string")
        try:
            address = ipaddress.ip_address(raw.strip())
        except ValueError:
            raise ValueError(f"{raw[:80]!r} is not an IP address (names are resolved before discovery)") from None
        if address.is_multicast or address.is_unspecified:
            raise ValueError(f"{raw!r} cannot be scanned (multicast or unspecified address)")
        family = socket.AF_INET if address.version == 4 else socket.AF_INET6  # noqa: PLR2004 - IP version
        seen.setdefault(str(address), family)
    return list(seen.items())


def _parse_ports(ports: Iterable[int]) -> list[int]:
    """Distinct ports in the order given; ``ValueError`` naming the first bad one."""
    if isinstance(ports, (str, bytes)):
        raise TypeError("ports must be a sequence of integers (parse a port list with ports.parse_ports)")
    seen: dict[int, None] = {}
    for port in ports:
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"{port!r} is not a TCP port number")
        if not 1 <= port <= MAX_PORT:
            raise ValueError(f"{port!r} is not a TCP port (1-{MAX_PORT})")
        seen.setdefault(port)
    return list(seen)


@dataclass(slots=True, eq=False)
class _Host:
    """One address's progress through the port list."""

    address: str
    family: socket.AddressFamily
    next_port: int = 0  # index of the next never-tried port
    retry: deque[tuple[int, int]] = field(default_factory=deque)  # (port, attempt number) to try again
    inflight: int = 0
    queued: bool = False  # in the scan's rotation
    stopped: bool = False  # every port answered, or given up: no further attempt
    open: list[int] = field(default_factory=list)
    filtered: list[int] = field(default_factory=list)
    done: int = 0  # ports with a final answer
    unreachable: int = 0
    useful: bool = False  # at least one open or closed answer


@dataclass(slots=True, eq=False)
class _Attempt:
    """One connection in flight."""

    sock: socket.socket
    host: _Host
    port: int
    attempt: int
    deadline: float


class _Scan:
    """The state machine of one discovery scan; :meth:`run` drives it on the running loop."""

    def __init__(
        self,
        hosts: list[_Host],
        ports: list[int],
        *,
        policy: ScanPolicy,
        rate: RateLimiter,
        gate: HostGate,
        progress: Progress,
    ) -> None:
        self.hosts = hosts
        self.ports = ports
        self.policy = policy
        self.rate = rate
        self.gate = gate
        self.progress = progress
        room = raise_descriptor_limit() - _open_descriptors() - _RESERVED_DESCRIPTORS
        self.limit = max(1, min(policy.concurrency, room))
        self.rotation: deque[_Host] = deque(hosts)  # hosts with work and room, served in turn
        self.inflight: dict[int, _Attempt] = {}
        self.expiry: deque[_Attempt] = deque()
        self.attempts = 0
        self.skipped: dict[str, str] = {}
        self.pending_progress = 0
        self.shortages = 0
        self.remaining = len(hosts)  # hosts not yet finished
        self.loop = asyncio.get_running_loop()
        self.epoll = select.epoll()
        self.finished: asyncio.Future[None] = self.loop.create_future()
        self.timer: asyncio.TimerHandle | None = None
        self.spares: dict[socket.AddressFamily, socket.socket] = {}
        self.resume: asyncio.Handle | None = None  # a pending _launch (after a pause or a yield)

    async def run(self) -> None:
        """Scan every host; returns when every port has its answer or its host was given up."""
        self.progress.start("discover", len(self.hosts) * len(self.ports))
        self.loop.add_reader(self.epoll.fileno(), self._on_ready)
        try:
            self._launch()
            await self.finished
        finally:
            self.loop.remove_reader(self.epoll.fileno())
            for handle in (self.timer, self.resume):
                if handle is not None:
                    handle.cancel()
            for sock in [*(attempt.sock for attempt in self.inflight.values()), *self.spares.values()]:
                sock.close()
            self.epoll.close()
            self._flush_progress()

    def _fail(self, error: BaseException) -> None:
        if not self.finished.done():
            self.finished.set_exception(error)

    def _check_finished(self) -> None:
        if self.remaining == 0 and not self.inflight and not self.finished.done():
            self.finished.set_result(None)

    def _flush_progress(self) -> None:
        if self.pending_progress:
            self.progress.advance(self.pending_progress)
            self.pending_progress = 0

    def _launch(self) -> None:  # noqa: C901, PLR0912, PLR0915 - the hot loop stays in one piece on purpose
        """Start attempts, host after host, until a limit (global, rate, descriptors) stops us."""
        if self.finished.done():
            return
        # Locals: this loop runs once per connection attempt.
        rotation, inflight, spares, ports = self.rotation, self.inflight, self.spares, self.ports
        rate, gate, limit, timeout = self.rate, self.gate, self.limit, self.policy.connect_timeout
        register, monotonic, mask = self.epoll.register, time.monotonic, select.EPOLLOUT
        stream = socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC
        in_progress, already, refused = errno.EINPROGRESS, errno.EALREADY, errno.ECONNREFUSED
        budget = _LAUNCH_BATCH
        while rotation and len(inflight) < limit:
            budget -= 1
            if budget < 0:
                # Answers on a fast link come back inside connect(): without a pause the whole scan
                # would run in this one callback and starve the loop's other tasks.
                if self.resume is None:
                    self.resume = self.loop.call_soon(self._on_resume)
                break
            if not rate.try_acquire():
                self._sleep(rate.delay())
                break
            host = rotation.popleft()
            host.queued = False
            if host.retry:
                port, attempt = host.retry.popleft()
            else:
                port, attempt = ports[host.next_port], 0
                host.next_port += 1
            try:
                gate.spend(host.address)
            except HostBudgetExceededError:
                host.retry.appendleft((port, attempt))  # not tried: counted as such in the reason
                self._give_up(host, f"the per-host connection cap ({self.policy.host_connection_cap}) was reached")
                continue
            self.attempts += 1
            sock = spares.pop(host.family, None)
            if sock is None:
                try:
                    sock = socket.socket(host.family, stream)
                except OSError as error:
                    self._shortage(host, port, attempt, error.errno)
                    break
            target = (host.address, port)
            code = sock.connect_ex(target)
            if code == in_progress:
                # On a fast link the answer is often in before connect() returns: asking again reads
                # it without a trip through epoll, and a refused socket is left ready for reuse.
                code = sock.connect_ex(target)
                if code == already:
                    record = _Attempt(sock, host, port, attempt, monotonic() + timeout)
                    fd = sock.fileno()
                    inflight[fd] = record
                    register(fd, mask)
                    self.expiry.append(record)
                    host.inflight += 1
                    code = _IN_FLIGHT
            if code == refused:
                # A refused socket is back to "unconnected" (Linux resets it for a new connect), so
                # the next attempt skips a socket() and a close(): a quarter of the kernel's work.
                spares[host.family] = sock
                self._answer(host, port, attempt, code)
            elif code != _IN_FLIGHT:
                sock.close()
                if code in _LOCAL_SHORTAGE:
                    self._shortage(host, port, attempt, code)
                    break
                self._answer(host, port, attempt, 0 if code == errno.EISCONN else code)
            self._requeue(host)
        if self.expiry and self.timer is None:
            self.timer = self.loop.call_at(self.expiry[0].deadline, self._on_timer)
        self._flush_progress()
        self._check_finished()

    def _sleep(self, seconds: float) -> None:
        """Launch again in ``seconds`` (the rate bucket is empty, or the system is short of something)."""
        if self.resume is None:
            self.resume = self.loop.call_later(max(seconds, 0.0005), self._on_resume)

    def _on_resume(self) -> None:
        self.resume = None
        self._launch()

    def _shortage(self, host: _Host, port: int, attempt: int, code: int | None) -> None:
        """The system ran short (ports, descriptors): the attempt goes back and the scan slows down."""
        # The attempt was not made: neither the count nor the host's budget keeps it.
        self.attempts -= 1
        self.gate.refund(host.address)
        host.retry.appendleft((port, attempt))
        if not host.queued:
            host.queued = True
            self.rotation.appendleft(host)
        self.shortages += 1
        if self.shortages > _SHORTAGE_LIMIT:
            self._fail(OSError(code or 0, f"the system keeps refusing new connections: {os.strerror(code or 0)}"))
            return
        # Fewer connections at once from now on; what is in flight will free room.
        self.limit = max(1, min(self.limit, len(self.inflight)))
        self._sleep(0.01)

    def _answer(self, host: _Host, port: int, attempt: int, code: int) -> None:
        """Judge one attempt's result: open, closed, timed out (maybe retried) or unreachable."""
        if code == 0:
            host.open.append(port)
            host.useful = True
        elif code == errno.ECONNREFUSED:
            host.useful = True
        elif code in (_TIMED_OUT, errno.ETIMEDOUT):
            if attempt < self.policy.retries:
                host.retry.append((port, attempt + 1))
                return
            host.filtered.append(port)
        else:
            # "No route to host" (failed neighbour resolution, ICMP unreachable or prohibited), a
            # local firewall (EPERM), a broadcast address (EACCES)...: not open, maybe not closed.
            host.filtered.append(port)
            host.unreachable += 1
            if not host.useful and host.unreachable >= _UNREACHABLE_GIVE_UP:
                self._give_up(host, f"unreachable ({os.strerror(code)}) on its first {host.unreachable} ports")
                return
        self.shortages = 0
        host.done += 1
        self.pending_progress += 1
        if host.done == len(self.ports) and not host.stopped:
            host.stopped = True
            self.remaining -= 1

    def _give_up(self, host: _Host, reason: str) -> None:
        """No further attempt on ``host``; its untried ports are counted as done for the progress bar."""
        if host.stopped:
            return
        host.stopped = True
        if host.queued:  # a queued host is in the rotation (and only then)
            self.rotation.remove(host)
        self.remaining -= 1
        untried = len(self.ports) - host.next_port + len(host.retry)
        self.skipped[host.address] = f"{reason}; {untried} of {len(self.ports)} ports not tried"
        self.pending_progress += len(self.ports) - host.done

    def _finish(self, record: _Attempt, code: int) -> None:
        host = record.host
        host.inflight -= 1
        if host.stopped:
            # Given up while this attempt flew (cap spent, unreachable): an open port is still a fact.
            if code == 0:
                host.open.append(record.port)
            return
        self._answer(host, record.port, record.attempt, code)
        self._requeue(host)

    def _requeue(self, host: _Host) -> None:
        """Back into the rotation if ``host`` has ports to try and room for one more connection."""
        if host.queued or host.stopped or host.inflight >= self.policy.host_concurrency:
            return
        if host.retry or host.next_port < len(self.ports):
            host.queued = True
            self.rotation.append(host)

    def _on_ready(self) -> None:
        """The epoll set has ready sockets: read each one's verdict, close it, launch more."""
        try:
            events = self.epoll.poll(0, _BATCH)
        except OSError as error:
            self._fail(error)
            return
        inflight = self.inflight
        sol, so_error = socket.SOL_SOCKET, socket.SO_ERROR
        for fd, _ in events:
            record = inflight.pop(fd, None)
            if record is None:
                continue
            sock = record.sock
            code = sock.getsockopt(sol, so_error)
            sock.close()
            self._finish(record, code)
        self._launch()

    def _on_timer(self) -> None:
        """Expire the attempts whose handshake did not complete in time."""
        self.timer = None
        now = time.monotonic()
        expiry = self.expiry
        inflight = self.inflight
        while expiry and expiry[0].deadline <= now:
            record = expiry.popleft()
            fd = record.sock.fileno()
            if fd < 0 or inflight.get(fd) is not record:
                continue  # answered already (its socket is closed)
            del inflight[fd]
            record.sock.close()
            self._finish(record, _TIMED_OUT)
        while expiry and expiry[0].sock.fileno() < 0:
            expiry.popleft()
        self._launch()  # which sets the timer for the new head

    def result(self, started: float) -> DiscoveryResult:
        """The scan's findings, sorted."""
        return DiscoveryResult(
            open_ports={host.address: sorted(host.open) for host in self.hosts if host.open},
            filtered={host.address: sorted(host.filtered) for host in self.hosts if host.filtered},
            skipped=dict(self.skipped),
            attempts=self.attempts,
            duration=time.monotonic() - started,
        )


async def discover(
    addresses: Sequence[str],
    ports: Sequence[int],
    *,
    policy: ScanPolicy,
    rate: RateLimiter | None = None,
    gate: HostGate | None = None,
    progress: Progress | None = None,
) -> DiscoveryResult:
    """TCP connect scan of ``ports`` on ``addresses`` under ``policy``.

    ``addresses`` are IP addresses (IPv4 or IPv6; names are resolved and checked against the
    perimeter before discovery): a malformed one raises ``ValueError`` naming it, before any packet
    is sent. ``rate`` and ``gate`` are the audit's shared limiter and per-host budget (fresh ones
    from ``policy`` when omitted), so discovery and the probes that follow draw on the same
    allowances. Per-host concurrency is counted by the scan itself, with the semantics of
    ``gate.semaphore``: discovery runs before the probes of the same hosts. Progress goes to
    ``progress`` as phase ``"discover"``, one unit per (address, port).
    """
    hosts = [_Host(address, family, queued=True) for address, family in _parse_addresses(addresses)]
    port_list = _parse_ports(ports)
    started = time.monotonic()
    if not hosts or not port_list:
        progress = progress or NullProgress()
        progress.start("discover", 0)
        return DiscoveryResult(duration=time.monotonic() - started)
    scan = _Scan(
        hosts,
        port_list,
        policy=policy,
        rate=rate or RateLimiter(policy.rate),
        gate=gate or HostGate(policy),
        progress=progress or NullProgress(),
    )
    await scan.run()
    return scan.result(started)


def discover_sync(
    addresses: Sequence[str],
    ports: Sequence[int],
    *,
    policy: ScanPolicy,
    progress: Progress | None = None,
) -> DiscoveryResult:
    """:func:`discover` in a fresh event loop, for callers without one (CLI, benchmark, tasks)."""
    return asyncio.run(discover(addresses, ports, policy=policy, progress=progress))
