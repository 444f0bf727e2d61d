"""Discovery finds what nmap finds, and keeps every politeness promise on real sockets.

Lab addresses of this module (block .100-.149 of the worker's lab):

- .100-.103: listeners on a few ports each (.103 has none), compared with Debian's ``nmap -sT``;
- .105: listeners on ports 20000-20049, for the per-host connection cap;
- .106, .107: no listener (every port refuses);
- .140-.149: never given to the lab: nobody answers ARP for them, so a connection stays pending
  until our timeout (a filtered port), or fails with "no route to host" after the kernel's
  neighbour resolution gives up (about 3 s).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Self
from xml.etree import ElementTree as ET

import pytest

from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.scanner import DiscoveryResult, discover, discover_sync, raise_descriptor_limit

if TYPE_CHECKING:
    from hygie.engines.exposure.tests.netlab import NetLab

#: Open ports planted per lab address index.
PLANTED: dict[int, list[int]] = {100: [22, 80, 443, 3389], 101: [21, 80, 104], 102: [5432, 6379, 11112], 103: []}
CAP_PORTS = list(range(20000, 20050))
STATS_PORT = 65000
NMAP_PORTS = [*range(1, 201), 443, 3389, 5432, 6379, 8080, 11112]

#: Runs inside the lab: accept on every (address, port) given and close at once, counting the
#: connections accepted per local address; a connection to the stats socket gets those counts.
LISTENER = """
import json, selectors, socket, sys
spec = json.loads(sys.argv[1])
sel = selectors.DefaultSelector()
def listen(address, port, stats):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(1024)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, stats)
for address, port in spec["binds"]:
    listen(address, port, False)
listen(*spec["stats"], True)
accepted = {}
while True:
    for key, _ in sel.select():
        while True:
            try:
                conn, _ = key.fileobj.accept()
            except BlockingIOError:
                break
            if key.data:
                conn.setblocking(True)
                conn.sendall(json.dumps(accepted).encode())
            else:
                local = conn.getsockname()[0]
                accepted[local] = accepted.get(local, 0) + 1
            conn.close()
"""


class Listener:
    """The lab's listener process, and a way to ask it how many connections each address accepted."""

    def __init__(self, lab: NetLab) -> None:
        self.lab = lab
        self.stats = (lab.address(100), STATS_PORT)

    def accepted(self) -> dict[str, int]:
        """Connections accepted so far, per lab address."""
        with socket.create_connection(self.stats, timeout=5) as conn:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        counts: dict[str, int] = json.loads(data)
        return counts

    def accepted_since(self, address: str, before: int, expected: int, timeout: float = 10.0) -> int:
        """Connections ``address`` accepted since ``before``, once ``expected`` are counted or ``timeout`` passed.

        The kernel completes a handshake before the listener process accepts it: on a loaded machine
        the scan can finish while the listener still has connections in its backlog, so poll.
        """
        deadline = time.monotonic() + timeout
        while True:
            count = self.accepted().get(address, 0) - before
            if count >= expected:
                # Let any connection beyond the expected ones reach the listener too: "exactly" must hold.
                time.sleep(0.3)
                return self.accepted().get(address, 0) - before
            if time.monotonic() > deadline:
                return count
            time.sleep(0.05)


@pytest.fixture(scope="session")
def scan_listener(netlab: NetLab) -> Listener:
    """Listeners on the planted ports of .100-.103 and on the cap ports of .105 (started once)."""
    for index in (*PLANTED, 105, 106, 107):
        netlab.add_address(index)
    binds = [(netlab.address(index), port) for index, ports in PLANTED.items() for port in ports]
    binds += [(netlab.address(105), port) for port in CAP_PORTS]
    spec = {"binds": binds, "stats": [netlab.address(100), STATS_PORT]}
    netlab.start("scan-listener", [sys.executable, "-c", LISTENER, json.dumps(spec)], ready=tuple(spec["stats"]))  # type: ignore[arg-type]
    return Listener(netlab)


