"""The hunt's fast paths: rules pruned before planning must never change what is detected."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from hygie.engines.detection.hunt import RuleExecutor, hunt_batches
from hygie.engines.detection.model import RulePack
from hygie.engines.detection.routing import required_fields
from hygie.engines.detection.tests.test_hunt import batch, rule

_SYSMON = "Microsoft-Windows-Sysmon/Operational"
CORPUS = Path(os.environ.get("HYGIE_CORPUS") or Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus")
DETECTION = CORPUS / "detection"


def test_required_fields_are_the_null_intolerant_top_level_terms() -> None:
    """Each top-level AND term gives the fields it reads; literals and NOT coalesce(...) terms do not count."""
    sql = (
        "lower(\"Channel\") = 'security' AND \"EventID\" = 4688 AND (\"NewProcessName\" ILIKE '%\\cmd.exe' ESCAPE '\\' "
        "OR \"CommandLine\" ILIKE '%AND \"X\"%' ESCAPE '\\') AND NOT coalesce(\"ParentProcessName\" ILIKE '%a%', false)"
    )
    assert required_fields(sql) == (
        frozenset({"channel"}),
        frozenset({"eventid"}),
        frozenset({"newprocessname", "commandline"}),  # the literal's "X" and AND are not read as SQL
    )


def test_nothing_is_required_under_a_top_level_or_or_a_null_tolerant_term() -> None:
    """A top-level OR, IS NULL or NOT can be true on NULL fields: nothing is required from them."""
    assert required_fields("\"A\" = '1' OR \"B\" = '2'") == ()
    assert required_fields('"A" IS NULL AND "B" = \'2\'') == (frozenset({"b"}),)
    assert required_fields("NOT coalesce(\"A\" = '1', false)") == ()


def test_a_rule_needing_an_absent_field_is_not_planned_and_others_still_match() -> None:
    """A rule needing a field absent from the events is pruned; one that tests the field IS NULL still runs."""
    events = [{"Channel": _SYSMON, "EventID": 1, "Image": r"C:\x\cmd.exe"}]
    needs_absent = rule(
        "absent",
        "lower(\"Channel\") = 'microsoft-windows-sysmon/operational' AND lower(\"Hashes\") = 'x'",
        fields=("Channel", "Hashes"),
    )
    null_ok = rule("null-ok", 'lower("Image") LIKE \'%cmd.exe\' AND "Hashes" IS NULL', fields=("Image", "Hashes"))
    executor = RuleExecutor([needs_absent, null_ok])
    try:
        table = pa.Table.from_batches([batch(events)])
        assert executor._needed(table, [0, 1]) == [1]
    finally:
        executor.close()
    found = list(hunt_batches([batch(events)], [needs_absent, null_ok]))
    assert [d.rule_id for d in found] == ["null-ok"]


@pytest.fixture(scope="module")
def windows_pack(tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    """The SigmaHQ Windows rules of the corpus, compiled."""
    from hygie.engines.detection.rules import load_rules

    sigma = DETECTION / "sigma" / "rules" / "windows"
    if not sigma.is_dir():
        pytest.skip(f"the public corpus is absent ({sigma}); set HYGIE_CORPUS")
    return load_rules([sigma], cache_dir=tmp_path_factory.mktemp("rule-cache"))


def test_both_evaluators_find_exactly_the_same_on_the_attack_samples(windows_pack: RulePack) -> None:
    """Every (rule, file, record) of the 2,400 Windows rules over the samples: indexed evaluator == SQL conditions.

    The SQL evaluator runs each rule's whole condition on DuckDB (with its field pruning); the
    indexed one matches literals in one pass and asks DuckDB only for the rest. They must agree.
    """
    from hygie.engines.detection.model import ReadStats
    from hygie.engines.detection.readers import read_logs

    samples = DETECTION / "evtx-attack-samples"
    if not samples.is_dir():
        pytest.skip(f"the attack samples are absent ({samples}); set HYGIE_CORPUS")
    batches = list(read_logs([samples], stats=ReadStats()))

    def run(evaluator: str) -> set[tuple[str, str, int]]:
        found = hunt_batches(batches, windows_pack.rules, evaluator=evaluator, atoms=windows_pack.atoms)
        return {(d.rule_id, d.file, d.record_id) for d in found}

    indexed = run("indexed")
    assert indexed == run("sql")
    assert len(indexed) > 1000
