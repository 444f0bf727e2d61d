"""Which event ids a compiled rule can match, read from its SQL, to route events by ``EventID`` too.

Most Sigma rules test one event id (process creation is Sysmon event 1); evaluating a rule only on
the events of its ids, and not at all when none is present, is what keeps a 2,400-rule hunt fast.
The analysis is conservative: anything but a leading top-level ``"EventID" = n`` or
``"EventID" IN (...)`` conjunct gives ``None`` (the rule then sees every event of its channel).

:func:`required_fields` goes one step further: the fields without which a rule cannot match, so that
a buffer lacking them never has the rule planned (DuckDB's per-expression planning and initialisation,
not the matching, is what a buffer of a few thousand events spends its time on).
"""

from __future__ import annotations

import re

__all__ = ["event_ids", "required_fields"]

_STRING = r"'(?:[^']|'')*'"
_LITERAL = re.compile(_STRING)
_TOKENS = re.compile(r"[()]| OR ", re.IGNORECASE)
_AND_TOKENS = re.compile(r"[()]| AND ", re.IGNORECASE)
_FIELD = re.compile(r'"((?:[^"]|"")+)"')
# A conjunct with one of these can be true when its fields are NULL (NOT coalesce(...), IS NULL...).
_NULL_TOLERANT = re.compile(r"\b(?:NOT|IS|COALESCE|CASE|IFNULL|NULLIF)\b", re.IGNORECASE)
# The compiler's prefix: the channel test, maybe the provider test, then the event id test.
_PREFIX = re.compile(
    rf'^\(?lower\("Channel"\) = {_STRING} AND (?:lower\("Provider_Name"\) = {_STRING} AND )?'
    r'"EventID" (?:= (?P<one>\d+)|IN \((?P<many>\d+(?:, ?\d+)*)\)) AND '
)


def _has_top_level_or(sql: str) -> bool:
    """True when ``OR`` joins terms outside any parentheses and string literal (AND would not be top level)."""
    # Literals are blanked first so that only parentheses and ORs are visited: a char-by-char Python
    # scan of 2,400 long conditions cost more than the rest of the executor's setup.
    depth = 0
    for token in _TOKENS.finditer(_LITERAL.sub("''", sql)):
        text = token.group(0)
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0:
            return True
    return False


def event_ids(sql: str) -> frozenset[int] | None:
    """The event ids a rule's DuckDB condition requires, or None when it may match any."""
    match = _PREFIX.match(sql)
    if match is None or match.group(0).startswith("(") or _has_top_level_or(sql):
        return None
    if match.group("one") is not None:
        return frozenset({int(match.group("one"))})
    return frozenset(int(value) for value in match.group("many").replace(" ", "").split(","))


def _conjuncts(sql: str) -> list[str]:
    """The top-level ``AND`` terms of ``sql``, with string literals blanked."""
    text = _LITERAL.sub("''", sql)
    terms: list[str] = []
    depth = 0
    start = 0
    for token in _AND_TOKENS.finditer(text):
        value = token.group(0)
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
        elif depth == 0:
            terms.append(text[start : token.start()])
            start = token.end()
    terms.append(text[start:])
    return terms


def required_fields(sql: str) -> tuple[frozenset[str], ...]:
    """Field sets (lower-case) of which the rule needs at least one non-NULL value, one set per conjunct.

    A top-level ``AND`` term that reads only fields that are NULL in every event is NULL or false
    (comparisons, ``LIKE``, ``IN``, regexes and ``TRY_CAST`` all give NULL on NULL), so the rule
    cannot match those events and need not be planned. Terms that can be true on NULL (``NOT``,
    ``IS NULL``, ``coalesce``...) are left out, which keeps the analysis conservative. A top-level
    ``OR`` makes every term optional: then nothing is required.
    """
    if _has_top_level_or(sql):
        return ()
    required = []
    for term in _conjuncts(sql):
        if _NULL_TOLERANT.search(term):
            continue
        names = frozenset(name.replace('""', '"').lower() for name in _FIELD.findall(term))
        if names:
            required.append(names)
    return tuple(required)
