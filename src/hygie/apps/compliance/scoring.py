"""Maturity of an assessment, and the roll-up of a framework over a group's establishments.

Score (0-100) = (met + half of partially met) / applicable requirements, where applicable means
every requirement but the not applicable ones (not assessed counts as not met: an assessment
nobody filled in scores 0, not "unknown"). For frameworks with levels (ANSSI AD), the level
reached is the highest level whose requirements, and those of every lower level, are all met or
not applicable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hygie.apps.accounts.permissions import Action
from hygie.apps.compliance.models import Assessment, FrameworkSection, RequirementAssessment, Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.organizations.models import Node

__all__ = ["Maturity", "RollUp", "RollUpRow", "SectionScore", "maturity", "rollup", "score_of"]

_DONE = {Status.MET, Status.NOT_APPLICABLE}


def _counts(statuses: Iterable[str]) -> dict[str, int]:
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in Status.values}


def score_of(counts: dict[str, int]) -> int | None:
    """0-100 from counts per status; ``None`` when every requirement is not applicable."""
    applicable = sum(counts.values()) - counts.get(Status.NOT_APPLICABLE, 0)
    if applicable <= 0:
        return None
    return round(100 * (counts.get(Status.MET, 0) + 0.5 * counts.get(Status.PARTIAL, 0)) / applicable)


@dataclass(frozen=True)
class SectionScore:
    """A section's counts per status and its score."""

    ref: str
    title: str
    title_fr: str
    counts: dict[str, int]
    score: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ref": self.ref, "title": self.title, "title_fr": self.title_fr, "counts": self.counts,
                "score": self.score}


