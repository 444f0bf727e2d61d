"""The HTML report: self-contained, escaped, a Gantt row per restore, targets coloured, what-ifs ranked."""

from __future__ import annotations

import copy
import re

from hygie.engines._core.finding import AffectedObject, Finding, Severity
from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.report import gantt_svg, to_html
from hygie.engines.continuity.simulate import ScheduledRestore, simulate
from hygie.engines.continuity.tests.test_simulate import EXAMPLE
from hygie.engines.continuity.whatif import what_ifs


def _page(**changes: object) -> str:
    model = model_from_dict(EXAMPLE)
    scenario = model.scenarios["ransomware"]
    simulation = simulate(model, scenario, runs=20, seed=1)
    ranked = what_ifs(model, scenario, runs=20, seed=1, baseline=simulation)
    return to_html(simulation, model=model, seed=1, what_ifs=ranked, **changes)  # type: ignore[arg-type]


class TestPage:
    """to_html."""

    def test_the_page_loads_nothing_from_outside(self) -> None:
        """No script, no link, no remote source: a closed hospital network can open it."""
        page = _page()
        assert "<script" not in page
        assert "<link" not in page
        assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
        assert "default-src 'none'" in page

    def test_targets_met_and_missed_are_coloured(self) -> None:
        """Both activities miss their RTO in the example: their downtime cells are marked missed."""
        page = _page()
        assert page.count('class="n missed"') >= 4
        assert "emergency" in page
        assert "laboratory" in page

    def test_the_gantt_chart_has_a_bar_per_restore_and_rto_markers(self) -> None:
        """Five restores, five bars; the lab is drawn as rebuilt; dashed RTO lines at 8 and 12 h."""
        page = _page()
        svg = page[page.index("<svg") : page.index("</svg>")]
        assert 5 == svg.count("<rect")
        assert "lab (rebuilt)" in svg
        assert 2 == svg.count("stroke-dasharray")

    def test_what_ifs_are_listed_in_rank_order(self) -> None:
        """The what-if table shows the ranking's first change first."""
        page = _page()
        assert page.index("team apps") < page.index("offline copy of lab")

    def test_findings_are_shown_when_given(self) -> None:
        """A finding's title, severity and affected object appear in the page."""
        finding = Finding(
            "continuity.example_check", "No offline copy", Severity.HIGH, (AffectedObject("component", "lab"),)
        )
        page = _page(findings=[finding])
        assert '<tr class="high">' in page
        assert "No offline copy" in page

    def test_names_from_the_model_are_escaped(self) -> None:
        """A component or activity name with markup is shown as text, never interpreted."""
        document = copy.deepcopy(EXAMPLE)
        hostile = "<img src=x onerror=alert(1)>"
        document["components"][4]["name"] = hostile
        document["activities"][1]["needs"] = [hostile]
        document["activities"][1]["name"] = hostile + "&"
        model = model_from_dict(document)
        simulation = simulate(model, model.scenarios["ransomware"], runs=5)
        page = to_html(simulation, model=model, title=hostile)
        assert "<img" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


class TestGantt:
    """gantt_svg."""

    def test_an_empty_schedule_says_so(self) -> None:
        """Nothing restored: a sentence, no chart."""
        assert "<svg" not in gantt_svg([])

    def test_bars_are_placed_on_a_common_scale_with_a_p90_whisker(self) -> None:
        """A 0-4 h bar is half as wide as a 0-8 h one; a P90 beyond the end draws a whisker."""
        svg = gantt_svg([ScheduledRestore("a", "t1", 0, 4, 4), ScheduledRestore("b", "t2", 0, 8, 10)], rto_markers=())
        widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
        assert abs(widths[1] - 2 * widths[0]) < 0.2
        colours = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', svg)
        assert colours[0] != colours[1]
        assert 'stroke="' + colours[1] + '"' in svg
