"""Benchmark: Sigma hunting on the attack-sample EVTX files and a replayed JSON-lines corpus, against Zircolite 3.7.0.

Both hunters run the SigmaHQ ``rules/windows`` set of the public corpus with their rules already
compiled: Hygie with its compiled-rule cache warm (a warm-up run fills it), Zircolite with the
JSON ruleset its own conversion made once (pySigma SQLite backend, Sysmon + Windows log-source
pipelines; 2,395 rules), cached outside the repository. Every measured run is a fresh process,
timed from spawn to exit (start-up, reading, matching and writing the detections), with its own
peak RSS (``wait4``). Measured, ``--repeat`` times (the median is kept):

- ``evtx``: ``evtx-attack-samples/`` (277 files, 8,255 events); ``ratio_vs_zircolite`` =
  Zircolite seconds / Hygie seconds, target >= 5;
- ``jsonl``: N flat JSON lines replayed from those events with fresh record ids and times (full:
  1,000,000; smoke: 20,000), Zircolite with ``--jsonl``; events/s each, target ratio >= 10
  (Zircolite runs once: about two minutes on 1 million events);
- ``ten_million`` (``--full --ten-million``): Hygie alone on 10 million events (the JSON-lines file
  given ten times, under ten names), peak memory target < 2 GB: the summed PSS of the hunt and its
  worker processes, sampled every 0.1 s (``ru_maxrss`` alone would give only the largest process).

Zircolite is measured only with ``--zircolite DIR`` (its source, outside the repository); it runs
from ``--zircolite-python`` or a virtualenv the benchmark makes in its cache folder
(``~/.cache/hygie-bench``, or ``$HYGIE_BENCH_CACHE``). Prints human lines, then one JSON object on
the last line (``{"skipped": reason}`` without the corpus).

    python bench/detection.py --smoke                                  # Hygie alone, seconds (CI)
    python bench/detection.py --full --zircolite /work/zircolite-src   # the issue's figures
    python bench/detection.py --full --zircolite /work/zircolite-src --ten-million --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _detection_corpus import (  # the helpers sit beside this script
    ChildRun,
    cache_root,
    corpus_root,
    flat_events,
    run_child,
    self_peak_rss_mb,
    write_replay,
    zircolite_python,
    zircolite_ruleset,
)

TARGET_EVTX_RATIO = 5.0
TARGET_JSONL_RATIO = 10.0
TARGET_RSS_MB = 2048.0
SMOKE = {"events": 20_000}
FULL = {"events": 1_000_000}
TEN_MILLION = 10_000_000
HERE = Path(__file__).resolve()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options from the command line; ``--full`` sizes unless ``--smoke`` or ``--events``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--smoke", action="store_true", help="20,000 JSON events, Hygie alone unless --zircolite")
    mode.add_argument("--full", action="store_true", help="1,000,000 JSON events (default)")
    parser.add_argument("--events", type=int, help="JSON-lines events to replay")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each Hygie measurement; the median is kept")
    parser.add_argument("--zircolite", type=Path, help="Zircolite 3.7.0 source folder (outside the repository)")
    parser.add_argument("--zircolite-python", type=Path, help="Python of a virtualenv with Zircolite's requirements")
    parser.add_argument("--ten-million", action="store_true", help="also Hygie's peak RSS on 10 million events")
    parser.add_argument("--workdir", type=Path, help="where to write the JSON-lines file (default: a temp folder)")
    parser.add_argument("--threads", type=int, default=2, help="Hygie's DuckDB threads")
    # One Hygie hunt in this process (the measured child).
    parser.add_argument("--stage", choices=("hygie", "warm"), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--rules", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.count = args.events if args.events is not None else (SMOKE if args.smoke else FULL)["events"]
    if args.repeat < 1 or args.count < 1:
        parser.error("--repeat and --events must be at least 1")
    if args.ten_million and (args.smoke or TEN_MILLION % args.count):
        parser.error("--ten-million needs full sizes (--events dividing 10,000,000)")
    return args


def child_hunt(args: argparse.Namespace) -> dict[str, Any]:
    """The measured child: load the rules (cache warm), hunt, write JSON lines to /dev/null, as the CLI does.

    As ``hygie detect hunt --format json``: detections go to a timeline spool as they are found and
    come back merged in time order, streamed to the output.
    """
    from hygie.engines.detection.hunt import hunt
    from hygie.engines.detection.output import write_stream
    from hygie.engines.detection.rules import load_rules
    from hygie.engines.detection.spool import TimelineSpool

    started = time.perf_counter()
    pack = load_rules([args.rules], cache_dir=args.cache_dir)
    loaded = time.perf_counter()
    if args.stage == "warm":
        return {"rules": len(pack.rules), "failures": len(pack.failures), "load_seconds": round(loaded - started, 3)}
    with TimelineSpool() as spool:
        result = hunt(args.input, pack, threads=args.threads, sink=spool.add)
        with Path(os.devnull).open("w", encoding="utf-8") as out:
            write_stream(spool, "json", out)
    return {
        "rules": len(pack.rules),
        "load_seconds": round(loaded - started, 3),
        "hunt_seconds": round(result.seconds, 3),
        "render_seconds": round(time.perf_counter() - loaded - result.seconds, 3),
        "events": result.read.events,
        "files": result.read.files,
        "read_errors": len(result.read.errors),
        "detections": result.found,
        "rules_hit": len(result.by_rule),
        "peak_rss_mb": round(self_peak_rss_mb(), 1),
    }


def hygie(inputs: list[Path], rules: Path, threads: int, stage: str = "hygie") -> tuple[ChildRun, dict[str, Any]]:
    """One Hygie hunt in a fresh process (this script's ``--stage``); the run and the child's own figures."""
    command = [sys.executable, str(HERE), "--stage", stage, "--rules", str(rules)]
    command += ["--cache-dir", str(cache_root() / "hygie-rules"), "--threads", str(threads)]
    for path in inputs:
        command += ["--input", str(path)]
    done = run_child(command)
    if done.returncode != 0:
        raise SystemExit(f"hygie failed ({done.returncode}): {done.stderr_tail[-2000:]}")
    return done, json.loads(done.stdout.strip().splitlines()[-1])


def zircolite(python: Path, source: Path, ruleset: Path, events: Path, *, jsonl: bool) -> tuple[ChildRun, int, int]:
    """One Zircolite run in a scratch folder: the run, its rule hits and the rules that matched.

    Only the detections file is written (``-o``); no template, package or database. Its log file
    goes to the scratch folder, which is removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="zircolite-run-") as scratch:
        out = Path(scratch) / "detected_events.json"
        command = [str(python), str(source / "zircolite.py"), "--evtx", str(events), "--ruleset", str(ruleset)]
        command += ["-o", str(out), "-l", str(Path(scratch) / "zircolite.log"), "-q"]
        command += ["-c", str(source / "config" / "config.yaml"), *(["--jsonl"] if jsonl else [])]
        done = run_child(command, cwd=Path(scratch))
        if done.returncode != 0 or not out.exists():
            raise SystemExit(f"zircolite failed ({done.returncode}): {done.stderr_tail[-2000:]}")
        found = json.loads(out.read_bytes() or b"[]")
    return done, sum(int(rule.get("count", 0)) for rule in found), len(found)


