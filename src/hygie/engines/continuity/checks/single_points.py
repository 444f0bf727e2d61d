"""Dependency checks: components whose loss cuts critical activities from the rest of their chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import AffectedObject, Severity
from hygie.engines.continuity.dependencies import single_points_of_failure
from hygie.engines.continuity.registry import CheckId, make_finding, model_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.continuity.registry import AuditContext

__all__ = ["single_point_of_failure"]


@model_check(
    CheckId.SINGLE_POINT_OF_FAILURE,
    title_en="Single point of failure under critical activities",
    title_fr="Point unique de défaillance sous des activités critiques",
    severity=Severity.MEDIUM,
    remediation=(
        "Give this component redundancy (a second instance, another site, a fallback) or a degraded mode for "
        "the activities relying on it, and restore it first in the recovery plan."
    ),
    references=("care:d2.o1.c", "nis2:art21.2.c"),
)
def single_point_of_failure(context: AuditContext) -> list[Finding]:
    """Articulation points of the dependency graph that a critical activity depends on.

    See :func:`~hygie.engines.continuity.dependencies.single_points_of_failure` for the graph.
    """
    return [
        make_finding(
            CheckId.SINGLE_POINT_OF_FAILURE,
            [AffectedObject("component", point.component, point.component)],
            {"activities": list(point.activities), "critical_activities": list(point.critical_activities)},
        )
        for point in single_points_of_failure(context.model)
    ]
