"""Funnel maths: cumulative stages, rates over delivered e-mails, per category."""

from __future__ import annotations

import pytest

from hygie.apps.awareness.gophish import (
    CLICKED,
    NOT_SENT,
    OPENED,
    SENT,
    SUBMITTED,
    Funnel,
    funnel_of,
    funnels_by_category,
)


class TestFunnel:
    """``funnel_of`` and ``funnels_by_category``."""

    def test_cumulative(self) -> None:
        """Submitted implies clicked implies opened implies sent; failed deliveries count only as targeted."""
        funnel = funnel_of([(NOT_SENT, False), (SENT, True), (OPENED, False), (CLICKED, False), (SUBMITTED, False),
                            (SUBMITTED, True)])
        assert Funnel(targeted=6, sent=5, opened=4, clicked=3, submitted=2, reported=2) == funnel

    def test_rates_over_delivered(self) -> None:
        """10 delivered, 2 clicked: 20 %; nothing delivered: no rate rather than a division by zero."""
        funnel = funnel_of([(SENT, False)] * 8 + [(CLICKED, False)] * 2 + [(NOT_SENT, False)] * 5)
        assert 0.2 == pytest.approx(funnel.rate("clicked"))
        assert 0.2 == pytest.approx(funnel.rate("opened"))
        assert funnel_of([(NOT_SENT, False)]).rate("clicked") is None

    def test_reported_without_delivery_is_ignored(self) -> None:
        """A report can only follow a delivery."""
        assert 0 == funnel_of([(NOT_SENT, True)]).reported

    def test_per_category_and_round_trip(self) -> None:
        """Per-category funnels add up to the overall one; the stored form reads back."""
        data = funnels_by_category([("medical", CLICKED, False), ("medical", SENT, True), ("it", SUBMITTED, False)])
        assert ["it", "medical"] == list(data["categories"])
        assert 3 == data["overall"]["sent"]
        assert 2 == data["overall"]["clicked"]
        assert 0.5 == pytest.approx(data["categories"]["medical"]["rates"]["clicked"])
        assert Funnel(3, 3, 2, 2, 1, 1) == Funnel.from_dict(data["overall"])