def fast_policy(**overrides: float) -> ScanPolicy:
    """A policy for the lab: no rate worth the name, short timeouts; ``overrides`` on top."""
    values: dict[str, float] = {
        "rate": 100_000.0,
        "host_concurrency": 64,
        "host_connection_cap": 100_000,
        "connect_timeout": 1.0,
        "retries": 1,
        "concurrency": 1024,
    }
    values.update(overrides)
    return ScanPolicy(**values)  # type: ignore[arg-type]


def nmap_open_ports(addresses: list[str], ports: list[int]) -> dict[str, list[int]]:
    """Open ports per address as Debian's ``nmap -sT`` reports them."""
    command = ["nmap", "-sT", "-n", "-Pn", "-p", ",".join(map(str, ports)), "-oX", "-", *addresses]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)  # noqa: S603 - fixed command
    found: dict[str, list[int]] = {}
    for host in ET.fromstring(done.stdout).iter("host"):  # noqa: S314 - our own nmap's output
        address = host.find("address")
        assert address is not None
        opened = [
            int(port.get("portid", "0"))
            for port in host.iter("port")
            if (state := port.find("state")) is not None and state.get("state") == "open"
        ]
        if opened:
            found[address.get("addr", "")] = sorted(opened)
    return found


class PendingSampler:
    """Samples /proc/net/tcp in a thread: the most handshakes in flight (SYN_SENT) seen per lab address."""

    def __init__(self, addresses: list[str]) -> None:
        self._wanted = {self._hex(address): address for address in addresses}
        self.per_host: dict[str, int] = dict.fromkeys(addresses, 0)
        self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _hex(address: str) -> str:
        # /proc/net/tcp writes an IPv4 address as the hex of its 32-bit value in host (little-endian) order.
        return socket.inet_aton(address)[::-1].hex().upper()

    def _sample(self) -> set[tuple[str, str]]:
        """(inode, remote address) of our handshakes in flight to the watched addresses."""
        found: set[tuple[str, str]] = set()
        with open("/proc/net/tcp") as table:  # noqa: PTH123 - read in a tight loop
            for line in table:
                fields = line.split()
                if len(fields) > 9 and fields[3] == "02":  # 02 is SYN_SENT
                    remote = self._wanted.get(fields[2].split(":")[0])
                    if remote is not None:
                        found.add((fields[9], remote))
        return found

    def _run(self) -> None:
        # The kernel lists sockets bucket by bucket, not atomically: one reading may show a socket
        # just closed next to its replacement. A socket seen in two readings in a row was alive at
        # the instant between them, so counting only those never overstates what was in flight.
        previous = self._sample()
        while not self._stop.is_set():
            current = self._sample()
            counts: dict[str, int] = {}
            for _, remote in previous & current:
                counts[remote] = counts.get(remote, 0) + 1
            for address, count in counts.items():
                self.per_host[address] = max(self.per_host[address], count)
            self.total = max(self.total, sum(counts.values()))
            previous = current
            time.sleep(0.002)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Recorder:
    """A ``Progress`` that remembers what it was told."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int | None]] = []
        self.advanced = 0

    def start(self, label: str, total: int | None = None) -> None:
        self.started.append((label, total))

    def advance(self, amount: int = 1) -> None:
        self.advanced += amount

    def log(self, message: str) -> None:
        """Ignore."""


@pytest.mark.lab
class TestDiscover:
    """Discovery reports exactly the open ports, as nmap does."""

    def test_finds_exactly_the_planted_ports(self, netlab: NetLab, scan_listener: Listener) -> None:
        """Given listeners on a few ports of four addresses, every planted port and nothing else is open."""
        addresses = [netlab.address(index) for index in PLANTED]
        result = discover_sync(addresses, NMAP_PORTS, policy=fast_policy())
        expected = {netlab.address(index): ports for index, ports in PLANTED.items() if ports}
        assert expected == result.open_ports
        assert {} == result.filtered
        assert {} == result.skipped
        assert len(addresses) * len(NMAP_PORTS) == result.attempts

    @pytest.mark.skipif(shutil.which("nmap") is None, reason="Debian's nmap is not installed")
    def test_same_open_ports_as_nmap(self, netlab: NetLab, scan_listener: Listener) -> None:
        """Given the same targets and ports, our open-port sets are nmap -sT's."""
        addresses = [netlab.address(index) for index in PLANTED]
        ours = discover_sync(addresses, NMAP_PORTS, policy=ScanPolicy(rate=5000, host_concurrency=16))
        assert nmap_open_ports(addresses, NMAP_PORTS) == ours.open_ports

    def test_gentle_defaults_still_find_everything(self, netlab: NetLab, scan_listener: Listener) -> None:
        """The default policy (two connections per host, 300 per second) gives the same answer."""
        address = netlab.address(100)
        result = discover_sync([address], [*range(15, 30), 80, 443, 3389], policy=ScanPolicy())
        assert {address: PLANTED[100]} == result.open_ports

    def test_refused_ports_are_never_retried(self, netlab: NetLab, scan_listener: Listener) -> None:
        """A refusal is a final answer: no retry even when retries are allowed."""
        result = discover_sync([netlab.address(106)], range(1000, 1100), policy=fast_policy(retries=5))
        assert 100 == result.attempts
        assert {} == result.open_ports
        assert {} == result.filtered

    def test_runs_inside_a_running_loop(self, netlab: NetLab, scan_listener: Listener) -> None:
        """``discover`` shares the caller's event loop: other tasks keep running during the scan."""

        async def scan_and_tick() -> tuple[DiscoveryResult, int]:
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0.001)

            ticker = asyncio.create_task(tick())
            # 1,500 attempts at 1,000 per second: answers are immediate, the rate spreads the last 500.
            result = await discover([netlab.address(101)], range(1, 1501), policy=fast_policy(rate=1000))
            ticker.cancel()
            return result, ticks

        result, ticks = asyncio.run(scan_and_tick())
        assert {netlab.address(101): PLANTED[101]} == result.open_ports
        assert ticks > 50


