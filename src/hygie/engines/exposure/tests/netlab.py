"""A lab of real servers in a network namespace, for the exposure engine's tests and benchmark.

Each :class:`NetLab` creates its own namespace joined to the test process's namespace by a veth
pair, on a /24 of 198.18.0.0/15 (RFC 2544, reserved for benchmarking: no real machine lives
there). A slot number, held by a file lock for the lab's lifetime, keeps parallel test workers on
distinct namespaces and subnets. Servers are started inside the namespace with ``ip netns exec``;
the scanner runs in the test process and reaches them only through the veth pair, so every packet
it sends stays inside the lab. Needs root and iproute2; ``lab_or_skip`` says why when they lack.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

import pytest

__all__ = ["LabError", "LabProcess", "LabServer", "NetLab", "lab_or_skip", "lab_unavailable_reason"]

_LOCK_DIR = Path(tempfile.gettempdir()) / "hygie-netlab"
#: Slots 1-199 are for tests (198.18.N.0/24); the benchmark uses 198.19.0.0/24 and slot 200+.
_TEST_SLOTS = range(1, 200)


class LabError(RuntimeError):
    """The lab could not be built or a server in it did not start; the message carries its output."""


def lab_unavailable_reason() -> str:
    """Why a namespace lab cannot be built here ('' when it can)."""
    if os.geteuid() != 0:
        return "the exposure lab needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "the exposure lab needs iproute2 ('ip')"
    return ""


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=30)  # noqa: S603 - fixed commands
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result


@dataclass(frozen=True, slots=True)
class LabServer:
    """Where a lab server listens."""

    address: str
    port: int


class LabProcess:
    """A server running inside the lab; stopped (with its whole process group) on ``stop``."""

    def __init__(self, name: str, popen: subprocess.Popen[bytes], log: Path) -> None:
        self.name = name
        self.popen = popen
        self.log = log

    def output(self) -> str:
        """What the server printed so far (for error messages)."""
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the server and its children."""
        if self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


