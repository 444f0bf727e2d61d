"""``hygie detect``: hunt and rules check through Typer; bad input exits with a message, no traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_USAGE
from hygie.cli.detect import app

_RULE = """
title: Test cmd.exe started
id: 0d7c1e3a-0000-4000-8000-000000000001
status: test
level: high
tags: [attack.execution, attack.t1059.003]
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\\\\cmd.exe'
  condition: selection
"""


def corpus_path() -> Path:
    """The public corpus (``HYGIE_CORPUS``, default ``../shared/corpus`` beside the repository)."""
    return Path(os.environ.get("HYGIE_CORPUS", Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"))


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """One good rule and one that is not YAML."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "cmd.yml").write_text(_RULE, encoding="utf-8")
    (folder / "broken.yml").write_text("title: broken\ndetection: [\n", encoding="utf-8")
    return folder


class TestHuntCommand:
    """hygie detect hunt."""

    def test_missing_log_path_exits_3(self, rules_dir: Path, tmp_path: Path) -> None:
        """A log path that does not exist is named; no traceback."""
        result = CliRunner().invoke(app, ["hunt", str(tmp_path / "nope.evtx"), "--rules", str(rules_dir)])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "not found" in result.output
        assert "Traceback" not in result.output

    def test_missing_rules_exits_3(self, tmp_path: Path) -> None:
        """A rules path that does not exist is named."""
        result = CliRunner().invoke(app, ["hunt", str(tmp_path), "--rules", str(tmp_path / "none")])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "not found" in result.output

    def test_no_rule_loads_exits_3(self, tmp_path: Path) -> None:
        """A pack where nothing loads stops before reading the logs."""
        (tmp_path / "bad.yml").write_text("title: x\ndetection: [\n", encoding="utf-8")
        result = CliRunner().invoke(app, ["hunt", str(tmp_path), "--rules", str(tmp_path / "bad.yml")])
        assert EXIT_INVALID_INPUT == result.exit_code
        assert "no rule could be loaded" in result.output

    @pytest.mark.spark
    def test_spark_engine_gives_the_duckdb_detections(self, rules_dir: Path, tmp_path: Path) -> None:
        """--engine spark runs the same compiled rules on Spark (local mode) and finds the same events."""
        pytest.importorskip("pyspark")
        if shutil.which("java") is None:
            pytest.skip("the Spark engine needs a Java runtime (Debian package openjdk-17-jre-headless)")
        logs = tmp_path / "logs.jsonl"
        sysmon = {"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Computer": "pc1"}
        events = [
            {**sysmon, "Image": "C:\\Windows\\System32\\cmd.exe", "SystemTime": "2026-01-01T10:00:00Z"},
            {**sysmon, "Image": "C:\\Windows\\notepad.exe", "SystemTime": "2026-01-01T10:00:01Z"},
        ]
        logs.write_bytes(b"\n".join(orjson.dumps(event) for event in events) + b"\n")
        outputs = {}
        for engine in ("duckdb", "spark"):
            result = CliRunner().invoke(app, ["hunt", str(logs), "--rules", str(rules_dir), "--engine", engine])
            assert 0 == result.exit_code, result.output
            outputs[engine] = sorted(
                (d["rule_id"], d["record_id"]) for d in map(orjson.loads, result.stdout.splitlines()) if d
            )
        assert outputs["duckdb"] == outputs["spark"]
        assert outputs["duckdb"]

    def test_bad_level_and_format_exit_2(self, rules_dir: Path, tmp_path: Path) -> None:
        """Unknown choices are usage errors naming the choices."""
        runner = CliRunner()
        result = runner.invoke(app, ["hunt", str(tmp_path), "--rules", str(rules_dir), "--min-level", "huge"])
        assert (EXIT_USAGE, True) == (result.exit_code, "critical" in result.output)
        result = runner.invoke(app, ["hunt", str(tmp_path), "--rules", str(rules_dir), "--format", "xml"])
        assert (EXIT_USAGE, True) == (result.exit_code, "html" in result.output)

    def test_corrupt_log_is_reported_not_fatal(self, rules_dir: Path, tmp_path: Path) -> None:
        """A file that is not a log gives a read error in the summary; exit 0, no detections."""
        junk = tmp_path / "junk.evtx"
        junk.write_bytes(b"\x00not an evtx file" * 10)
        result = CliRunner().invoke(app, ["hunt", str(junk), "--rules", str(rules_dir)])
        assert 0 == result.exit_code, result.output
        assert "detections: 0" in result.output
        assert "Traceback" not in result.output

    def test_hunt_on_corpus_evtx(self, rules_dir: Path, tmp_path: Path) -> None:
        """End to end on real EVTX: the hand-written rule fires, JSON lines and HTML are written."""
        samples = corpus_path() / "detection" / "evtx-attack-samples" / "Execution"
        if not samples.is_dir():
            pytest.skip(f"public corpus absent at {samples} (set HYGIE_CORPUS)")
        out = tmp_path / "hits.jsonl"
        runner = CliRunner()
        result = runner.invoke(app, ["hunt", str(samples), "--rules", str(rules_dir), "-o", str(out)])
        assert 0 == result.exit_code, result.output
        hits = [orjson.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert hits
        assert {"0d7c1e3a-0000-4000-8000-000000000001"} == {hit["rule_id"] for hit in hits}
        assert all(hit["event"]["Image"].lower().endswith("\\cmd.exe") for hit in hits)
        times = [hit["timestamp"] for hit in hits]
        assert sorted(times) == times
        assert "rules skipped: 1" in result.output
        page = tmp_path / "report.html"
        result = runner.invoke(
            app, ["hunt", str(samples), "--rules", str(rules_dir), "--format", "html", "-o", str(page)]
        )
        assert 0 == result.exit_code, result.output
        assert "attack.t1059.003" in page.read_text(encoding="utf-8")
        result = runner.invoke(app, ["hunt", str(samples), "--rules", str(rules_dir), "--tag", "attack.t1003"])
        assert (0, "") == (result.exit_code, result.stdout)


class TestRulesCheck:
    """hygie detect rules check."""

    def test_lists_loaded_and_failed(self, rules_dir: Path) -> None:
        """JSON form: loaded rules and failures with their reasons; exit 0."""
        result = CliRunner().invoke(app, ["rules", "check", str(rules_dir), "--format", "json"])
        assert 0 == result.exit_code, result.output
        data = orjson.loads(result.stdout)
        assert ["Test cmd.exe started"] == [rule["title"] for rule in data["loaded"]]
        assert 1 == len(data["failed"])
        assert data["failed"][0]["reason"]

    def test_table_and_exit_1_when_none_loads(self, rules_dir: Path) -> None:
        """The table names the failing file; a pack where nothing loads exits 1."""
        result = CliRunner().invoke(app, ["rules", "check", str(rules_dir / "broken.yml")])
        assert 1 == result.exit_code
        assert "broken.yml" in result.output
        assert "0 rules load, 1 do not" in result.output


class TestBuiltinPack:
    """``builtin:NAME`` stands for a rule pack shipped with Hygie, in hunt and in rules check."""

    def test_rules_check_loads_the_hospital_pack(self) -> None:
        """Every rule of builtin:hospital loads; nothing fails."""
        result = CliRunner().invoke(app, ["rules", "check", "builtin:hospital", "--format", "json"])
        assert 0 == result.exit_code, result.output
        data = orjson.loads(result.stdout)
        assert 14 == len(data["loaded"])
        assert [] == data["failed"]

    def test_hunt_with_the_hospital_pack(self, tmp_path: Path) -> None:
        """A shadow copy deletion in a JSON-lines log is found by --rules builtin:hospital."""
        log = tmp_path / "sysmon.jsonl"
        event = {
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "EventID": 1,
            "Computer": "srv-dpi01",
            "SystemTime": "2026-11-02T09:00:00Z",
            "Image": "C:\\Windows\\System32\\vssadmin.exe",
            "CommandLine": "vssadmin delete shadows /all /quiet",
        }
        log.write_bytes(orjson.dumps(event) + b"\n")
        result = CliRunner().invoke(app, ["hunt", str(log), "--rules", "builtin:hospital"])
        assert 0 == result.exit_code, result.output
        detections = [orjson.loads(line) for line in result.stdout.splitlines() if line.strip()]
        assert ["Volume Shadow Copies Deleted or Their Storage Shrunk"] == [d["rule_title"] for d in detections]

    @pytest.mark.parametrize("command", [["rules", "check", "builtin:nope"], ["hunt", ".", "--rules", "builtin:"]])
    def test_unknown_pack_exits_2_with_the_choices(self, command: list[str]) -> None:
        """An unknown pack name is refused before any work, naming the packs; no traceback."""
        result = CliRunner().invoke(app, command)
        assert EXIT_USAGE == result.exit_code
        assert "builtin:hospital" in result.output
        assert "Traceback" not in result.output
