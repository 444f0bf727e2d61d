"""Loading rule packs: folders, zip files and single files, with a compiled-rule cache.

Every file is parsed on its own (``SigmaCollection.from_yaml``, which handles multi-document
collections and ``action: global/reset/repeat``), so a broken file costs only its own rules. Zip
files are read in memory within bounds (members, sizes), never extracted to disk.

The pack's digest is a SHA-256 over the compiler version and every rule file (its name in the
pack and its bytes, in name order). With ``cache_dir``, the compiled pack is stored as JSON under
that digest; loading the same files again reads the JSON instead of compiling.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import orjson
import yaml

from hygie.engines.detection.correlation import CorrelationSpec, resolve_references
from hygie.engines.detection.model import CompiledRule, LazySql, RuleFailure, RulePack, SqlTable
from hygie.engines.detection.rules.version import COMPILER_VERSION

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from hygie.engines.detection.rules.backend import SqlConditionBackend

__all__ = ["MAX_RULE_FILE_BYTES", "MAX_ZIP_BYTES", "MAX_ZIP_MEMBERS", "RuleFile", "load_rules", "read_rule_files"]

RULE_SUFFIXES: Final = (".yml", ".yaml")
#: A rule file larger than this is refused (SigmaHQ's largest is a few tens of KiB).
MAX_RULE_FILE_BYTES: Final = 4 * 1024 * 1024
#: Zip bounds: at most this many members, and this many uncompressed bytes of rule files in all.
MAX_ZIP_MEMBERS: Final = 100_000
MAX_ZIP_BYTES: Final = 512 * 1024 * 1024


_YAML_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class RuleFile:
    """A rule file's name (``folder/file.yml``, ``pack.zip!member.yml``) and bytes."""

    name: str
    data: bytes


def load_rules(paths: Sequence[Path], *, cache_dir: Path | None = None) -> RulePack:
    """Load and compile the Sigma rules under ``paths`` (folders, recursively; zip files; single files).

    Every rule that cannot be read, parsed or compiled is in ``pack.failures`` with its reason.
    """
    pack = RulePack(sources=[str(p) for p in paths])
    stat_key = _stat_key(paths) if cache_dir is not None else ""
    if cache_dir is not None and stat_key and _read_known(cache_dir, stat_key, pack):
        return pack
    files: list[RuleFile] = []
    for path in paths:
        for item in read_rule_files(path):
            if isinstance(item, RuleFailure):
                pack.failures.append(item)
            else:
                files.append(item)
    files.sort(key=lambda f: f.name)
    pack.digest = _digest(files)
    cache_file = cache_dir / f"rules-{pack.digest}.json" if cache_dir is not None else None
    read_failures = list(pack.failures)
    if cache_file is not None and _read_cache(cache_file, pack):
        _remember(cache_dir, stat_key, pack, read_failures)
        return pack
    # The compiler (pySigma) is imported only on a cache miss: it is a tenth of a second of start-up.
    from hygie.engines.detection.rules.compiler import default_backend

    backend = default_backend()
    names: dict[str, str] = {}
    for rule_file in files:
        _compile_file(rule_file, backend, pack, names)
    # Correlations name their base rules by id or by name, possibly in other files of the pack.
    pack.correlations = resolve_references(pack.correlations, names)
    from hygie.engines.detection.rules.program import intern_programs

    pack.rules, pack.atoms = intern_programs(pack.rules)
    if cache_file is not None:
        _write_cache(cache_file, pack, pack.failures[len(read_failures) :])
        _remember(cache_dir, stat_key, pack, read_failures)
    return pack


