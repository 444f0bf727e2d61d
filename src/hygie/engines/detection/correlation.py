"""Sigma correlation rules (specification v2) over the detections of their base rules.

A correlation rule is read once into a :class:`CorrelationSpec` (:func:`correlation_spec`); after the
base rules ran, :func:`apply_correlations` groups the base detections by the ``group-by`` fields (read
from ``Detection.event``, through the rule's ``aliases``), sorts each group by time and sweeps it:

- the window starting at each base detection holds every later detection of the group at most
  ``timespan`` seconds after it (a sliding window: a burst split by a fixed bin edge is still found);
- ``event_count`` compares the window's detection count with the condition, ``value_count`` its
  number of distinct non-null values of ``condition.field``, ``temporal`` its number of distinct
  referenced rules (or evaluates the extended ``and/or/not`` expression over them), and
  ``temporal_ordered`` the length of the longest prefix of ``rules`` matched in that order;
- a satisfied window gives one :class:`Detection` and the sweep goes on after the window's last
  detection, so overlapping windows of one burst are reported once.

Base detections without a timestamp, or missing a ``group-by`` field, take part in no correlation
(as ``stats ... by`` drops them in SIEM backends). Correlations may reference correlations: specs
run in dependency order and their detections feed the specs that reference them.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from hygie.engines.detection.model import Detection, Level, RuleFailure

if TYPE_CHECKING:
    # pySigma is imported where it is used: a hunt with cached rules and no correlation never needs it.
    from datetime import datetime

    from sigma.correlations import CorrelationConditionItem, SigmaCorrelationRule, SigmaRuleReference

__all__ = [
    "MAX_MATCHED",
    "SUPPORTED_TYPES",
    "CorrelationSpec",
    "CorrelationType",
    "RuleRef",
    "apply_correlations",
    "compile_correlation",
    "correlation_spec",
    "hidden_rules",
    "referenced_rules",
    "resolve_references",
]

CorrelationType = Literal["event_count", "value_count", "temporal", "temporal_ordered"]
SUPPORTED_TYPES: Final[tuple[str, ...]] = ("event_count", "value_count", "temporal", "temporal_ordered")
_NOT: Final = re.compile(r"\bnot\b")
#: A condition test: the measured count, and the per-key counts of the window (rules, values).
_Test = Callable[[int, "Counter[Any]"], bool]
#: Base detections listed in a correlation's ``event["matched"]`` (the count is always exact).
MAX_MATCHED: Final = 100

_OPERATORS: Final[dict[str, Callable[[int, int], bool]]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "neq": operator.ne,
}


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A rule referenced by a correlation: the reference as written, and the id and name it resolved to.

    pySigma resolves a reference by rule ``name`` or ``id`` within the parsed collection; a reference
    it could not resolve keeps empty ``rule_id``/``name`` and is matched as written (an id, or a
    name through ``apply_correlations(names=...)``).
    """

    reference: str
    rule_id: str = ""
    name: str = ""

    def candidates(self) -> tuple[str, ...]:
        """Every string a base detection's ``rule_id`` may carry for this reference."""
        return tuple(dict.fromkeys(k for k in (self.rule_id, self.reference, self.name) if k))


