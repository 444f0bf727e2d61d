"""Benchmark: discovery (TCP connect scan) of a namespace lab of 254 addresses against ``nmap -sT -T4``.

Builds one network namespace holding 198.19.1.1-198.19.1.254 behind a veth pair (RFC 2544
addresses, never routed: every packet stays on this machine), with listeners inside it: a dozen
ports open on every address, and a few more open only on some addresses so that the open-port sets
differ from host to host. Then, ``--repeat`` times and in turn, it measures:

- ``hygie``: ``discover`` on every address and port, with an aggressive policy (a lab, not a
  hospital: no rate limit worth the name, a short timeout);
- ``nmap``: Debian's ``nmap -sT -T4 -n -Pn -p <same ports> -oX -`` on the same addresses.

Both must report exactly the planted open ports. Prints human lines, then one JSON object on the
last line; the median of the runs is kept. Target (issue 4): hygie at least as fast as nmap
(``ratio_vs_nmap`` = nmap seconds / hygie seconds >= 1) with identical open-port sets.

    python bench/exposure.py --smoke          # 8 addresses x 100 ports, seconds (CI, as root)
    python bench/exposure.py --full           # 254 addresses x 1,000 ports (default)
    python bench/exposure.py --full --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # our own nmap's output only

SMOKE = {"addresses": 8, "ports": 100}
FULL = {"addresses": 254, "ports": 1000}
#: Ports open on every address, and ports open only on addresses whose index is a multiple of N.
EVERYWHERE = 12
SOME = ((2, 1), (3, 2), (5, 3), (7, 5), (11, 8), (13, 13))

#: A lab is not a hospital: the benchmark measures the scanner, not the politeness.
AGGRESSIVE = {
    "rate": 1_000_000.0,
    "host_concurrency": 64,
    "host_connection_cap": 1_000_000,
    "connect_timeout": 1.0,
    "retries": 1,
    "concurrency": 4096,
}

#: Run inside the lab: listen on the given (address, port) pairs, accept and close at once.
LISTENER = """
import json, selectors, socket, sys
sel = selectors.DefaultSelector()
for address, port in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        for _ in range(64):
            try:
                conn, _ = key.fileobj.accept()
            except BlockingIOError:
                break
            conn.close()
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options from the command line; ``--full`` sizes unless ``--smoke`` or explicit counts."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--smoke", action="store_true", help="8 addresses x 100 ports, seconds")
    mode.add_argument("--full", action="store_true", help="254 addresses x 1,000 ports (default)")
    parser.add_argument("--addresses", type=int, help="addresses in the lab (1-254)")
    parser.add_argument("--ports", type=int, help="ports scanned per address (at most 1,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scanner; the median is kept")
    parser.add_argument("--no-nmap", action="store_true", help="measure hygie alone")
    args = parser.parse_args(argv)
    sizes = dict(SMOKE if args.smoke else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    if not 1 <= sizes["addresses"] <= 254 or not 20 <= sizes["ports"] <= 1000:  # noqa: PLR2004
        parser.error("--addresses must be 1-254 and --ports 20-1,000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.sizes = sizes
    return args


def plant(addresses: list[str], ports: list[int]) -> tuple[list[tuple[str, int]], dict[str, list[int]]]:
    """The listening sockets to open, and the open ports each address must show."""
    step = max(1, len(ports) // (EVERYWHERE + len(SOME)))
    chosen = ports[::step]
    everywhere, some = chosen[:EVERYWHERE], chosen[EVERYWHERE : EVERYWHERE + len(SOME)]
    binds = [("0.0.0.0", port) for port in everywhere]  # noqa: S104 - inside the lab's namespace only
    expected = {address: list(everywhere) for address in addresses}
    for port, (modulo, offset) in zip(some, SOME, strict=False):
        for index, address in enumerate(addresses):
            if index % modulo == offset % modulo:
                binds.append((address, port))
                expected[address].append(port)
    return binds, {address: sorted(found) for address, found in expected.items()}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def populate(lab: Any, count: int, ports: list[int]) -> tuple[list[str], dict[str, list[int]]]:
    """Give the lab ``count`` addresses (198.19.1.1 on) and start its listeners; the open ports to expect."""
    addresses = lab.add_addresses([256 + index for index in range(1, count + 1)])
    binds, expected = plant(addresses, ports)
    lab.start("listeners", [sys.executable, "-c", LISTENER, json.dumps(binds)], ready=(addresses[0], binds[0][1]))
    return addresses, expected


def nmap_scan(addresses: list[str], ports: list[int]) -> tuple[float, float, float | None, dict[str, list[int]]]:
    """Wall and CPU seconds, nmap's own elapsed seconds and the open ports of ``nmap -sT -T4`` on the targets."""
    command = ["nmap", "-sT", "-T4", "-n", "-Pn", "-p", ",".join(map(str, ports)), "-oX", "-", *addresses]
    cpu = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)  # noqa: S603 - fixed command
    seconds = time.perf_counter() - start
    cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu
    if done.returncode != 0:
        raise SystemExit(f"nmap failed: {done.stderr[-2000:]}")
    root = ET.fromstring(done.stdout)  # noqa: S314 - our own nmap's output
    found: dict[str, list[int]] = {}
    for host in root.iter("host"):
        address = host.find("address")
        if address is None:
            continue
        opened = [
            int(port.get("portid", "0"))
            for port in host.iter("port")
            if (state := port.find("state")) is not None and state.get("state") == "open"
        ]
        if opened:
            found[address.get("addr", "")] = sorted(opened)
    finished = root.find("runstats/finished")
    elapsed = float(finished.get("elapsed", "0")) if finished is not None else None
    return seconds, cpu, elapsed, found


def hygie_scan(addresses: list[str], ports: list[int]) -> tuple[float, float, Any]:
    """Wall and CPU seconds and the result of our discovery on the targets."""
    from hygie.engines.exposure.policy import ScanPolicy
    from hygie.engines.exposure.scanner import discover_sync

    policy = ScanPolicy(**AGGRESSIVE)  # type: ignore[arg-type]
    cpu = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = discover_sync(addresses, ports, policy=policy)
    return time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu, result


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build the lab, scan it with both scanners ``--repeat`` times, compare."""
    from hygie.engines.exposure.ports import NAMED_SETS
    from hygie.engines.exposure.tests.netlab import LabError, NetLab, lab_unavailable_reason

    reason = lab_unavailable_reason() or ("" if shutil.which("nmap") or args.no_nmap else "nmap is not installed")
    if reason:
        return {"benchmark": "exposure", "skipped": reason}
    ports = sorted(NAMED_SETS["top1000"])[: args.sizes["ports"]]
    try:
        lab = NetLab(network="198.19.0.0/23", slots=range(200, 250))
    except LabError as error:
        return {"benchmark": "exposure", "skipped": str(error)}
    with lab:
        addresses, expected = populate(lab, args.sizes["addresses"], ports)
        open_count = sum(len(found) for found in expected.values())
        print(f"lab: {len(addresses)} addresses x {len(ports)} ports, {open_count} open ports planted")
        hygie_runs: list[float] = []
        hygie_cpu: list[float] = []
        nmap_runs: list[float] = []
        nmap_cpu: list[float] = []
        nmap_elapsed: list[float] = []
        identical = matches_planted = True
        attempts = 0
        for run_index in range(args.repeat):
            # Each scanner goes first every other run: neither always inherits the other's leftovers.
            scanners = ["hygie"] if args.no_nmap else ["hygie", "nmap"][:: 1 if run_index % 2 == 0 else -1]
            found: dict[str, list[int]] = {}
            for scanner in scanners:
                if scanner == "hygie":
                    seconds, cpu, result = hygie_scan(addresses, ports)
                    hygie_runs.append(seconds)
                    hygie_cpu.append(cpu)
                    attempts = result.attempts
                    matches_planted &= result.open_ports == expected
                    opened = sum(len(p) for p in result.open_ports.values())
                    print(
                        f"hygie: {seconds:6.2f} s (CPU {cpu:.2f} s), {result.attempts} attempts, {opened} open, "
                        f"{len(result.filtered)} hosts with filtered ports"
                    )
                else:
                    n_seconds, n_cpu, n_elapsed, found = nmap_scan(addresses, ports)
                    nmap_runs.append(n_seconds)
                    nmap_cpu.append(n_cpu)
                    if n_elapsed is not None:
                        nmap_elapsed.append(n_elapsed)
                    opened = sum(len(p) for p in found.values())
                    print(f"nmap:  {n_seconds:6.2f} s (CPU {n_cpu:.2f} s, nmap says {n_elapsed} s), {opened} open")
            if not args.no_nmap:
                identical &= found == result.open_ports
    hygie_s = statistics.median(hygie_runs)
    figures: dict[str, Any] = {
        "benchmark": "exposure",
        "addresses": len(addresses),
        "ports": len(ports),
        "hygie_seconds": round(hygie_s, 3),
        "hygie_runs": [round(value, 3) for value in hygie_runs],
        "hygie_cpu_seconds": round(statistics.median(hygie_cpu), 3),
        "attempts": attempts,
        "attempts_per_second": round(attempts / hygie_s),
        "open_ports": open_count,
        "matches_planted": matches_planted,
        "policy": AGGRESSIVE,
    }
    if not args.no_nmap:
        nmap_s = statistics.median(nmap_runs)
        figures.update(
            {
                "nmap_seconds": round(nmap_s, 3),
                "nmap_runs": [round(value, 3) for value in nmap_runs],
                "nmap_cpu_seconds": round(statistics.median(nmap_cpu), 3),
                "nmap_reported_seconds": statistics.median(nmap_elapsed) if nmap_elapsed else None,
                "ratio_vs_nmap": round(nmap_s / hygie_s, 2),
                # On a shared machine other work steals wall time from either scanner; CPU time does not move.
                "ratio_cpu_vs_nmap": round(statistics.median(nmap_cpu) / statistics.median(hygie_cpu), 2),
                "paired_ratios": [round(n / h, 2) for n, h in zip(nmap_runs, hygie_runs, strict=True)],
                "identical_open_ports": identical,
                "pass": identical and matches_planted and nmap_s >= hygie_s,
            }
        )
        print(f"hygie {hygie_s:.2f} s, nmap {nmap_s:.2f} s: ratio {nmap_s / hygie_s:.2f} (>= 1: at least as fast)")
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 0 whether or not the target is met (``pass`` says)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    args = parse_args(argv)
    print(json.dumps(run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
