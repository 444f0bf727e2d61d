r"""Rendering a neutral SQL template to DuckDB and Spark SQL.

The two dialects differ only where the backend left a token: column quoting (``"x"`` vs `` `x` ``),
string literals (DuckDB keeps ``\`` literal and doubles ``'``; Spark reads ``\`` as an escape, so both
``\`` and ``'`` are backslash-escaped), the text type (``VARCHAR`` vs ``STRING``) and regex matching
(``regexp_matches(col, 're')`` vs ``col RLIKE 're'``; both are unanchored searches).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from hygie.engines.detection.rules.backend import NeutralSql

__all__ = ["DIALECTS", "render"]

#: The dialects every compiled rule is rendered for.
DIALECTS: Final = ("duckdb", "spark")

_TOKEN = re.compile(r"\x00([FLRT])(\d*)\x00")


def _quote_field(name: str, dialect: str) -> str:
    if dialect == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str, dialect: str) -> str:
    if dialect == "spark":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "''") + "'"


def render(sql: NeutralSql, dialect: str, template: str | None = None) -> str:
    """The SQL condition of ``sql`` (or of ``template`` with ``sql``'s tables) in ``dialect``."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")

    def replace(match: re.Match[str]) -> str:
        kind, index = match.group(1), match.group(2)
        if kind == "F":
            return _quote_field(sql.fields[int(index)], dialect)
        if kind == "L":
            return _literal(sql.literals[int(index)], dialect)
        if kind == "T":
            return "STRING" if dialect == "spark" else "VARCHAR"
        field_template, literal_index = sql.regexes[int(index)]
        column = render(sql, dialect, field_template)
        pattern = _literal(sql.literals[literal_index], dialect)
        if dialect == "spark":
            return f"{column} RLIKE {pattern}"
        return f"regexp_matches({column}, {pattern})"

    return _TOKEN.sub(replace, sql.template if template is None else template)
