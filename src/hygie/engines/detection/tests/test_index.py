"""The indexed evaluator gives exactly the SQL conditions' results, rule construct by construct."""

from __future__ import annotations

from typing import Any

import pytest
from sigma.collection import SigmaCollection

from hygie.engines.detection.hunt import hunt_batches
from hygie.engines.detection.model import CompiledRule
from hygie.engines.detection.rules import compile_collection
from hygie.engines.detection.rules.program import anchors
from hygie.engines.detection.tests.test_hunt import batch

_SYSMON = "Microsoft-Windows-Sysmon/Operational"


def compiled(detection: str, *, logsource: str = "category: process_creation\n  product: windows") -> CompiledRule:
    """One Sigma rule (``detection`` is the YAML body of its ``detection`` block) compiled."""
    text = f"""
title: Test rule
id: 00000000-0000-0000-0000-000000000001
status: test
level: high
logsource:
  {logsource}
detection:
{detection}
"""
    rules, failures = compile_collection(SigmaCollection.from_yaml(text))
    assert not failures, failures
    return rules[0]


def process(**fields: Any) -> dict[str, Any]:
    """A Sysmon process-creation event."""
    return {"Channel": _SYSMON, "EventID": 1, **fields}


EVENTS = [
    process(Image=r"C:\Windows\System32\cmd.exe", CommandLine="cmd.exe /c vssadmin DELETE shadows /all"),
    process(Image=r"C:\Windows\System32\CMD.EXE", CommandLine="cmd /c echo Hello", ParentImage=r"C:\x\w3wp.exe"),
    process(Image=r"C:\tools\procdump64.exe", CommandLine="procdump -ma lsass.exe out.dmp", User=""),
    process(Image=r"C:\Users\a\AppData\Local\Temp\x.exe", CommandLine=None, OriginalFileName="x.exe"),
    process(Image=r"c:\windows\system32\rundll32.exe", CommandLine="rundll32 comsvcs.dll, MiniDump 624 C:\\x full"),
    process(Image=r"C:\Windows\explorer.exe", CommandLine="explorer.exe", IntegrityLevel="Medium", User="HOSP\\a"),
    process(Image=r"C:\ProgramData\a.exe", CommandLine="a.exe 10.1.2.3", DestinationIp="10.1.2.3"),
    process(Image=r"C:\ProgramData\b.exe", CommandLine="b.exe 172.31.0.9", DestinationIp="172.31.0.9"),
    process(Image=r"C:\ProgramData\c.exe", CommandLine="c.exe 172.32.0.1", DestinationIp="172.32.0.1"),
    process(Image=r"C:\ProgramData\c.exe", CommandLine="C.EXE", ParentCommandLine="c.exe", ParentImage="c.exe"),
    {"Channel": "Security", "EventID": 4624, "LogonType": "10", "IpAddress": "10.0.0.5"},
    {"Channel": "Security", "EventID": 4625, "LogonType": "3"},
]

DETECTIONS = {
    "contains_all_and_endswith": """
  selection:
    Image|endswith: '\\cmd.exe'
    CommandLine|contains|all: ['vssadmin', 'delete', 'shadows']
  condition: selection""",
    "startswith_and_not": """
  selection:
    Image|startswith: 'C:\\Windows\\'
  filter:
    CommandLine|contains: 'hello'
  condition: selection and not filter""",
    "not_on_absent_field": """
  selection:
    Image|endswith: '.exe'
  filter:
    ParentImage|endswith: '\\w3wp.exe'
  condition: selection and not filter""",
    "equals_case_insensitive": """
  selection:
    CommandLine: 'C.EXE'
  condition: selection""",
    "inner_wildcard_and_question_mark": """
  selection:
    CommandLine|contains: 'comsvcs.dll*MiniDump'
  selection2:
    Image|endswith: '\\procdump??.exe'
  condition: 1 of selection*""",
    "regex_and_cased": """
  selection:
    CommandLine|re: '(?i)procdump\\s+-ma'
  selection2:
    CommandLine|cased: 'explorer.exe'
  condition: selection or selection2""",
    "null_and_exists": """
  selection:
    CommandLine: null
  selection2:
    User|exists: true
    IntegrityLevel|exists: false
  condition: selection or selection2""",
    "empty_string": """
  selection:
    User: ''
  condition: selection""",
    "cidr": """
  selection:
    DestinationIp|cidr: ['10.0.0.0/8', '172.16.0.0/12']
  condition: selection""",
    "fieldref": """
  selection:
    CommandLine|fieldref: ParentCommandLine
  condition: selection""",
    "only_negations": """
  filter:
    Image|contains: 'ProgramData'
  condition: not filter""",
    "windash_and_base64offset": """
  selection:
    CommandLine|windash|contains: '-ma'
  selection2:
    CommandLine|base64offset|contains: 'lsass'
  condition: 1 of selection*""",
}


