"""The ``Finding`` contract: what every engine emits and the platform stores in one table."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

__all__ = ["AffectedObject", "Finding", "Reference", "ReferenceKind", "Severity"]

_CHECK_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Severity(IntEnum):
    """How bad a finding is; integer so that sorting and thresholds are cheap."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str | int) -> Severity:
        """Accept ``"high"``, ``"HIGH"`` or ``3``."""
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError:
            msg = f"unknown severity {value!r}; expected one of {', '.join(s.name.lower() for s in cls)}"
            raise ValueError(msg) from None


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
        if not _CHECK_ID_RE.match(self.check_id):
            msg = f"check id {self.check_id!r} must be namespaced like 'engine.check_name'"
            raise ValueError(msg)
        if not self.title.strip():
            msg = "a finding needs a title"
            raise ValueError(msg)

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
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of ``to_dict``; raises ``ValueError`` with a reason on malformed data."""
        try:
            return cls(
                check_id=str(data["check_id"]),
                title=str(data["title"]),
                severity=Severity.parse(data["severity"]),
                affected=tuple(
                    AffectedObject(str(a["kind"]), str(a["name"]), str(a.get("identifier", "")))
                    for a in data.get("affected", [])
                ),
                evidence=dict(data.get("evidence", {})),
                remediation=str(data.get("remediation", "")),
                references=tuple(
                    Reference(ReferenceKind(r["kind"]), str(r["id"])) for r in data.get("references", [])
                ),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            msg = f"malformed finding: missing or wrong field {exc}"
            raise ValueError(msg) from exc
