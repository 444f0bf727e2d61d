"""One way to say why data was refused, for API 422 answers and CLI error messages alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, model_validator

__all__ = ["MAX_EMPTY_BODY", "InputSchema", "reasons", "refuse_body", "refuse_oversized"]

#: The largest body an operation without parameters accepts (an empty form or JSON envelope).
MAX_EMPTY_BODY = 1024


class InputSchema(Schema):
    """Base of request bodies: a JSON object with known fields only.

    An unknown field (a typo, or a field of another route) and a body that is not an object (an
    array, a string) are refused with 422 instead of being read as an empty request: a PUT or PATCH
    whose fields are all optional would otherwise answer 200 and change nothing, or worse.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple, str, bytes, int, float)):
            msg = "a JSON object is expected"
            raise ValueError(msg)  # noqa: TRY004 - pydantic turns ValueError into a 422 answer
        return data


def reasons(error: ValidationError) -> str:
    """``field: message; other: message`` (or the plain messages when no field is named)."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                         for field, messages in error.message_dict.items())
    return " ".join(str(m) for m in error.messages)


def _length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def refuse_body(request: HttpRequest) -> None:
    """400 when an operation that takes no parameters receives a body larger than an empty envelope."""
    if _length(request) > MAX_EMPTY_BODY:
        raise HttpError(400, "This operation takes no request body.")


def refuse_oversized(request: HttpRequest, limit: int) -> None:
    """413 before anything is parsed when the request is larger than ``limit`` bytes (file uploads)."""
    if _length(request) > limit:
        raise HttpError(413, f"The request is too large (limit: {limit} bytes).")
