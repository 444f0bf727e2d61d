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
    from hygie.testing import build_tenants

    return build_tenants()


def pytest_configure(config: Any) -> None:
    """A fast password hasher: the suite creates many users and PBKDF2 is slow by design."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
