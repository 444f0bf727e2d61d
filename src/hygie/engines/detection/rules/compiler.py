"""Compiling a pySigma collection to :class:`CompiledRule` objects (or :class:`RuleFailure` ones).

The log-source mapping is pySigma's, combined as Zircolite combines it (so our detections can be
compared with its reference output): the Sysmon pipeline, then the Windows log-source pipeline. They
turn ``logsource`` into ``Channel``/``EventID`` conditions and map fields; :func:`compile_collection`
reads the ``Channel`` values back from the processed condition tree so the executor can route each
rule to the log sources it can match.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sigma.collection import SigmaCollection
from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionNOT, ConditionOR
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.pipelines.sysmon.sysmon import sysmon_pipeline
from sigma.pipelines.windows.windows import windows_logsource_pipeline
from sigma.rule import SigmaRule
from sigma.types import SigmaString

from hygie.engines.detection.correlation import CorrelationSpec, compile_correlation
from hygie.engines.detection.model import CompiledRule, Level, RuleFailure
from hygie.engines.detection.rules.backend import NeutralSql, SqlConditionBackend, UnsupportedConstructError
from hygie.engines.detection.rules.dialect import DIALECTS, render
from hygie.engines.detection.rules.program import build_program
from hygie.engines.detection.rules.version import COMPILER_VERSION

__all__ = [
    "COMPILER_VERSION",
    "MAX_VALUES_PER_RULE",
    "collection_errors",
    "compile_collection",
    "compile_rule",
    "default_backend",
]


#: A rule with more values than this is refused: a hostile or broken rule must not stall a hunt.
MAX_VALUES_PER_RULE: Final = 10_000

#: Regex constructs RE2 (DuckDB) cannot run: lookaround, backreferences, atomic groups, possessive quantifiers.
_RE2_UNSUPPORTED: Final = re.compile(r"\(\?<?[=!]|\(\?>|\\[1-9]|[*+?}]\+")

#: A quantified group that itself contains a quantifier, e.g. ``(a+)+``, ``(\w*x)*``: Spark's Java
#: regex engine backtracks exponentially on such patterns, so they are refused for both dialects.
_NESTED_QUANTIFIER: Final = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)(?:[*+]|\{\d*,\d*\})")


def default_backend() -> SqlConditionBackend:
    """Our backend with the Sysmon + Windows log-source pipelines (Zircolite's combination)."""
    return SqlConditionBackend(processing_pipeline=sysmon_pipeline() + windows_logsource_pipeline())


def compile_collection(
    collection: SigmaCollection, *, correlations: list[CorrelationSpec] | None = None
) -> tuple[list[CompiledRule], list[RuleFailure]]:
    """Compile every rule of ``collection``; the rules it cannot compile come back as failures.

    Correlation rules are appended to ``correlations`` when given (ignored otherwise). The
    collection's rules are processed in place by the pipelines: compile a collection once.
    """
    backend = default_backend()
    rules: list[CompiledRule] = []
    failures: list[RuleFailure] = []
    for item in collection.rules:
        result = compile_rule(item, backend)
        if isinstance(result, CompiledRule):
            rules.append(result)
        elif isinstance(result, RuleFailure):
            failures.append(result)
        elif correlations is not None:
            correlations.append(result)
    failures.extend(RuleFailure(path=_location(error), reason=str(error)) for error in collection_errors(collection))
    return rules, failures


def collection_errors(collection: SigmaCollection) -> list[SigmaError]:
    """Errors of ``collection`` that belong to no rule (rules report their own errors as failures)."""
    in_rules = {id(error) for item in collection.rules for error in item.errors}
    return [error for error in collection.errors if id(error) not in in_rules]


def compile_rule(
    item: SigmaRule | SigmaCorrelationRule, backend: SqlConditionBackend | None = None, path: str = ""
) -> CompiledRule | CorrelationSpec | RuleFailure:
    """One rule compiled (a correlation rule into its specification), or the reason it cannot be."""
    path = path or _location(item)
    rule_id, title = str(item.id or ""), str(item.title or "")
    if isinstance(item, SigmaCorrelationRule):
        return compile_correlation(item, path)
    if item.errors:
        return RuleFailure(path, "; ".join(str(e) for e in item.errors), rule_id, title)
    backend = backend or default_backend()
    try:
        queries = backend.convert_rule(item)
        sql = backend.take()
        program = build_program(item, backend)
    except (SigmaError, UnsupportedConstructError, NotImplementedError) as error:
        backend.take()
        return RuleFailure(path, str(error) or type(error).__name__, rule_id, title)
    except Exception as error:  # noqa: BLE001  # a hostile rule must not stop the pack: report, go on
        backend.take()
        return RuleFailure(path, f"{type(error).__name__}: {error}", rule_id, title)
    problem = _refusal(sql)
    if problem:
        return RuleFailure(path, problem, rule_id, title)
    templates = [str(q) for q in queries]
    sql.template = templates[0] if len(templates) == 1 else " OR ".join(f"({t})" for t in templates)
    return CompiledRule(
        rule_id=rule_id,
        title=title,
        level=Level.parse(item.level.name) if item.level else Level.MEDIUM,
        status=item.status.name.lower() if item.status else "",
        description=str(item.description or ""),
        tags=tuple(f"{tag.namespace}.{tag.name}" for tag in item.tags),
        references=tuple(str(r) for r in item.references),
        author=str(item.author or ""),
        logsource=_logsource(item),
        channels=_rule_channels(item),
        fields=tuple(sorted(set(sql.fields))),
        sql={dialect: render(sql, dialect) for dialect in DIALECTS},
        path=path,
        falsepositives=tuple(str(f) for f in item.falsepositives),
        program=program,
    )


def _refusal(sql: NeutralSql) -> str:
    """Why a compiled rule must not run (too many values, regexes unsafe or unsupported), or ``""``."""
    if len(sql.literals) > MAX_VALUES_PER_RULE:
        return f"too many values ({len(sql.literals)}; at most {MAX_VALUES_PER_RULE} per rule)"
    for _, index in sql.regexes:
        pattern = sql.literals[index]
        if _RE2_UNSUPPORTED.search(pattern):
            return f"regex {pattern!r} uses lookaround, backreferences or possessive quantifiers (not in RE2)"
        if _NESTED_QUANTIFIER.search(pattern):
            return f"regex {pattern!r} has nested quantifiers (catastrophic backtracking on Spark)"
        try:
            re.compile(pattern)
        except re.error as error:
            return f"invalid regex {pattern!r}: {error}"
    return ""


def _location(item: Any) -> str:
    source = getattr(item, "source", None)
    path = getattr(source, "path", None)
    return str(path) if path else ""


def _logsource(item: SigmaRule) -> dict[str, str]:
    logsource = item.logsource
    pairs = {
        "product": logsource.product,
        "category": logsource.category,
        "service": logsource.service,
    }
    return {key: str(value) for key, value in pairs.items() if value}


def _rule_channels(item: SigmaRule) -> tuple[str, ...]:
    """The channels every event the rule matches must come from (empty: any channel)."""
    found: set[str] = set()
    for condition in item.detection.parsed_condition:
        channels = _channels(condition.parsed)
        if channels is None:
            return ()
        found |= channels
    return tuple(sorted(found))


def _channels(node: Any) -> set[str] | None:  # noqa: PLR0911  # one return per node kind reads best
    """The ``Channel`` values ``node`` requires, or ``None`` when it does not constrain the channel."""
    if isinstance(node, ConditionFieldEqualsValueExpression):
        value = node.value
        if node.field == "Channel" and isinstance(value, SigmaString) and not value.contains_special():
            return {"".join(part for part in value.s if isinstance(part, str))}
        return None
    if isinstance(node, ConditionOR):
        sets = [_channels(arg) for arg in node.args]
        if any(s is None for s in sets):
            return None
        return set().union(*(s for s in sets if s is not None))
    if isinstance(node, ConditionAND):
        constraining = [s for s in (_channels(arg) for arg in node.args) if s is not None]
        if not constraining:
            return None
        return set.intersection(*constraining)
    if isinstance(node, ConditionNOT):
        return None
    return None
