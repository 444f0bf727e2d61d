"""CaRE domain-2 readiness: one test class per rule, each status from the data that decides it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.apps.continuity.models import (
    ActivityKind,
    Authentication,
    BackupCopy,
    BusinessImpact,
    ContinuityProgramme,
    Exercise,
    ExerciseKind,
    ExerciseStatus,
    Medium,
    RestoreTest,
)
from hygie.apps.continuity.readiness import MET, NOT_MET, PARTIAL, UNKNOWN, Readiness, readiness
from hygie.apps.inventory.models import CareActivity
from hygie.apps.organizations.models import Node, NodeKind

from .support import ADMIN_GRID, build_continuity

AS_OF = dt.date(2026, 11, 1)
IDS = [
    "d2.p1",
    "d2.p2",
    "d2.o1.a",
    "d2.o1.b",
    "d2.o1.c",
    "d2.o1.d",
    "d2.o2.a",
    "d2.o2.b",
    "d2.o3.a",
    "d2.o3.b",
    "d2.o3.c",
    "d2.o3.d",
    "d2.o4",
]


def _status(node: Node, objective: str) -> str:
    result = readiness(node, as_of=AS_OF)
    return next(o.status for o in result.objectives if o.id == objective)


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


class TestShape:
    """Every objective of the guide, in order, with a title; JSON form for the API."""

    def test_objectives(self, tenants: Any) -> None:
        """An empty node: every objective present, nothing met."""
        result = readiness(tenants.hospital_a, as_of=AS_OF)
        assert isinstance(result, Readiness)
        assert IDS == [o.id for o in result.objectives]
        assert all(o.title for o in result.objectives)
        assert 0 == result.counts()[MET]
        data = result.to_dict()
        assert IDS == [o["id"] for o in data["objectives"]]
        assert "2026-11-01" == data["as_of"]


class TestProgrammeRules:
    """d2.p1, d2.p2, d2.o1.a, d2.o1.b, d2.o2.a come from the continuity programme."""

    def test_no_programme_unknown(self, tenants: Any) -> None:
        """Nothing recorded: unknown."""
        assert UNKNOWN == _status(tenants.hospital_a, "d2.p1")
        assert UNKNOWN == _status(tenants.hospital_a, "d2.o2.a")

    def test_policy_dates(self, tenants: Any) -> None:
        """Signed before July 2022 and never reviewed: partial; reviewed since: met; none: not met."""
        programme = ContinuityProgramme.objects.create(node=tenants.hospital_a)
        assert NOT_MET == _status(tenants.hospital_a, "d2.p1")
        programme.security_policy_signed_on = dt.date(2021, 5, 1)
        programme.save()
        assert PARTIAL == _status(tenants.hospital_a, "d2.p1")
        programme.security_policy_reviewed_on = dt.date(2024, 1, 10)
        programme.save()
        assert MET == _status(tenants.hospital_a, "d2.p1")

    def test_organisation_governance_crisis_policy(self, tenants: Any) -> None:
        """Owner without organisation: partial; governance, crisis (both parts), validated policy: met."""
        programme = ContinuityProgramme.objects.create(node=tenants.hospital_a, plan_owner="CIO")
        assert PARTIAL == _status(tenants.hospital_a, "d2.p2")
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.a")
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.b")
        programme.organisation = "Crisis cell and IT"
        programme.governance = "Quarterly committee"
        programme.crisis_procedures = "Annex of the plan blanc"
        programme.save()
        assert MET == _status(tenants.hospital_a, "d2.p2")
        assert MET == _status(tenants.hospital_a, "d2.o1.a")
        assert PARTIAL == _status(tenants.hospital_a, "d2.o1.b")
        programme.plan_blanc_covers_cyber = True
        programme.backup_policy_validated_on = dt.date(2026, 2, 1)
        programme.save()
        assert MET == _status(tenants.hospital_a, "d2.o1.b")
        assert MET == _status(tenants.hospital_a, "d2.o2.a")


class TestBiaScopes:
    """d2.o1.c: a BIA for a care service, an administrative process and a technical platform."""

    def test_scopes(self, built: dict[str, Any], tenants: Any) -> None:
        """Care and administrative: partial, naming the missing scope; with a technical platform: met."""
        result = readiness(tenants.hospital_a, as_of=AS_OF)
        objective = next(o for o in result.objectives if o.id == "d2.o1.c")
        assert PARTIAL == objective.status
        assert "Technical platform" in objective.detail
        assert 2 == len(objective.evidence)
        pharmacy = CareActivity.objects.create(node=tenants.hospital_a, name="Pharmacy")
        BusinessImpact.objects.create(activity=pharmacy, kind=ActivityKind.TECHNICAL_PLATFORM, grid=ADMIN_GRID)
        assert MET == _status(tenants.hospital_a, "d2.o1.c")

    def test_none(self, tenants: Any) -> None:
        """No BIA: not met."""
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.c")


class TestFieldTests:
    """d2.o1.d: a PCA field test held within 12 months; for a group, 66 % of its activity covered."""

    def _test(self, node: Node, *, held_on: dt.date | None, entities: list[Node] = ()) -> Exercise:  # type: ignore[assignment]
        exercise = Exercise.objects.create(
            node=node,
            kind=ExerciseKind.PCA_FIELD_TEST,
            title="Field test",
            planned_on=held_on or dt.date(2027, 1, 5),
            held_on=held_on,
            status=ExerciseStatus.HELD if held_on else ExerciseStatus.PLANNED,
        )
        exercise.entities.set(entities)
        return exercise

    def test_establishment(self, tenants: Any) -> None:
        """Planned only: partial; held 13 months ago: still partial; held 2 months ago: met."""
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.d")
        self._test(tenants.hospital_a, held_on=None)
        assert PARTIAL == _status(tenants.hospital_a, "d2.o1.d")
        self._test(tenants.hospital_a, held_on=dt.date(2025, 10, 1))
        assert PARTIAL == _status(tenants.hospital_a, "d2.o1.d")
        self._test(tenants.hospital_a, held_on=dt.date(2026, 9, 1))
        assert MET == _status(tenants.hospital_a, "d2.o1.d")

    def test_group_66_percent_rule(self, tenants: Any) -> None:
        """A group's tests covering 40 %: partial; adding an establishment of 30 %: 70 %, met."""
        other = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name="Hospital A2", parent=tenants.group_a)
        Node.objects.filter(pk=tenants.hospital_a.pk).update(activity_share=40)
        Node.objects.filter(pk=other.pk).update(activity_share=30)
        exercise = self._test(tenants.group_a, held_on=dt.date(2026, 6, 1), entities=[tenants.hospital_a])
        result = readiness(tenants.group_a, as_of=AS_OF)
        objective = next(o for o in result.objectives if o.id == "d2.o1.d")
        assert PARTIAL == objective.status
        assert "40 %" in objective.detail
        exercise.entities.add(other)
        assert MET == _status(tenants.group_a, "d2.o1.d")

    def test_establishment_covered_by_group_test(self, tenants: Any) -> None:
        """A field test held by the group and covering the hospital counts for the hospital (and its own test page)."""
        other = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name="Hospital A2", parent=tenants.group_a)
        exercise = self._test(tenants.group_a, held_on=dt.date(2026, 6, 1), entities=[other])
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.d")  # the group's test covered another hospital
        exercise.entities.add(tenants.hospital_a)
        result = readiness(tenants.hospital_a, as_of=AS_OF)
        objective = next(o for o in result.objectives if o.id == "d2.o1.d")
        assert MET == objective.status
        assert "GHT A" in objective.detail
        assert [exercise.get_absolute_url()] == [e.url for e in objective.evidence]

    def test_ancestor_planned_and_old_tests(self, tenants: Any) -> None:
        """A group's test covering the hospital: planned gives partial; held 13 months ago does not count."""
        self._test(tenants.group_a, held_on=None, entities=[tenants.hospital_a])
        assert PARTIAL == _status(tenants.hospital_a, "d2.o1.d")
        Exercise.objects.all().delete()
        self._test(tenants.group_a, held_on=dt.date(2025, 9, 1), entities=[tenants.hospital_a])
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.d")

    def test_other_tenant_test_does_not_count(self, tenants: Any) -> None:
        """A test owned by another group, even naming the hospital, is not an ancestor's: not met."""
        self._test(tenants.group_b, held_on=dt.date(2026, 6, 1), entities=[tenants.hospital_a])
        assert NOT_MET == _status(tenants.hospital_a, "d2.o1.d")

    def test_group_ignores_foreign_entities(self, tenants: Any) -> None:
        """An establishment outside the group counts for nothing."""
        Node.objects.filter(pk=tenants.hospital_b.pk).update(activity_share=90)
        self._test(tenants.group_a, held_on=dt.date(2026, 6, 1), entities=[tenants.hospital_b])
        assert PARTIAL == _status(tenants.group_a, "d2.o1.d")


