"""``hygie incident open/list/show/log/clock/declare/status/timeline/stats/lessons``; bad input exits with its code."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.findings.models import Finding
from hygie.apps.incidents.models import Declaration, Incident, LogEntry, ObligationRecord
from hygie.apps.incidents.services import add_task
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.incident import app
from hygie.cli.incident_cases import parse_time
from hygie.engines.incidents import PARIS

from .support_cases import hours_ago, open_case

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _paris(hours: float) -> str:
    """A naive wall-clock time in Paris, ``hours`` ago, as people type it."""
    return hours_ago(hours).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


class TestCommands:
    """A crisis handled from a terminal, as the local administrator."""

    def test_cycle(self, tenants: Any, tmp_path: Path) -> None:
        """Open, log, record a clock, declare, mark sent, change status, export the timeline, stats."""
        code, text = _run("open", "--node", "Hospital A", "--title", "Ransomware", "--kind", "ransomware",
                          "--aware-at", _paris(30), "--personal-data")
        assert 0 == code, text
        incident = Incident.objects.get()
        assert incident.reference in text
        assert "cnil" in text
        assert abs(incident.aware_at - hours_ago(30)) < dt.timedelta(minutes=2)
        code, text = _run("list", "--overdue", "--json")
        assert 0 == code
        rows = json.loads(text)
        assert [incident.reference] == [r["reference"] for r in rows]
        assert rows[0]["overdue"] >= 2
        assert 0 == _run("log", incident.reference, "Crisis cell convened", "--kind", "decision",
                         "--at", _paris(29))[0]
        code, text = _run("clock", str(incident.pk), "--done", "cnil", "--at", _paris(2), "--proof", "CNIL-1")
        assert 0 == code, text
        assert ObligationRecord.objects.filter(incident=incident, obligation="cnil").exists()
        code, text = _run("clock", str(incident.uid))
        assert "overdue" in text
        assert "done" in text
        pdf = tmp_path / "cert.pdf"
        code, text = _run("declare", incident.reference, "cert_sante", "-o", str(pdf))
        assert 0 == code, text
        assert pdf.read_bytes().startswith(b"%PDF")
        declaration = Declaration.objects.get()
        code, text = _run("declare", incident.reference, "--sent", str(declaration.pk), "--at", _paris(1),
                          "--reference", "CS-9")
        assert 0 == code, text
        assert ObligationRecord.objects.filter(incident=incident, obligation="cert_sante").exists()
        assert 0 == _run("status", incident.reference, "contained")[0]
        out = tmp_path / "timeline.csv"
        assert 0 == _run("timeline", incident.reference, "-o", str(out))[0]
        rows = list(csv.reader(out.open(encoding="utf-8")))
        assert any("Crisis cell convened" in row[4] for row in rows)
        code, text = _run("stats", "--node", "GHT A", "--json")
        assert (0, 1) == (code, json.loads(text)["total"])
        code, text = _run("show", incident.reference)
        assert "Crisis cell convened" in text
        code, text = _run("show", incident.reference, "--json")
        assert "contained" == json.loads(text)["status"]

    def test_text_declaration_and_lessons(self, tenants: Any) -> None:
        """A declaration printed as text; actions put in the findings register."""
        incident = open_case(tenants, personal_data_breach=True)
        code, text = _run("declare", incident.reference, "cnil")
        assert 0 == code, text
        assert "Hospital A" in text
        add_task(incident, user=None, kind="action", title="MFA everywhere")
        assert 0 == _run("lessons", incident.reference)[0]
        assert 1 == Finding.objects.filter(source="incidents").count()

    def test_naive_times_are_paris(self) -> None:
        """A naive time is on the Paris wall clock, across the spring change; --tz changes it."""
        assert dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC) == parse_time("2026-03-27 10:00", "Europe/Paris", "t")
        assert dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC) == parse_time("2026-03-30 10:00", "Europe/Paris", "t")
        assert dt.datetime(2026, 3, 30, 10, 0, tzinfo=dt.UTC) == parse_time("2026-03-30 10:00", "UTC", "t")
        assert dt.datetime(2026, 3, 30, 10, 0, tzinfo=dt.UTC) == parse_time("2026-03-30T12:00+02:00", "UTC", "t")


class TestBadInput:
    """Clear messages and exit codes; nothing stored."""

    def test_open_refusals(self, tenants: Any) -> None:
        """Future time, unknown kind, unreadable time, bad zone: 3; unknown node or establishment: 4."""
        future = (timezone.now() + dt.timedelta(days=2)).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
        base = ["open", "--node", "Hospital A", "--title", "T", "--kind", "ransomware"]
        code, text = _run(*base, "--aware-at", future)
        assert EXIT_INVALID_INPUT == code
        assert "future" in text
        assert EXIT_INVALID_INPUT == _run("open", "--node", "Hospital A", "--title", "T", "--kind", "aliens",
                                          "--aware-at", _paris(1))[0]
        assert EXIT_INVALID_INPUT == _run(*base, "--aware-at", "yesterday")[0]
        assert EXIT_INVALID_INPUT == _run(*base, "--aware-at", _paris(1), "--tz", "Mars/Olympus")[0]
        assert EXIT_NOT_FOUND == _run("open", "--node", "Nowhere", "--title", "T", "--kind", "ransomware",
                                      "--aware-at", _paris(1))[0]
        assert EXIT_NOT_FOUND == _run(*base, "--aware-at", _paris(1), "--establishment", "Nowhere")[0]
        assert EXIT_INVALID_INPUT == _run(*base, "--aware-at", _paris(1), "--establishment", "Hospital B")[0]
        assert 0 == Incident.objects.count()

    def test_case_refusals(self, tenants: Any, tmp_path: Path) -> None:
        """Unknown incident 4; a log in the future 3; unknown correction 4; clock needs proof 2; bad kind 3."""
        incident = open_case(tenants)
        before = LogEntry.objects.count()
        assert EXIT_NOT_FOUND == _run("show", "INC-1999-9999")[0]
        assert EXIT_INVALID_INPUT == _run("log", incident.reference, "x", "--at", "2999-01-01 10:00")[0]
        assert EXIT_NOT_FOUND == _run("log", incident.reference, "x", "--corrects",
                                      "00000000-0000-0000-0000-000000000000")[0]
        assert EXIT_INVALID_INPUT == _run("log", incident.reference, "x", "--corrects", "12")[0]
        assert EXIT_USAGE == _run("clock", incident.reference, "--done", "cnil")[0]
        assert EXIT_INVALID_INPUT == _run("clock", incident.reference, "--done", "cnil", "--at", _paris(1),
                                          "--proof", "x")[0]
        assert EXIT_INVALID_INPUT == _run("declare", incident.reference, "police")[0]
        assert EXIT_INVALID_INPUT == _run("declare", incident.reference, "cnil", "-o", str(tmp_path / "x.doc"))[0]
        assert EXIT_NOT_FOUND == _run("declare", incident.reference, "--sent", "999999", "--at", _paris(1),
                                      "--reference", "x")[0]
        assert EXIT_INVALID_INPUT == _run("status", incident.reference, "exploded")[0]
        assert EXIT_INVALID_INPUT == _run("timeline", incident.reference, "-o", str(tmp_path / "t.xls"))[0]
        assert before == LogEntry.objects.count()

    def test_as_user(self, tenants: Any) -> None:
        """A viewer may read but not write; group B's manager does not see hospital A's incident."""
        incident = open_case(tenants)
        viewer = tenants.users["viewer"].username
        assert 0 == _run("show", incident.reference, "--as", viewer)[0]
        assert EXIT_PERMISSION == _run("log", incident.reference, "x", "--as", viewer)[0]
        assert EXIT_PERMISSION == _run("open", "--node", "Hospital A", "--title", "T", "--kind", "outage",
                                       "--aware-at", _paris(1), "--as", viewer)[0]
        assert EXIT_NOT_FOUND == _run("show", incident.reference, "--as", tenants.outsider.username)[0]
        code, text = _run("list", "--json", "--as", tenants.outsider.username)
        assert (0, []) == (code, json.loads(text))
