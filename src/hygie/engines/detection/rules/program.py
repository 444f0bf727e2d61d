r"""A rule's condition as a match program: a boolean tree over atoms, for the indexed evaluator.

The SQL condition of a rule is exact but costs DuckDB about 100 µs of planning per comparison, and a
full SigmaHQ pack holds some 40,000 comparisons: planning alone would take seconds on every hunt. The
program is the same condition kept as data, so that the evaluator (:mod:`hygie.engines.detection.index`)
can match every literal of every rule in one multi-pattern pass per field and combine them as bitmaps.

A program is JSON: ``{"tree": NODE, "atoms": [ATOM, ...]}``.

- ``NODE`` is ``["and", [NODE...]]``, ``["or", [NODE...]]``, ``["not", NODE]`` or ``["atom", i]``.
- ``ATOM`` is ``[KIND, FIELD, ARGUMENT]`` (``FIELD`` lower-case), or ``["sql", FIELD, SQL, FIELDS, NATIVE]``:

  - ``eq``, ``contains``, ``startswith``, ``endswith``: the argument is lower-case text, compared with
    the lower-cased field, as the SQL ``lower(col) = 'v'`` / ``col ILIKE '%v%'`` do;
  - ``num``: a list of integers, for the numeric ``EventID``;
  - ``exists``: the field is present; ``empty``: absent or empty (``field: null``); no argument;
  - ``sql``: anything else (regexes, ``?`` wildcards, case-sensitive matches, comparisons, field
    references): its DuckDB condition and the fields it reads; the evaluator asks DuckDB for those.
- ``anchors``: literal atoms of which one must hold wherever the rule matches (see :func:`anchors`).

Atoms on an absent field are false, and ``not`` is plain negation: that is exactly what the SQL
condition gives, since every ``NOT`` is compiled as ``NOT coalesce(X, false)`` and a NULL ``WHERE``
is false (for a formula without negation, "true with every NULL read as false" and "true in SQL's
three-valued logic" are the same thing).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

import orjson
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.conversion.state import ConversionState
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from hygie.engines.detection.atoms import LITERAL_KINDS, compile_tree
from hygie.engines.detection.model import NUMERIC_FIELDS
from hygie.engines.detection.rules.backend import (
    RAW_FIELD,
    SqlConditionBackend,
    UnsupportedConstructError,
    regex_with_flags,
)
from hygie.engines.detection.rules.dialect import render

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sigma.rule import SigmaRule

    from hygie.engines.detection.model import CompiledRule

__all__ = ["LITERAL_KINDS", "anchors", "build_program", "intern_programs"]


_Node = list[Any]


class _Builder:
    """Walks a processed condition tree, collecting atoms (deduplicated within the rule)."""

    def __init__(self, backend: SqlConditionBackend) -> None:
        self.backend = backend
        self.atoms: list[dict[str, Any]] = []
        self._seen: dict[str, int] = {}
        self._sql_leaves: list[tuple[int, str]] = []  # (atom index, neutral template)

    def atom(self, **spec: Any) -> _Node:
        key = repr(sorted(spec.items()))
        index = self._seen.get(key)
        if index is None:
            index = self._seen[key] = len(self.atoms)
            self.atoms.append(spec)
        return ["atom", index]

    def sql_atom(self, node: ConditionFieldEqualsValueExpression | ConditionValueExpression, field: str) -> _Node:
        """An atom beyond the literal pass: the backend's own SQL for this leaf, and its native form if any."""
        template = self.backend.convert_condition(node, ConversionState())
        if not isinstance(template, str):
            raise UnsupportedConstructError("deferred expressions are not supported")
        spec = self.atom(kind="sql", field=field, template=template, native=_native(node, field))
        self._sql_leaves.append((spec[1], template))
        return spec

    def walk(self, node: Any) -> _Node:
        if isinstance(node, ConditionAND):
            return ["and", [self.walk(arg) for arg in node.args]]
        if isinstance(node, ConditionOR):
            return ["or", [self.walk(arg) for arg in node.args]]
        if isinstance(node, ConditionNOT):
            return ["not", self.walk(node.args[0])]
        if isinstance(node, ConditionFieldEqualsValueExpression):
            return self.leaf(node)
        if isinstance(node, ConditionValueExpression):
            value = node.value
            if isinstance(value, SigmaString) and not isinstance(value, SigmaCasedString):
                # A keyword: a substring of the event's whole text (the SQL adds the leading and trailing %).
                return self.string(RAW_FIELD, value, keyword=True) or self.sql_atom(node, RAW_FIELD)
            return self.sql_atom(node, RAW_FIELD)
        raise UnsupportedConstructError(f"unexpected condition node {type(node).__name__}")

    def leaf(self, node: ConditionFieldEqualsValueExpression) -> _Node:  # noqa: C901, PLR0911 - one branch per value kind
        field, value = node.field, node.value
        if isinstance(value, SigmaExpansion):
            return ["or", [self.leaf(ConditionFieldEqualsValueExpression(field, v)) for v in value.values]]
        if isinstance(value, SigmaExists):
            present = self.atom(kind="exists", field=field)
            return present if value.exists else ["not", present]
        if isinstance(value, SigmaNull):
            return self.atom(kind="empty", field=field)
        if field in NUMERIC_FIELDS:
            number = _integer(value)
            if number is not None:
                return self.atom(kind="num", field=field, values=[number])
            return self.sql_atom(node, field)
        if isinstance(value, SigmaBool):
            return self.atom(kind="eq", field=field, value=str(value.boolean).lower())
        if isinstance(value, SigmaNumber):
            # The backend compares the number's text exactly; digits have no case.
            return self.atom(kind="eq", field=field, value=str(value.number))
        if isinstance(value, SigmaCIDRExpression):
            prefixes = [prefix.rstrip("*").lower() for prefix in value.expand()]
            atoms = [self.atom(kind="startswith", field=field, value=p) for p in prefixes if p]
            if len(atoms) != len(prefixes):
                return self.sql_atom(node, field)
            return atoms[0] if len(atoms) == 1 else ["or", atoms]
        if isinstance(value, SigmaString) and not isinstance(value, SigmaCasedString):
            return self.string(field, value) or self.sql_atom(node, field)
        return self.sql_atom(node, field)

    def string(self, field: str, value: SigmaString, *, keyword: bool = False) -> _Node | None:
        """A case-insensitive string as a literal atom, or None when it needs SQL (``?``, inner ``*``)."""
        parts = list(value.s)
        lead = keyword
        trail = keyword
        while parts and parts[0] is SpecialChars.WILDCARD_MULTI:
            parts.pop(0)
            lead = True
        while parts and parts[-1] is SpecialChars.WILDCARD_MULTI:
            parts.pop()
            trail = True
        texts = [part for part in parts if isinstance(part, str)]
        if len(texts) != len(parts):
            return None
        text = "".join(texts).lower()
        if lead or trail:
            if not text:
                return None  # '%' alone: "any non-NULL value", left to SQL
            kind = "contains" if lead and trail else ("endswith" if lead else "startswith")
            return self.atom(kind=kind, field=field, value=text)
        return self.atom(kind="eq", field=field, value=text)

    def finish(self) -> None:
        """Render the SQL atoms' templates (the backend's token tables are complete only now)."""
        tables = self.backend.take()
        for index, template in self._sql_leaves:
            spec = self.atoms[index]
            spec["sql"] = render(tables, "duckdb", template)
            # Regex tokens hold their field in the backend's regex table, not in the template.
            regex_fields = "".join(tables.regexes[int(i)][0] for i in _tokens(template, "R"))
            spec["fields"] = sorted({tables.fields[int(i)] for i in _tokens(template + regex_fields, "F")})
            del spec["template"]


