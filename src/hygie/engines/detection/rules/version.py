"""The compiler's version: part of every compiled-rule cache key (kept apart so loading needs no pySigma)."""

from __future__ import annotations

from typing import Final

__all__ = ["COMPILER_VERSION"]

#: Bumped whenever compiled rules change shape or meaning: caches of older versions are not read.
COMPILER_VERSION: Final = "8"