def _median(runs: list[ChildRun]) -> float:
    return statistics.median(run.seconds for run in runs)


def measure_hygie(label: str, inputs: list[Path], rules: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Hygie ``--repeat`` times on ``inputs``; median wall seconds, the child's figures, the largest peak RSS."""
    runs: list[ChildRun] = []
    figures: dict[str, Any] = {}
    for _ in range(args.repeat):
        done, figures = hygie(inputs, rules, args.threads)
        runs.append(done)
        print(
            f"hygie {label}: {done.seconds:7.2f} s end to end (hunt {figures['hunt_seconds']:.2f} s), "
            f"{figures['events']:,} events, {figures['detections']:,} detections, {done.peak_memory_mb:,.0f} MiB peak"
        )
    seconds = _median(runs)
    return {
        "hygie_seconds": round(seconds, 3),
        "hygie_runs": [round(run.seconds, 3) for run in runs],
        "hygie_cpu_seconds": round(statistics.median(run.cpu_seconds for run in runs), 3),
        "hygie_hunt_seconds": figures["hunt_seconds"],
        "hygie_events_per_second": round(figures["events"] / seconds),
        "hygie_detections": figures["detections"],
        "hygie_rules_hit": figures["rules_hit"],
        "hygie_peak_rss_mb": round(max(run.peak_rss_mb for run in runs), 1),
        "hygie_peak_memory_mb": round(max(run.peak_memory_mb for run in runs), 1),
        "events": figures["events"],
    }


def measure_zircolite(
    label: str, zirc: tuple[Path, Path, Path], events: Path, runs: int, *, jsonl: bool
) -> dict[str, Any]:
    """Zircolite ``runs`` times on ``events``; median wall seconds, its hits, its peak RSS."""
    python, source, ruleset = zirc
    done_runs: list[ChildRun] = []
    hits = matched = 0
    for _ in range(runs):
        done, hits, matched = zircolite(python, source, ruleset, events, jsonl=jsonl)
        done_runs.append(done)
        print(
            f"zircolite {label}: {done.seconds:7.2f} s, {hits:,} rule hits, {matched} rules matched, "
            f"{done.peak_rss_mb:,.0f} MiB peak"
        )
    return {
        "zircolite_seconds": round(_median(done_runs), 3),
        "zircolite_runs": [round(run.seconds, 3) for run in done_runs],
        "zircolite_cpu_seconds": round(statistics.median(run.cpu_seconds for run in done_runs), 3),
        "zircolite_rule_hits": hits,
        "zircolite_rules_matched": matched,
        "zircolite_peak_rss_mb": round(max(run.peak_rss_mb for run in done_runs), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:  # noqa: PLR0915 - one measurement after the other reads best
    """Prepare both hunters, measure the EVTX samples, the JSON-lines corpus and optionally 10 million events."""
    corpus = corpus_root()
    if corpus is None:
        return {"benchmark": "detection", "skipped": "public corpus not found (set HYGIE_CORPUS)"}
    samples = corpus / "detection" / "evtx-attack-samples"
    rules = corpus / "detection" / "sigma" / "rules" / "windows"
    figures: dict[str, Any] = {"benchmark": "detection", "mode": "smoke" if args.smoke else "full"}
    warm, loaded = hygie([], rules, args.threads, stage="warm")
    print(
        f"hygie: {loaded['rules']:,} rules compiled ({loaded['failures']} refused), cache warm ({warm.seconds:.1f} s)"
    )
    figures["hygie_rules"] = loaded["rules"]
    zirc: tuple[Path, Path, Path] | None = None
    if args.zircolite is not None:
        source = args.zircolite.resolve()
        python = zircolite_python(source, args.zircolite_python)
        one = min(samples.rglob("*.evtx"), key=lambda p: p.stat().st_size)
        ruleset = zircolite_ruleset(python, source, rules, one)
        zirc = (python, source, ruleset)
        figures["zircolite_rules"] = len(json.loads(ruleset.read_bytes()))
        print(f"zircolite: {figures['zircolite_rules']:,} rules in {ruleset}")

    # 1. The EVTX samples: Hygie, then Zircolite.
    evtx = measure_hygie("evtx", [samples], rules, args)
    if zirc is not None:
        evtx.update(measure_zircolite("evtx", zirc, samples, args.repeat, jsonl=False))
        evtx["ratio_vs_zircolite"] = round(evtx["zircolite_seconds"] / evtx["hygie_seconds"], 2)
        # On a shared machine other work steals wall time from either hunter; CPU time does not move.
        evtx["ratio_cpu_vs_zircolite"] = round(evtx["zircolite_cpu_seconds"] / evtx["hygie_cpu_seconds"], 2)
        evtx["zircolite_events_per_second"] = round(evtx["events"] / evtx["zircolite_seconds"])
        print(f"evtx: ratio {evtx['ratio_vs_zircolite']:.2f} (target >= {TARGET_EVTX_RATIO:g})")
    figures["evtx"] = evtx

    # 2. The replayed JSON-lines corpus.
    workdir = Path(tempfile.mkdtemp(prefix="hygie-bench-", dir=args.workdir))
    try:
        started = time.perf_counter()
        events = flat_events(samples)
        jsonl_path = workdir / "replayed.jsonl"
        size = write_replay(events, jsonl_path, args.count)
        print(
            f"jsonl: {args.count:,} events replayed from {len(events):,} ({size / 2**20:,.0f} MiB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        jsonl = measure_hygie("jsonl", [jsonl_path], rules, args)
        jsonl["bytes"] = size
        if zirc is not None:
            # Once: Zircolite needs about two minutes for a million events.
            jsonl.update(measure_zircolite("jsonl", zirc, jsonl_path, 1, jsonl=True))
            jsonl["zircolite_events_per_second"] = round(jsonl["events"] / jsonl["zircolite_seconds"])
            jsonl["ratio_vs_zircolite"] = round(jsonl["zircolite_seconds"] / jsonl["hygie_seconds"], 2)
            jsonl["ratio_cpu_vs_zircolite"] = round(jsonl["zircolite_cpu_seconds"] / jsonl["hygie_cpu_seconds"], 2)
            print(f"jsonl: ratio {jsonl['ratio_vs_zircolite']:.2f} (target >= {TARGET_JSONL_RATIO:g})")
        figures["jsonl"] = jsonl

        # 3. Ten million events: the same file under ten names (the reader sees ten files).
        if args.ten_million:
            links = []
            for index in range(TEN_MILLION // args.count):
                link = workdir / f"replayed-{index:02d}.jsonl"
                link.symlink_to(jsonl_path)
                links.append(link)
            done, child = hygie(links, rules, args.threads)
            figures["ten_million"] = {
                "events": child["events"],
                "hygie_seconds": round(done.seconds, 3),
                "hygie_events_per_second": round(child["events"] / done.seconds),
                "hygie_detections": child["detections"],
                "hygie_peak_rss_mb": round(done.peak_rss_mb, 1),
                "hygie_peak_memory_mb": round(done.peak_memory_mb, 1),
            }
            print(
                f"ten million: {child['events']:,} events in {done.seconds:.1f} s, "
                f"{child['detections']:,} detections, peak memory {done.peak_memory_mb:,.0f} MiB "
                f"(target < {TARGET_RSS_MB:,.0f})"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    checks = []
    if zirc is not None:
        checks += [evtx["ratio_vs_zircolite"] >= TARGET_EVTX_RATIO, jsonl["ratio_vs_zircolite"] >= TARGET_JSONL_RATIO]
    if "ten_million" in figures:
        checks.append(figures["ten_million"]["hygie_peak_memory_mb"] < TARGET_RSS_MB)
    figures["pass"] = all(checks) if checks else None
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one measured child); exit status 0 whether or not the targets are met."""
    sys.path.insert(0, str(HERE.parent.parent / "src"))
    args = parse_args(argv)
    if args.stage:
        print(json.dumps(child_hunt(args)))
        return 0
    print(json.dumps(run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