@dataclass(frozen=True, slots=True)
class CorrelationSpec:
    """A Sigma correlation rule, ready to run over base detections.

    ``operator``/``count`` is the condition (``gt``, ``gte``, ``lt``, ``lte``, ``eq``, ``neq``), with
    ``field`` for ``value_count``; ``expression`` is a temporal rule's extended condition
    (``a and (b or not c)``) when it has one, instead. ``aliases`` maps a ``group-by`` name to the
    field it stands for in each referenced rule's events (keyed by the reference as written).
    """

    rule_id: str
    title: str
    level: Level
    tags: tuple[str, ...]
    type: CorrelationType
    rules: tuple[RuleRef, ...]
    group_by: tuple[str, ...]
    timespan: int
    operator: str = "gte"
    count: int = 1
    field: str = ""
    expression: str = ""
    aliases: dict[str, dict[str, str]] = dc_field(default_factory=dict)
    generate: bool = False
    path: str = ""
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for the compiled-rule cache)."""
        data = asdict(self)
        data.update(level=self.level.name.lower(), tags=list(self.tags), group_by=list(self.group_by))
        data["rules"] = [[r.reference, r.rule_id, r.name] for r in self.rules]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CorrelationSpec:
        """Inverse of ``to_dict``; ``ValueError`` on an unknown type or operator."""
        kind = str(data["type"])
        op = str(data.get("operator", "gte"))
        if kind not in SUPPORTED_TYPES or op not in _OPERATORS:
            raise ValueError(f"unsupported correlation {kind!r} with operator {op!r}")
        return cls(
            rule_id=str(data["rule_id"]),
            title=str(data.get("title", "")),
            level=Level.parse(str(data.get("level", "medium"))),
            tags=tuple(str(t) for t in data.get("tags", [])),
            type=cast("CorrelationType", kind),
            rules=tuple(RuleRef(str(r[0]), str(r[1]), str(r[2])) for r in data.get("rules", [])),
            group_by=tuple(str(g) for g in data.get("group_by", [])),
            timespan=int(data["timespan"]),
            operator=op,
            count=int(data.get("count", 1)),
            field=str(data.get("field", "")),
            expression=str(data.get("expression", "")),
            aliases={
                str(a): {str(k): str(v) for k, v in dict(m).items()} for a, m in dict(data.get("aliases", {})).items()
            },
            generate=bool(data.get("generate", False)),
            path=str(data.get("path", "")),
            name=str(data.get("name", "")),
        )


def correlation_spec(rule: SigmaCorrelationRule, path: str = "") -> CorrelationSpec:
    """The spec of a parsed correlation rule; ``ValueError`` when it has errors or an unsupported type."""
    from sigma.correlations import SigmaExtendedCorrelationCondition, SigmaRuleReference

    if rule.errors:
        raise ValueError("; ".join(str(e) for e in rule.errors))
    kind = str(rule.type.name).lower()
    if kind not in SUPPORTED_TYPES:
        raise ValueError(f"correlation type {kind!r} is not supported (only {', '.join(SUPPORTED_TYPES)})")
    condition = rule.condition
    expression = ""
    op, count, value_field = "gte", 1, ""
    if isinstance(condition, SigmaExtendedCorrelationCondition):
        if kind != "temporal":
            raise ValueError("extended (boolean) conditions are only run for temporal correlations")
        expression = condition.expression
        references = (
            rule.referenced_rules or rule.rules or [SigmaRuleReference(r) for r in condition.get_referenced_rules()]
        )
    else:
        op, count = condition.op.name.lower(), int(condition.count)
        fieldref = condition.fieldref
        if isinstance(fieldref, list):
            if len(fieldref) != 1:
                raise ValueError("value_count over several fields is not supported")
            fieldref = fieldref[0]
        value_field = str(fieldref or "")
        references = rule.referenced_rules or rule.rules or []
    if kind == "value_count" and not value_field:
        raise ValueError("value_count correlation without condition field")
    if not references:
        raise ValueError("correlation rule without rule references")
    return CorrelationSpec(
        rule_id=str(rule.id or rule.name or ""),
        title=str(rule.title or ""),
        level=Level.parse(rule.level.name) if rule.level else Level.MEDIUM,
        tags=tuple(f"{tag.namespace}.{tag.name}" for tag in rule.tags),
        type=cast("CorrelationType", kind),
        rules=tuple(_rule_ref(ref) for ref in references),
        group_by=tuple(rule.group_by or ()),
        timespan=int(rule.timespan.seconds),
        operator=op,
        count=count,
        field=value_field,
        expression=expression,
        aliases={
            alias.alias: {ref.reference: str(name) for ref, name in alias.mapping.items()} for alias in rule.aliases
        },
        generate=bool(rule.generate),
        path=path,
        name=str(rule.name or ""),
    )


def compile_correlation(rule: SigmaCorrelationRule, path: str = "") -> CorrelationSpec | RuleFailure:
    """:func:`correlation_spec`, or a :class:`RuleFailure` saying why the rule cannot run (never raises)."""
    from sigma.exceptions import SigmaError

    try:
        return correlation_spec(rule, path)
    except (SigmaError, ValueError) as error:
        return RuleFailure(path, str(error) or type(error).__name__, str(rule.id or ""), str(rule.title or ""))
    except Exception as error:  # noqa: BLE001  # a hostile rule must not stop the pack: report, go on
        return RuleFailure(path, f"{type(error).__name__}: {error}", str(rule.id or ""), str(rule.title or ""))


def _rule_ref(ref: SigmaRuleReference) -> RuleRef:
    target = getattr(ref, "rule", None)  # unset when the reference was not resolved
    if target is None:
        return RuleRef(ref.reference)
    return RuleRef(ref.reference, str(target.id or ""), str(target.name or ""))


def resolve_references(specs: Sequence[CorrelationSpec], names: Mapping[str, str]) -> list[CorrelationSpec]:
    """Specs whose references written as rule names (``names``: name -> id, over the whole pack) carry the id.

    The loader parses each file alone, without pySigma's resolution: a correlation and its rules
    may be in different files, so references are resolved here once the pack is loaded.
    """
    ids = set(names.values())
    resolved = []
    for spec in specs:
        refs = tuple(
            ref
            if ref.rule_id
            else RuleRef(ref.reference, names[ref.reference], ref.reference)
            if ref.reference in names
            else RuleRef(ref.reference, ref.reference)
            if ref.reference in ids
            else ref
            for ref in spec.rules
        )
        resolved.append(replace(spec, rules=refs))
    return resolved


def referenced_rules(specs: Sequence[CorrelationSpec]) -> set[str]:
    """Ids (and names, references as written) of the rules the correlations need: they must run."""
    return {key for spec in specs for ref in spec.rules for key in ref.candidates()}


def hidden_rules(specs: Sequence[CorrelationSpec]) -> set[str]:
    """Keys of base rules whose own detections are not output: referenced only with ``generate: false``."""
    shown = {key for spec in specs if spec.generate for ref in spec.rules for key in ref.candidates()}
    return referenced_rules([s for s in specs if not s.generate]) - shown


@dataclass(slots=True)
class _Item:
    """A base detection placed in a correlation: its time, which reference it matched, its value."""

    time: float
    ref: int
    value: str | None
    detection: Detection


def apply_correlations(
    detections: Sequence[Detection],
    specs: Sequence[CorrelationSpec],
    *,
    names: Mapping[str, str] | None = None,
    failures: list[RuleFailure] | None = None,
) -> list[Detection]:
    """One detection per satisfied group and window of each spec, over the base ``detections``.

    ``names`` maps rule names to ids, for references pySigma could not resolve (rules from another
    file). A spec that cannot run (a dependency cycle, a broken expression) goes to ``failures``.
    The result's ``event`` is ``{"correlation", "group", "count", "events", "timespan", "first",
    "last", "rules", "matched"}``: ``count`` is what the condition compared (detections, distinct
    values, distinct rules or ordered rules), ``events`` the base detections in the window,
    ``matched`` up to :data:`MAX_MATCHED` of them as ``{"rule_id", "file", "record_id", "timestamp"}``.
    """
    by_rule: dict[str, list[Detection]] = {}
    for detection in (d for d in detections if d.timestamp is not None):
        by_rule.setdefault(detection.rule_id, []).append(detection)
    found: list[Detection] = []
    for spec in _ordered(specs, failures):
        try:
            produced = _apply(spec, by_rule, names or {})
        except Exception as error:  # noqa: BLE001  # one broken correlation must not stop the others
            if failures is not None:
                failures.append(RuleFailure(spec.path, f"correlation failed: {error}", spec.rule_id, spec.title))
            continue
        found.extend(produced)
        by_rule.setdefault(spec.rule_id, []).extend(produced)
    return found


def _ordered(specs: Sequence[CorrelationSpec], failures: list[RuleFailure] | None) -> list[CorrelationSpec]:
    """Specs with every referenced correlation before its referrers; specs in a cycle are failures."""
    by_key = {key: spec for spec in reversed(specs) for key in (spec.rule_id, spec.name) if key}
    done: dict[int, bool] = {}  # id(spec) -> placed (True) or in progress (False)
    result: list[CorrelationSpec] = []

    def visit(spec: CorrelationSpec) -> bool:
        state = done.get(id(spec))
        if state is not None:
            return state
        done[id(spec)] = False
        deps = [by_key[k] for ref in spec.rules for k in ref.candidates() if k in by_key]
        if any(dep is spec for dep in deps) or not all(visit(dep) for dep in deps):
            if failures is not None:
                failures.append(RuleFailure(spec.path, "correlation references form a cycle", spec.rule_id, spec.title))
            return False
        done[id(spec)] = True
        result.append(spec)
        return True

    for spec in specs:
        visit(spec)
    return result


def _lookup(event: Mapping[str, Any], name: str) -> str | None:
    """A field of an event, by exact name first, then ignoring case (DuckDB columns ignore case)."""
    value = event.get(name)
    if value is None and "correlation" in event and isinstance(event.get("group"), dict):
        value = event["group"].get(name)  # a correlation's detection, referenced by another correlation
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in event.items() if k.lower() == lowered), None)
    return None if value is None else str(value)


def _apply(spec: CorrelationSpec, by_rule: Mapping[str, list[Detection]], names: Mapping[str, str]) -> list[Detection]:
    """Group the spec's base detections, sort each group by time, sweep it."""
    groups: dict[tuple[str, ...], list[_Item]] = {}
    for index, ref in enumerate(spec.rules):
        keys = [*ref.candidates(), *(names[k] for k in ref.candidates() if k in names)]
        names_here = [_field_for(spec, name, ref) for name in spec.group_by]
        value_name = _field_for(spec, spec.field, ref) if spec.field else ""
        # A detection is filed under its one rule_id: distinct keys never list it twice.
        for key in dict.fromkeys(keys):
            for detection in by_rule.get(key, ()):
                fields = tuple(_lookup(detection.event, name) for name in names_here)
                if None in fields:
                    continue
                value = _lookup(detection.event, value_name) if value_name else None
                timestamp = cast("datetime", detection.timestamp)
                groups.setdefault(cast("tuple[str, ...]", fields), []).append(
                    _Item(timestamp.timestamp(), index, value, detection)
                )
    test = _tester(spec)  # before any group: a broken condition fails even when nothing matched
    sweep = _sweep_ordered if spec.type == "temporal_ordered" else _sweep
    found: list[Detection] = []
    for group in sorted(groups):
        items = sorted(groups[group], key=lambda i: (i.time, i.detection.file, i.detection.record_id, i.ref))
        for window, count in sweep(spec, items, test):
            found.append(_detection(spec, dict(zip(spec.group_by, group, strict=True)), window, count))
    return found


