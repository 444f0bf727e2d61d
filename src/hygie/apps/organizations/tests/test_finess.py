"""FINESS validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hygie.apps.organizations.finess import finess_check_key, is_valid_finess, validate_finess


class TestFiness:
    """Published FINESS numbers pass; altered ones fail with the right reason."""

    @pytest.mark.parametrize("number", ["750712184", "010003820", "010003812", "760780239"])
    def test_published_numbers_are_valid(self, number: str) -> None:
        """Real numbers of real establishments pass the Luhn key."""
        assert is_valid_finess(number)

    def test_key_completes_eight_characters(self) -> None:
        """The key computed from the first eight characters is the ninth."""
        assert finess_check_key("75071218") == 4

    @pytest.mark.parametrize(
        ("value", "code"),
        [("75071218", "finess_length"), ("75071218X", "finess_format"), ("750712185", "finess_key"),
         ("2C0712184", "finess_format")],
    )
    def test_errors_say_why(self, value: str, code: str) -> None:
        """Length, shape and key errors are distinguished."""
        with pytest.raises(ValidationError) as info:
            validate_finess(value)
        assert code == info.value.code
