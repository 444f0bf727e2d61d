"""Reading obligation rules from YAML: strict (duplicate keys and unknown fields refused), one error line.

The format is documented in ``docs/development/obligations.md``. Every refusal is a
:class:`RuleError` whose message starts with the file and names the element at fault
(``obligations.yaml: rules[3].deadline: kind must be one of ...``); nothing is partially accepted.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from hygie.engines.incidents.rules import (
    AUTHORITIES,
    AWARENESS,
    DECLARATIONS,
    Deadline,
    DeadlineKind,
    Fact,
    ObligationRule,
    RuleError,
    RuleSet,
)

__all__ = ["MAX_FILE_BYTES", "SHIPPED_RULES", "load_rules", "parse_rules", "shipped_rules"]

#: The rules shipped with Hygie, beside this module (packaged with it).
SHIPPED_RULES = Path(__file__).with_name("obligations.yaml")
#: Largest rule file read: the shipped one is a few KiB; more is a mistake.
MAX_FILE_BYTES = 1024 * 1024
#: Most values a document may expand to through YAML aliases ("billion laughs" guard).
_MAX_VALUES = 100_000
#: Rule ids: at most 40 characters, the width of the platform's column that records an obligation done.
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_RULE_FIELDS = frozenset(
    {"id", "authority", "title", "title_fr", "basis", "basis_fr", "deadline", "starts", "requires", "excludes",
     "declaration"}
)
# The unit is in the key, so that a file says what it means: `hours: 72`, `months: 1`.
_DEADLINE_UNIT = {
    DeadlineKind.WITHOUT_DELAY: "hours",
    DeadlineKind.HOURS: "hours",
    DeadlineKind.MONTHS: "months",
    DeadlineKind.POLICY: "hours",
}

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKeyError(yaml.YAMLError):
    """A mapping key given twice (PyYAML silently keeps the last one)."""


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]  # the C loader is chosen at run time
    """Safe loader that refuses a mapping key given twice."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mark = key_node.start_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        if isinstance(key, list | dict | set):
            raise _DuplicateKeyError(f"{where}: a mapping key must be a plain value")
        if key in mapping:
            raise _DuplicateKeyError(f"{where}: key {key!r} appears twice in the same mapping")
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(text: str, source: str) -> object:
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except _DuplicateKeyError as error:
        raise RuleError(f"{source}: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise RuleError(f"{source}: malformed YAML: {where}{error.problem or error}") from None
    except yaml.YAMLError as error:
        raise RuleError(f"{source}: malformed YAML: {error}") from None
    pending, seen = [document], 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > _MAX_VALUES:
            raise RuleError(f"{source}: more than {_MAX_VALUES} values once YAML aliases are expanded; refused")
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return document


def load_rules(path: Path) -> RuleSet:
    """Read and check the rule file at ``path`` (UTF-8 YAML, at most :data:`MAX_FILE_BYTES`)."""
    source = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RuleError(f"{source}: file is {size} bytes, more than the {MAX_FILE_BYTES} allowed for rules")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RuleError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise RuleError(f"{source}: is a directory, not a rule file") from None
    except OSError as error:
        raise RuleError(f"{source}: cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RuleError(f"{source}: not UTF-8 text (byte {error.start})") from None
    return parse_rules(_read_yaml(text, source), source)


@functools.cache
def shipped_rules() -> RuleSet:
    """The rules shipped with Hygie (read once per process)."""
    return load_rules(SHIPPED_RULES)


def parse_rules(data: object, source: str) -> RuleSet:
    """A checked :class:`RuleSet` from a parsed document ``{"rules": [...]}``; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise RuleError(f"{source}: expected a mapping with a 'rules' list, not {type(data).__name__}")
    unknown = sorted(str(key) for key in data if key != "rules")
    if unknown:
        raise RuleError(f"{source}: unknown field {unknown[0]!r} (expected only 'rules')")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{source}: rules: expected a non-empty list of rules")
    rules = [_rule(raw, f"{source}: rules[{position}]", position) for position, raw in enumerate(raw_rules)]
    return RuleSet(tuple(rules), source=source)


def _rule(raw: object, where: str, position: int) -> ObligationRule:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping, not {type(raw).__name__}")
    unknown = sorted(str(key) for key in raw if key not in _RULE_FIELDS)
    if unknown:
        raise RuleError(f"{where}: unknown field {unknown[0]!r}")
    rule_id = _identifier(raw, "id", where)
    starts = raw.get("starts", AWARENESS)
    if not isinstance(starts, str) or not (starts == AWARENESS or _ID.fullmatch(starts)):
        raise RuleError(f"{where}.starts: expected {AWARENESS!r} or the id of another rule, not {starts!r}")
    declaration = raw.get("declaration")
    if declaration is not None and declaration not in DECLARATIONS:
        raise RuleError(f"{where}.declaration: expected one of {', '.join(DECLARATIONS)}, not {declaration!r}")
    requires = _facts(raw, "requires", where)
    excludes = _facts(raw, "excludes", where)
    both = requires & excludes
    if both:
        raise RuleError(f"{where}: {min(both).value!r} is both required and excluded (the rule could never apply)")
    authority = raw.get("authority")
    if authority not in AUTHORITIES:
        raise RuleError(f"{where}.authority: expected one of {', '.join(AUTHORITIES)}, not {authority!r}")
    return ObligationRule(
        id=rule_id,
        authority=str(authority),
        title=_text(raw, "title", where),
        title_fr=_text(raw, "title_fr", where),
        basis=_text(raw, "basis", where),
        basis_fr=_text(raw, "basis_fr", where),
        deadline=_deadline(raw.get("deadline"), f"{where}.deadline"),
        starts=starts,
        requires=requires,
        excludes=excludes,
        declaration=declaration,
        order=position,
    )


def _identifier(raw: dict[Any, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise RuleError(f"{where}.{key}: expected a lower-case identifier [a-z][a-z0-9_]* (40 at most), not {value!r}")
    if value == AWARENESS:
        raise RuleError(f"{where}.{key}: {AWARENESS!r} is reserved (it is the start of awareness-based clocks)")
    return value


def _text(raw: dict[Any, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}.{key}: expected a non-empty text, not {value!r}")
    return " ".join(value.split())


def _facts(raw: dict[Any, Any], key: str, where: str) -> frozenset[Fact]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise RuleError(f"{where}.{key}: expected a list of facts, not {value!r}")
    known = {fact.value: fact for fact in Fact}
    facts: set[Fact] = set()
    for position, item in enumerate(value):
        if not isinstance(item, str) or item not in known:
            raise RuleError(f"{where}.{key}[{position}]: unknown fact {item!r} (known: {', '.join(known)})")
        facts.add(known[item])
    return frozenset(facts)


def _deadline(raw: object, where: str) -> Deadline:
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping such as {{kind: hours, hours: 72}}, not {raw!r}")
    kinds = {kind.value: kind for kind in DeadlineKind}
    spelled = raw.get("kind")
    kind = kinds.get(spelled) if isinstance(spelled, str) else None
    if kind is None:
        raise RuleError(f"{where}.kind: expected one of {', '.join(kinds)}, not {raw.get('kind')!r}")
    unit = _DEADLINE_UNIT[kind]
    unknown = sorted(str(key) for key in raw if key not in {"kind", unit})
    if unknown:
        raise RuleError(f"{where}: unknown field {unknown[0]!r} for a {kind.value} deadline (expected {unit!r})")
    amount = raw.get(unit)
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise RuleError(f"{where}.{unit}: expected a number, not {amount!r}")
    if kind is DeadlineKind.MONTHS and not isinstance(amount, int):
        raise RuleError(f"{where}.{unit}: expected a whole number of months, not {amount!r}")
    try:
        return Deadline(kind, amount)
    except ValueError as error:
        raise RuleError(f"{where}.{unit}: {error}") from None
