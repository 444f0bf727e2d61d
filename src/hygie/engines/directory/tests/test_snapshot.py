"""The snapshot: schema-checked, immutable, saved and loaded as Parquet atomically."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import polars as pl
import pytest

from hygie.engines.directory.errors import SnapshotError
from hygie.engines.directory.schema import TABLES
from hygie.engines.directory.snapshot import Snapshot


class TestRoundTrip:
    """``save`` then ``load`` gives back equal tables and warnings."""

    def test_corpus_round_trip(self, tmp_path: Path, example: Snapshot) -> None:
        example.save(tmp_path / "snap")
        loaded = Snapshot.load(tmp_path / "snap")
        assert example.counts() == loaded.counts()
        assert example.equals(loaded)

    def test_empty_round_trip(self, tmp_path: Path) -> None:
        Snapshot(warnings=("one",)).save(tmp_path / "snap")
        assert Snapshot(warnings=("one",)).equals(Snapshot.load(tmp_path / "snap"))

    def test_no_temporary_folder_left(self, tmp_path: Path) -> None:
        Snapshot().save(tmp_path / "snap")
        Snapshot(warnings=("second",)).save(tmp_path / "snap", overwrite=True)
        assert ["snap"] == [item.name for item in tmp_path.iterdir()]
        assert ("second",) == Snapshot.load(tmp_path / "snap").warnings

    def test_existing_target_refused_without_overwrite(self, tmp_path: Path) -> None:
        Snapshot().save(tmp_path / "snap")
        with pytest.raises(FileExistsError):
            Snapshot().save(tmp_path / "snap")


class TestLoadErrors:
    """Incomplete or foreign folders are refused with ``SnapshotError``."""

    def test_not_a_snapshot(self, tmp_path: Path) -> None:
        with pytest.raises(SnapshotError, match=r"no manifest\.json"):
            Snapshot.load(tmp_path)

    def test_unknown_format_version(self, tmp_path: Path) -> None:
        Snapshot().save(tmp_path / "snap")
        (tmp_path / "snap" / "manifest.json").write_bytes(orjson.dumps({"format_version": 99}))
        with pytest.raises(SnapshotError, match="unsupported snapshot format version 99"):
            Snapshot.load(tmp_path / "snap")

    def test_missing_table(self, tmp_path: Path) -> None:
        Snapshot().save(tmp_path / "snap")
        (tmp_path / "snap" / "edges.parquet").unlink()
        with pytest.raises(SnapshotError, match=r"edges\.parquet is missing"):
            Snapshot.load(tmp_path / "snap")

    def test_corrupt_table(self, tmp_path: Path) -> None:
        Snapshot().save(tmp_path / "snap")
        (tmp_path / "snap" / "edges.parquet").write_bytes(b"not parquet")
        with pytest.raises(SnapshotError, match="unreadable Parquet"):
            Snapshot.load(tmp_path / "snap")


class TestInvariants:
    """Tables must have the snapshot schema, and the snapshot cannot be reassigned."""

    def test_wrong_schema_refused(self) -> None:
        with pytest.raises(SnapshotError, match="'edges'"):
            Snapshot(edges=pl.DataFrame({"source": ["a"]}))

    def test_fields_match_schema_tables(self) -> None:
        # A new table needs both a dataclass field and a schema: save/load walk the schema list.
        assert TABLES == tuple(item.name for item in dataclasses.fields(Snapshot) if item.name != "warnings")

    def test_frozen(self) -> None:
        snapshot = Snapshot()
        with pytest.raises(dataclasses.FrozenInstanceError):
            snapshot.warnings = ("x",)  # type: ignore[misc]
