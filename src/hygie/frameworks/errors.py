"""The one error every framework reader raises: its message names the file and the element at fault."""

from __future__ import annotations

__all__ = ["FrameworkError"]


class FrameworkError(ValueError):
    """A framework file (ours or an imported library) cannot be used.

    The message is meant for the person who wrote the file: it starts with the file (or origin)
    and names the framework element at fault (``requirement 'd2.o1.a': title: field required``).
    """
