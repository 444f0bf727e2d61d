"""Translation of the few texts engines write themselves (report labels, what-if sentences).

Engines import no Django, yet their texts must follow the language of the page that shows them.
They translate through :func:`gettext`, which delegates to a translator: the standard library's
(untranslated English, like the command line) until the platform installs Django's at start-up
(:func:`set_translator`), so the active language of each request applies. The messages are
extracted with the rest of the catalogue (``make messages``).
"""

from __future__ import annotations

import gettext as _stdlib_gettext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["gettext", "set_translator"]

# One process-wide hook, set once at start-up by the platform; engines keep no other state.
_translator: list[Callable[[str], str]] = [_stdlib_gettext.gettext]


def set_translator(translator: Callable[[str], str]) -> None:
    """Route engine texts through ``translator`` (the platform passes Django's ``gettext``)."""
    _translator[0] = translator


def gettext(message: str) -> str:
    """``message`` in the current language (through the installed translator)."""
    return _translator[0](message)
