"""The Sigma-to-SQL compiler: each modifier and condition construct, run on DuckDB over tiny tables."""

from __future__ import annotations

import base64
from typing import Any

import duckdb
import pytest
from sigma.collection import SigmaCollection

from hygie.engines.detection.model import FIXED_COLUMNS, NUMERIC_FIELDS, CompiledRule, Level
from hygie.engines.detection.rules import MAX_VALUES_PER_RULE, compile_collection


def compile_one(detection: str, *, logsource: str = "product: test", extra: str = "") -> CompiledRule:
    """Compile one rule whose ``detection`` block is given (indented by two spaces)."""
    text = (
        "title: Test rule\nid: 5d8a0a52-0000-4000-8000-000000000001\nstatus: test\nlevel: high\n"
        f"logsource:\n  {logsource}\n{extra}detection:\n{detection}"
    )
    rules, failures = compile_collection(SigmaCollection.from_yaml(text))
    assert [] == failures
    assert 1 == len(rules)
    return rules[0]


def failure_of(detection: str) -> str:
    """The failure reason of a rule that must not compile."""
    text = f"title: Bad\nid: 5d8a0a52-0000-4000-8000-000000000002\nlogsource:\n  product: test\ndetection:\n{detection}"
    rules, failures = compile_collection(SigmaCollection.from_yaml(text, collect_errors=True))
    assert [] == rules
    assert 1 == len(failures)
    return failures[0].reason


def matching(rule: CompiledRule, events: list[dict[str, Any]]) -> list[int]:
    """The indexes of ``events`` the rule's DuckDB condition selects."""
    columns = list(dict.fromkeys([*FIXED_COLUMNS, *rule.fields]))
    connection = duckdb.connect()
    types = ", ".join(f'"{c}" {"BIGINT" if c in NUMERIC_FIELDS else "VARCHAR"}' for c in columns)
    connection.execute(f"CREATE TABLE events ({types})")
    for index, event in enumerate(events):
        row = {**event, "_record_id": index}
        values = [row.get(c) for c in columns]
        connection.execute(f"INSERT INTO events VALUES ({', '.join('?' * len(columns))})", values)  # noqa: S608  # placeholders only
    query = f"SELECT _record_id FROM events WHERE {rule.sql['duckdb']} ORDER BY _record_id"  # noqa: S608
    return [int(r[0]) for r in connection.execute(query).fetchall()]


class TestStringModifiers:
    """String matching: case-insensitive, wildcards, and the modifiers pySigma resolves into values."""

    def test_plain_value_is_case_insensitive_exact(self) -> None:
        """``field: value`` matches the whole value, whatever its case."""
        rule = compile_one("  sel:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: sel\n")
        events = [{"Image": "c:\\windows\\CMD.EXE"}, {"Image": "C:\\Windows\\cmd.exe2"}, {}]
        assert [0] == matching(rule, events)

    def test_contains_startswith_endswith(self) -> None:
        """contains/startswith/endswith become ILIKE patterns; ``%`` and ``_`` in values stay literal."""
        rule = compile_one(
            "  sel:\n    A|contains: '50%_x'\n    B|startswith: 'ab'\n    C|endswith: '.EXE'\n  condition: sel\n"
        )
        good = {"A": "it is 50%_X now", "B": "ABc", "C": "cmd.exe"}
        assert [0] == matching(rule, [good, {**good, "A": "50a_x"}, {**good, "A": "50%ax"}, {**good, "B": "cab"}])

    def test_wildcards_and_escaped_wildcards(self) -> None:
        r"""``*`` and ``?`` are wildcards; ``\*`` is a literal star."""
        rule = compile_one("  sel:\n    A: 'a*b?c'\n    B: 'x\\*y'\n  condition: sel\n")
        events = [{"A": "aZZbQc", "B": "x*y"}, {"A": "abc", "B": "x*y"}, {"A": "aZbQc", "B": "xzy"}]
        assert [0] == matching(rule, events)

    def test_all_modifier(self) -> None:
        """``contains|all`` needs every value."""
        rule = compile_one("  sel:\n    CommandLine|contains|all: ['-enc', 'hidden']\n  condition: sel\n")
        assert [0] == matching(rule, [{"CommandLine": "ps -Enc x -w HIDDEN"}, {"CommandLine": "ps -enc"}])

    def test_value_list_is_or(self) -> None:
        """A list of plain values is an IN list (OR), case-insensitive."""
        rule = compile_one("  sel:\n    User: ['Admin', 'root']\n  condition: sel\n")
        assert [0, 1] == matching(rule, [{"User": "ADMIN"}, {"User": "root"}, {"User": "guest"}])

    def test_cased_modifier(self) -> None:
        """``cased`` keeps the case."""
        rule = compile_one("  sel:\n    A|cased: 'AbC'\n  condition: sel\n")
        assert [0] == matching(rule, [{"A": "AbC"}, {"A": "abc"}])

    def test_base64offset(self) -> None:
        """``base64offset|contains`` finds the value at any of the three offsets."""
        rule = compile_one("  sel:\n    CommandLine|base64offset|contains: 'http://'\n  condition: sel\n")
        events = [{"CommandLine": base64.b64encode(prefix + b"http://evil").decode()} for prefix in (b"", b"a", b"ab")]
        assert [0, 1, 2] == matching(rule, [*events, {"CommandLine": "aHR0cA"}])

    def test_utf16_wide_base64(self) -> None:
        """``wide|base64offset`` matches PowerShell's UTF-16LE encoded commands."""
        rule = compile_one("  sel:\n    CommandLine|wide|base64offset|contains: 'IEX'\n  condition: sel\n")
        encoded = base64.b64encode("x; IEX (New-Object)".encode("utf-16-le")).decode()
        assert [0] == matching(rule, [{"CommandLine": f"powershell -enc {encoded}"}, {"CommandLine": "IEX"}])

    def test_windash(self) -> None:
        """``windash`` accepts ``-``, ``/`` and the Unicode dashes."""
        rule = compile_one("  sel:\n    CommandLine|windash|contains: ' -exec '\n  condition: sel\n")
        events = [{"CommandLine": "a -exec b"}, {"CommandLine": "a /exec b"}, {"CommandLine": "a \u2013exec b"}, {}]
        assert [0, 1, 2] == matching(rule, events)


