"""The rule file loader: strict YAML, every refusal one line naming the file and the element at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.engines.incidents import RuleError, load_rules, parse_rules, shipped_rules
from hygie.engines.incidents.loader import MAX_FILE_BYTES, SHIPPED_RULES

RULE_A = """\
  - id: a
    authority: anssi
    title: A
    title_fr: A fr
    basis: B
    basis_fr: B fr
    deadline: {kind: hours, hours: 24}
    requires: [nis2_entity]
"""
RULE_B = """\
  - id: b
    authority: cnil
    title: B
    title_fr: B fr
    basis: B
    basis_fr: B fr
    deadline: {kind: months, months: 1}
    starts: a
    declaration: cnil
"""


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    """``text`` written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def document(*rules: str) -> str:
    """A rule file holding ``rules``."""
    return "rules:\n" + "".join(rules)


class TestValidFiles:
    """Valid files load into the documented values."""

    def test_a_copy_of_the_shipped_file_loads_into_the_same_rules(self, tmp_path: Path) -> None:
        """Given a copy of the shipped file, when loaded, then the same rules as shipped_rules()."""
        path = write(tmp_path, SHIPPED_RULES.read_text(encoding="utf-8"), "obligations.yaml")
        assert shipped_rules().rules == load_rules(path).rules

    def test_fields_and_defaults(self, tmp_path: Path) -> None:
        """Given two rules, then ids, starts, declarations, facts and order come from the file, with defaults."""
        rules = load_rules(write(tmp_path, document(RULE_A, RULE_B)))
        a, b = rules.get("a"), rules.get("b")
        assert ("awareness", None, 0, frozenset()) == (a.starts, a.declaration, a.order, a.excludes)
        assert ("a", "cnil", 1, frozenset()) == (b.starts, b.declaration, b.order, b.requires)
        assert "rules.yaml" == rules.source


REFUSED = [
    pytest.param("rules: [a, {b: 1", r"^rules\.yaml: malformed YAML: line \d+, column \d+: ", id="malformed"),
    pytest.param(
        document(RULE_A.replace("    title: A\n", "    title: A\n    title: A again\n")),
        r"^rules\.yaml: line 5, column 5: key 'title' appears twice in the same mapping$",
        id="duplicate key",
    ),
    pytest.param("- a\n", r"^rules\.yaml: expected a mapping with a 'rules' list, not list$", id="not a mapping"),
    pytest.param("rules: []\n", r"^rules\.yaml: rules: expected a non-empty list", id="no rules"),
    pytest.param(document(RULE_A) + "version: 2\n", r"^rules\.yaml: unknown field 'version'", id="unknown top field"),
    pytest.param(document("  - 3\n"), r"^rules\.yaml: rules\[0\]: expected a mapping, not int$", id="not a rule"),
    pytest.param(
        document(RULE_A.replace("    title: A\n", "    titel: A\n")),
        r"^rules\.yaml: rules\[0\]: unknown field 'titel'$",
        id="unknown rule field",
    ),
    pytest.param(
        document(RULE_A.replace("[nis2_entity]", "[nis2_entity, hospital]")),
        r"^rules\.yaml: rules\[0\]\.requires\[1\]: unknown fact 'hospital' \(known: health_establishment, ",
        id="unknown fact",
    ),
    pytest.param(
        document(RULE_A.replace("requires: [nis2_entity]", "requires: nis2_entity")),
        r"^rules\.yaml: rules\[0\]\.requires: expected a list of facts",
        id="facts not a list",
    ),
    pytest.param(
        document(RULE_A + "    excludes: [nis2_entity]\n"),
        r"^rules\.yaml: rules\[0\]: 'nis2_entity' is both required and excluded",
        id="required and excluded",
    ),
    pytest.param(
        document(RULE_A, RULE_B.replace("starts: a", "starts: ghost")),
        r"^rules\.yaml: rules\[1\]\.starts: no rule has the id 'ghost'",
        id="unknown starts",
    ),
    pytest.param(
        document(RULE_A.replace("    requires", "    starts: b\n    requires"), RULE_B),
        r"^rules\.yaml: rules\[0\]\.starts: cycle a -> b -> a$",
        id="cycle",
    ),
    pytest.param(
        document(RULE_A, RULE_A),
        r"^rules\.yaml: rules\[1\]\.id: 'a' is already the id of rules\[0\]$",
        id="duplicate ids",
    ),
    pytest.param(
        document(RULE_A.replace("id: a", "id: A-1")),
        r"^rules\.yaml: rules\[0\]\.id: expected a lower-case identifier",
        id="bad id",
    ),
    pytest.param(
        document(RULE_A.replace("id: a", "id: " + "a" * 41)),
        r"^rules\.yaml: rules\[0\]\.id: expected a lower-case identifier \[a-z\]\[a-z0-9_\]\* \(40 at most\)",
        id="id too long",
    ),
    pytest.param(
        document(RULE_A.replace("id: a", "id: awareness")),
        r"^rules\.yaml: rules\[0\]\.id: 'awareness' is reserved",
        id="reserved id",
    ),
    pytest.param(
        document(RULE_A.replace("authority: anssi", "authority: fbi")),
        r"^rules\.yaml: rules\[0\]\.authority: expected one of cert_sante, ",
        id="unknown authority",
    ),
    pytest.param(
        document(RULE_B.replace("    starts: a\n", "").replace("declaration: cnil", "declaration: fax")),
        r"^rules\.yaml: rules\[0\]\.declaration: expected one of cert_sante, ",
        id="unknown declaration",
    ),
    pytest.param(
        document(RULE_A.replace("    title_fr: A fr\n", "")),
        r"^rules\.yaml: rules\[0\]\.title_fr: expected a non-empty text, not None$",
        id="missing title_fr",
    ),
    pytest.param(
        document(RULE_A.replace("    deadline: {kind: hours, hours: 24}\n", "")),
        r"^rules\.yaml: rules\[0\]\.deadline: expected a mapping such as",
        id="missing deadline",
    ),
    pytest.param(
        document(RULE_A.replace("kind: hours,", "kind: weeks,")),
        r"^rules\.yaml: rules\[0\]\.deadline\.kind: expected one of without_delay, hours, months, policy, not 'weeks'$",
        id="unknown deadline kind",
    ),
    pytest.param(
        document(RULE_A.replace("kind: hours,", "kind: [hours],")),
        r"^rules\.yaml: rules\[0\]\.deadline\.kind: expected one of ",
        id="deadline kind not text",
    ),
    pytest.param(
        document(RULE_A.replace("hours: 24", "hours: -24")),
        r"^rules\.yaml: rules\[0\]\.deadline\.hours: a deadline amount must be positive, not -24$",
        id="negative hours",
    ),
    pytest.param(
        document(RULE_A.replace("hours: 24", "hours: '24'")),
        r"^rules\.yaml: rules\[0\]\.deadline\.hours: expected a number, not '24'$",
        id="hours as text",
    ),
    pytest.param(
        document(RULE_A.replace("hours: 24", "hours: .inf")),
        r"^rules\.yaml: rules\[0\]\.deadline\.hours: a deadline amount must be a number, not inf$",
        id="infinite hours",
    ),
    pytest.param(
        document(RULE_A.replace("hours: 24", "months: 1")),
        r"^rules\.yaml: rules\[0\]\.deadline: unknown field 'months' for a hours deadline \(expected 'hours'\)$",
        id="months for an hours deadline",
    ),
    pytest.param(
        document(RULE_A.replace("{kind: hours, hours: 24}", "{kind: months, months: 1.5}")),
        r"^rules\.yaml: rules\[0\]\.deadline\.months: expected a whole number of months, not 1\.5$",
        id="fractional months",
    ),
]


