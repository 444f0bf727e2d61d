"""The atoms of a hunt's rules, interned, with per-field literal tables and Aho-Corasick automata.

:class:`AtomIndex` is built once per hunt from the rules' match programs
(:mod:`hygie.engines.detection.rules.program`); :mod:`hygie.engines.detection.index` evaluates
buffers of events with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import ahocorasick_rs
import orjson

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hygie.engines.detection.model import CompiledRule

__all__ = ["AND", "ATOM", "LIT", "LITERAL_KINDS", "NOT", "OR", "Atom", "AtomIndex", "Node", "compile_tree"]

#: Atom kinds matched by the literal pass (one multi-pattern scan per field).
LITERAL_KINDS: Final = frozenset({"eq", "contains", "startswith", "endswith"})
#: Node kinds of compiled trees.
AND, OR, NOT, LIT, ATOM = range(5)


def compile_tree(node: list[Any], ids: list[int], kinds: list[str], names: list[str]) -> list[Any]:
    """A program tree in the evaluator's form: table positions, and an OR's literals on one field as one node.

    ``[AND, [children]]``, ``[OR, [children]]``, ``[NOT, child]``, ``[LIT, field, [atom ids]]`` (one
    of the literals holds), ``[ATOM, atom id]``; ``ids``, ``kinds`` and ``names`` describe the
    atoms ``node`` refers to by local index.
    """
    op = node[0]
    if op == "atom":
        local = int(node[1])
        if kinds[local] in LITERAL_KINDS:
            return [LIT, names[local], [ids[local]]]
        return [ATOM, ids[local]]
    if op == "not":
        return [NOT, compile_tree(node[1], ids, kinds, names)]
    children = [compile_tree(child, ids, kinds, names) for child in node[1]]
    if op == "or":
        merged: dict[str, list[int]] = {}
        rest: list[list[Any]] = []
        for child in children:
            if child[0] == LIT:
                merged.setdefault(child[1], []).extend(child[2])
            else:
                rest.append(child)
        children = [[LIT, name, list(dict.fromkeys(group))] for name, group in merged.items()] + rest
    if len(children) == 1:
        return children[0]
    return [AND if op == "and" else OR, children]


_KIND_CODES: Final = {"contains": 0, "startswith": 1, "endswith": 2}

#: A compiled tree node (lists, as JSON gives them back).
Node = list[Any]


@dataclass(frozen=True, slots=True)
class Atom:
    """One comparison, shared by every rule that makes it (``field`` lower-case)."""

    kind: str
    field: str
    value: str = ""
    values: tuple[int, ...] = ()
    sql: str = ""
    sql_fields: tuple[str, ...] = ()
    native: tuple[Any, ...] = ()


@dataclass(slots=True)
class _FieldLiterals:
    """A field's literal atoms: equality look-up and one automaton for the rest."""

    eq: dict[str, list[int]] = field(default_factory=dict)
    patterns: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    pattern_atoms: list[list[tuple[int, int]]] = field(default_factory=list)
    automaton: Any = None