def _stat_key(paths: Sequence[Path]) -> str:
    """A key over the names, sizes and modification times of every file under ``paths`` (no reading).

    A cached pack is found by this key without reading the rule files; any file added, removed,
    resized or touched changes it, and the pack is then read and hashed again. ``""`` when a path
    cannot be listed (no shortcut then).
    """
    sha = hashlib.sha256(f"hygie-sigma-stat/{COMPILER_VERSION}\n".encode())
    try:
        for path in paths:
            found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for item in found:
                status = item.stat()
                sha.update(f"{item}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    except OSError:
        return ""
    return sha.hexdigest()


def _remember(cache_dir: Path | None, stat_key: str, pack: RulePack, read_failures: list[RuleFailure]) -> None:
    """Note which compiled pack the files with ``stat_key`` give (and the files that could not be read)."""
    if cache_dir is None or not stat_key:
        return
    known = {"digest": pack.digest, "read_failures": [_failure_dict(f) for f in read_failures]}
    try:
        partial = cache_dir / f"stat-{stat_key}.partial"
        partial.write_bytes(orjson.dumps(known))
        partial.replace(cache_dir / f"stat-{stat_key}.json")
    except OSError:
        return  # a read-only cache folder only costs speed


def _read_known(cache_dir: Path, stat_key: str, pack: RulePack) -> bool:
    """Fill ``pack`` from the cache when the files under the paths have not changed since it was made."""
    try:
        known = orjson.loads((cache_dir / f"stat-{stat_key}.json").read_bytes())
        digest = str(known["digest"])
        read_failures = [RuleFailure(**f) for f in known["read_failures"]]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError):
        return False
    if not _read_cache(cache_dir / f"rules-{digest}.json", pack):
        return False
    pack.digest = digest
    pack.failures[:0] = read_failures
    return True


def _failure_dict(failure: RuleFailure) -> dict[str, str]:
    return {"path": failure.path, "reason": failure.reason, "rule_id": failure.rule_id, "title": failure.title}