def _native(node: ConditionFieldEqualsValueExpression | ConditionValueExpression, field: str) -> list[Any] | None:
    """The leaf as Arrow can evaluate it on a text column (same semantics as its SQL), or None.

    ``["re", pattern]`` (RE2 search, flags inline, as DuckDB's ``regexp_matches``), ``["like",
    pattern, cased]`` (SQL ``LIKE``, backslash as escape; ``ILIKE`` when not cased), ``["ceq", text]``.
    """
    if field in NUMERIC_FIELDS:
        return None  # compared as numbers or cast: left to SQL
    value = node.value
    if isinstance(value, SigmaRegularExpression):
        return ["re", regex_with_flags(value)]
    if not isinstance(value, SigmaString) or any(isinstance(p, Placeholder) for p in value.s):
        return None
    cased = isinstance(value, SigmaCasedString)
    if isinstance(node, ConditionValueExpression):
        return None if cased else ["like", "%" + _like(value).strip("%") + "%", False]
    if cased and not value.contains_special():
        return ["ceq", "".join(p for p in value.s if isinstance(p, str))]
    return ["like", _like(value), cased]


def _like(value: SigmaString) -> str:
    """The LIKE pattern the backend writes for ``value``."""
    return str(SqlConditionBackend._like_pattern(value))