class AtomIndex:
    """The atoms and anchors of a rule list, built once per hunt and shared by all buffers.

    Atoms are interned across rules (the same literal in fifty rules is matched once). Trees are
    compiled on first use: most rules never get past their anchors. Rules without a program have
    ``None`` anchors and trees: the caller evaluates them otherwise (SQL).
    """

    def __init__(self, rules: Sequence[CompiledRule], table: Sequence[list[Any]] = ()) -> None:
        # Atoms as their compact specs (see rules.program); Atom objects only made when asked for.
        self.kinds: list[str] = []
        self._specs: list[list[Any]] = []
        self._made: dict[int, Atom] = {}
        self._ids: dict[tuple[Any, ...], int] = {}
        self.anchors: list[frozenset[int] | None] = []
        self.sql_atoms: list[tuple[int, ...]] = []
        self.has_program: list[bool] = []
        self.fields: dict[str, _FieldLiterals] = {}
        self._programs: list[tuple[Any, list[int]] | None] = []
        self._trees: dict[int, Node] = {}
        # A pack's shared table (see intern_programs): interned once, rules refer to it by position.
        shared = self._add(table)
        for rule in rules:
            program = rule.program
            if program is None:
                self._programs.append(None)
                self.has_program.append(False)
                self.anchors.append(None)
                self.sql_atoms.append(())
                continue
            if "ids" in program:
                if len(shared) <= max(program["ids"], default=-1):
                    raise ValueError(f"rule {rule.rule_id} refers to atoms of a pack table that was not given")
                ids = [shared[i] for i in program["ids"]]
                local = program.get("anchors")
                self.anchors.append(frozenset(shared[i] for i in local) if local is not None else None)
                self.sql_atoms.append(tuple(shared[i] for i in program["sql"]))
            else:
                ids = [self._intern(spec) for spec in program["atoms"]]
                local = program.get("anchors")
                self.anchors.append(frozenset(ids[i] for i in local) if local is not None else None)
                self.sql_atoms.append(tuple(sorted({i for i in ids if self.kinds[i] == "sql"})))
            self._programs.append((program["tree"], ids))
            self.has_program.append(True)

    def automaton(self, name: str) -> Any:
        """The field's automaton over its literal patterns, built on first use (None: no patterns).

        Built lazily: in a parallel hunt each worker builds those of the fields its events have,
        instead of the parent building them all before the workers start.
        """
        literals = self.fields[name]
        if literals.automaton is None and literals.patterns:
            # A contiguous NFA: built twice as fast as the default, and scans as fast on log values.
            literals.automaton = ahocorasick_rs.AhoCorasick(
                literals.patterns, implementation=ahocorasick_rs.Implementation.ContiguousNFA
            )
        return literals.automaton

    def tree(self, rule: int) -> Node | None:
        """The rule's tree with global atom ids (see :func:`compile_tree`), made once."""
        tree = self._trees.get(rule)
        if tree is None:
            program = self._programs[rule]
            if program is None:
                return None
            if isinstance(program[0], str):  # a pack's program: compiled already, positions in the table
                tree = orjson.loads(program[0])
            else:
                kinds = [self.kinds[i] for i in program[1]]
                names = [self._specs[i][1] for i in program[1]]
                tree = compile_tree(program[0], program[1], kinds, names)
            self._trees[rule] = tree
        return tree

    def atom(self, index: int) -> Atom:
        """The atom at ``index``."""
        made = self._made.get(index)
        if made is None:
            spec = self._specs[index]
            kind, name = spec[0], spec[1]
            if kind == "num":
                made = Atom(kind, name, values=tuple(spec[2]))
            elif kind == "sql":
                native = spec[4] if len(spec) > 4 and spec[4] else ()  # noqa: PLR2004 - the compact layout
                made = Atom(kind, name, sql=spec[2], sql_fields=tuple(spec[3]), native=tuple(native))
            else:
                made = Atom(kind, name, value=spec[2])
            self._made[index] = made
        return made

    def _intern(self, spec: list[Any]) -> int:
        """The index of ``spec``, added unless an equal atom is there (rules with their own atoms)."""
        argument = spec[2]
        key = (spec[0], spec[1], tuple(argument) if spec[0] == "num" else argument)
        index = self._ids.get(key)
        if index is None:
            index = self._ids[key] = self._add([spec])[0]
        return index

    def _add(self, specs: Sequence[list[Any]]) -> list[int]:
        """Append atoms (a pack's table: already unique) and register their literals; their indexes."""
        base = len(self.kinds)
        kinds, kept, fields = self.kinds, self._specs, self.fields
        for index, spec in enumerate(specs, start=base):
            kind, name = spec[0], spec[1]
            kinds.append(kind)
            kept.append(spec)
            if kind != "eq" and kind not in _KIND_CODES:
                continue
            literals = fields.get(name)
            if literals is None:
                literals = fields[name] = _FieldLiterals()
            value = spec[2]
            if kind == "eq":
                literals.eq.setdefault(value, []).append(index)
                continue
            position = literals.positions.get(value, -1)
            if position < 0:
                position = literals.positions[value] = len(literals.patterns)
                literals.patterns.append(value)
                literals.pattern_atoms.append([])
            literals.pattern_atoms[position].append((index, _KIND_CODES[kind]))
        return list(range(base, len(kinds)))
