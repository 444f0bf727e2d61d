"""The French wording of frameworks, shown when the interface is in French and the file gives one."""

from __future__ import annotations

from typing import Any

from django.utils import translation

__all__ = ["in_french", "localise", "pick"]


def in_french() -> bool:
    """True when the current request's language is French."""
    return (translation.get_language() or "").startswith("fr")


def pick(english: str, french: str) -> str:
    """``french`` when the interface is in French and it is not empty, else ``english``."""
    return french if french and in_french() else english


def localise(*objects: Any) -> None:
    """Show sections and requirements in French: their ``title`` (and ``description``) take the French text.

    Only the in-memory objects change, for display; views never save frameworks' rows.
    """
    if not in_french():
        return
    for obj in objects:
        for field in ("title", "description", "name"):
            french = getattr(obj, f"{field}_fr", "")
            if french:
                setattr(obj, field, french)