@dataclass(frozen=True)
class Maturity:
    """An assessment's score, counts per status, per-section scores and level reached."""

    score: int | None
    counts: dict[str, int]
    sections: list[SectionScore]
    #: Highest level reached (0: none) for frameworks with levels; ``None`` otherwise.
    level: int | None = None
    levels: list[int] = field(default_factory=list)
    #: Requirements whose engines' measure no one confirmed yet.
    to_review: int = 0

    @property
    def total(self) -> int:
        """Number of requirements."""
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API, export)."""
        return {"score": self.score, "counts": self.counts, "total": self.total, "level": self.level,
                "levels": self.levels, "to_review": self.to_review,
                "sections": [section.to_dict() for section in self.sections]}


def _level(items: list[tuple[int | None, str]], levels: list[int]) -> int | None:
    if not levels:
        return None
    reached = 0
    for level in sorted(levels):
        if all(status in _DONE for req_level, status in items if req_level is not None and req_level <= level):
            reached = level
        else:
            break
    return reached


def maturity(assessment: Assessment) -> Maturity:
    """Scores of an assessment (two queries)."""
    rows = list(
        RequirementAssessment.objects.filter(assessment=assessment).values_list(
            "status", "requirement__section_id", "requirement__level", "measure", "confirmed_measure"
        )
    )
    sections = list(FrameworkSection.objects.filter(framework_id=assessment.framework_id).order_by("order"))
    by_section: dict[int, list[str]] = {}
    for status, section_id, _level_value, _measure, _confirmed in rows:
        by_section.setdefault(section_id, []).append(status)
    # A section's figures include the sections nested under it.
    children: dict[str, list[FrameworkSection]] = {}
    for section in sections:
        children.setdefault(section.parent_ref, []).append(section)

    def statuses(section: FrameworkSection) -> list[str]:
        found = list(by_section.get(section.pk, []))
        for child in children.get(section.ref, []):
            found += statuses(child)
        return found

    section_scores = []
    for section in sections:
        counts = _counts(statuses(section))
        section_scores.append(SectionScore(section.ref, section.title, section.title_fr, counts, score_of(counts)))
    counts = _counts(row[0] for row in rows)
    levels = sorted(
        level["id"] for level in (assessment.framework.document or {}).get("levels", []) if isinstance(level, dict)
    )
    return Maturity(
        score=score_of(counts),
        counts=counts,
        sections=section_scores,
        level=_level([(row[2], row[0]) for row in rows], levels),
        levels=levels,
        to_review=sum(1 for row in rows if row[3] and row[3] != row[4]),
    )


@dataclass(frozen=True)
class RollUpRow:
    """One node of a roll-up: its latest assessment of the framework and its scores (a heat-map row)."""

    node: Node
    assessment: Assessment | None
    maturity: Maturity | None

    def section_scores(self, refs: list[str]) -> list[int | None]:
        """Scores in the order of ``refs`` (the heat map's columns); ``None`` where not assessed."""
        if self.maturity is None:
            return [None] * len(refs)
        scores = {section.ref: section.score for section in self.maturity.sections}
        return [scores.get(ref) for ref in refs]

    def to_dict(self, refs: list[str]) -> dict[str, Any]:
        """JSON form."""
        return {
            "node_id": self.node.pk, "node": self.node.name, "kind": self.node.kind,
            "assessment_id": self.assessment.pk if self.assessment else None,
            "score": self.maturity.score if self.maturity else None,
            "level": self.maturity.level if self.maturity else None,
            "counts": self.maturity.counts if self.maturity else None,
            "sections": self.section_scores(refs),
        }


@dataclass(frozen=True)
class RollUp:
    """A framework over a node and its establishments: rows, section columns and the aggregate."""

    framework_key: str
    node: Node
    #: Section refs and titles of the latest framework version assessed (the heat map's columns).
    sections: list[tuple[str, str, str]]
    rows: list[RollUpRow]
    #: Mean of the establishments' scores (``None`` when none is assessed) and their summed counts.
    score: float | None
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API)."""
        refs = [ref for ref, _title, _title_fr in self.sections]
        return {
            "framework": self.framework_key, "node_id": self.node.pk, "node": self.node.name,
            "sections": [{"ref": ref, "title": title, "title_fr": title_fr}
                         for ref, title, title_fr in self.sections],
            "rows": [row.to_dict(refs) for row in self.rows],
            "score": self.score, "counts": self.counts,
        }


def rollup(user: Any, node: Node, framework_key: str) -> RollUp:
    """``node``'s and each descendant establishment's latest assessment of ``framework_key``, as ``user`` sees."""
    from hygie.apps.organizations.models import Node, NodeKind

    assessments = (
        Assessment.objects.restrict(user, Action.VIEW)
        .filter(node__path__startswith=node.path, framework__key=framework_key)
        .select_related("framework", "node")
        .order_by("node__path", "-framework__created", "-pk")
    )
    latest: dict[int, Assessment] = {}
    for assessment in assessments:
        latest.setdefault(assessment.node_id, assessment)
    establishments = list(
        Node.objects.restrict(user, Action.VIEW)
        .filter(path__startswith=node.path, kind=NodeKind.ESTABLISHMENT)
        .exclude(pk=node.pk)
        .order_by("path")
    )
    nodes = [node, *establishments]
    rows = []
    for row_node in nodes:
        assessment = latest.get(row_node.pk)
        rows.append(RollUpRow(row_node, assessment, maturity(assessment) if assessment else None))
    newest = max((a for a in latest.values()), key=lambda a: (a.framework.created, a.framework_id), default=None)
    sections = []
    if newest is not None:
        sections = [
            (s.ref, s.title, s.title_fr)
            for s in FrameworkSection.objects.filter(framework_id=newest.framework_id).order_by("order")
        ]
    scored = [row for row in rows[1:] if row.maturity is not None] or [
        row for row in rows[:1] if row.maturity is not None
    ]
    values = [row.maturity.score for row in scored if row.maturity and row.maturity.score is not None]
    counts = _counts([])
    for row in scored:
        if row.maturity is not None:
            for status, count in row.maturity.counts.items():
                counts[status] += count
    score = round(sum(values) / len(values), 1) if values else None
    return RollUp(framework_key, node, sections, rows, score, counts)
