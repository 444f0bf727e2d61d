"""Fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# The suite never uses the developer's real data dir.
os.environ.setdefault("HYGIE_DATA_DIR", str(Path(__file__).parent / ".tmp" / "test-data"))


@pytest.fixture
def tenants(db: Any) -> Any:
    """Two groups, a user per role on group A, an outsider managing group B."""
    from hygie.testing import build_tenants  # noqa: PLC0415

    return build_tenants()
