"""Business-impact analysis: the targets a grid implies (MTPD, RTO, RPO, minimum service) and bad grids refused."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.engines.continuity.bia import AXES, BiaError, Targets, grid_from_dict


def targets(impacts: dict[str, list[int]], data_loss: list[int] | None = None) -> Targets:
    """The targets of a grid given as impacts per axis and, optionally, data-loss levels."""
    grid: dict[str, Any] = {"impacts": impacts}
    if data_loss is not None:
        grid["data_loss"] = data_loss
    return grid_from_dict(grid).targets()


class TestTargets:
    """Each target follows from the worst axis at each horizon (1 h, 4 h, 24 h, 72 h, 1 week, 1 month)."""

    def test_a_grid_rising_to_critical_at_three_days(self) -> None:
        """Tolerable up to 24 h (significant), critical at 72 h; losing 24 h of data is serious."""
        result = targets({"patient_safety": [0, 1, 2, 4, 4, 4]}, [1, 2, 3, 4, 4])
        assert Targets(mtpd_h=72.0, rto_h=24.0, rpo_h=4.0, min_service_pct=25.0) == result

    def test_the_worst_axis_at_each_horizon_decides(self) -> None:
        """Finance is serious from 24 h and critical at one month; patient safety stays low."""
        result = targets({"patient_safety": [0, 0, 1, 1, 2, 2], "finance": [1, 2, 3, 3, 3, 4]})
        assert Targets(mtpd_h=720.0, rto_h=4.0, rpo_h=168.0, min_service_pct=50.0) == result

    def test_no_impact_tolerates_a_month_and_a_week_of_data(self) -> None:
        """Axes and data loss left out count as no impact: the grid's longest horizons."""
        assert Targets(mtpd_h=720.0, rto_h=720.0, rpo_h=168.0, min_service_pct=0.0) == targets({})

    def test_serious_from_the_first_hour_gives_the_finest_rto_and_no_data_loss(self) -> None:
        result = targets({"care_continuity": [3, 3, 3, 3, 3, 3]}, [3, 3, 3, 3, 3])
        assert Targets(mtpd_h=720.0, rto_h=1.0, rpo_h=0.0, min_service_pct=50.0) == result

    def test_critical_from_the_first_hour(self) -> None:
        result = targets({"legal": [4, 4, 4, 4, 4, 4]})
        assert (1.0, 1.0, 75.0) == (result.mtpd_h, result.rto_h, result.min_service_pct)

    @pytest.mark.parametrize(("level", "service"), [(0, 0.0), (1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0)])
    def test_minimum_service_follows_the_worst_impact_at_24_hours(self, level: int, service: float) -> None:
        assert service == targets({"image": [0, 0, level, 4, 4, 4]}).min_service_pct

    def test_worst_is_taken_over_every_axis(self) -> None:
        grid = grid_from_dict({"impacts": {"legal": [0, 3, 3, 3, 3, 3], "image": [1, 1, 1, 1, 4, 4]}})
        assert [1, 3, 3, 3, 4, 4] == grid.worst()
        assert set(AXES) == set(grid.impacts)


class TestBadGrids:
    """A malformed grid is refused with a message naming the axis."""

    @pytest.mark.parametrize(
        ("grid", "message"),
        [
            (
                {"impacts": {"patient_safety": [0, 1, 2, 1, 3, 4]}},
                "bia patient_safety: impact levels must not decrease",
            ),
            (
                {"impacts": {"finance": [0, 0, 0, 0, 0, 0]}, "data_loss": [2, 1, 1, 1, 1]},
                "bia data_loss: impact levels must not decrease",
            ),
            ({"impacts": {"reputation": [0, 0, 0, 0, 0, 0]}}, "bia impacts: unknown axis 'reputation'"),
            ({"impacts": {"legal": [0, 0, 0]}}, "bia legal: expected 6 impact levels from 0 to 4"),
            ({"impacts": {"legal": [0, 0, 0, 0, 0, 5]}}, "bia legal: expected 6 impact levels from 0 to 4"),
            ({"impacts": {"legal": [False, 0, 0, 0, 0, 0]}}, "bia legal: expected 6 impact levels"),
            (
                {"impacts": {"legal": [0, 0, 0, 0, 0, 0]}, "data_loss": [0, 0]},
                "bia data_loss: expected 5 impact levels",
            ),
            ({"impacts": [0, 0, 0, 0, 0, 0]}, "bia impacts: expected a mapping of axis to levels"),
            ([1, 2, 3], "bia: expected a mapping with impacts and data_loss"),
        ],
    )
    def test_refused_naming_the_axis(self, grid: Any, message: str) -> None:
        with pytest.raises(BiaError) as caught:
            grid_from_dict(grid)
        assert message in str(caught.value)

    def test_the_unknown_axis_message_lists_the_axes(self) -> None:
        with pytest.raises(BiaError, match="axes: patient_safety, care_continuity, legal, finance, image"):
            grid_from_dict({"impacts": {"safety": [0] * 6}})
