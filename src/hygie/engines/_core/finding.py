"""The ``Finding`` contract: what every engine emits and the platform stores in one table."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

__all__ = [
    "MAX_CHECK_ID_LENGTH",
    "AffectedObject",
    "Finding",
    "FindingFormatError",
    "Reference",
    "ReferenceKind",
    "Severity",
    "validate_check_id",
]

_CHECK_ID_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")

#: Longest check id the platform stores (the findings table column is this wide).
MAX_CHECK_ID_LENGTH = 120


class FindingFormatError(ValueError):
    """A finding (or its JSON form) breaks the contract; the message says which field and why."""


def validate_check_id(check_id: object) -> None:
    """Raise ``FindingFormatError`` unless ``check_id`` is a namespaced id such as ``directory.krbtgt_age``."""
    if not isinstance(check_id, str) or not _CHECK_ID_RE.fullmatch(check_id):
        msg = f"check id {check_id!r} must be namespaced like 'engine.check_name' (lower case, digits, _)"
        raise FindingFormatError(msg)
    if len(check_id) > MAX_CHECK_ID_LENGTH:
        msg = f"check id {check_id[:40]!r}... is longer than {MAX_CHECK_ID_LENGTH} characters"
        raise FindingFormatError(msg)


class Severity(IntEnum):
    """How bad a finding is; integer so that sorting and thresholds are cheap."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str | int) -> Severity:
        """Accept ``"high"``, ``"HIGH"`` or ``3``; anything else raises ``ValueError`` with the choices."""
        # bool is an int subclass: ``True`` must not silently mean "low".
        if isinstance(value, int) and not isinstance(value, bool) and value in cls._value2member_map_:
            return cls(value)
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        msg = f"unknown severity {value!r}; expected one of {', '.join(s.name.lower() for s in cls)}"
        raise ValueError(msg)


class ReferenceKind(StrEnum):
    """Frameworks and catalogues a finding can cite."""

    ANSSI = "anssi"
    CARE = "care"
    NIS2 = "nis2"
    CVE = "cve"
    URL = "url"


@dataclass(frozen=True, slots=True)
class Reference:
    """A pointer to a framework requirement or a catalogue entry (``anssi``/``vuln_krbtgt``)."""

    kind: ReferenceKind
    id: str

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"kind": self.kind.value, "id": self.id}


@dataclass(frozen=True, slots=True)
class AffectedObject:
    """What the finding is about: an asset, an account, a domain, a service..."""

    kind: str
    name: str
    identifier: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"kind": self.kind, "name": self.name, "identifier": self.identifier}


@dataclass(frozen=True, slots=True)
class Finding:
    """One weakness found by an engine.

    ``check_id`` is stable and namespaced by engine (``directory.krbtgt_password_age``); together
    with the affected objects it makes the fingerprint, so a re-run updates the same finding
    instead of creating a duplicate.
    """

    check_id: str
    title: str
    severity: Severity
    affected: tuple[AffectedObject, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    remediation: str = ""
    references: tuple[Reference, ...] = ()

    def __post_init__(self) -> None:
        validate_check_id(self.check_id)
        if not isinstance(self.title, str) or not self.title.strip():
            msg = "a finding needs a title"
            raise FindingFormatError(msg)
        if not isinstance(self.severity, Severity):
            # Frozen dataclass: coerce through object.__setattr__ so "high" or 3 still work.
            object.__setattr__(self, "severity", Severity.parse(self.severity))
        # Engines building lists by comprehension get tuples: the dataclass stays immutable.
        object.__setattr__(self, "affected", tuple(self.affected))
        object.__setattr__(self, "references", tuple(self.references))
        if not isinstance(self.evidence, dict):
            msg = "evidence must be a mapping (a JSON object)"
            raise FindingFormatError(msg)
        for item in self.affected:
            if not isinstance(item, AffectedObject):
                msg = f"affected objects must be AffectedObject, not {type(item).__name__}"
                raise FindingFormatError(msg)
        for ref in self.references:
            if not isinstance(ref, Reference):
                msg = f"references must be Reference, not {type(ref).__name__}"
                raise FindingFormatError(msg)

    @property
    def engine(self) -> str:
        """The engine namespace of the check id."""
        return self.check_id.split(".", 1)[0]

    @property
    def fingerprint(self) -> str:
        """Stable identity of this finding across runs."""
        key = json.dumps(
            [self.check_id, sorted((a.kind, a.identifier or a.name) for a in self.affected)],
            separators=(",", ":"),
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as written by ``hygie <engine> --json`` and read by the platform."""
        return {
            "check_id": self.check_id,
            "title": self.title,
            "severity": self.severity.name.lower(),
            "affected": [a.to_dict() for a in self.affected],
            "evidence": self.evidence,
            "remediation": self.remediation,
            "references": [r.to_dict() for r in self.references],
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Inverse of ``to_dict``; raises ``ValueError`` with a reason on malformed data.

        A ``fingerprint`` key is ignored: it is always recomputed, so a tampered file cannot make
        one finding overwrite another.
        """
        if not isinstance(data, Mapping):
            msg = f"malformed finding: expected a JSON object, got {type(data).__name__}"
            raise FindingFormatError(msg)
        for key in ("check_id", "title", "severity"):
            if key not in data:
                msg = f"malformed finding: missing field {key!r}"
                raise FindingFormatError(msg)
        for key in ("check_id", "title"):
            if not isinstance(data[key], str):
                msg = f"malformed finding: {key!r} must be a string"
                raise FindingFormatError(msg)
        return cls(
            check_id=data["check_id"],
            title=data["title"],
            severity=Severity.parse(data["severity"]),
            affected=tuple(_affected(a) for a in _list(data, "affected")),
            evidence=_mapping(data, "evidence"),
            remediation=_text(data, "remediation"),
            references=tuple(_reference(r) for r in _list(data, "references")),
        )


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        msg = f"malformed finding: {key!r} must be a list"
        raise FindingFormatError(msg)
    return list(value)


def _mapping(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        msg = f"malformed finding: {key!r} must be an object"
        raise FindingFormatError(msg)
    return dict(value)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        msg = f"malformed finding: {key!r} must be a string"
        raise FindingFormatError(msg)
    return value


def _affected(item: Any) -> AffectedObject:
    if not isinstance(item, Mapping) or not all(isinstance(item.get(k), str) for k in ("kind", "name")):
        msg = "malformed finding: each affected object needs a 'kind' and a 'name' (strings)"
        raise FindingFormatError(msg)
    identifier = item.get("identifier") or ""
    if not isinstance(identifier, str):
        msg = "malformed finding: an affected object's 'identifier' must be a string"
        raise FindingFormatError(msg)
    return AffectedObject(item["kind"], item["name"], identifier)


def _reference(item: Any) -> Reference:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        msg = "malformed finding: each reference needs a 'kind' and an 'id' (strings)"
        raise FindingFormatError(msg)
    try:
        kind = ReferenceKind(str(item.get("kind")))
    except ValueError:
        choices = ", ".join(k.value for k in ReferenceKind)
        msg = f"malformed finding: unknown reference kind {item.get('kind')!r}; expected one of {choices}"
        raise FindingFormatError(msg) from None
    return Reference(kind, item["id"])
