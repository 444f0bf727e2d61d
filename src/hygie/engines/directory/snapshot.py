"""The normalised directory snapshot: one immutable bundle of Polars tables, saved as Parquet.

Every collector (SharpHound today, LDAP and LDIF later) produces a :class:`Snapshot`; checks and
the attack graph read only this, never the collector formats.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import polars as pl

from hygie.engines.directory.errors import SnapshotError
from hygie.engines.directory.schema import SCHEMAS, TABLES

__all__ = ["FORMAT_VERSION", "Snapshot", "empty_table"]

#: Bumped whenever a table or a column changes meaning; ``load`` refuses other versions.
FORMAT_VERSION = 2
_MANIFEST = "manifest.json"


def empty_table(name: str) -> pl.DataFrame:
    """An empty table with the schema of ``name``."""
    return pl.DataFrame(schema=SCHEMAS[name])


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All objects and relations of one collection, one DataFrame per object kind.

    Frozen: tables are replaced, never mutated, so a snapshot handed to checks cannot change
    under them. ``warnings`` lists what the reader tolerated (odd ``meta`` blocks, unknown files).
    """

    principals: pl.DataFrame = field(default_factory=lambda: empty_table("principals"))
    domains: pl.DataFrame = field(default_factory=lambda: empty_table("domains"))
    trusts: pl.DataFrame = field(default_factory=lambda: empty_table("trusts"))
    gpos: pl.DataFrame = field(default_factory=lambda: empty_table("gpos"))
    ous: pl.DataFrame = field(default_factory=lambda: empty_table("ous"))
    containers: pl.DataFrame = field(default_factory=lambda: empty_table("containers"))
    cert_templates: pl.DataFrame = field(default_factory=lambda: empty_table("cert_templates"))
    cert_authorities: pl.DataFrame = field(default_factory=lambda: empty_table("cert_authorities"))
    edges: pl.DataFrame = field(default_factory=lambda: empty_table("edges"))
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in TABLES:
            frame: pl.DataFrame = getattr(self, name)
            if dict(frame.schema) != SCHEMAS[name]:
                msg = f"table {name!r} does not have the snapshot schema: {dict(frame.schema)}"
                raise SnapshotError(msg)

    def table(self, name: str) -> pl.DataFrame:
        """The table called ``name`` (one of ``schema.TABLES``)."""
        if name not in TABLES:
            msg = f"unknown snapshot table {name!r}; expected one of {', '.join(TABLES)}"
            raise KeyError(msg)
        frame: pl.DataFrame = getattr(self, name)
        return frame

    def equals(self, other: Snapshot) -> bool:
        """True when every table holds the same rows in the same order, and the warnings match."""
        return self.warnings == other.warnings and all(self.table(name).equals(other.table(name)) for name in TABLES)

    def save(self, path: Path, *, overwrite: bool = False) -> None:
        """Write the snapshot as a folder of Parquet files plus a manifest, atomically.

        Files are written to a temporary folder beside ``path`` and renamed into place, so a
        crash leaves either the previous snapshot or the new one, never a mix.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            msg = f"{path} already exists (pass overwrite=True to replace it)"
            raise FileExistsError(msg)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            for name in TABLES:
                self.table(name).write_parquet(staging / f"{name}.parquet")
            manifest = {"format_version": FORMAT_VERSION, "tables": list(TABLES), "warnings": list(self.warnings)}
            (staging / _MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
            if path.exists():
                # A folder cannot be replaced by rename: move the old one aside first.
                retired = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
                path.rename(retired / "snapshot")
                staging.rename(path)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                staging.rename(path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        """Read a snapshot written by :meth:`save`; ``SnapshotError`` when it is incomplete or foreign."""
        path = Path(path)
        manifest_path = path / _MANIFEST
        try:
            manifest = orjson.loads(manifest_path.read_bytes())
        except FileNotFoundError as error:
            raise SnapshotError(f"{path} is not a snapshot folder (no {_MANIFEST})") from error
        except orjson.JSONDecodeError as error:
            raise SnapshotError(f"{manifest_path}: invalid JSON at byte {error.pos}") from error
        if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
            version = manifest.get("format_version") if isinstance(manifest, dict) else None
            raise SnapshotError(f"{path}: unsupported snapshot format version {version!r}")
        tables: dict[str, pl.DataFrame] = {}
        for name in TABLES:
            parquet = path / f"{name}.parquet"
            if not parquet.is_file():
                raise SnapshotError(f"{path}: table file {parquet.name} is missing")
            try:
                tables[name] = pl.read_parquet(parquet)
            except (OSError, pl.exceptions.PolarsError) as error:
                raise SnapshotError(f"{parquet}: unreadable Parquet file ({error})") from error
        warnings = manifest.get("warnings", [])
        if not isinstance(warnings, list) or not all(isinstance(item, str) for item in warnings):
            raise SnapshotError(f"{manifest_path}: 'warnings' must be a list of strings")
        return cls(**tables, warnings=tuple(warnings))

    def counts(self) -> dict[str, int]:
        """Number of rows per table, for summaries and logs."""
        return {name: self.table(name).height for name in TABLES}
