"""Errors raised while reading a directory collection."""

from __future__ import annotations

__all__ = ["CollectionError", "SnapshotError"]


class CollectionError(ValueError):
    """A collection cannot be read; the message names the file and, where known, the position.

    Raised before any snapshot is returned, so a caller never sees a partial result.
    """

    def __init__(self, message: str, *, file: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        #: Name of the offending file (as found in the folder or the zip), when there is one.
        self.file = file
        #: Byte offset of the error inside ``file``, when the JSON parser reports one.
        self.position = position


class SnapshotError(ValueError):
    """A saved snapshot folder is missing, incomplete or of an unknown format version."""
