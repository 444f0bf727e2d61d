"""Helpers of ``bench/detection.py``: the corpus, the replayed JSON-lines file, Zircolite's venv and ruleset.

Nothing here belongs to Hygie's engines: the benchmark uses them to prepare its inputs. Zircolite
runs from its public source in a folder outside the repository, in a throwaway virtualenv under
the benchmark's cache folder (``~/.cache/hygie-bench`` unless ``$HYGIE_BENCH_CACHE``); its Sigma
conversion (pySigma's SQLite backend with the Sysmon and Windows log-source pipelines) is done once
and cached there under a digest of the rule files.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
#: Zircolite's own pipelines for Windows rules (its README: ``--pipeline sysmon --pipeline windows-logsources``).
ZIRCOLITE_PIPELINES = ("sysmon", "windows-logsources")
#: Replayed events start here, one millisecond apart: fresh, increasing and far from the samples' own dates.
REPLAY_START = datetime(2026, 1, 1, tzinfo=UTC)


def corpus_root() -> Path | None:
    """The public corpus (``$HYGIE_CORPUS``, else ``../shared/corpus`` beside the repository), if present."""
    root = Path(os.environ.get("HYGIE_CORPUS") or REPO.parent / "shared" / "corpus")
    return root if (root / "detection" / "evtx-attack-samples").is_dir() else None


def cache_root() -> Path:
    """The benchmark's cache folder, outside the repository (virtualenv, converted ruleset, rule cache)."""
    root = Path(os.environ.get("HYGIE_BENCH_CACHE") or Path.home() / ".cache" / "hygie-bench")
    root.mkdir(parents=True, exist_ok=True)
    return root


@dataclass(slots=True)
class ChildRun:
    """One child process: its wall seconds, its own peak RSS, exit status, output, error tail and CPU seconds."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr_tail: str
    #: User + system CPU of the child and the descendants it waited for: steady on a shared machine.
    cpu_seconds: float = 0.0
    #: Peak of the memory of the child and all its descendants together (summed PSS, sampled every
    #: 0.1 s): a hunt forks workers, and ``ru_maxrss`` gives only the largest single process.
    peak_memory_mb: float = 0.0


def tree_memory_mb(pid: int) -> float:
    """Summed proportional set size (PSS: shared pages counted once) of ``pid`` and its descendants."""
    total_kib = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue  # the process ended meanwhile
        pending.extend(int(child) for child in children)
        total_kib += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    return total_kib / 1024


def run_child(command: list[str], *, cwd: Path | None = None, timeout: float = 7200.0) -> ChildRun:
    """Run ``command``; wall time from spawn to exit, its peak RSS (``wait4``) and its process tree's peak memory.

    ``getrusage(RUSAGE_CHILDREN)`` would give the largest of all children so far; ``wait4`` gives
    this one's, so each figure is its own run's.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)  # noqa: S603 - our own commands
        peak_memory = 0.0
        sampled = 0.0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - sampled >= 0.1:  # noqa: PLR2004 - the sampling period
                peak_memory = max(peak_memory, tree_memory_mb(process.pid))
                sampled = time.perf_counter()
            if time.perf_counter() - start > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr_tail = err.read()[-4000:].decode("utf-8", "replace")
    # Linux reports ru_maxrss in KiB.
    cpu = usage.ru_utime + usage.ru_stime
    peak_memory = max(peak_memory, usage.ru_maxrss / 1024)  # a run shorter than one sample
    return ChildRun(seconds, usage.ru_maxrss / 1024, process.returncode, stdout, stderr_tail, cpu, peak_memory)


