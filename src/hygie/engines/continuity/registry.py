"""The continuity engine's check registry (sslyze style: explicit ids, explicit registration).

Two kinds of checks:

- **model checks** judge the model as declared (backups, restore tests, backup consoles, the
  dependency graph), given an :class:`AuditContext` (the model, the date of the audit, and the
  dependency analysis computed once);
- **simulation checks** judge a recovery simulated against a scenario (downtime, data loss,
  degraded modes against the activities' targets).

Every check id is a member of :class:`CheckId`; a test proves each member is registered with a
French and an English title, a remediation and references.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from hygie.engines._core import AffectedObject, CheckRegistry, Finding, Reference, ReferenceKind, Severity
from hygie.engines.continuity.dependencies import activities_by_component, critical_components

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

    from hygie.engines.continuity.model import Activity, Component, Model
    from hygie.engines.continuity.simulate import Simulation

__all__ = [
    "CHECKS",
    "KINDS",
    "REMEDIATIONS",
    "AuditContext",
    "CheckId",
    "CheckKind",
    "ModelCheckImpl",
    "SimulationCheckImpl",
    "component_object",
    "make_finding",
    "model_check",
    "simulation_check",
]


class CheckId(StrEnum):
    """Every continuity check id (stable: the platform keys findings on them)."""

    CRITICAL_WITHOUT_BACKUP = "continuity.critical_without_backup"
    BACKUP_321_NOT_MET = "continuity.backup_321_not_met"
    BACKUP_NO_OFFLINE_COPY = "continuity.backup_no_offline_copy"
    RPO_UNREACHABLE = "continuity.rpo_unreachable"
    RPO_UNREACHABLE_AFTER_RANSOMWARE = "continuity.rpo_unreachable_after_ransomware"
    RESTORE_TEST_NEVER_DONE = "continuity.restore_test_never_done"
    RESTORE_TEST_OUTDATED = "continuity.restore_test_outdated"
    RESTORE_TEST_FAILED = "continuity.restore_test_failed"
    BACKUP_CONSOLE_PRODUCTION_DIRECTORY = "continuity.backup_console_production_directory"
    BACKUP_CONSOLE_NO_MFA = "continuity.backup_console_no_mfa"
    BACKUP_NO_ISOLATION = "continuity.backup_no_isolation"
    BACKUP_NOT_SUPERVISED = "continuity.backup_not_supervised"
    SINGLE_POINT_OF_FAILURE = "continuity.single_point_of_failure"
    RTO_NOT_MET = "continuity.rto_not_met"
    RPO_NOT_MET = "continuity.rpo_not_met"
    DEGRADED_MODE_EXCEEDED = "continuity.degraded_mode_exceeded"


class CheckKind(StrEnum):
    """What a check judges."""

    MODEL = "model"
    SIMULATION = "simulation"


@dataclass(frozen=True, slots=True)
class AuditContext:
    """What model checks read: the model, the audit date, and the dependency analysis done once.

    ``critical`` holds the critical components (see :func:`~.dependencies.critical_components`);
    ``dependents`` maps each component to the activities depending on it, transitively.
    """

    model: Model
    as_of: dt.date
    critical: frozenset[str]
    dependents: dict[str, list[Activity]]

    @classmethod
    def of(cls, model: Model, as_of: dt.date) -> AuditContext:
        """The context of an audit of ``model`` on ``as_of``."""
        return cls(model, as_of, frozenset(critical_components(model)), activities_by_component(model))

    def critical_components(self) -> list[Component]:
        """The critical components, in model (dependency) order."""
        return [component for component in self.model.components if component.name in self.critical]

    def activity_names(self, component: Component) -> list[str]:
        """Names of the activities depending on ``component`` (transitively), sorted."""
        return sorted(activity.name for activity in self.dependents[component.name])


class ModelCheckImpl(Protocol):
    """A model check: findings about the model as declared."""

    def __call__(self, context: AuditContext) -> list[Finding]:
        """Findings of this check on ``context.model`` as of ``context.as_of``."""
        ...


class SimulationCheckImpl(Protocol):
    """A simulation check: findings about a recovery simulated on the model."""

    def __call__(self, model: Model, simulation: Simulation) -> list[Finding]:
        """Findings of this check on ``simulation`` (a run of a scenario on ``model``)."""
        ...


CheckImpl = ModelCheckImpl | SimulationCheckImpl

#: Check id -> check, in the ``continuity.`` namespace.
CHECKS: CheckRegistry[CheckImpl] = CheckRegistry("continuity")
#: Check id -> what it judges.
KINDS: dict[str, CheckKind] = {}
#: Check id -> what to do about its findings (English; the platform translates on display).
REMEDIATIONS: dict[str, str] = {}

_REFERENCE_KINDS = {kind.value: kind for kind in ReferenceKind}


def _reference(text: str) -> Reference:
    """``care:d2.o3.c``, ``nis2:art21.2.c`` or ``anssi:hygiene_37`` as a :class:`Reference`."""
    kind, _, identifier = text.partition(":")
    if kind not in _REFERENCE_KINDS or not identifier:
        raise ValueError(f"reference {text!r} must be KIND:ID with KIND one of {', '.join(_REFERENCE_KINDS)}")
    return Reference(_REFERENCE_KINDS[kind], identifier)


def _register(
    kind: CheckKind,
    check_id: CheckId,
    *,
    title_en: str,
    title_fr: str,
    severity: Severity,
    remediation: str,
    references: Iterable[str],
) -> Callable[[CheckImpl], CheckImpl]:
    if not remediation.strip():
        raise ValueError(f"check {check_id!r} needs a remediation")
    refs = tuple(_reference(text) for text in references)
    register = CHECKS.register(check_id.value, title_en=title_en, title_fr=title_fr, severity=severity, references=refs)
    KINDS[check_id.value] = kind
    REMEDIATIONS[check_id.value] = remediation
    return register


def model_check(
    check_id: CheckId,
    *,
    title_en: str,
    title_fr: str,
    severity: Severity,
    remediation: str,
    references: Iterable[str] = (),
) -> Callable[[ModelCheckImpl], ModelCheckImpl]:
    """Register a model check; ``references`` are ``care:``, ``nis2:`` or ``anssi:`` ids."""
    return _register(
        CheckKind.MODEL,
        check_id,
        title_en=title_en,
        title_fr=title_fr,
        severity=severity,
        remediation=remediation,
        references=references,
    )  # type: ignore[return-value]  # the registry stores the union; this decorator keeps the narrow type


def simulation_check(
    check_id: CheckId,
    *,
    title_en: str,
    title_fr: str,
    severity: Severity,
    remediation: str,
    references: Iterable[str] = (),
) -> Callable[[SimulationCheckImpl], SimulationCheckImpl]:
    """Register a simulation check; ``references`` are ``care:``, ``nis2:`` or ``anssi:`` ids."""
    return _register(
        CheckKind.SIMULATION,
        check_id,
        title_en=title_en,
        title_fr=title_fr,
        severity=severity,
        remediation=remediation,
        references=references,
    )  # type: ignore[return-value]  # as above


def component_object(component: Component) -> AffectedObject:
    """The affected object naming ``component``."""
    return AffectedObject("component", component.name, component.name)


def make_finding(
    check_id: CheckId,
    affected: Iterable[AffectedObject],
    evidence: dict[str, Any],
    *,
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``check_id`` with the title, remediation and references of its registration.

    ``severity`` overrides the registered one where the evidence makes it worse (no copy survives,
    a care activity stops).
    """
    spec = CHECKS[check_id.value]
    return Finding(
        check_id=check_id.value,
        title=spec.title_en,
        severity=severity if severity is not None else spec.severity,
        affected=tuple(affected),
        evidence=evidence,
        remediation=REMEDIATIONS[check_id.value],
        references=spec.references,
    )
