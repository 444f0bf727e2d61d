"""Amounts in euros: the one parser used by forms, the CSV import, the API and the CLI.

French finance teams write ``1 234 567,89 €``; spreadsheets export ``1234567.89``; some tools write
``1.234.567,89`` or ``1,234,567.89``. :func:`parse_amount` accepts each of these when it can only mean
one thing, and refuses the rest with a message naming the value: ``12,345`` could be twelve euros
and a fraction or twelve thousand, so it is refused rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

__all__ = ["MAX_AMOUNT", "AmountError", "format_amount", "parse_amount"]

#: Largest amount accepted: a national programme is hundreds of millions; a trillion is a typo.
MAX_AMOUNT = Decimal("999999999999.99")
#: Longest text read: beyond this it is not an amount someone typed.
MAX_LENGTH = 64

#: Spaces used as thousands separators: normal, no-break, narrow no-break, thin.
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_CURRENCY = re.compile(r"(?:€|eur|euros?)$|^(?:€|eur)", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")


class AmountError(ValueError):
    """The text is not an amount; the message names the value and says why."""


def _shown(text: str) -> str:
    """The value as quoted in a message: printable, at most 40 characters."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= 40 else f"{cleaned[:40]}…"  # noqa: PLR2004 - message length


def _fail(text: str, reason: str) -> AmountError:
    return AmountError(_("Invalid amount “%(value)s”: %(reason)s") % {"value": _shown(text), "reason": reason})


def _grouped(integer: str, separator: str) -> bool:
    """True when ``integer`` is digits grouped by threes with ``separator`` (``1 234 567``)."""
    return bool(_GROUPED.fullmatch(integer.replace(separator, "X"))) and "X" not in integer


def _split(text: str, body: str, spaced: bool) -> tuple[str, str]:  # noqa: C901 - one branch per notation
    """(integer digits, decimal digits) of ``body``; ``spaced``: spaces separated the thousands."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        if spaced:
            raise _fail(text, _("it mixes spaces, commas and dots as separators."))
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        integer, _sep, decimals = body.rpartition(decimal_mark)
        if decimal_mark in integer or not _grouped(integer, thousands):
            raise _fail(text, _("its separators are ambiguous."))
        return integer.replace(thousands, ""), decimals
    mark = "," if commas else "." if dots else ""
    count = commas or dots
    if not mark:
        return body, ""
    if count > 1:
        # Several marks of one kind can only be thousands separators: 1.234.567 or 1,234,567.
        if spaced or not _grouped(body, mark):
            raise _fail(text, _("its separators are ambiguous."))
        return body.replace(mark, ""), ""
    integer, _sep, decimals = body.partition(mark)
    if not integer:
        integer = "0"
    if len(decimals) == 3 and not spaced and len(integer) <= 3 and integer != "0":  # noqa: PLR2004 - a thousands group
        # "12,345" or "12.345": thousands or decimals? Refuse rather than guess by a factor of 1,000.
        raise _fail(text, _("it is ambiguous (thousands or decimals?); write 12345 or 12,35."))
    if len(decimals) > 2:  # noqa: PLR2004 - cents
        raise _fail(text, _("an amount has at most two decimals."))
    if not decimals:
        raise _fail(text, _("a separator must be followed by decimals."))
    return integer, decimals


def _without_spaces(original: str, text: str) -> tuple[str, bool]:
    """``text`` without its thousands spaces, and whether it had any; spaces elsewhere are refused."""
    if not any(space in text for space in _SPACES):
        return text, False
    body = text
    for space in _SPACES:
        body = body.replace(space, "X")
    integer_part = re.split(r"[,.]", body, maxsplit=1)[0]
    if "X" in body[len(integer_part):] or not _GROUPED.fullmatch(integer_part):
        raise _fail(original, _("spaces may only separate groups of three digits."))
    return body.replace("X", ""), True


def parse_amount(text: str | float | Decimal, *, allow_negative: bool = False) -> Decimal:  # noqa: C901 - one check per rule, in reading order
    """The amount written in ``text``, in euros with two decimals; ``AmountError`` otherwise.

    Accepted: ``12345.67``, ``12 345,67``, ``12 345,67 €`` (normal, no-break or narrow no-break
    spaces), ``12.345,67``, ``1,234,567.89``, ``EUR 1200``. Refused: malformed or ambiguous
    notations (``1,234.5,6``, ``12,3456``, ``12,345``), more than two decimals, a negative amount
    unless ``allow_negative``, more than :data:`MAX_AMOUNT`.
    """
    if isinstance(text, bool):
        raise _fail(str(text), _("it is not a number."))
    if isinstance(text, int | Decimal):
        return _checked(str(text), Decimal(text), allow_negative=allow_negative)
    if isinstance(text, float):
        # JSON numbers arrive as floats: their shortest text (1234.5) is what the sender wrote.
        text = repr(text)
    if not isinstance(text, str):
        raise _fail(str(text), _("it is not a number."))
    original = text
    if len(text) > MAX_LENGTH:
        raise _fail(original, _("the text is too long to be an amount."))
    text = text.strip()
    if not text:
        raise AmountError(_("An amount is required."))
    text = _CURRENCY.sub("", text).strip()
    negative = text.startswith("-")
    if negative:
        text = text[1:].strip()
    body, spaced = _without_spaces(original, text)
    if not body or not re.fullmatch(r"[0-9.,]+", body) or not any(ch.isdigit() for ch in body):
        raise _fail(original, _("it is not a number."))
    integer, decimals = _split(original, body, spaced)
    if not integer.isdigit() or (decimals and not decimals.isdigit()):
        raise _fail(original, _("it is not a number."))
    try:
        value = Decimal(f"{integer}.{decimals or '0'}")
    except InvalidOperation as error:  # pragma: no cover - the digits were checked above
        raise _fail(original, _("it is not a number.")) from error
    return _checked(original, -value if negative else value, allow_negative=allow_negative)


def _checked(text: str, value: Decimal, *, allow_negative: bool) -> Decimal:
    if not value.is_finite():
        raise _fail(text, _("it is not a number."))
    if value < 0 and not allow_negative:
        raise _fail(text, _("a negative amount is not allowed here."))
    if abs(value) > MAX_AMOUNT:
        raise _fail(text, _("it is larger than a trillion euros."))
    if value != value.quantize(Decimal("0.01")):
        raise _fail(text, _("an amount has at most two decimals."))
    return value.quantize(Decimal("0.01"))


def format_amount(value: Decimal | None, *, currency: bool = False, space: str = "\u202f") -> str:
    """``1 234 567,89`` (French grouping, decimal comma); empty for None; `` €`` with ``currency``."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    integer, _dot, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = f"{sign}{space.join(groups)},{cents}"
    return f"{text}{space}€" if currency else text