class NetLab:
    """A network namespace on its own /24, reachable from the test process through a veth pair.

    ``address(n)`` is ``<subnet>.n``: ``.1`` is the test side, ``.2`` the lab's first address;
    :meth:`add_address` gives the lab more. :meth:`start` runs a server inside the lab and waits
    until its port accepts connections.
    """

    def __init__(self, *, network: str | None = None, slots: Sequence[int] = _TEST_SLOTS) -> None:
        reason = lab_unavailable_reason()
        if reason:
            raise LabError(reason)
        _LOCK_DIR.mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] | None = None
        self.slot = self._take_slot(slots)
        self.name = f"hygie-lab-{self.slot}"
        self.network = ipaddress.IPv4Network(network or f"198.18.{self.slot}.0/24")
        self._host_if = f"hyl{self.slot}h"
        self._lab_if = f"hyl{self.slot}l"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.processes: list[LabProcess] = []
        self._build()

    def _take_slot(self, slots: Sequence[int]) -> int:
        for slot in slots:
            handle = (_LOCK_DIR / f"{slot}.lock").open("w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self._lock = handle
            return slot
        raise LabError("every lab slot is taken")

    def address(self, index: int) -> str:
        """The lab address ``<subnet>.index``."""
        return str(self.network.network_address + index)

    @property
    def gateway(self) -> str:
        """The test process's own address on the lab link."""
        return self.address(1)

    def _build(self) -> None:
        # A namespace of the same slot left by a killed run is ours to remove (we hold the slot lock).
        _run("ip", "netns", "del", self.name, check=False)
        _run("ip", "link", "del", self._host_if, check=False)
        _run("ip", "netns", "add", self.name)
        prefix = self.network.prefixlen
        try:
            _run("ip", "link", "add", self._host_if, "type", "veth", "peer", "name", self._lab_if)
            _run("ip", "link", "set", self._lab_if, "netns", self.name)
            for interface, namespace in ((self._host_if, None), (self._lab_if, self.name)):
                # IPv6 off on the lab link: no router solicitations or DAD noise in packet counts.
                self._sysctl(f"net.ipv6.conf.{interface}.disable_ipv6=1", namespace)
            _run("ip", "addr", "add", f"{self.gateway}/{prefix}", "dev", self._host_if)
            _run("ip", "link", "set", self._host_if, "up")
            self.exec("ip", "addr", "add", f"{self.address(2)}/{prefix}", "dev", self._lab_if)
            self.exec("ip", "link", "set", self._lab_if, "up")
            self.exec("ip", "link", "set", "lo", "up")
        except LabError:
            self.close()
            raise

    def _sysctl(self, setting: str, namespace: str | None) -> None:
        prefix = ("ip", "netns", "exec", namespace) if namespace else ()
        _run(*prefix, "sysctl", "-q", "-w", setting, check=False)

    def exec(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command inside the lab and wait for it."""
        return _run("ip", "netns", "exec", self.name, *args, check=check)

    def add_address(self, index: int) -> str:
        """Give the lab the address ``<subnet>.index`` (idempotent) and return it."""
        address = self.address(index)
        result = self.exec("ip", "addr", "add", f"{address}/{self.network.prefixlen}", "dev", self._lab_if, check=False)
        if result.returncode != 0 and "File exists" not in result.stderr:
            raise LabError(f"cannot add {address}: {result.stderr.strip()}")
        return address

    def add_addresses(self, indices: Sequence[int]) -> list[str]:
        """Give the lab many addresses at once (one ``ip -batch``, fast for hundreds); return them."""
        addresses = [self.address(index) for index in indices]
        batch = self.workdir / "addresses.batch"
        prefix = self.network.prefixlen
        batch.write_text("".join(f"addr replace {address}/{prefix} dev {self._lab_if}\n" for address in addresses))
        self.exec("ip", "-batch", str(batch))
        return addresses

    def start(
        self,
        name: str,
        command: Sequence[str],
        *,
        ready: tuple[str, int] | None = None,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> LabProcess:
        """Start ``command`` inside the lab; when ``ready`` is given, wait until that port accepts."""
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - fixed argument lists from the tests
                ["ip", "netns", "exec", self.name, *command],  # noqa: S607 - iproute2 from PATH
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **(env or {})},
                cwd=cwd,
            )
        process = LabProcess(name, popen, log)
        self.processes.append(process)
        if ready is not None:
            self.wait_port(*ready, process=process, timeout=timeout)
        return process

    def wait_port(self, address: str, port: int, *, process: LabProcess | None = None, timeout: float = 30.0) -> None:
        """Wait until ``address:port`` accepts a TCP connection; ``LabError`` with the server's output if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.popen.poll() is not None:
                raise LabError(f"{process.name} exited with {process.popen.returncode}: {process.output()}")
            with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=0.5):
                return
            time.sleep(0.1)
        output = process.output() if process else ""
        raise LabError(f"nothing listens on {address}:{port} after {timeout:.0f} s: {output}")

    def tcp_segments_received(self) -> int:
        """TCP segments the lab's kernel received so far (``Tcp: InSegs`` of its /proc/net/snmp)."""
        text = self.exec("cat", "/proc/net/snmp").stdout
        lines = [line.split() for line in text.splitlines() if line.startswith("Tcp:")]
        header, values = lines[0], lines[1]
        return int(values[header.index("InSegs")])

    def close(self) -> None:
        """Stop every server, delete the namespace and its link, release the slot."""
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        _run("ip", "netns", "del", self.name, check=False)
        _run("ip", "link", "del", self._host_if, check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def lab_or_skip() -> Iterator[NetLab]:
    """A fresh lab for a test or fixture, or ``pytest.skip`` saying why none can be built here."""
    reason = lab_unavailable_reason()
    if reason:
        pytest.skip(reason)
    lab = NetLab()
    try:
        yield lab
    finally:
        lab.close()
