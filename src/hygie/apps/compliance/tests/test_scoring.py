"""Maturity scores, ANSSI levels reached, and the roll-up over a group's establishments."""

from __future__ import annotations

from typing import Any

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import Framework, RequirementAssessment, Status
from hygie.apps.compliance.scoring import maturity, rollup, score_of
from hygie.apps.compliance.services import open_assessment
from hygie.apps.organizations.models import Node, NodeKind


def _set(assessment: Any, statuses: dict[str, str]) -> None:
    for ref, status in statuses.items():
        RequirementAssessment.objects.filter(assessment=assessment, requirement__ref=ref).update(status=status)


class TestScore:
    """(met + half of partial) / applicable."""

    def test_formula(self) -> None:
        counts = dict.fromkeys(Status.values, 0)
        assert score_of(counts) is None
        counts.update({Status.MET: 2, Status.PARTIAL: 1, Status.NOT_MET: 1, Status.NOT_APPLICABLE: 3})
        assert 62 == score_of(counts)
        counts.update({Status.NOT_ASSESSED: 4})
        assert 31 == score_of(counts)

    def test_per_framework_and_section(self, tenants: Any) -> None:
        sync_shipped(only=["care_d2"])
        assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="care_d2"),
                                     tenants.users["manager"])
        _set(assessment, {"d2.p1": Status.MET, "d2.p2": Status.PARTIAL, "d2.o1.a": Status.NOT_APPLICABLE})
        result = maturity(assessment)
        total = assessment.items.count()
        assert total == result.total
        assert round(100 * 1.5 / (total - 1)) == result.score
        prerequisites = next(section for section in result.sections if section.ref == "prerequisites")
        assert 75 == prerequisites.score
        assert {Status.MET: 1, Status.PARTIAL: 1} == {k: v for k, v in prerequisites.counts.items() if v}
        assert result.level is None

    def test_level_reached(self, tenants: Any) -> None:
        sync_shipped(only=["anssi_ad"])
        assessment = open_assessment(tenants.hospital_a, Framework.objects.get(key="anssi_ad"),
                                     tenants.users["manager"])
        assert 0 == maturity(assessment).level
        items = RequirementAssessment.objects.filter(assessment=assessment)
        items.filter(requirement__level=1).update(status=Status.MET)
        assert 1 == maturity(assessment).level
        items.filter(requirement__level=2).update(status=Status.NOT_APPLICABLE)
        assert 2 == maturity(assessment).level
        # Level 4 all met but level 3 not: the level stays at 2.
        items.filter(requirement__level=4).update(status=Status.MET)
        assert 2 == maturity(assessment).level


class TestRollup:
    """The group and its establishments, as the user sees them; the mean of the establishments."""

    def test_heat_map_rows_and_mean(self, tenants: Any) -> None:
        sync_shipped(only=["care_d2"])
        framework = Framework.objects.get(key="care_d2")
        manager = tenants.users["manager"]
        second = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name="Hospital A2", parent=tenants.group_a)
        first = open_assessment(tenants.hospital_a, framework, manager)
        open_assessment(second, framework, manager)
        open_assessment(tenants.hospital_b, framework, tenants.outsider)
        RequirementAssessment.objects.filter(assessment=first).update(status=Status.MET)
        result = rollup(manager, tenants.group_a, "care_d2")
        assert [tenants.group_a, tenants.hospital_a, second] == [row.node for row in result.rows]
        assert result.rows[0].assessment is None
        assert [100, 0] == [row.maturity.score for row in result.rows[1:] if row.maturity]
        assert 50 == result.score
        refs = [ref for ref, _title, _title_fr in result.sections]
        assert "prerequisites" in refs
        assert [100] * len(refs) == result.rows[1].section_scores(refs)
        assert framework.requirements.count() == result.counts[Status.MET]
        document = result.to_dict()
        assert "Hospital B" not in str(document)
        # Another tenant's user (callers refuse them the node first) would see none of group A's rows.
        outside = rollup(tenants.outsider, tenants.group_a, "care_d2")
        assert [tenants.group_a] == [row.node for row in outside.rows]
        assert outside.rows[0].assessment is None
        assert outside.score is None
