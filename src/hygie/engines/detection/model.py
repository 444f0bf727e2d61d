"""The detection engine's contracts: event batches, compiled rules, detections.

**Events** travel as Arrow record batches. Every batch has the fixed columns below, then one
``string`` column per event field met in that batch, named as Sigma names it for Windows
(``Image``, ``CommandLine``, ``TargetUserName``...; EVTX ``EventData``/``UserData`` fields by their
``Name``). Batches of one file may have different field columns; a field absent from a batch is
null for its events. ``EventID`` is an integer; every other field is text.

**Rules** are compiled once into a :class:`CompiledRule`: metadata, the log-source channels it can
match (to read each event once per log source), the fields it reads and a SQL condition per
dialect (DuckDB and Spark), over a relation that has the columns above.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from hygie.engines.detection.correlation import CorrelationSpec

__all__ = [
    "FIXED_COLUMNS",
    "NUMERIC_FIELDS",
    "CompiledRule",
    "Detection",
    "LazySql",
    "Level",
    "ReadStats",
    "RuleFailure",
    "RulePack",
    "SqlTable",
]

#: Columns every event batch carries, in this order: where the event came from and its Sigma core fields.
#: ``_file`` (string), ``_record_id`` (int64: EventRecordID, or the line number of a JSON file),
#: ``_timestamp`` (timestamp[us, tz=UTC]), ``Channel``, ``EventID`` (int64), ``Provider_Name``, ``Computer``.
FIXED_COLUMNS: tuple[str, ...] = (
    "_file",
    "_record_id",
    "_timestamp",
    "Channel",
    "EventID",
    "Provider_Name",
    "Computer",
)

#: Fields compared as numbers (every other field is text).
NUMERIC_FIELDS: frozenset[str] = frozenset({"EventID", "_record_id"})


class Level(IntEnum):
    """Sigma rule levels, orderable for ``--min-level``."""

    INFORMATIONAL = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str) -> Level:
        """``"high"`` -> ``Level.HIGH``; ``ValueError`` naming the choices otherwise."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            choices = ", ".join(level.name.lower() for level in cls)
            raise ValueError(f"unknown level {value!r}; expected one of {choices}") from None


@dataclass(slots=True)
class ReadStats:
    """What the readers went through: files, events, corrupt records, and per-file errors."""

    files: int = 0
    events: int = 0
    corrupt: int = 0
    errors: list[str] = field(default_factory=list)


class SqlTable:
    """The SQL conditions of a cached pack's rules, kept as JSON text until a rule's SQL is read.

    A hunt with the indexed evaluator reads no rule's whole SQL; parsing five megabytes of it for
    every hunt would cost more than the rest of loading the pack.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._rows: list[dict[str, str]] | None = None

    def row(self, index: int) -> dict[str, str]:
        """The SQL per dialect of the rule at ``index`` (the text is parsed on the first call)."""
        if self._rows is None:
            self._rows = [{str(k): str(v) for k, v in dict(row).items()} for row in orjson.loads(self._text)]
        return self._rows[index]


class LazySql(Mapping[str, str]):
    """A rule's SQL per dialect, read from its pack's :class:`SqlTable` when first used."""

    __slots__ = ("_index", "_table")

    def __init__(self, table: SqlTable, index: int) -> None:
        self._table = table
        self._index = index

    def __getitem__(self, dialect: str) -> str:
        return self._table.row(self._index)[dialect]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.row(self._index))

    def __len__(self) -> int:
        return len(self._table.row(self._index))

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A Sigma rule compiled to SQL conditions.

    ``channels`` lists the ``Channel`` values the rule can match (empty: any channel);
    ``fields`` the event columns its condition reads; ``sql`` the WHERE condition per dialect
    (``"duckdb"``, ``"spark"``), with columns quoted for that dialect; ``program`` the same condition
    as a boolean tree over atoms for the indexed evaluator (see
    :mod:`hygie.engines.detection.rules.program`; None for rules built by hand with SQL only).
    """

    rule_id: str
    title: str
    level: Level
    status: str
    description: str
    tags: tuple[str, ...]
    references: tuple[str, ...]
    author: str
    logsource: dict[str, str]
    channels: tuple[str, ...]
    fields: tuple[str, ...]
    sql: Mapping[str, str]
    path: str = ""
    falsepositives: tuple[str, ...] = ()
    program: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the compiled-rule cache and the platform store it)."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "level": self.level.name.lower(),
            "status": self.status,
            "description": self.description,
            "tags": list(self.tags),
            "references": list(self.references),
            "author": self.author,
            "logsource": dict(self.logsource),
            "channels": list(self.channels),
            "fields": list(self.fields),
            "sql": dict(self.sql),
            "path": self.path,
            "falsepositives": list(self.falsepositives),
            "program": self.program,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompiledRule:
        """Inverse of ``to_dict``."""
        return cls(
            rule_id=str(data["rule_id"]),
            title=str(data["title"]),
            level=Level.parse(str(data["level"])),
            status=str(data.get("status", "")),
            description=str(data.get("description", "")),
            tags=tuple(str(t) for t in data.get("tags", [])),
            references=tuple(str(r) for r in data.get("references", [])),
            author=str(data.get("author", "")),
            logsource={str(k): str(v) for k, v in dict(data.get("logsource", {})).items()},
            channels=tuple(str(c) for c in data.get("channels", [])),
            fields=tuple(str(f) for f in data.get("fields", [])),
            sql=data["sql"] if isinstance(data["sql"], LazySql) else {str(k): str(v) for k, v in data["sql"].items()},
            path=str(data.get("path", "")),
            falsepositives=tuple(str(f) for f in data.get("falsepositives", [])),
            program=data.get("program"),
        )


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule that could not be loaded or compiled, and why (never silently dropped)."""

    path: str
    reason: str
    rule_id: str = ""
    title: str = ""


@dataclass(slots=True)
class RulePack:
    """Rules loaded from folders, zip files or single files: compiled ones, correlations and failures."""

    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[CorrelationSpec] = field(default_factory=list)
    failures: list[RuleFailure] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    digest: str = ""
    #: Atoms shared by the rules' programs (see :func:`hygie.engines.detection.rules.program.intern_programs`).
    atoms: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Detection:
    """One event matched by one rule."""

    rule_id: str
    rule_title: str
    level: Level
    tags: tuple[str, ...]
    timestamp: datetime | None
    computer: str
    channel: str
    event_id: int | None
    file: str
    record_id: int
    event: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form of ``hygie detect hunt``."""
        return {
            "rule_id": self.rule_id,
            "rule_title": self.rule_title,
            "level": self.level.name.lower(),
            "tags": list(self.tags),
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "computer": self.computer,
            "channel": self.channel,
            "event_id": self.event_id,
            "file": self.file,
            "record_id": self.record_id,
            "event": self.event,
        }