def self_peak_rss_mb() -> float:
    """The peak RSS of the current process, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the replayed JSON-lines corpus ---------------------------------------------------------------


def flat_events(samples: Path) -> list[dict[str, Any]]:
    """The samples' events as flat JSON objects, named as Zircolite flattens EVTX (and Hygie reads flat JSON).

    System values first (``Channel``, ``EventID``, ``Provider_Name``, ``Computer``), then the event's
    own fields; ``EventRecordID`` and ``SystemTime`` are left out: the replay gives fresh ones.
    """
    sys.path.insert(0, str(REPO / "src"))
    from hygie.engines.detection.model import ReadStats
    from hygie.engines.detection.readers.evtx import evtx_events

    events: list[dict[str, Any]] = []
    stats = ReadStats()
    for path in sorted(samples.rglob("*.evtx")):
        for _label, (_timestamp, channel, event_id, provider, computer, _record, fields) in evtx_events(
            path, stats=stats
        ):
            event: dict[str, Any] = {"Channel": channel, "EventID": event_id, "Provider_Name": provider}
            event["Computer"] = computer
            event.update(fields)
            for name in ("EventRecordID", "SystemTime"):
                event.pop(name, None)
            events.append({name: value for name, value in event.items() if value is not None})
    return events


def write_replay(events: list[dict[str, Any]], path: Path, count: int) -> int:
    """Write ``count`` events to ``path`` as JSON lines, replaying ``events`` in turn; the bytes written.

    Each line gets a fresh ``EventRecordID`` (1, 2, ...) and ``SystemTime`` (one millisecond apart
    from ``REPLAY_START``). Every sample is serialised once; a line is its new head plus that text.
    """
    bodies = [orjson.dumps(event)[1:] for event in events]  # without the opening brace
    written = 0
    with path.open("wb", buffering=4 * 1024 * 1024) as out:
        lines: list[bytes] = []
        for index in range(count):
            body = bodies[index % len(bodies)]
            stamp = (REPLAY_START + timedelta(milliseconds=index)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            head = b'{"EventRecordID":%d,"SystemTime":"%s"' % (index + 1, stamp.encode())
            lines.append(head + (b"," + body if body != b"}" else b"}") + b"\n")
            if len(lines) >= 8192:  # noqa: PLR2004 - write in blocks
                chunk = b"".join(lines)
                written += len(chunk)
                out.write(chunk)
                lines.clear()
        chunk = b"".join(lines)
        written += len(chunk)
        out.write(chunk)
    return written


# --- Zircolite: its virtualenv and its converted ruleset ------------------------------------------


def zircolite_python(source: Path, given: Path | None, progress: Any = print) -> Path:
    """The Python that runs Zircolite: ``given``, or a virtualenv in the cache with its requirements."""
    if given is not None:
        return given
    venv = cache_root() / "zircolite-venv"
    python = venv / "bin" / "python"
    marker = venv / ".requirements-installed"
    requirements = source / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if python.exists() and marker.exists() and marker.read_text() == digest:
        return python
    progress(f"zircolite: creating its virtualenv in {venv} (pip install -r {requirements})")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603 - fixed command
    subprocess.run(  # noqa: S603 - fixed command
        [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True
    )
    marker.write_text(digest)
    return python


def _rules_digest(rules: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(rules.rglob("*.yml")):
        digest.update(str(path.relative_to(rules)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(",".join(ZIRCOLITE_PIPELINES).encode())
    return digest.hexdigest()[:16]


def zircolite_ruleset(python: Path, source: Path, rules: Path, one_evtx: Path, progress: Any = print) -> Path:
    """Zircolite's JSON ruleset converted from ``rules`` by Zircolite itself, cached under the rules' digest.

    Zircolite converts Sigma YAML only as part of a run, saving the ruleset in its working folder
    (``--save-ruleset``): run it once on one small EVTX file in a scratch folder and keep the JSON.
    """
    cached = cache_root() / f"zircolite-ruleset-{_rules_digest(rules)}.json"
    if cached.exists():
        return cached
    scratch = cache_root() / "zircolite-convert"
    scratch.mkdir(exist_ok=True)
    for old in scratch.glob("ruleset-*.json"):
        old.unlink()
    progress(f"zircolite: converting {rules} with pipelines {', '.join(ZIRCOLITE_PIPELINES)} (once)")
    pipelines = [arg for name in ZIRCOLITE_PIPELINES for arg in ("-p", name)]
    command = [str(python), str(source / "zircolite.py"), "--evtx", str(one_evtx), "--ruleset", str(rules)]
    command += [
        *pipelines,
        "--save-ruleset",
        "-o",
        os.devnull,
        "-n",
        "-q",
        "-c",
        str(source / "config" / "config.yaml"),
    ]
    done = run_child(command, cwd=scratch)
    saved = sorted(scratch.glob("ruleset-*.json"))
    if done.returncode != 0 or not saved:
        raise RuntimeError(f"zircolite could not convert the rules: {done.stderr_tail[-1000:]}")
    saved[0].replace(cached)
    return cached
