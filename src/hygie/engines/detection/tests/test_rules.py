"""Loading rule packs: the SigmaHQ Windows rules, zip files, collections, bad files and the cache."""

from __future__ import annotations

import os
import time
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from hygie.engines.detection.model import FIXED_COLUMNS, NUMERIC_FIELDS, RulePack
from hygie.engines.detection.rules import load_rules, loader


def corpus_path() -> Path:
    """The public corpus folder ($HYGIE_CORPUS, default ../shared/corpus next to the repository)."""
    default = Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus"
    return Path(os.environ.get("HYGIE_CORPUS") or default)


WINDOWS_RULES = corpus_path() / "detection" / "sigma" / "rules" / "windows"
needs_corpus = pytest.mark.skipif(
    not WINDOWS_RULES.is_dir(), reason=f"SigmaHQ rules absent at {WINDOWS_RULES}; set HYGIE_CORPUS to the corpus folder"
)

RULE = """title: {title}
id: {rule_id}
status: test
level: medium
logsource:
  product: windows
  service: security
detection:
  sel:
    EventID: 4625
  condition: sel
"""


def write_rule(folder: Path, name: str, index: int) -> Path:
    """A valid rule file."""
    path = folder / name
    path.write_text(RULE.format(title=f"Rule {index}", rule_id=f"5d8a0a52-0000-4000-8000-{index:012d}"))
    return path


@pytest.fixture(scope="module")
def windows_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[RulePack, float, float]:
    """The SigmaHQ Windows rules loaded twice through a cache: the pack, cold and warm seconds."""
    if not WINDOWS_RULES.is_dir():
        pytest.skip(f"SigmaHQ rules absent at {WINDOWS_RULES}; set HYGIE_CORPUS")
    cache = tmp_path_factory.mktemp("rule-cache")
    start = time.perf_counter()
    pack = load_rules([WINDOWS_RULES], cache_dir=cache)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    warm_pack = load_rules([WINDOWS_RULES], cache_dir=cache)
    warm = time.perf_counter() - start
    assert [r.to_dict() for r in pack.rules] == [r.to_dict() for r in warm_pack.rules]
    assert pack.failures == warm_pack.failures
    return pack, cold, warm


@needs_corpus
class TestSigmaHQWindowsRules:
    """The 2,407 SigmaHQ Windows rules of the corpus."""

    def test_at_least_99_percent_compile(self, windows_pack: tuple[RulePack, float, float]) -> None:
        """At least 99 % of the 2,407 rules compile; every other one has a reason."""
        pack, _, _ = windows_pack
        total = len(pack.rules) + len(pack.failures)
        reasons = Counter(f.reason.split(" ", 1)[0] for f in pack.failures)
        print(f"{len(pack.rules)}/{total} compiled; failures by reason: {dict(reasons)}")  # noqa: T201
        assert total >= 2407
        assert len(pack.rules) / total >= 0.99
        assert all(f.reason for f in pack.failures)

    def test_every_duckdb_condition_runs(self, windows_pack: tuple[RulePack, float, float]) -> None:
        """Every compiled DuckDB condition is valid SQL over a table of the fixed and referenced columns."""
        pack, _, _ = windows_pack
        # DuckDB identifiers are case-insensitive: "ProcessPath" and "processPath" are one column.
        columns = list(
            {c.lower(): c for c in reversed([*FIXED_COLUMNS, *(f for r in pack.rules for f in r.fields)])}.values()
        )
        connection = duckdb.connect()
        types = ", ".join(f'"{c}" {"BIGINT" if c in NUMERIC_FIELDS else "VARCHAR"}' for c in columns)
        connection.execute(f"CREATE TABLE events ({types})")
        connection.execute("INSERT INTO events (_record_id, EventID, \"Channel\") VALUES (1, 1, 'Security')")
        errors = []
        for rule in pack.rules:
            try:
                connection.execute(f"SELECT count(*) FROM events WHERE {rule.sql['duckdb']}").fetchall()  # noqa: S608
            except duckdb.Error as error:
                errors.append(f"{rule.path}: {error}")
        assert [] == errors

    def test_channels_and_fields(self, windows_pack: tuple[RulePack, float, float]) -> None:
        """Most rules are routed to channels, and every rule lists the columns it reads."""
        pack, _, _ = windows_pack
        routed = [r for r in pack.rules if r.channels]
        assert len(routed) > 0.9 * len(pack.rules)
        assert all(r.fields for r in pack.rules)
        assert all(set(r.sql) == {"duckdb", "spark"} for r in pack.rules)

    def test_cache_makes_a_second_load_fast(self, windows_pack: tuple[RulePack, float, float]) -> None:
        """The second load of the same pack reads the cache, much faster than compiling."""
        pack, cold, warm = windows_pack
        print(f"cold load {cold:.2f} s, warm (cached) load {warm:.2f} s")  # noqa: T201
        assert 64 == len(pack.digest)
        assert warm < cold / 5


