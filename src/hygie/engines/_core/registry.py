"""Check registries: an explicit list of checks per engine (sslyze style, no entry-point magic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from hygie.engines._core.finding import Reference, Severity, validate_check_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["CheckRegistry", "CheckSpec"]

Impl = TypeVar("Impl")


@dataclass(frozen=True, slots=True)
class CheckSpec(Generic[Impl]):
    """A registered check: its id, titles in both shipped languages and its implementation."""

    check_id: str
    title_en: str
    title_fr: str
    severity: Severity
    implementation: Impl
    references: tuple[Reference, ...] = ()


class CheckRegistry(Generic[Impl]):
    """Checks of one engine, keyed by stable id. Registering twice is an error."""

    def __init__(self, engine: str) -> None:
        if not engine.isidentifier() or engine != engine.lower():
            msg = f"engine name {engine!r} must be a lower-case identifier"
            raise ValueError(msg)
        self.engine = engine
        self._checks: dict[str, CheckSpec[Impl]] = {}

    def register(
        self,
        check_id: str,
        *,
        title_en: str,
        title_fr: str,
        severity: Severity,
        references: tuple[Reference, ...] = (),
    ) -> Callable[[Impl], Impl]:
        """Decorator adding an implementation under ``check_id``.

        Raises ``ValueError`` for a malformed id, an id outside this engine's namespace, an id
        registered twice, or a missing title (every check ships in English and French).
        """
        validate_check_id(check_id)
        if not check_id.startswith(f"{self.engine}."):
            msg = f"check {check_id!r} does not belong to engine {self.engine!r}"
            raise ValueError(msg)
        if check_id in self._checks:
            msg = f"check {check_id!r} registered twice"
            raise ValueError(msg)
        if not title_en.strip() or not title_fr.strip():
            msg = f"check {check_id!r} needs an English and a French title"
            raise ValueError(msg)

        def decorator(implementation: Impl) -> Impl:
            self._checks[check_id] = CheckSpec(check_id, title_en, title_fr, severity, implementation, references)
            return implementation

        return decorator

    def __iter__(self) -> Iterator[CheckSpec[Impl]]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __getitem__(self, check_id: str) -> CheckSpec[Impl]:
        return self._checks[check_id]

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def ids(self) -> list[str]:
        """Registered check ids, in registration order."""
        return list(self._checks)