@pytest.mark.parametrize("name", sorted(DETECTIONS))
def test_indexed_evaluator_matches_the_sql_condition(name: str) -> None:
    """Both evaluators find the same events, for each construct."""
    rule = compiled(DETECTIONS[name])
    assert rule.program is not None
    batches = [batch(EVENTS[:6]), batch(EVENTS[6:], file="b.evtx")]
    by_sql = sorted((d.file, d.record_id) for d in hunt_batches(batches, [rule], evaluator="sql"))
    indexed = sorted((d.file, d.record_id) for d in hunt_batches(batches, [rule], evaluator="indexed"))
    assert indexed == by_sql
    assert name == "only_negations" or by_sql, "each case should match something, or it proves nothing"


def test_expected_matches_of_a_few_cases() -> None:
    """Spot checks against hand-computed answers (not only agreement between the evaluators)."""

    def found(name: str) -> list[int]:
        rule = compiled(DETECTIONS[name])
        return sorted(d.record_id for d in hunt_batches([batch(EVENTS)], [rule]))

    assert found("contains_all_and_endswith") == [1]
    assert found("cidr") == [7, 8]
    assert found("equals_case_insensitive") == [10]
    assert found("fieldref") == [10]  # "C.EXE" and "c.exe" differ only by case: equal for Sigma
    assert found("not_on_absent_field") == [1, 3, 4, 5, 6, 7, 8, 9, 10]


def test_security_rules_with_numbers_and_event_ids() -> None:
    """``EventID`` compares as a number, ``LogonType: 10`` as the text of the number."""
    rule = compiled(
        """
  selection:
    EventID: 4624
    LogonType: 10
  condition: selection""",
        logsource="product: windows\n  service: security",
    )
    records = sorted(d.record_id for d in hunt_batches([batch(EVENTS)], [rule]))
    assert records == [11]


def test_anchors_need_one_literal_of_every_branch() -> None:
    """Anchors: a literal of a conjunct, the union over a disjunction, none under a negation."""
    atoms = [{"kind": "contains", "field": "a", "value": "xyz"}, {"kind": "sql", "field": "b"}]
    assert anchors(["atom", 0], atoms) == [0]
    assert anchors(["or", [["atom", 0], ["atom", 1]]], atoms) is None
    assert anchors(["and", [["atom", 0], ["atom", 1]]], atoms) == [0]
    assert anchors(["not", ["atom", 0]], atoms) is None


def test_a_rule_with_a_failing_sql_atom_is_reported_and_the_others_run() -> None:
    """A SQL atom DuckDB refuses drops its rule, reported with DuckDB's reason; the other rules still run."""
    good = compiled(DETECTIONS["equals_case_insensitive"])
    sql_atom = ["sql", "commandline", 'no_such_function("CommandLine")', ["CommandLine"]]
    data = good.to_dict() | {
        "rule_id": "broken",
        "program": {"tree": ["atom", 0], "atoms": [sql_atom], "anchors": None},
    }
    broken = CompiledRule.from_dict(data)
    failures: list[Any] = []
    found = list(hunt_batches([batch(EVENTS)], [good, broken], failures=failures))
    assert [d.record_id for d in found] == [10]
    assert [f.rule_id for f in failures] == ["broken"]