class TestRegex:
    """The ``re`` modifier, its flags, and regexes refused for safety or portability."""

    def test_regex_is_case_sensitive_without_flags(self) -> None:
        """``re`` is a case-sensitive unanchored search."""
        rule = compile_one("  sel:\n    A|re: 'ab+c'\n  condition: sel\n")
        assert [0] == matching(rule, [{"A": "xxabbbc"}, {"A": "ABC"}])

    @pytest.mark.parametrize(
        ("modifiers", "value", "matches"),
        [("re|i", "ABC", True), ("re|m", "x\nabc", True), ("re|s", "a\nc", True), ("re", "a\nc", False)],
    )
    def test_regex_flags(self, modifiers: str, value: str, matches: bool) -> None:
        """``i``, ``m`` and ``s`` flags become an inline prefix both engines read."""
        pattern = "^abc$" if modifiers == "re|m" else "a.c" if value == "a\nc" else "abc"
        rule = compile_one(f"  sel:\n    A|{modifiers}: '{pattern}'\n  condition: sel\n")
        assert ([0] if matches else []) == matching(rule, [{"A": value}])

    def test_lookaround_is_refused(self) -> None:
        """RE2 (DuckDB) has no lookaround: the rule fails with a reason instead of failing at hunt time."""
        assert "lookaround" in failure_of("  sel:\n    A|re: 'a(?=b)'\n  condition: sel\n")

    def test_nested_quantifier_is_refused(self) -> None:
        """``(a+)+`` backtracks exponentially on Spark's Java regex engine."""
        assert "nested quantifiers" in failure_of("  sel:\n    A|re: '(a+)+$'\n  condition: sel\n")


class TestOtherModifiers:
    """cidr, exists, comparisons, numbers, fieldref, null, placeholders and hostile rules."""

    def test_cidr(self) -> None:
        """``cidr`` is exact on non-octet prefixes (172.16.0.0/12 is 172.16-172.31)."""
        rule = compile_one("  sel:\n    DestinationIp|cidr: '172.16.0.0/12'\n  condition: sel\n")
        events = [{"DestinationIp": ip} for ip in ("172.16.0.1", "172.31.255.1", "172.32.0.1", "172.1.0.1")]
        assert [0, 1] == matching(rule, events)

    def test_exists(self) -> None:
        """``exists: true/false`` tests presence."""
        rule = compile_one("  sel:\n    A|exists: true\n    B|exists: false\n  condition: sel\n")
        assert [0] == matching(rule, [{"A": "x"}, {"A": "x", "B": "y"}, {}])

    def test_compare_operators_on_text_field(self) -> None:
        """lt/gte compare numerically even though the field is text; non-numbers never match."""
        rule = compile_one("  sel:\n    Size|gte: 10\n    Size|lt: 100\n  condition: sel\n")
        assert [1, 2] == matching(rule, [{"Size": "9"}, {"Size": "10"}, {"Size": "99"}, {"Size": "x"}, {}])

    def test_numbers_on_text_fields_compare_as_text(self) -> None:
        """``LogonType: 3`` compares the text ``'3'``; ``EventID`` compares as a number."""
        rule = compile_one("  sel:\n    LogonType: 3\n    EventID: 4624\n  condition: sel\n")
        assert "\"LogonType\" = '3'" in rule.sql["duckdb"]
        assert '"EventID" = 4624' in rule.sql["duckdb"]
        assert [0] == matching(rule, [{"LogonType": "3", "EventID": 4624}, {"LogonType": "3", "EventID": 4625}])

    def test_fieldref(self) -> None:
        """``fieldref`` compares two fields of the same event."""
        rule = compile_one("  sel:\n    SubjectUserName|fieldref: TargetUserName\n  condition: sel\n")
        events = [{"SubjectUserName": "Bob", "TargetUserName": "bob"}, {"SubjectUserName": "a", "TargetUserName": "b"}]
        assert [0] == matching(rule, events)

    def test_null(self) -> None:
        """``field: null`` matches an absent or empty field (Windows writes empty elements for missing values)."""
        rule = compile_one("  sel:\n    A: null\n  condition: sel\n")
        assert [1, 2] == matching(rule, [{"A": "x"}, {}, {"A": ""}])

    def test_expand_without_placeholder_pipeline_fails(self) -> None:
        """``expand`` placeholders we cannot resolve make a clear failure."""
        assert "placeholder" in failure_of("  sel:\n    User|expand: '%admins%'\n  condition: sel\n")

    def test_too_many_values(self) -> None:
        """A rule listing more than the cap of values is refused."""
        values = "\n".join(f"      - v{i}" for i in range(MAX_VALUES_PER_RULE + 1))
        assert "too many values" in failure_of(f"  sel:\n    A:\n{values}\n  condition: sel\n")

    def test_unknown_modifier(self) -> None:
        """An unknown modifier is reported with pySigma's message."""
        assert "bogus" in failure_of("  sel:\n    A|bogus: 'x'\n  condition: sel\n")