class TestLoading:
    """Folders, zips, collections, bad files and the cache on small hand-written packs."""

    def test_folder_recursive_and_single_file(self, tmp_path: Path) -> None:
        """Folders are read recursively (*.yml, *.yaml); single files too; other files are ignored."""
        (tmp_path / "sub").mkdir()
        write_rule(tmp_path, "a.yml", 1)
        write_rule(tmp_path / "sub", "b.yaml", 2)
        (tmp_path / "notes.txt").write_text("not a rule")
        assert 2 == len(load_rules([tmp_path]).rules)
        assert 1 == len(load_rules([tmp_path / "a.yml"]).rules)

    def test_zip(self, tmp_path: Path) -> None:
        """Zip members are read in memory; a broken zip is one failure."""
        write_rule(tmp_path, "a.yml", 1)
        with zipfile.ZipFile(tmp_path / "pack.zip", "w") as archive:
            archive.write(tmp_path / "a.yml", "rules/a.yml")
            archive.writestr("rules/readme.md", "hello")
        pack = load_rules([tmp_path / "pack.zip"])
        assert ["Rule 1"] == [r.title for r in pack.rules]
        assert pack.rules[0].path.endswith("pack.zip!rules/a.yml")
        (tmp_path / "bad.zip").write_bytes(b"PK not a zip")
        assert "cannot read zip" in load_rules([tmp_path / "bad.zip"]).failures[0].reason

    def test_collection_with_global_action(self, tmp_path: Path) -> None:
        """Multi-document files with ``action: global`` give one rule per document."""
        (tmp_path / "c.yml").write_text(
            "action: global\ntitle: Shared\nstatus: test\nlevel: low\nlogsource:\n  product: windows\n"
            "detection:\n  condition: sel\n---\nid: 5d8a0a52-0000-4000-8000-000000000011\n"
            "detection:\n  sel:\n    A: 'x'\n---\nid: 5d8a0a52-0000-4000-8000-000000000012\n"
            "detection:\n  sel:\n    B: 'y'\n"
        )
        pack = load_rules([tmp_path])
        assert [] == pack.failures
        assert 2 == len(pack.rules)

    def test_bad_files_fail_one_by_one(self, tmp_path: Path) -> None:
        """Invalid YAML, non-UTF-8 bytes and a missing path are failures; the rest loads, correlations included."""
        write_rule(tmp_path, "good.yml", 1)
        (tmp_path / "broken.yml").write_text("title: [unclosed\n")
        (tmp_path / "latin1.yml").write_bytes("title: caf\xe9\n".encode("latin-1"))
        (tmp_path / "corr.yml").write_text(
            "title: Many failures\nid: 5d8a0a52-0000-4000-8000-000000000021\ncorrelation:\n  type: event_count\n"
            "  rules:\n    - 5d8a0a52-0000-4000-8000-000000000001\n  group-by:\n    - TargetUserName\n"
            "  timespan: 5m\n  condition:\n    gte: 10\nlevel: high\n"
        )
        (tmp_path / "bomb.yml").write_text("a: &a ['x', 'x']\nb: &b [*a, *a]\nc: [*b, *b]\n")
        pack = load_rules([tmp_path, tmp_path / "missing"])
        assert ["Rule 1"] == [r.title for r in pack.rules]
        reasons = {Path(f.path.split("!")[0]).name: f.reason for f in pack.failures}
        assert "cannot parse" in reasons["broken.yml"]
        assert "not UTF-8" in reasons["latin1.yml"]
        assert "corr.yml" not in reasons
        [correlation] = pack.correlations
        assert (correlation.type, correlation.count, correlation.timespan) == ("event_count", 10, 300)
        assert "no such file" in reasons["missing"]
        assert "aliases" in reasons["bomb.yml"]

    def test_digest_changes_with_content_and_cache_is_used(self, tmp_path: Path) -> None:
        """The digest covers the files' bytes; a second load is served from the cache."""
        rules = tmp_path / "rules"
        rules.mkdir()
        write_rule(rules, "a.yml", 1)
        cache = tmp_path / "cache"
        first = load_rules([rules], cache_dir=cache)
        assert (cache / f"rules-{first.digest}.json").is_file()
        assert first.rules == load_rules([rules], cache_dir=cache).rules
        write_rule(rules, "a.yml", 2)
        assert first.digest != load_rules([rules], cache_dir=cache).digest

    def test_corrupt_cache_is_rebuilt(self, tmp_path: Path) -> None:
        """A corrupt cache file is ignored and rewritten."""
        write_rule(tmp_path, "a.yml", 1)
        cache = tmp_path / "cache"
        digest = load_rules([tmp_path / "a.yml"], cache_dir=cache).digest
        (cache / f"rules-{digest}.json").write_bytes(b"{not json")
        assert 1 == len(load_rules([tmp_path / "a.yml"], cache_dir=cache).rules)

    def test_unchanged_files_are_served_without_reading_them(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Same names, sizes and times: the cached pack (and its read failures) without reading a rule file."""
        rules = tmp_path / "rules"
        rules.mkdir()
        write_rule(rules, "a.yml", 1)
        (rules / "broken.yml").write_text("title: [unclosed\n")
        cache = tmp_path / "cache"
        first = load_rules([rules], cache_dir=cache)
        assert list(cache.glob("stat-*.json"))
        with monkeypatch.context() as patched:
            patched.setattr(loader, "read_rule_files", _must_not_read)
            again = load_rules([rules], cache_dir=cache)
        assert (again.digest, again.rules, again.failures) == (first.digest, first.rules, first.failures)
        write_rule(rules, "a.yml", 2)  # new content (and size or time): read and compiled again
        changed = load_rules([rules], cache_dir=cache)
        assert changed.digest != first.digest
        assert ["Rule 2"] == [r.title for r in changed.rules]


def _must_not_read(path: Path) -> None:
    raise AssertionError(f"{path} was read")