def _field_for(spec: CorrelationSpec, name: str, ref: RuleRef) -> str:
    """The event field a ``group-by`` (or value) name stands for in the events of ``ref``'s rule."""
    mapping = spec.aliases.get(name)
    if not mapping:
        return name
    for key in (ref.reference, ref.rule_id, ref.name):
        if key in mapping:
            return mapping[key]
    return name


def _sweep(spec: CorrelationSpec, items: list[_Item], test: _Test) -> list[tuple[list[_Item], int]]:
    """Windows of event_count, value_count and temporal specs that satisfy the condition.

    With a condition that more events can make false (``lt``, ``lte``, ``eq``, ``neq``, ``not``), a
    window only starts where a burst starts (no earlier event of the group within the timespan):
    otherwise the tail of every burst would be a window of its own with few events.
    """
    growing = spec.operator in ("gt", "gte") and not _NOT.search(spec.expression)
    resume = 0
    key: Callable[[_Item], Any] = (lambda item: item.value) if spec.type == "value_count" else (lambda item: item.ref)
    out: list[tuple[list[_Item], int]] = []
    counter: Counter[Any] = Counter()
    start = end = 0
    while start < len(items):
        while end < len(items) and items[end].time - items[start].time <= spec.timespan:
            if key(items[end]) is not None:
                counter[key(items[end])] += 1
            end += 1
        count = end - start if spec.type == "event_count" else len(counter)
        starts = growing or start == resume or items[start].time - items[start - 1].time > spec.timespan
        if starts and test(count, counter):
            out.append((items[start:end], count))
            counter.clear()
            start = resume = end
            continue
        gone = key(items[start])
        if gone is not None:
            counter[gone] -= 1
            if counter[gone] <= 0:
                del counter[gone]
        start += 1
    return out