class TestConditions:
    """Condition expressions over named detections."""

    DETECTION = (
        "  a:\n    A: 'x'\n  b:\n    B: 'y'\n  filter_1:\n    C: 'z'\n  filter_2:\n    D: 'w'\n"
        "  condition: {condition}\n"
    )
    EVENTS = (
        {"A": "x"},
        {"B": "y"},
        {"A": "x", "B": "y"},
        {"A": "x", "C": "z"},
        {"A": "x", "B": "y", "D": "w"},
    )

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            ("a and b", [2, 4]),
            ("a or b", [0, 1, 2, 3, 4]),
            ("a and not 1 of filter_*", [0, 2]),
            ("all of filter_*", []),
            ("1 of them", [0, 1, 2, 3, 4]),
            ("all of them", []),
            ("(a or b) and not (filter_1 or filter_2)", [0, 1, 2]),
            ("not a", [1]),
        ],
    )
    def test_condition(self, condition: str, expected: list[int]) -> None:
        """Conditions, with ``not`` true when the negated fields are absent (NULL)."""
        rule = compile_one(self.DETECTION.format(condition=condition))
        assert expected == matching(rule, list(self.EVENTS))

    def test_keywords_search_the_raw_text(self) -> None:
        """Keywords (values without a field) search the ``_raw`` column, listed in the rule's fields."""
        rule = compile_one("  keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\n  condition: keywords\n")
        assert "_raw" in rule.fields
        assert [0] == matching(rule, [{"_raw": '{"x": "Invoke-Mimikatz"}'}, {"_raw": "nothing"}])


class TestLogSources:
    """Log-source mapping by the Sysmon and Windows pipelines, and the channels read back."""

    def test_process_creation_maps_to_sysmon_channel(self) -> None:
        """The Sysmon pipeline turns process_creation into Sysmon's channel and EventID 1."""
        rule = compile_one(
            "  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n",
            logsource="category: process_creation\n  product: windows",
        )
        assert ("Microsoft-Windows-Sysmon/Operational",) == rule.channels
        assert '"EventID" = 1' in rule.sql["duckdb"]

    def test_service_maps_to_channel(self) -> None:
        """``service: security`` routes to the Security channel; metadata comes through."""
        rule = compile_one(
            "  sel:\n    EventID: 4624\n  condition: sel\n",
            logsource="product: windows\n  service: security",
            extra="tags:\n  - attack.t1078\n",
        )
        assert ("Security",) == rule.channels
        assert ("attack.t1078",) == rule.tags
        assert Level.HIGH == rule.level

    def test_no_logsource_mapping_means_any_channel(self) -> None:
        """Without a mapped log source the rule can match any channel."""
        assert () == compile_one("  sel:\n    A: 'x'\n  condition: sel\n").channels


class TestSparkRendering:
    """The Spark rendering, checked as text (no Spark here)."""

    def test_spark_quoting_regex_and_literals(self) -> None:
        """Spark gets backquoted columns, RLIKE, backslash-escaped literals and STRING casts."""
        rule = compile_one(
            "  sel:\n    Image|endswith: '\\cmd.exe'\n    A|re: 'a\\d'\n    B: \"it's\"\n"
            "    EventID|startswith: '46'\n  condition: sel\n"
        )
        spark = rule.sql["spark"]
        assert "`Image` ILIKE '%\\\\\\\\cmd.exe' ESCAPE '\\\\'" in spark
        assert "`A` RLIKE 'a\\\\d'" in spark
        assert "lower(`B`) = 'it\\'s'" in spark
        assert "CAST(`EventID` AS STRING) ILIKE '46%'" in spark
        duck = rule.sql["duckdb"]
        assert "regexp_matches(\"A\", 'a\\d')" in duck
        assert "lower(\"B\") = 'it''s'" in duck
