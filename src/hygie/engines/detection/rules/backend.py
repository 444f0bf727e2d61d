r"""Our pySigma backend: Sigma conditions to a dialect-neutral SQL template.

pySigma parses the rule, applies the log-source pipelines and resolves most modifiers (``base64offset``,
``windash``, ``utf16``, ``all``, ``cidr`` ...) into plain values before this backend sees them. The
backend turns each leaf into SQL over the event relation, but leaves three things to the dialect
renderer (:mod:`hygie.engines.detection.rules.dialect`), because DuckDB and Spark spell them
differently: column quoting, string literals (Spark treats ``\`` as an escape inside literals, DuckDB
does not) and regex matching (``regexp_matches(col, 're')`` vs ``col RLIKE 're'``). Those appear in the
template as tokens ``\x00F<n>\x00`` (field n), ``\x00L<n>\x00`` (literal n), ``\x00R<n>\x00``
(regex match n), ``\x00T\x00`` (the text type), so one compilation renders to both dialects.

Semantics:

- string matching is case-insensitive (Sigma): ``lower(col) = 'v'``, ``lower(col) IN (...)`` for
  plain values, ``col ILIKE 'pat' ESCAPE '\'`` with wildcards (ILIKE: DuckDB, Spark >= 3.3);
  the ``cased`` modifier uses ``=`` / ``LIKE``;
- ``EventID`` (:data:`NUMERIC_FIELDS`) compares as a number; every other field is text, so a Sigma
  number compares as its string (``LogonType: 3`` -> ``"LogonType" = '3'``);
- regexes keep Sigma's case-sensitivity; flags become an inline prefix ``(?ims)``, which RE2 (DuckDB)
  and Java (Spark) both read;
- ``lt``/``gt``... on text fields use ``TRY_CAST(col AS DOUBLE)`` (DuckDB, Spark >= 3.4);
- ``not X`` renders ``NOT coalesce(X, false)``: an absent field makes ``X`` NULL, and Sigma wants
  ``not`` of a non-matching selection to be true (filters must not hide events lacking the field);
- keywords (values without a field) search the ``_raw`` column, the event's full text: the rule lists
  ``_raw`` in its fields so the executor knows to provide it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionNOT, ConditionOR
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaFieldReference,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from hygie.engines.detection.model import NUMERIC_FIELDS

__all__ = ["RAW_FIELD", "NeutralSql", "SqlConditionBackend", "UnsupportedConstructError", "regex_with_flags"]

#: The column keyword searches read: the event's whole text.
RAW_FIELD = "_raw"

_COMPARE = {
    CompareOperators.LT: "<",
    CompareOperators.LTE: "<=",
    CompareOperators.GT: ">",
    CompareOperators.GTE: ">=",
    CompareOperators.NEQ: "<>",
}
_RE_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


class UnsupportedConstructError(Exception):
    """A Sigma construct this backend cannot express in SQL (the rule becomes a ``RuleFailure``)."""


@dataclass(slots=True)
class NeutralSql:
    """One rule's condition as a token template plus the tables its tokens index."""

    template: str
    fields: list[str] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    regexes: list[tuple[str, int]] = field(default_factory=list)  # (field expression template, literal index)