class TestRefusedFiles:
    """Every problem is one RuleError line starting with the file name and naming the element."""

    @pytest.mark.parametrize(("text", "message"), REFUSED)
    def test_refused_with_a_message_naming_file_and_element(self, tmp_path: Path, text: str, message: str) -> None:
        """Given a faulty rule file, when it is loaded, then RuleError with the expected one-line message."""
        with pytest.raises(RuleError, match=message) as caught:
            load_rules(write(tmp_path, text))
        assert "\n" not in str(caught.value)

    def test_a_missing_file(self, tmp_path: Path) -> None:
        """Given no file, then RuleError: no such file."""
        with pytest.raises(RuleError, match=r"^absent\.yaml: no such file$"):
            load_rules(tmp_path / "absent.yaml")

    def test_a_directory(self, tmp_path: Path) -> None:
        """Given a directory, then RuleError: not a rule file."""
        (tmp_path / "dir.yaml").mkdir()
        with pytest.raises(RuleError, match=r"^dir\.yaml: is a directory"):
            load_rules(tmp_path / "dir.yaml")

    def test_an_oversized_file(self, tmp_path: Path) -> None:
        """Given a file larger than the limit, then RuleError before it is parsed."""
        path = write(tmp_path, "#" * (MAX_FILE_BYTES + 1))
        with pytest.raises(RuleError, match=r"^rules\.yaml: file is \d+ bytes, more than the"):
            load_rules(path)

    def test_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        """Given Latin-1 bytes, then RuleError: not UTF-8."""
        path = tmp_path / "rules.yaml"
        path.write_bytes("rules: [{title: Sant\xe9}]".encode("latin-1"))
        with pytest.raises(RuleError, match=r"^rules\.yaml: not UTF-8 text \(byte \d+\)$"):
            load_rules(path)

    def test_an_alias_bomb(self, tmp_path: Path) -> None:
        """Given YAML aliases expanding to millions of values, then RuleError instead of exhausting memory."""
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
        with pytest.raises(RuleError, match=r"^rules\.yaml: more than \d+ values once YAML aliases are expanded"):
            load_rules(write(tmp_path, "\n".join(lines) + "\n"))

    def test_parse_rules_names_its_source(self) -> None:
        """Given an already parsed document, then errors name the source given."""
        with pytest.raises(RuleError, match=r"^upload: rules: expected a non-empty list"):
            parse_rules({"rules": None}, "upload")
