"""Locate the shared test corpus; tests that need it skip with the reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

# tests -> directory -> engines -> hygie -> src -> repository root
_REPO_ROOT = Path(__file__).resolve().parents[5]


@pytest.fixture(scope="session")
def bloodhound_corpus() -> Path:
    """The ``directory/bloodhound-specterops`` folder of the corpus (read-only: never written to)."""
    corpus = Path(os.environ.get("HYGIE_CORPUS") or _REPO_ROOT / ".." / "shared" / "corpus")
    folder = corpus / "directory" / "bloodhound-specterops"
    if not folder.is_dir():
        pytest.skip(f"BloodHound corpus not found at {folder} (set HYGIE_CORPUS to the corpus folder)")
    return folder


@pytest.fixture(scope="session")
def example(bloodhound_corpus: Path) -> Snapshot:
    """The three-domain example collection (PHANTOM, GHOST, WRAITH), read from its folder."""
    return read_sharphound(bloodhound_corpus / "ad_example_data")