class TestBackups:
    """d2.o2.b backup plans, d2.o3.c 3-2-1 for the critical components; d2.o3.a/b/d backup systems."""

    def test_critical_plans_and_321(self, built: dict[str, Any], tenants: Any) -> None:
        """Both critical components have plans (met); both have two media with an offline/immutable copy (met)."""
        assert MET == _status(tenants.hospital_a, "d2.o2.b")
        assert MET == _status(tenants.hospital_a, "d2.o3.c")
        built["pacs"].critical = True
        built["pacs"].save()  # the PACS has a single online copy
        assert PARTIAL == _status(tenants.hospital_a, "d2.o3.c")
        built["plans"]["PACS"].delete()
        assert PARTIAL == _status(tenants.hospital_a, "d2.o2.b")

    def test_321_needs_offline_copy(self, built: dict[str, Any], tenants: Any) -> None:
        """Two online copies on two media without an offline or immutable one: not 3-2-1."""
        BackupCopy.objects.filter(plan__component__critical=True).update(online=True, immutable=False)
        BackupCopy.objects.create(plan=built["plans"]["PACS"], medium=Medium.TAPE, online=False)
        assert NOT_MET == _status(tenants.hospital_a, "d2.o3.c")

    def test_no_critical_unknown(self, tenants: Any) -> None:
        """Nothing critical: unknown."""
        assert UNKNOWN == _status(tenants.hospital_a, "d2.o2.b")
        assert UNKNOWN == _status(tenants.hospital_a, "d2.o3.a")

    def test_systems(self, built: dict[str, Any], tenants: Any) -> None:
        """Veeam on the production directory, tapes independent with MFA: partial everywhere; fixed: met."""
        assert PARTIAL == _status(tenants.hospital_a, "d2.o3.a")
        assert PARTIAL == _status(tenants.hospital_a, "d2.o3.b")
        assert NOT_MET == _status(tenants.hospital_a, "d2.o3.d")  # no failure procedure anywhere
        veeam, tapes = built["veeam"], built["tapes"]
        veeam.authentication, veeam.mfa, veeam.isolation = Authentication.DEDICATED_DIRECTORY, True, True
        veeam.supervised, veeam.failure_procedure = True, "Call the vendor"
        veeam.save()
        tapes.failure_procedure = "Swap the drive"
        tapes.save()
        assert MET == _status(tenants.hospital_a, "d2.o3.a")
        assert MET == _status(tenants.hospital_a, "d2.o3.b")
        assert MET == _status(tenants.hospital_a, "d2.o3.d")

    def test_group_supervision_needs_central_alerts(self, built: dict[str, Any], tenants: Any) -> None:
        """Seen from the group, supervision without alerts reaching the group is not enough."""
        for system in (built["veeam"], built["tapes"]):
            system.supervised, system.failure_procedure = True, "Procedure"
            system.save()
        assert MET == _status(tenants.hospital_a, "d2.o3.d")
        assert NOT_MET == _status(tenants.group_a, "d2.o3.d")


class TestRestoreToProduction:
    """d2.o4: a successful restore to production within 12 months and a business referent."""

    def test_rule(self, built: dict[str, Any], tenants: Any) -> None:
        """The support test (March 2026, to production) without a referent: partial; with one: met."""
        assert PARTIAL == _status(tenants.hospital_a, "d2.o4")
        ContinuityProgramme.objects.create(node=tenants.hospital_a, business_referent="Dr Martin")
        assert MET == _status(tenants.hospital_a, "d2.o4")

    def test_old_or_failed_tests_do_not_count(self, built: dict[str, Any], tenants: Any) -> None:
        """A test older than 12 months, or a failed one, proves nothing."""
        RestoreTest.objects.all().delete()
        RestoreTest.objects.create(component=built["dpi"], date=dt.date(2025, 6, 1), to_production=True)
        RestoreTest.objects.create(component=built["dpi"], date=dt.date(2026, 6, 1), to_production=True, success=False)
        assert NOT_MET == _status(tenants.hospital_a, "d2.o4")