def _sweep_ordered(spec: CorrelationSpec, items: list[_Item], test: _Test) -> list[tuple[list[_Item], int]]:
    """Windows in which the spec's rules matched in order (the longest prefix is what is counted)."""
    out: list[tuple[list[_Item], int]] = []
    start = 0
    while start < len(items):
        if items[start].ref != 0:
            start += 1
            continue
        chain = [start]  # positions in ``items`` of the rules matched so far, in order
        position = start + 1
        while position < len(items) and items[position].time - items[start].time <= spec.timespan:
            if len(chain) < len(spec.rules) and items[position].ref == len(chain):
                chain.append(position)
            position += 1
        # Earliest-first matching finds an ordered chain whenever one exists in the window.
        if test(len(chain), Counter(range(len(chain)))):
            out.append(([items[p] for p in chain], len(chain)))
            start = chain[-1] + 1
        else:
            start += 1
    return out


def _tester(spec: CorrelationSpec) -> _Test:
    """The condition: a comparison of the measured count, or the extended expression over the rules seen."""
    if not spec.expression:
        compare, threshold = _OPERATORS[spec.operator], spec.count
        return lambda count, _: compare(count, threshold)
    from sigma.correlations import (
        CorrelationConditionAND,
        CorrelationConditionNOT,
        CorrelationConditionOR,
        SigmaExtendedCorrelationCondition,
        SigmaRuleReference,
    )

    tree = SigmaExtendedCorrelationCondition.parse(spec.expression)
    index = {key: i for i, ref in enumerate(spec.rules) for key in (ref.reference, ref.name, ref.rule_id) if key}

    def holds(node: CorrelationConditionItem | SigmaRuleReference, seen: Counter[Any]) -> bool:
        if isinstance(node, SigmaRuleReference):
            position = index.get(node.reference)
            return position is not None and seen[position] > 0
        if isinstance(node, CorrelationConditionAND):
            return all(holds(arg, seen) for arg in node.args)
        if isinstance(node, CorrelationConditionOR):
            return any(holds(arg, seen) for arg in node.args)
        if isinstance(node, CorrelationConditionNOT):
            return not holds(node.args[0], seen)
        raise ValueError(f"unknown condition node {type(node).__name__}")

    return lambda _, seen: holds(tree, seen)