def read_rule_files(path: Path) -> Iterator[RuleFile | RuleFailure]:
    """The rule files under ``path``, or a failure per file (or zip) that cannot be read."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.suffix.lower() in RULE_SUFFIXES and p.is_file()):
            yield _read_file(child)
    elif path.is_file() and path.suffix.lower() == ".zip":
        yield from _read_zip(path)
    elif path.is_file():
        yield _read_file(path)
    else:
        yield RuleFailure(str(path), "no such file or folder")


def _read_file(path: Path) -> RuleFile | RuleFailure:
    try:
        if path.stat().st_size > MAX_RULE_FILE_BYTES:
            return RuleFailure(str(path), f"rule file larger than {MAX_RULE_FILE_BYTES} bytes")
        return RuleFile(str(path), path.read_bytes())
    except OSError as error:
        return RuleFailure(str(path), f"cannot read: {error}")


def _read_zip(path: Path) -> Iterator[RuleFile | RuleFailure]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                yield RuleFailure(str(path), f"zip has {len(members)} members (at most {MAX_ZIP_MEMBERS})")
                return
            total = 0
            for member in sorted(members, key=lambda m: m.filename):
                if member.is_dir() or not member.filename.lower().endswith(RULE_SUFFIXES):
                    continue
                name = f"{path}!{member.filename}"
                if member.file_size > MAX_RULE_FILE_BYTES:
                    yield RuleFailure(name, f"rule file larger than {MAX_RULE_FILE_BYTES} bytes")
                    continue
                total += member.file_size
                if total > MAX_ZIP_BYTES:
                    yield RuleFailure(str(path), f"zip holds more than {MAX_ZIP_BYTES} bytes of rules; rest skipped")
                    return
                # Read at most the declared size + 1: a member lying about its size is caught, not inflated.
                with archive.open(member) as stream:
                    data = stream.read(member.file_size + 1)
                if len(data) > member.file_size:
                    yield RuleFailure(name, "member larger than its declared size")
                    continue
                yield RuleFile(name, data)
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
        yield RuleFailure(str(path), f"cannot read zip: {error}")


def _compile_file(rule_file: RuleFile, backend: SqlConditionBackend, pack: RulePack, names: dict[str, str]) -> None:
    from sigma.collection import SigmaCollection

    from hygie.engines.detection.rules.compiler import collection_errors, compile_rule

    try:
        text = rule_file.data.decode("utf-8-sig")
        # References of correlation rules may point to other files: resolving them per file would fail.
        if "&" in text and _has_yaml_aliases(text):
            pack.failures.append(RuleFailure(rule_file.name, "YAML anchors/aliases are refused (a YAML bomb risk)"))
            return
        # libyaml's safe loader when built (the pure-Python one is most of a cold load's time).
        documents = list(yaml.load_all(text, Loader=_YAML_LOADER))
        collection = SigmaCollection.from_dicts(documents, collect_errors=True, resolve_references=False)
    except UnicodeDecodeError:
        pack.failures.append(RuleFailure(rule_file.name, "not UTF-8 text"))
        return
    except Exception as error:  # noqa: BLE001  # invalid YAML or rule: this file fails, the pack goes on
        pack.failures.append(RuleFailure(rule_file.name, f"cannot parse: {error}"))
        return
    pack.failures.extend(RuleFailure(rule_file.name, str(problem)) for problem in collection_errors(collection))
    if not collection.rules and not collection.errors:
        pack.failures.append(RuleFailure(rule_file.name, "no Sigma rule in this file"))
    for item in collection.rules:
        if item.name and item.id:
            names[str(item.name)] = str(item.id)
        result = compile_rule(item, backend, rule_file.name)
        if isinstance(result, CompiledRule):
            pack.rules.append(result)
        elif isinstance(result, RuleFailure):
            pack.failures.append(result)
        else:
            pack.correlations.append(result)


def _has_yaml_aliases(text: str) -> bool:
    """Whether ``text`` uses YAML aliases: Sigma rules never need them, and nested ones expand exponentially."""
    return any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_YAML_LOADER))


def _digest(files: Sequence[RuleFile]) -> str:
    sha = hashlib.sha256(f"hygie-sigma-sql/{COMPILER_VERSION}\n".encode())
    for rule_file in files:
        sha.update(rule_file.name.encode() + b"\0" + str(len(rule_file.data)).encode() + b"\0")
        sha.update(rule_file.data)
    return sha.hexdigest()


def _read_cache(cache_file: Path, pack: RulePack) -> bool:
    """Fill ``pack`` from the cache; ``False`` when there is no usable cache (it is then rebuilt)."""
    try:
        data = orjson.loads(cache_file.read_bytes())
        table = SqlTable(str(data["sql"]))
        rules = [CompiledRule.from_dict({**r, "sql": LazySql(table, i)}) for i, r in enumerate(data["rules"])]
        failures = [RuleFailure(**f) for f in data["failures"]]
        correlations = [CorrelationSpec.from_dict(c) for c in data.get("correlations", [])]
        atoms = list(data["atoms"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return False
    pack.rules.extend(rules)
    pack.failures.extend(failures)
    pack.correlations.extend(correlations)
    pack.atoms = atoms
    return True


def _write_cache(cache_file: Path, pack: RulePack, failures: list[RuleFailure]) -> None:
    """Store the compiled rules, correlations and compilation failures (read failures are found again on each load)."""
    payload = {
        "digest": pack.digest,
        # The SQL as one JSON text: parsed only when a rule's whole SQL is needed (see SqlTable).
        "rules": [{k: v for k, v in r.to_dict().items() if k != "sql"} for r in pack.rules],
        "sql": orjson.dumps([dict(r.sql) for r in pack.rules]).decode(),
        "correlations": [c.to_dict() for c in pack.correlations],
        "atoms": pack.atoms,
        "failures": [_failure_dict(f) for f in failures],
    }
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".partial")
        partial.write_bytes(orjson.dumps(payload))
        partial.replace(cache_file)  # atomic: a crash never leaves a truncated cache behind
    except OSError:
        return  # a read-only cache folder only costs speed
