"""One way to say why data was refused, for API 422 answers and CLI error messages alike."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["reasons"]


def reasons(error: ValidationError) -> str:
    """``field: message; other: message`` (or the plain messages when no field is named)."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                         for field, messages in error.message_dict.items())
    return " ".join(str(m) for m in error.messages)
