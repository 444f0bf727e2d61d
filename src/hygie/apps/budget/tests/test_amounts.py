"""``parse_amount``: every notation a finance team writes, and clear refusals of the rest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hygie.apps.budget.amounts import MAX_AMOUNT, AmountError, format_amount, parse_amount


class TestAccepted:
    """Unambiguous notations give the amount with two decimals."""

    @pytest.mark.parametrize(("text", "expected"), [
        ("12345.67", "12345.67"),
        ("12345,67", "12345.67"),
        ("12 345,67", "12345.67"),
        ("12\u00a0345,67", "12345.67"),
        ("12\u202f345,67 €", "12345.67"),
        ("12 345,67€", "12345.67"),
        ("12.345,67", "12345.67"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1 234 567", "1234567.00"),
        ("EUR 1200", "1200.00"),
        ("1200 euros", "1200.00"),
        ("  0,5 ", "0.50"),
        (",5", "0.50"),
        ("1234,5", "1234.50"),
        ("0", "0.00"),
    ])
    def test_notation(self, text: str, expected: str) -> None:
        assert Decimal(expected) == parse_amount(text)

    def test_numbers(self) -> None:
        """JSON numbers: integers, floats, decimals."""
        assert Decimal("15000.00") == parse_amount(15000)
        assert Decimal("1234.50") == parse_amount(1234.5)
        assert Decimal("7.25") == parse_amount(Decimal("7.25"))

    def test_negative_when_allowed(self) -> None:
        assert Decimal("-12.50") == parse_amount("-12,50", allow_negative=True)


class TestRefused:
    """Malformed, ambiguous or absurd amounts raise ``AmountError`` naming the value."""

    @pytest.mark.parametrize(("text", "reason"), [
        ("1,234.5,6", "ambiguous"),
        ("12,3456", "two decimals"),
        ("0.125", "two decimals"),
        ("12,345", "ambiguous"),
        ("12.345", "ambiguous"),
        ("abc", "not a number"),
        ("1e5", "not a number"),
        ("NaN", "not a number"),
        ("--5", "not a number"),
        ("-5", "negative"),
        ("12.", "decimals"),
        ("1 23", "groups of three"),
        ("12 34,5", "groups of three"),
        ("1 234.567,00", "mixes"),
        ("12,34,56", "ambiguous"),
        ("1" * 13, "trillion"),
        ("9" * 80, "too long"),
    ])
    def test_refused(self, text: str, reason: str) -> None:
        with pytest.raises(AmountError) as error:
            parse_amount(text)
        assert reason in str(error.value)
        assert text[:10] in str(error.value)

    def test_empty(self) -> None:
        with pytest.raises(AmountError, match="required"):
            parse_amount("   ")

    def test_hostile_text_is_not_echoed_raw(self) -> None:
        """Control characters are replaced and long values cut in the message."""
        with pytest.raises(AmountError) as error:
            parse_amount("12\x1b[31m\n")
        assert "\x1b" not in str(error.value)
        assert "\n" not in str(error.value)

    def test_booleans_and_others(self) -> None:
        for value in (True, None, [1]):
            with pytest.raises(AmountError):
                parse_amount(value)  # type: ignore[arg-type]

    def test_too_large_number(self) -> None:
        with pytest.raises(AmountError, match="trillion"):
            parse_amount(MAX_AMOUNT + 1)


class TestFormat:
    """``format_amount`` writes French notation, which the parser reads back."""

    def test_french(self) -> None:
        assert "1 234 567,89" == format_amount(Decimal("1234567.89"), space=" ")
        assert "12,00\u202f€" == format_amount(Decimal(12), currency=True)
        assert "" == format_amount(None)

    @given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
    def test_round_trip(self, value: Decimal) -> None:
        assert value == parse_amount(format_amount(value))
        assert value == parse_amount(format_amount(value, currency=True, space="\u00a0"))
