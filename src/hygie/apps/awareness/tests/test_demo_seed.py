"""The demo group's awareness data: realistic staff, coverage with one establishment under target, campaigns, findings.

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from hygie.apps.awareness.checks import CHECK_CLICK, CHECK_COVERAGE
from hygie.apps.awareness.coverage import node_coverage, rollup
from hygie.apps.awareness.models import PhishingCampaign, StaffCensus, TrainingSession
from hygie.apps.findings.models import ACTIVE_STATUSES, Finding
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def group(demo: None, db: Any) -> Node:
    """The demo GHT."""
    return Node.objects.get(kind=NodeKind.GROUP)


class TestDemoAwareness:
    """What a CISO opening the awareness pages of the demo sees."""

    def test_staff(self, group: Node) -> None:
        """About 4,000 staff at the support establishment, a few hundred in small ones; a census history."""
        coverage = {node.short_name: cov for node, cov in rollup(group, user=None, as_of=timezone.localdate())}
        assert 4000 == coverage["CH Valbrise"].headcount
        assert 100 < coverage["EHPAD Les Tilleuls"].headcount < 500
        assert StaffCensus.objects.values("as_of").distinct().count() == 2

    def test_one_establishment_under_target(self, group: Node) -> None:
        """The psychiatric establishment is well under 80 %; the others are around it; the trend rises."""
        rates = {node.short_name: cov.rate for node, cov in rollup(group, user=None, as_of=timezone.localdate())}
        assert rates["EPSM Forez"] < 0.6
        assert all(rate > 0.8 for name, rate in rates.items() if name != "EPSM Forez")
        assert 4 <= TrainingSession.objects.count()
        today = timezone.localdate()
        assert node_coverage(group, user=None, as_of=today).rate > 0.75

    def test_campaigns_and_findings(self, group: Node) -> None:
        """Campaigns click at 10-20 %; findings for the psychiatric staff and the general hospital's campaign."""
        rates = [c.click_rate for c in PhishingCampaign.objects.all()]
        assert 3 == len(rates)
        assert all(0.08 < rate < 0.22 for rate in rates)
        active = Finding.objects.filter(source="awareness", status__in=ACTIVE_STATUSES)
        psychiatry = Node.objects.get(short_name="EPSM Forez")
        assert active.filter(node=psychiatry, check_id=CHECK_COVERAGE).count() >= 5
        assert active.filter(check_id=CHECK_CLICK).values_list("node__short_name", flat=True).get() == "CH Montbrézin"