def _detection(spec: CorrelationSpec, group: dict[str, str], window: list[_Item], count: int) -> Detection:
    first, last = window[0].detection, window[-1].detection
    computers = {item.detection.computer for item in window}
    channels = {item.detection.channel for item in window}
    event: dict[str, Any] = {
        "correlation": spec.type,
        "group": group,
        "count": count,
        "events": len(window),
        "timespan": spec.timespan,
        "first": first.timestamp.isoformat() if first.timestamp else None,
        "last": last.timestamp.isoformat() if last.timestamp else None,
        "rules": sorted({item.detection.rule_id for item in window}),
        "matched": [
            {
                "rule_id": item.detection.rule_id,
                "file": item.detection.file,
                "record_id": item.detection.record_id,
                "timestamp": item.detection.timestamp.isoformat() if item.detection.timestamp else None,
            }
            for item in window[:MAX_MATCHED]
        ],
    }
    return Detection(
        rule_id=spec.rule_id,
        rule_title=spec.title,
        level=spec.level,
        tags=spec.tags,
        timestamp=first.timestamp,
        computer=computers.pop() if len(computers) == 1 else "",
        channel=channels.pop() if len(channels) == 1 else "",
        event_id=first.event_id if len({item.detection.event_id for item in window}) == 1 else None,
        file=first.file,
        record_id=first.record_id,
        event=event,
    )
