"""Engine texts shown on pages follow the reader's language, whatever language the job ran in."""

from __future__ import annotations

import pytest
from django.utils import translation

from hygie.engines.continuity.report import gantt_svg
from hygie.engines.continuity.simulate import ScheduledRestore as Restore
from hygie.engines.continuity.whatif import describe

pytestmark = pytest.mark.django_db


class TestEngineTexts:
    """The platform installs Django's translator for the engines at start-up."""

    def test_a_what_if_is_worded_in_the_active_language(self) -> None:
        with translation.override("fr"):
            french = describe("team_capacity", "infra", 3)
        with translation.override("en"):
            english = describe("team_capacity", "infra", 3)
        assert "One more parallel restore for team infra (2 → 3)" == english
        assert french != english
        assert "infra" in french

    def test_the_gantt_chart_labels_follow_the_language(self) -> None:
        restores = [Restore("ad", "infra", 0.0, 4.0, 5.0)]
        with translation.override("fr"):
            french = gantt_svg(restores)
        with translation.override("en"):
            english = gantt_svg(restores)
        assert "Recovery schedule" in english
        assert "Recovery schedule" not in french