class SqlConditionBackend(TextQueryBackend):
    """pySigma backend producing a :class:`NeutralSql` template per rule condition.

    Use :meth:`take` after ``convert_rule`` to get the tables the last rule's template refers to.
    """

    name: ClassVar[str] = "Hygie SQL condition"
    formats: ClassVar[dict[str, str]] = {"default": "SQL WHERE condition template"}
    requires_pipeline: ClassVar[bool] = False

    precedence: ClassVar[tuple[type[ConditionNOT], type[ConditionAND], type[ConditionOR]]] = (
        ConditionNOT,
        ConditionAND,
        ConditionOR,
    )
    group_expression: ClassVar[str] = "({expr})"
    # Boolean tokens, not secrets (ruff S105 reads "token" as a password name).
    token_separator: str = " "  # noqa: S105
    or_token: ClassVar[str] = "OR"  # noqa: S105
    and_token: ClassVar[str] = "AND"  # noqa: S105
    not_token: ClassVar[str] = "NOT"  # noqa: S105
    eq_token: ClassVar[str] = " = "  # noqa: S105
    # pySigma only builds "field in (list)" when these are set; our own method renders it.
    field_in_list_expression: ClassVar[str] = "{field} {op} ({list})"
    or_in_operator: ClassVar[str] = "IN"
    list_separator: ClassVar[str] = ", "
    convert_and_as_in: ClassVar[bool] = False
    convert_or_as_in: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sql = NeutralSql("")
        self._field_index: dict[str, int] = {}

    # -- token tables ---------------------------------------------------------------------------

    def take(self) -> NeutralSql:
        """The tables of the rule converted last, and a fresh table for the next one."""
        taken, self._sql, self._field_index = self._sql, NeutralSql(""), {}
        return taken

    def _field(self, name: str) -> str:
        index = self._field_index.get(name)
        if index is None:
            index = self._field_index[name] = len(self._sql.fields)
            self._sql.fields.append(name)
        return f"\x00F{index}\x00"

    def _literal(self, text: str) -> str:
        self._sql.literals.append(text)
        return f"\x00L{len(self._sql.literals) - 1}\x00"

    def _text(self, name: str) -> str:
        """The field as text (numeric fields are cast)."""
        quoted = self._field(name)
        return f"CAST({quoted} AS \x00T\x00)" if name in NUMERIC_FIELDS else quoted

    def _regex(self, field_expr: str, pattern: str) -> str:
        self._sql.literals.append(pattern)
        self._sql.regexes.append((field_expr, len(self._sql.literals) - 1))
        return f"\x00R{len(self._sql.regexes) - 1}\x00"

    def escape_and_quote_field(self, field_name: str) -> str:
        """A field token (quoted by the dialect renderer)."""
        return self._field(field_name)

    # -- values ---------------------------------------------------------------------------------

    @staticmethod
    def _plain(value: SigmaString) -> str:
        """The string of a value without wildcards."""
        _check_placeholders(value)
        return "".join(part for part in value.s if isinstance(part, str))

    @staticmethod
    def _like_pattern(value: SigmaString) -> str:
        r"""A LIKE pattern with ``\`` as escape: Sigma wildcards to ``%``/``_``, literal ones escaped."""
        _check_placeholders(value)
        out: list[str] = []
        for part in value.s:
            if part is SpecialChars.WILDCARD_MULTI:
                out.append("%")
            elif part is SpecialChars.WILDCARD_SINGLE:
                out.append("_")
            elif isinstance(part, str):
                out.append(_escape_like(part))
        return "".join(out)

    def _string_match(self, name: str, value: SigmaString, *, cased: bool) -> str:
        text = self._text(name)
        if not value.contains_special():
            plain = self._plain(value)
            if cased:
                return f"{text} = {self._literal(plain)}"
            return f"lower({text}) = {self._literal(plain.lower())}"
        operator = "LIKE" if cased else "ILIKE"
        return f"{text} {operator} {self._literal(self._like_pattern(value))} ESCAPE {self._literal(chr(92))}"

    # -- leaves ---------------------------------------------------------------------------------

    def convert_condition_field_eq_val_str(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field: 'value'`` with or without wildcards, case-insensitive."""
        value = cond.value
        if not isinstance(value, SigmaString):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        if cond.field in NUMERIC_FIELDS and not value.contains_special():
            plain = self._plain(value).strip()
            if plain.lstrip("-").isdigit():
                return f"{self._field(cond.field)} = {int(plain)}"
        return self._string_match(cond.field, value, cased=False)

    def convert_condition_field_eq_val_str_case_sensitive(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field|cased: 'value'``."""
        value = cond.value
        if not isinstance(value, SigmaString):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return self._string_match(cond.field, value, cased=True)

    def convert_condition_field_eq_val_num(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Numbers: numeric on ``EventID``, the number's text on every other (text) field."""
        value = cond.value
        if not isinstance(value, SigmaNumber):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        if cond.field in NUMERIC_FIELDS:
            return f"{self._field(cond.field)} = {value.number}"
        return f"{self._field(cond.field)} = {self._literal(str(value.number))}"

    def convert_condition_field_eq_val_bool(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Booleans compare as the text ``true``/``false``."""
        value = cond.value
        if not isinstance(value, SigmaBool):
            raise TypeError(f"expected a boolean, got {type(value).__name__}")
        return f"lower({self._text(cond.field)}) = {self._literal(str(value.boolean).lower())}"

    def convert_condition_as_in_expression(self, cond: ConditionOR | ConditionAND, state: ConversionState) -> str:
        """``field: [a, b, c]`` of plain values: one ``IN`` list."""
        args = [arg for arg in cond.args if isinstance(arg, ConditionFieldEqualsValueExpression)]
        name = args[0].field
        values = [arg.value for arg in args]
        if any(isinstance(value, SigmaCasedString) for value in values):
            return " OR ".join(self._string_match(name, v, cased=True) for v in values if isinstance(v, SigmaString))
        if name in NUMERIC_FIELDS:
            numbers = [_as_int(value) for value in values]
            if all(number is not None for number in numbers):
                return f"{self._field(name)} IN ({', '.join(str(n) for n in numbers)})"
        texts: list[str] = []
        for value in values:
            if isinstance(value, SigmaString):
                texts.append(self._plain(value).lower())
            else:
                texts.append(str(value.number) if isinstance(value, SigmaNumber) else str(value))
        return f"lower({self._text(name)}) IN ({', '.join(self._literal(t) for t in texts)})"

    def convert_condition_field_eq_val_re(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field|re: ...``: flags as an inline prefix; the dialect renders the match."""
        value = cond.value
        if not isinstance(value, SigmaRegularExpression):
            raise TypeError(f"expected a regular expression, got {type(value).__name__}")
        return self._regex(self._text(cond.field), regex_with_flags(value))

    def convert_condition_field_eq_val_cidr(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field|cidr: ...``: pySigma expands the network into address prefixes cut at octet boundaries.

        ``172.16.0.0/12`` becomes ``172.16.*`` ... ``172.31.*``: a correct prefix test on dotted
        IPv4 text, the same in both dialects (the naive string prefix of the network is wrong for
        prefixes that are not a multiple of 8).
        """
        value = cond.value
        if not isinstance(value, SigmaCIDRExpression):
            raise TypeError(f"expected a CIDR network, got {type(value).__name__}")
        text = self._text(cond.field)
        escape = self._literal(chr(92))
        patterns = [_escape_like(prefix.rstrip("*")) + "%" for prefix in value.expand()]
        parts = [f"{text} ILIKE {self._literal(pattern)} ESCAPE {escape}" for pattern in patterns]
        return "(" + " OR ".join(parts) + ")" if len(parts) > 1 else parts[0]

    def convert_condition_field_compare_op_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``lt``/``lte``/``gt``/``gte``: numeric; text fields are cast (non-numbers never match)."""
        value = cond.value
        if not isinstance(value, SigmaCompareExpression):
            raise TypeError(f"expected a comparison, got {type(value).__name__}")
        operator = _COMPARE[value.op]
        column = self._field(cond.field)
        if cond.field not in NUMERIC_FIELDS:
            column = f"TRY_CAST({column} AS DOUBLE)"
        return f"{column} {operator} {value.number.number}"

    def convert_condition_field_eq_field(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field|fieldref: other`` (with ``startswith``/``endswith``/``contains`` variants), case-insensitive."""
        value = cond.value
        if not isinstance(value, SigmaFieldReference):
            raise TypeError(f"expected a field reference, got {type(value).__name__}")
        left = f"lower({self._text(cond.field)})"
        right = f"lower({self._text(value.field)})"
        if value.starts_with and value.ends_with:
            return f"instr({left}, {right}) > 0"
        if value.starts_with:
            return f"instr({left}, {right}) = 1"
        if value.ends_with:
            return f"right({left}, length({right})) = {right}"
        return f"{left} = {right}"

    def convert_condition_field_eq_val_null(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field: null``: the field is absent or empty.

        Windows writes an empty ``<Data Name="StartModule"/>`` for a value it does not have; rules
        such as CACTUSTORCH's ``StartModule: null`` mean exactly that, and the EVTX readers keep
        such elements as empty strings.
        """
        field = self._field(cond.field)
        return f"({field} IS NULL OR {field} = '')"

    def convert_condition_field_exists(self, cond: ConditionFieldEqualsValueExpression, state: ConversionState) -> str:
        """``field|exists: true``."""
        return f"{self._field(cond.field)} IS NOT NULL"

    def convert_condition_field_not_exists(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field|exists: false``."""
        return f"{self._field(cond.field)} IS NULL"

    def convert_condition_field_eq_query_expr(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Backend-specific query expressions come from pipelines we do not use."""
        raise UnsupportedConstructError("query expressions (from a placeholder pipeline) are not supported")

    def convert_condition_field_eq_val_timestamp_part(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Timestamp-part modifiers (``minute``, ``hour``...) are not supported yet."""
        raise UnsupportedConstructError("timestamp part modifiers (minute, hour, day...) are not supported yet")

    # -- keywords (values without a field) -------------------------------------------------------

    def convert_condition_val_str(self, cond: Any, state: ConversionState) -> str:
        """A keyword: substring of the raw event text, case-insensitive."""
        value = cond.value
        if not isinstance(value, SigmaString):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        pattern = "%" + self._like_pattern(value).strip("%") + "%"
        return f"{self._field(RAW_FIELD)} ILIKE {self._literal(pattern)} ESCAPE {self._literal(chr(92))}"

    def convert_condition_val_num(self, cond: Any, state: ConversionState) -> str:
        """A numeric keyword: its text in the raw event text."""
        return f"{self._field(RAW_FIELD)} ILIKE {self._literal('%' + str(cond.value) + '%')}"

    def convert_condition_val_re(self, cond: Any, state: ConversionState) -> str:
        """A regex keyword over the raw event text."""
        value = cond.value
        if not isinstance(value, SigmaRegularExpression):
            raise TypeError(f"expected a regular expression, got {type(value).__name__}")
        return self._regex(self._field(RAW_FIELD), regex_with_flags(value))

    def convert_condition_query_expr(self, cond: Any, state: ConversionState) -> str:
        """See :meth:`convert_condition_field_eq_query_expr`."""
        raise UnsupportedConstructError("query expressions (from a placeholder pipeline) are not supported")

    # -- boolean structure ----------------------------------------------------------------------

    def convert_condition_not(self, cond: ConditionNOT, state: ConversionState) -> str:
        """``not X`` -> ``NOT coalesce((X), false)`` so that NULL (absent field) negates to true."""
        arg = cond.args[0]
        inner = self.convert_condition(arg, state)
        if not isinstance(inner, str):
            raise UnsupportedConstructError("deferred expressions are not supported")
        return f"NOT coalesce(({inner}), false)"

    def finalize_query_default(self, rule: Any, query: Any, index: int, state: ConversionState) -> Any:
        """The template, unchanged (the loader reads the token tables with :meth:`take`)."""
        return query


def _check_placeholders(value: SigmaString) -> None:
    if any(isinstance(part, Placeholder) for part in value.s):
        names = ", ".join(sorted({p.name for p in value.s if isinstance(p, Placeholder)}))
        raise UnsupportedConstructError(f"unresolved placeholder(s) %{names}% (expand needs a placeholder pipeline)")


def _escape_like(text: str) -> str:
    r"""``text`` matched literally by LIKE with ``\`` as escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _as_int(value: Any) -> int | None:
    if isinstance(value, SigmaNumber) and isinstance(value.number, int):
        return value.number
    if isinstance(value, SigmaString) and not value.contains_special():
        text = "".join(p for p in value.s if isinstance(p, str)).strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def regex_with_flags(value: SigmaRegularExpression) -> str:
    """The pattern with Sigma's flags as an inline prefix (``(?i)...``), as RE2 and Java read it."""
    flags = "".join(sorted(_RE_FLAGS[flag] for flag in value.flags))
    pattern = str(value.regexp)
    return f"(?{flags}){pattern}" if flags else pattern