class TestPoliteness:
    """Every politeness setting holds, measured on the wire or by the listeners."""

    @pytest.mark.lab
    def test_rate_is_respected(self, netlab: NetLab, scan_listener: Listener) -> None:
        """500 attempts at 200 per second take at least 1.5 s (the bucket starts with one second of tokens)."""
        start = time.monotonic()
        result = discover_sync([netlab.address(107)], range(2000, 2500), policy=fast_policy(rate=200))
        elapsed = time.monotonic() - start
        assert 500 == result.attempts
        assert 1.45 <= elapsed < 4.0

    @pytest.mark.lab
    def test_shared_rate_limiter_is_drained(self, netlab: NetLab, scan_listener: Listener) -> None:
        """An audit's limiter already emptied by earlier work slows discovery down."""
        rate = RateLimiter(100)
        while rate.try_acquire():
            pass
        start = time.monotonic()
        asyncio.run(discover([netlab.address(107)], range(3000, 3050), policy=fast_policy(), rate=rate))
        assert time.monotonic() - start >= 0.45

    @pytest.mark.lab
    def test_per_host_concurrency(self, netlab: NetLab) -> None:
        """Handshakes in flight to one host never exceed host_concurrency, and reach it."""
        silent = netlab.address(140)
        policy = fast_policy(host_concurrency=3, concurrency=100, connect_timeout=0.25, retries=0)
        with PendingSampler([silent]) as sampler:
            result = discover_sync([silent], range(1, 13), policy=policy)
        assert {silent: list(range(1, 13))} == result.filtered
        assert 3 == sampler.per_host[silent]

    @pytest.mark.lab
    def test_global_concurrency(self, netlab: NetLab) -> None:
        """Handshakes in flight to all hosts never exceed concurrency, and reach it."""
        silent = [netlab.address(141), netlab.address(142), netlab.address(147)]
        policy = fast_policy(host_concurrency=5, concurrency=7, connect_timeout=0.25, retries=0)
        with PendingSampler(silent) as sampler:
            result = discover_sync(silent, range(1, 9), policy=policy)
        assert {address: list(range(1, 9)) for address in silent} == result.filtered
        assert 7 == sampler.total
        assert max(sampler.per_host.values()) <= 5

    @pytest.mark.lab
    def test_host_connection_cap(self, netlab: NetLab, scan_listener: Listener) -> None:
        """Given a cap of 20 and 50 listening ports, the host accepts exactly 20 connections and is skipped."""
        address = netlab.address(105)
        before = scan_listener.accepted().get(address, 0)
        result = discover_sync([address], CAP_PORTS, policy=fast_policy(host_connection_cap=20, host_concurrency=4))
        assert 20 == scan_listener.accepted_since(address, before, 20)
        assert 20 == result.attempts
        assert 20 == len(result.open_ports[address])
        assert "connection cap (20)" in result.skipped[address]
        assert "30 of 50 ports not tried" in result.skipped[address]

    @pytest.mark.lab
    def test_cap_is_shared_with_the_audit(self, netlab: NetLab, scan_listener: Listener) -> None:
        """Connections already charged to the audit's gate count against the cap."""
        address = netlab.address(105)
        policy = fast_policy(host_connection_cap=10)
        gate = HostGate(policy)
        for _ in range(6):
            gate.spend(address)
        result = asyncio.run(discover([address], CAP_PORTS, policy=policy, gate=gate))
        assert 4 == result.attempts
        assert gate.exhausted(address)

    @pytest.mark.lab
    def test_timeouts_are_retried_then_filtered(self, netlab: NetLab) -> None:
        """A silent port costs 1 + retries attempts, each waiting the timeout, then is filtered."""
        address = netlab.address(143)
        start = time.monotonic()
        result = discover_sync([address], [1, 2, 3], policy=fast_policy(connect_timeout=0.2, retries=2))
        elapsed = time.monotonic() - start
        assert 9 == result.attempts
        assert {address: [1, 2, 3]} == result.filtered
        assert {} == result.open_ports
        assert 0.55 <= elapsed < 2.5

    def test_full_backlog_is_filtered(self) -> None:
        """A listener that never accepts and whose queue is full drops SYNs: filtered, never open."""
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(0)
            port = server.getsockname()[1]
            # Linux queues backlog + 1 handshakes (one here); the next SYNs are dropped.
            fillers = [socket.create_connection(("127.0.0.1", port), timeout=1)]
            try:
                result = discover_sync(["127.0.0.1"], [port], policy=fast_policy(connect_timeout=0.3, retries=1))
            finally:
                for filler in fillers:
                    filler.close()
        assert {"127.0.0.1": [port]} == result.filtered
        assert 2 == result.attempts

    @pytest.mark.lab
    def test_unreachable_host_is_given_up(self, netlab: NetLab) -> None:
        """A host nobody answers ARP for is abandoned after a few 'no route' answers, its other ports untried."""
        address = netlab.address(145)
        result = discover_sync([address], range(1, 101), policy=fast_policy(connect_timeout=8, host_concurrency=8))
        assert "unreachable" in result.skipped[address]
        assert result.attempts < 20
        assert {} == result.open_ports

    @pytest.mark.lab
    def test_descriptor_limit_bounds_concurrency(self, netlab: NetLab) -> None:
        """Under a hard limit of 160 descriptors, a scan asking for 10,000 connections at once still completes."""
        address = netlab.address(146)
        code = (
            "import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_NOFILE, (160, 160))\n"
            "from hygie.engines.exposure.policy import ScanPolicy\n"
            "from hygie.engines.exposure.scanner import discover_sync\n"
            "policy = ScanPolicy(rate=1e6, host_concurrency=1024, concurrency=10000, connect_timeout=0.3, retries=0)\n"
            f"result = discover_sync(['{address}'], range(1, 301), policy=policy)\n"
            "print(len(result.filtered.get(sys.argv[1], [])), result.attempts)\n"
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", code, address], capture_output=True, text=True, check=False, timeout=60
        )
        assert 0 == done.returncode, done.stderr[-2000:]
        assert "300 300" == done.stdout.strip()

    def test_raise_descriptor_limit(self) -> None:
        """The soft limit ends at the hard limit."""
        import resource

        soft = raise_descriptor_limit()
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        assert soft >= 1024


