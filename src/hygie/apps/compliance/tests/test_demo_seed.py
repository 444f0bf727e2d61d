"""The demo's compliance data: assessments per establishment and for the group, measured, filled in, proven.

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hygie.apps.compliance.evidence_files import evidence_path
from hygie.apps.compliance.models import (
    Assessment,
    Evidence,
    EvidenceKind,
    Framework,
    RequirementAssessment,
    RequirementEvent,
    Status,
)
from hygie.apps.compliance.scoring import maturity, rollup
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import load_demo
from hygie.demo.compliance_seed import ESTABLISHMENT_FRAMEWORKS, GROUP_FRAMEWORKS, minimal_pdf

_SEED_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it; the compliance seed timed."""
    from hygie.demo import loader
    from hygie.web import urls  # noqa: F401 - imported once per process anyway; not the seed's cost

    original = loader.seed_compliance

    def timed(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        original(*args, **kwargs)
        _SEED_SECONDS["compliance"] = time.perf_counter() - start

    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        loader.seed_compliance = timed  # type: ignore[assignment]
        try:
            load_demo()
            yield
        finally:
            loader.seed_compliance = original
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def group(demo: None, db: Any) -> Node:
    """The demo GHT."""
    return Node.objects.get(kind=NodeKind.GROUP)


class TestDemoCompliance:
    """What a CISO opening the demo sees."""

    def test_assessments(self, group: Node) -> None:
        establishments = Node.objects.filter(kind=NodeKind.ESTABLISHMENT)
        for node in establishments:
            keys = set(Assessment.objects.filter(node=node).values_list("framework__key", flat=True))
            assert set(ESTABLISHMENT_FRAMEWORKS) == keys, node
        assert set(GROUP_FRAMEWORKS) == set(Assessment.objects.filter(node=group).values_list("framework__key",
                                                                                             flat=True))
        assert {"care_d1", "care_d2", "anssi_ad", "nis2_art21", "nis_ose", "anssi_hygiene"} <= set(
            Framework.objects.filter(node=None).values_list("key", flat=True))

    def test_measured_confirmed_and_set_by_hand(self, group: Node) -> None:
        items = RequirementAssessment.objects.filter(assessment__node__path__startswith=group.path)
        anssi = items.filter(assessment__node=group, assessment__framework__key="anssi_ad")
        # The demo's directory audits measure ANSSI AD: failing and passing requirements both.
        assert anssi.filter(measure="failing").exists()
        assert anssi.filter(measure="passing").exists()
        # CaRE D2 is measured by the continuity model and the readiness objectives.
        assert items.filter(assessment__framework__key="care_d2").exclude(measure="").exists()
        confirmed = items.exclude(confirmed_measure="")
        assert confirmed.exists()
        assert items.exclude(measure="").filter(confirmed_measure="").exists()  # some left to review
        by_hand = items.filter(owner__isnull=False)
        assert by_hand.filter(status=Status.PARTIAL, due_date__isnull=False).exists()
        assert by_hand.exclude(comment="").exists()
        not_applicable = RequirementAssessment.objects.get(status=Status.NOT_APPLICABLE)
        assert "annuaire" in not_applicable.reason
        assert RequirementEvent.objects.filter(actor__username="demo.manager").exists()

    def test_evidence(self, group: Node) -> None:
        kinds = set(Evidence.objects.values_list("kind", flat=True))
        assert {EvidenceKind.FILE, EvidenceKind.EXERCISE, EvidenceKind.DIRECTORY_AUDIT, EvidenceKind.FINDING,
                EvidenceKind.LINK} <= kinds
        for evidence in Evidence.objects.filter(kind=EvidenceKind.FILE):
            assert evidence.size == evidence_path(evidence).stat().st_size
        pdf = Evidence.objects.get(content_type="application/pdf")
        assert evidence_path(pdf).read_bytes().startswith(b"%PDF-")

    def test_scores_and_rollup(self, group: Node) -> None:
        from hygie.apps.accounts.models import User

        for assessment in Assessment.objects.all():
            score = maturity(assessment).score
            assert score is not None
            assert 0 < score < 100, assessment
        result = rollup(User.objects.get(username="demo.manager"), group, "care_d2")
        assert result.score is not None
        assert len([row for row in result.rows if row.assessment]) >= 4

    def test_fast(self, group: Node) -> None:
        assert _SEED_SECONDS["compliance"] < 3

    def test_minimal_pdf_is_a_pdf(self) -> None:
        pdf = minimal_pdf("Politique (v2)")
        assert pdf.startswith(b"%PDF-1.4")
        assert pdf.rstrip().endswith(b"%%EOF")
