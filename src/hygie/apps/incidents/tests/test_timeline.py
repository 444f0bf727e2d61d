"""The timeline: every dated event in order, corrections shown as such; CSV (formulas neutralised), JSON, PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from hygie.apps.incidents.declarations import generate_declaration, mark_sent
from hygie.apps.incidents.services import add_log_entry, add_task, set_status, update_task
from hygie.apps.incidents.timeline import timeline, timeline_csv, timeline_json, timeline_pdf

from .support_cases import hours_ago, open_case


@pytest.fixture
def case(tenants: Any) -> Any:
    """An incident aware 10 h ago with a decision, its correction, a task done, a declaration sent, contained."""
    user = tenants.users["manager"]
    incident = open_case(tenants, hours=10)
    wrong = add_log_entry(incident, kind="decision", text="Cut the Internet link at 9:00", user=user,
                          occurred_at=hours_ago(9))
    add_log_entry(incident, kind="correction", text='=HYPERLINK("http://x") it was 9:15', user=user,
                  occurred_at=hours_ago(8), corrects=wrong)
    task = add_task(incident, user=user, title="Isolate the backups")
    update_task(task, user=user, status="done", done_at=hours_ago(7))
    declaration = generate_declaration(incident, "cert_sante", user=user)
    mark_sent(declaration, hours_ago(6), "CS-77", user)
    set_status(incident, "contained", user=user, at=hours_ago(5))
    return incident


class TestTimeline:
    """Events merged in time order."""

    def test_order_and_sources(self, case: Any) -> None:
        """Awareness first; containment last; every source present; times ascending."""
        events = timeline(case)
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert ("incident", "aware") == (events[0].source, events[0].kind)
        assert {"incident", "log", "obligation", "declaration", "task"} == {e.source for e in events}
        assert any(e.source == "obligation" and "CS-77" in e.text for e in events)
        assert any(e.source == "declaration" and e.kind == "sent" for e in events)

    def test_corrections_shown(self, case: Any) -> None:
        """The correction names the entry it corrects; the corrected entry says it was corrected."""
        texts = [e.text for e in timeline(case) if e.source == "log"]
        assert any(t.startswith("Cut the Internet link at 9:00") and "[corrected by a later entry]" in t for t in texts)
        assert any(t.startswith("Correction of the entry of ") for t in texts)


class TestExports:
    """CSV, JSON, PDF."""

    def test_csv_neutralises_formulas(self, case: Any) -> None:
        """A cell that would start a formula is prefixed with a quote."""
        rows = list(csv.reader(io.StringIO(timeline_csv(case))))
        assert "Time (UTC)" == rows[0][0]
        assert len(timeline(case)) == len(rows) - 1
        cells = [cell for row in rows[1:] for cell in row]
        assert not any(cell.startswith("=") for cell in cells)

    def test_csv_quotes_a_formula_at_the_start(self, tenants: Any) -> None:
        """An entry whose text begins with = is written '=..."""
        incident = open_case(tenants)
        add_log_entry(incident, kind="observation", text="=1+1", user=None)
        texts = [row[4] for row in csv.reader(io.StringIO(timeline_csv(incident)))]
        assert "'=1+1" in texts

    def test_json_and_pdf(self, case: Any) -> None:
        """The JSON holds every event with its UTC and Paris times; the PDF is a PDF."""
        document = timeline_json(case)
        assert case.reference == document["incident"]["reference"]
        assert len(timeline(case)) == len(document["events"])
        assert document["events"][0]["local"].endswith(("CET", "CEST"))
        assert timeline_pdf(case).startswith(b"%PDF")
