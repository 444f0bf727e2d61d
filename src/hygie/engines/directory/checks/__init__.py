"""Directory checks, one module per family; importing this package registers them all."""

from __future__ import annotations

from hygie.engines.directory.checks import privileged, stale

__all__ = ["privileged", "stale"]