@pytest.mark.lab
class TestProgress:
    """Progress counts every (address, port), tried or skipped."""

    def test_progress_reaches_the_total(self, netlab: NetLab, scan_listener: Listener) -> None:
        """Start announces addresses x ports; the advances add up to it, a capped host included."""
        recorder = Recorder()
        addresses = [netlab.address(105), netlab.address(106)]
        asyncio.run(
            discover(addresses, CAP_PORTS, policy=fast_policy(host_connection_cap=25), progress=recorder),
        )
        assert [("discover", 100)] == recorder.started
        assert 100 == recorder.advanced


class TestBadInput:
    """Malformed targets are refused before any packet; empty lists scan nothing."""

    @pytest.mark.parametrize("bad", ["", "999.1.1.1", "10.0.0.1/24", "hopital.example", "1.2.3", "010.0.0.1", "::g"])
    def test_invalid_address(self, bad: str) -> None:
        """The message names the bad address."""
        with pytest.raises(ValueError, match="is not an IP address"):
            discover_sync([bad], [80], policy=ScanPolicy())

    @pytest.mark.parametrize("bad", ["224.0.0.1", "0.0.0.0", "::"])  # noqa: S104 - refused, never bound
    def test_unscannable_address(self, bad: str) -> None:
        """Multicast and unspecified addresses are refused."""
        with pytest.raises(ValueError, match="cannot be scanned"):
            discover_sync([bad], [80], policy=ScanPolicy())

    @pytest.mark.parametrize("bad", [0, 65536, -1])
    def test_invalid_port(self, bad: int) -> None:
        """Ports outside 1-65535 are refused."""
        with pytest.raises(ValueError, match="is not a TCP port"):
            discover_sync(["127.0.0.1"], [bad], policy=ScanPolicy())

    def test_wrong_types(self) -> None:
        """A single string instead of a list, or a port that is not an integer, is a TypeError."""
        with pytest.raises(TypeError, match="not one string"):
            discover_sync("127.0.0.1", [80], policy=ScanPolicy())
        with pytest.raises(TypeError, match="not a TCP port number"):
            discover_sync(["127.0.0.1"], ["80"], policy=ScanPolicy())  # type: ignore[list-item]
        with pytest.raises(TypeError, match="not a TCP port number"):
            discover_sync(["127.0.0.1"], [True], policy=ScanPolicy())

    def test_empty_lists(self) -> None:
        """No address or no port: an empty result at once."""
        assert 0 == discover_sync([], [80], policy=ScanPolicy()).attempts
        result = discover_sync(["127.0.0.1"], [], policy=ScanPolicy())
        assert ({}, {}, {}, 0) == (result.open_ports, result.filtered, result.skipped, result.attempts)

    def test_chatty_server_is_just_open(self) -> None:
        """A server that floods binary garbage at once is reported open; discovery never reads from it."""

        async def scan_flooder() -> DiscoveryResult:
            async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                try:
                    for _ in range(1000):
                        writer.write(bytes(range(256)) * 64)
                        await writer.drain()
                except ConnectionError:
                    pass
                finally:
                    writer.close()

            server = await asyncio.start_server(flood, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            async with server:
                return await discover(["127.0.0.1"], [port], policy=ScanPolicy(connect_timeout=2))

        result = asyncio.run(asyncio.wait_for(scan_flooder(), 10))
        assert 1 == len(result.open_ports["127.0.0.1"])
        assert 1 == result.attempts

    def test_duplicates_are_scanned_once(self) -> None:
        """Repeated addresses (in any spelling) and ports cost one attempt each."""
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(8)
            port = server.getsockname()[1]
            result = discover_sync(["127.0.0.1", " 127.0.0.1 ", "127.0.0.1"], [port, port], policy=ScanPolicy())
        assert 1 == result.attempts
        assert {"127.0.0.1": [port]} == result.open_ports
