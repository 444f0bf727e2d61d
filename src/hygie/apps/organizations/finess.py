"""FINESS numbers: the national identifiers of French health and social establishments.

A FINESS number has nine characters: a two-character department code, six digits of order
number, and a check key. The key is the Luhn (mod 10) digit of the first eight characters:
verified on published numbers, for example AP-HP's legal entity 750712184 and 010003820.
Corsica uses the department codes 2A/2B; for the key those letters count as 0, as INSEE does
for Corsican codes (this last point is not confirmed by a public FINESS specification, so it is
isolated in ``_digit_value``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["finess_check_key", "is_valid_finess", "validate_finess"]

_FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")


def _digit_value(char: str) -> int:
    return 0 if char in "AB" else int(char)


def finess_check_key(first_eight: str) -> int:
    """Return the Luhn check digit that completes the eight leading characters."""
    total = 0
    # Walking from the right of the eight characters, every first, third... digit is doubled,
    # because the check digit itself will take the rightmost (undoubled) position.
    for position, char in enumerate(reversed(first_eight)):
        value = _digit_value(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:  # noqa: PLR2004 - Luhn folds two-digit doubles
                value -= 9
        total += value
    return (10 - total % 10) % 10


def is_valid_finess(value: str) -> bool:
    """True when ``value`` has the FINESS shape and a correct check key."""
    value = value.strip().upper()
    if not _FINESS_RE.match(value):
        return False
    return finess_check_key(value[:8]) == int(value[8])


def validate_finess(value: str) -> None:
    """Django validator with an explicit reason for each kind of error."""
    cleaned = (value or "").strip().upper()
    if len(cleaned) != 9:  # noqa: PLR2004 - the FINESS length
        raise ValidationError(
            _("A FINESS number has 9 characters (got %(count)d)."),
            code="finess_length",
            params={"count": len(cleaned)},
        )
    if not _FINESS_RE.match(cleaned):
        raise ValidationError(
            _("A FINESS number is a department code (2 digits, or 2A/2B) followed by 7 digits."),
            code="finess_format",
        )
    if finess_check_key(cleaned[:8]) != int(cleaned[8]):
        raise ValidationError(
            _("The FINESS check key is wrong: %(value)s does not pass the Luhn check."),
            code="finess_key",
            params={"value": cleaned},
        )
