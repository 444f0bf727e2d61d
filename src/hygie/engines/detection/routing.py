"""Which event ids a compiled rule can match, read from its SQL, to route events by ``EventID`` too.

Most Sigma rules test one event id (process creation is Sysmon event 1); evaluating a rule only on
the events of its ids, and not at all when none is present, is what keeps a 2,400-rule hunt fast.
The analysis is conservative: anything but a leading top-level ``"EventID" = n`` or
``"EventID" IN (...)`` conjunct gives ``None`` (the rule then sees every event of its channel).
"""

from __future__ import annotations

import re

__all__ = ["event_ids"]

_STRING = r"'(?:[^']|'')*'"
# The compiler's prefix: the channel test, maybe the provider test, then the event id test.
_PREFIX = re.compile(
    rf'^\(?lower\("Channel"\) = {_STRING} AND (?:lower\("Provider_Name"\) = {_STRING} AND )?'
    r'"EventID" (?:= (?P<one>\d+)|IN \((?P<many>\d+(?:, ?\d+)*)\)) AND '
)


def _has_top_level_or(sql: str) -> bool:
    """True when ``OR`` joins terms outside any parentheses and string literal (AND would not be top level)."""
    depth = 0
    in_string = False
    upper = sql.upper()
    for position, char in enumerate(sql):
        if in_string:
            in_string = char != "'"  # a doubled '' closes then reopens: same result
        elif char == "'":
            in_string = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" OR ", position):
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
