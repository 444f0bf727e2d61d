r"""Event values as the text Sigma rules compare against: what the event log's XML says.

* strings stay as they are; integers in decimal (``ProcessId`` 5828 -> ``"5828"``);
* booleans as ``"true"``/``"false"``, the spelling of the event XML (Sysmon ``Initiated``), which
  SigmaHQ rules use (``Initiated: 'true'``);
* a list of values is joined with ``"\n"`` so ``contains`` matches any element;
* an object with ``#text`` (XML element with attributes) is its text; other objects their JSON;
* ``null`` stays null.

Timestamps are ISO-8601 texts turned into ``timestamp[us, tz=UTC]``; a time without zone is UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["TOO_DEEP", "render_value", "text_array", "to_timestamps"]

_TIMESTAMP = pa.timestamp("us", tz="UTC")
_MAX_DEPTH = 64
#: The text of a value nested too deeply to render (hostile input).
TOO_DEEP = "<nested too deeply>"


def render_value(value: Any, depth: int = 0) -> str | None:  # noqa: PLR0911 - one return per JSON type
    """One raw JSON value as event-log text (see the module docstring for the rules)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return None
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    if depth > _MAX_DEPTH:
        return TOO_DEEP  # hostile nesting: neither our recursion nor orjson's may run out
    if kind is list:
        parts = [render_value(item, depth + 1) for item in value]
        return "\n".join(part for part in parts if part is not None)
    if kind is dict:
        if "#text" in value:
            return render_value(value["#text"], depth + 1)
        try:
            return orjson.dumps(value).decode()
        except TypeError:
            return TOO_DEEP
    return str(value)


def _parse_one_timestamp(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace(" UTC", "Z"))
    except ValueError:
        return None
    # A time without zone is taken as UTC: event exports (UtcTime, NXLog EventTime) write UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_timestamps(values: list[str | None]) -> pa.Array:
    """ISO-8601 texts as ``timestamp[us, tz=UTC]``; unparseable ones become null."""
    strings = pa.array(values, type=pa.string())
    try:
        # Fast path: Arrow's own parser handles the EVTX form (2019-04-27T15:57:25.868863Z).
        return strings.cast(_TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        parsed = [None if value is None else _parse_one_timestamp(value) for value in values]
        return pa.array(parsed, type=_TIMESTAMP)


_NONE = type(None)
_ARROW_KINDS = ((frozenset({int, _NONE}), pa.int64()), (frozenset({bool, _NONE}), pa.bool_()))


def text_array(values: tuple[Any, ...]) -> pa.Array:
    """Raw JSON values of one column as a string array: Arrow converts the common uniform cases.

    Types are checked here rather than inferred by Arrow: its inference is ten times slower.
    """
    try:
        # Most columns hold only text: Arrow refuses anything else at once.
        return pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    kinds = set(map(type, values))
    for allowed, arrow_type in _ARROW_KINDS:
        if kinds <= allowed:
            # Integers in decimal and booleans as true/false: what render_value writes, at C speed.
            try:
                return pa.array(values, type=arrow_type).cast(pa.string())
            except (pa.ArrowException, OverflowError):
                break  # an integer beyond int64: rendered by Python below
    return pa.array([render_value(value) for value in values], type=pa.string())
