"""The worked example of docs/continuity.md: the engine reproduces every number computed by hand."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.model import Model
from hygie.engines.continuity.simulate import Simulation, simulate
from hygie.engines.continuity.whatif import what_ifs

DOCS = Path(__file__).resolve().parents[5] / "docs"
PAGE = DOCS / "continuity.md"

pytestmark = pytest.mark.skipif(not PAGE.exists(), reason="the documentation is not beside the code")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start : following if following >= 0 else None]


def _example() -> str:
    """The first YAML block of the worked example."""
    section = _section(PAGE.read_text(encoding="utf-8"), "## Worked example")
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found is not None, "no ```yaml block in the worked example"
    return found.group(1)


def _table(marker: str) -> list[dict[str, str]]:
    """The Markdown table after ``<!-- worked-example:MARKER -->``, as rows of header -> cell."""
    text = PAGE.read_text(encoding="utf-8")
    lines = text[text.index(f"<!-- worked-example:{marker} -->") :].splitlines()[1:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, _rule, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def _hours(cell: str) -> float:
    return float(cell)


def _yes(cell: str) -> bool:
    assert cell in {"yes", "no"}, cell
    return cell == "yes"


def _simulation() -> tuple[Model, Simulation]:
    model = model_from_dict(yaml.safe_load(_example()))
    return model, simulate(model, model.scenarios["ransomware"], runs=200, seed=11, uncertainty=False)


class TestWorkedExample:
    """docs/continuity.md, section "Worked example, computed by hand"."""

    def test_the_example_file_is_the_documented_model(self) -> None:
        """docs/continuity-example.yaml, used by the CLI examples, is the model of the page."""
        assert yaml.safe_load(_example()) == yaml.safe_load((DOCS / "continuity-example.yaml").read_text("utf-8"))

    def test_the_laboratory_targets_come_from_its_bia(self) -> None:
        """Step 1: RTO 24 h, RPO 4 h, MTPD one week, minimum service 25 %."""
        model, _simulated = _simulation()
        laboratory = model.activities[1]
        assert (24.0, 4.0, 168.0, 25.0) == (
            laboratory.rto_h,
            laboratory.rpo_h,
            laboratory.mtpd_h,
            laboratory.min_service_pct,
        )

    def test_the_schedule_table(self) -> None:
        """Step 3: every start, end and rebuilt flag of the table."""
        _model, simulated = _simulation()
        expected = [
            (row["component"], row["team"], _hours(row["start (h)"]), _hours(row["end (h)"]), _yes(row["rebuilt"]))
            for row in _table("schedule")
        ]
        actual = [(r.component, r.team, r.start_h, r.end_h, r.rebuilt) for r in simulated.schedule]
        assert expected == actual
        assert all(r.end_p90_h == r.end_h for r in simulated.schedule)

    def test_the_activities_table(self) -> None:
        """Step 4: downtime, RTO met, degraded hold, care impact and data loss of each activity."""
        _model, simulated = _simulation()
        rows = _table("activities")
        assert [row["activity"] for row in rows] == [a.name for a in simulated.activities]
        for row, outcome in zip(rows, simulated.activities, strict=True):
            assert _hours(row["RTO (h)"]) == outcome.rto_h
            assert _hours(row["RPO (h)"]) == outcome.rpo_h
            assert _hours(row["downtime (h)"]) == outcome.downtime_p50 == outcome.downtime_p90
            assert _yes(row["meets RTO"]) == outcome.meets_rto
            assert _hours(row["degraded hold (h)"]) == outcome.degraded_hold_h
            assert _hours(row["care impact (h)"]) == outcome.care_impact_p50 == outcome.care_impact_p90
            loss = row["data loss (h)"]
            if loss == "unbounded":
                assert math.isinf(outcome.data_loss_p50)
            else:
                low, high = (float(bound) for bound in loss.split(" to "))
                assert low <= outcome.data_loss_p50 <= outcome.data_loss_p90 <= high

    def test_the_what_if_table(self) -> None:
        """Step 5: each change and the hours it saves, in the order of the ranking."""
        model, simulated = _simulation()
        ranked = what_ifs(
            model, model.scenarios["ransomware"], runs=200, seed=11, baseline=simulated, uncertainty=False
        )
        expected = [(row["change"], _hours(row["downtime saved (h)"])) for row in _table("what-if")]
        assert expected == [(w.change, w.downtime_saved_h) for w in ranked]
