"""Read a SharpHound / BloodHound CE collection (folder, zip or single file) into a ``Snapshot``.

Formats 5 and 6 are accepted. Odd ``meta`` blocks (missing or extra fields, a wrong ``count``)
become warnings on the snapshot; anything that would make the result incomplete or wrong
(corrupt JSON, an unknown format version, an oversized file, no collection file at all) raises
:class:`CollectionError` naming the file and position, and nothing is returned.
"""

from __future__ import annotations

import gc
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.sharphound_columns import PRINCIPAL_FILES, add_principals
from hygie.engines.directory.sharphound_records import RECORD_KINDS, TableBuilder, add_record
from hygie.engines.directory.snapshot import Snapshot

__all__ = ["DEFAULT_MAX_FILE_BYTES", "SUPPORTED_VERSIONS", "read_sharphound"]

#: Largest JSON file read by default: well above a 100,000-user domain, far below the memory.
DEFAULT_MAX_FILE_BYTES = 2 * 1024**3
SUPPORTED_VERSIONS = frozenset({5, 6})
# Fields SharpHound writes in ``meta``; others are tolerated with a warning.
_KNOWN_META = frozenset({"methods", "type", "count", "version", "collectorversion"})
# File types SharpHound writes that the snapshot does not use (yet); skipped without alarm.
_IGNORED_TYPES = frozenset({"deleted", "issuancepolicies"})


def read_sharphound(path: Path | str, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Snapshot:
    """Read the collection at ``path``: a folder of ``*.json``, a ``.zip`` of them, or one ``.json``.

    Raises ``CollectionError`` (never a partial snapshot) when the collection cannot be fully read.
    """
    path = Path(path)
    # The parsed JSON is millions of acyclic dicts and lists: the cyclic garbage collector would walk
    # them again and again as they are allocated (a third of the reading time on a large domain).
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = TableBuilder()
        warnings: list[str] = []
        used = 0
        for name, raw in _files(path, max_file_bytes):
            used += _read_file(builder, name, raw, warnings)
        if not used:
            raise CollectionError(f"{path.name}: no SharpHound collection file (users, groups, computers, domains...)")
        frames = builder.frames(warnings)
    finally:
        if collecting:
            gc.enable()
    return Snapshot(**frames, warnings=tuple(warnings))


def _files(path: Path, limit: int) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of every JSON file of the collection, each checked against ``limit``."""
    if path.is_dir():
        files = sorted(item for item in path.iterdir() if item.is_file() and item.suffix.lower() == ".json")
        if not files:
            raise CollectionError(f"{path.name}: the folder holds no .json collection file", file=path.name)
        for item in files:
            _check_size(item.name, item.stat().st_size, limit)
            yield item.name, item.read_bytes()
    elif path.is_file() and path.suffix.lower() == ".json":
        _check_size(path.name, path.stat().st_size, limit)
        yield path.name, path.read_bytes()
    elif path.is_file():
        yield from _zip_files(path, limit)
    else:
        raise CollectionError(f"{path}: no such file or folder", file=path.name)


def _zip_files(path: Path, limit: int) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CollectionError(f"{path.name}: not a readable zip archive ({error})", file=path.name) from error
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and info.filename.lower().endswith(".json")]
        if not members:
            raise CollectionError(f"{path.name}: the zip holds no .json collection file", file=path.name)
        for info in members:
            name = f"{path.name}:{info.filename}"
            _check_size(name, info.file_size, limit)
            try:
                with archive.open(info) as stream:
                    # The declared size can lie: never read more than the limit.
                    raw = stream.read(limit + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
                raise CollectionError(f"{name}: corrupt zip member ({error})", file=name) from error
            _check_size(name, len(raw), limit)
            yield name, raw


def _check_size(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise CollectionError(f"{name}: {size} bytes is more than the {limit}-byte limit per file", file=name)


def _read_file(builder: TableBuilder, name: str, raw: bytes, warnings: list[str]) -> int:
    """Add the records of one file; 1 when it was a collection file used, 0 when skipped."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        message = f"{name}: invalid JSON at line {error.lineno}, column {error.colno} (byte {error.pos}): {error.msg}"
        raise CollectionError(message, file=name, position=error.pos) from error
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise CollectionError(f"{name}: not a SharpHound file (no 'data' list at the top level)", file=name)
    data: list[Any] = document["data"]
    kind = _meta_kind(name, document.get("meta"), len(data), warnings)
    if kind is None:
        return 0
    if kind in PRINCIPAL_FILES:
        add_principals(builder, kind, data, file=name)
    else:
        for index, record in enumerate(data):
            add_record(builder, kind, record, file=name, index=index)
    return 1


def _meta_kind(name: str, meta: object, count: int, warnings: list[str]) -> str | None:
    """The file's object type from ``meta`` (or its name); ``None`` when the type is not used.

    Raises on an unsupported ``version``: its records may not mean what we think.
    """
    if not isinstance(meta, dict):
        warnings.append(f"{name}: no 'meta' block; type taken from the file name")
        meta = {}
    version = meta.get("version")
    if version is None:
        warnings.append(f"{name}: 'meta' has no 'version'; read as format 5/6")
    elif isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise CollectionError(f"{name}: unsupported SharpHound format version {version!r} (supported: 5, 6)", file=name)
    declared = meta.get("count")
    if declared is None:
        warnings.append(f"{name}: 'meta' has no 'count'")
    elif declared != count:
        warnings.append(f"{name}: 'meta' count is {declared!r} but 'data' holds {count} entries")
    extra = sorted(str(key) for key in meta if key not in _KNOWN_META)
    if extra:
        warnings.append(f"{name}: unexpected 'meta' fields ignored: {', '.join(extra)}")
    kind = meta.get("type")
    if not isinstance(kind, str):
        # SharpHound names files ``<timestamp>_<type>.json``.
        kind = PurePosixPath(name.rsplit(":", 1)[-1]).stem.rsplit("_", 1)[-1]
        warnings.append(f"{name}: 'meta' has no 'type'; taken as {kind!r} from the file name")
    kind = kind.lower()
    if kind in RECORD_KINDS:
        return kind
    if kind not in _IGNORED_TYPES:
        warnings.append(f"{name}: unknown file type {kind!r} skipped")
    return None