def _tokens(template: str, kind: str) -> list[str]:
    """The indexes of the backend's ``kind`` tokens (``F`` fields, ``R`` regexes) in ``template``."""
    out: list[str] = []
    start = 0
    while (found := template.find("\x00" + kind, start)) >= 0:
        end = template.index("\x00", found + 2)
        out.append(template[found + 2 : end])
        start = end + 1
    return out


def _integer(value: Any) -> int | None:
    if isinstance(value, SigmaNumber) and isinstance(value.number, int):
        return value.number
    if isinstance(value, SigmaString) and not value.contains_special():
        text = "".join(p for p in value.s if isinstance(p, str)).strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def build_program(rule: SigmaRule, backend: SqlConditionBackend) -> dict[str, Any]:
    """The match program of ``rule``, already processed by ``backend.convert_rule`` (pipelines applied).

    Call right after the rule's SQL was taken from the backend: the program's SQL atoms use the
    backend's token tables, which :meth:`SqlConditionBackend.take` resets.
    """
    builder = _Builder(backend)
    try:
        trees = [builder.walk(condition.parsed) for condition in rule.detection.parsed_condition]
    finally:
        builder.finish()
    tree = trees[0] if len(trees) == 1 else ["or", trees]
    return {"tree": tree, "atoms": [_compact(atom) for atom in builder.atoms], "anchors": anchors(tree, builder.atoms)}


def _compact(atom: dict[str, Any]) -> list[Any]:
    """``[kind, field (lower-case), argument, SQL fields]``: small in the cache, quick to intern."""
    kind = atom["kind"]
    argument: Any = atom.get("sql") if kind == "sql" else atom.get("values", atom.get("value", ""))
    compact = [kind, str(atom["field"]).lower(), argument if argument is not None else ""]
    if kind == "sql":
        compact.append(atom.get("fields", []))
        compact.append(atom.get("native"))
    return compact


#: Fields whose literals make poor anchors: nearly every event of a channel has the same value.
_WEAK_ANCHOR_FIELDS: Final = frozenset({"channel", "provider_name", "eventid"})


def anchors(node: list[Any], atoms: list[dict[str, Any]]) -> list[int] | None:
    """Literal atoms (indexes) of which one must hold wherever ``node`` holds; None when there are none.

    A literal is its own anchor; a disjunction needs an anchor in every branch (their union); a
    conjunction takes its most selective conjunct's (the longest shortest literal, not on a field
    every event of a channel shares); negations and non-literal atoms give none.
    """
    op = node[0]
    if op == "atom":
        return [int(node[1])] if atoms[int(node[1])]["kind"] in LITERAL_KINDS else None
    if op == "or":
        union: set[int] = set()
        for child in node[1]:
            found = anchors(child, atoms)
            if found is None:
                return None
            union.update(found)
        return sorted(union)
    if op == "and":
        best: list[int] | None = None
        best_score = -1
        for child in node[1]:
            found = anchors(child, atoms)
            if found is None:
                continue
            score = min(len(str(atoms[i].get("value", ""))) for i in found)
            if any(str(atoms[i]["field"]).lower() in _WEAK_ANCHOR_FIELDS for i in found):
                score = 0
            if score > best_score:
                best, best_score = found, score
        return best
    return None


def intern_programs(rules: Sequence[CompiledRule]) -> tuple[list[CompiledRule], list[list[Any]]]:
    """The rules with their programs rewritten against one atom table shared by the pack, and the table.

    A pack's rules repeat atoms (one literal in fifty rules): stored once in the table, each rule
    keeps the table positions (``ids``), the positions of its SQL atoms (``sql``), its anchors and
    its tree as JSON text (parsed only for the rules a hunt evaluates). Loading a cached pack then
    costs no per-atom work beyond reading the table.
    """
    table: list[list[Any]] = []
    positions: dict[str, int] = {}
    out: list[CompiledRule] = []
    for rule in rules:
        program = rule.program
        if program is None or "ids" in program:
            out.append(rule)
            continue
        ids = []
        for atom in program["atoms"]:
            key = orjson.dumps(atom).decode()
            position = positions.get(key)
            if position is None:
                position = positions[key] = len(table)
                table.append(atom)
            ids.append(position)
        local_anchors = program.get("anchors")
        kinds = [atom[0] for atom in program["atoms"]]
        names = [atom[1] for atom in program["atoms"]]
        shared = {
            "tree": orjson.dumps(compile_tree(program["tree"], ids, kinds, names)).decode(),
            "ids": ids,
            "anchors": [ids[i] for i in local_anchors] if local_anchors is not None else None,
            "sql": sorted({ids[i] for i, atom in enumerate(program["atoms"]) if atom[0] == "sql"}),
        }
        out.append(replace(rule, program=shared))
    return out, table
