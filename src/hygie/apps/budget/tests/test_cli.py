"""``hygie budget``: show, set, import, programmes, applications, milestones, the ARS file; bad input exits."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hygie.apps.budget.models import BudgetYear, FundingApplication, FundingProgramme, ItProject
from hygie.apps.budget.programmes import load_programmes
from hygie.cli.budget import app
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE

from .support import project


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


class TestBudget:
    """IT budgets and projects."""

    def test_set_and_show(self, tenants: Any) -> None:
        node = str(tenants.hospital_a.pk)
        code, _out = _run("set", "--node", "750712184", "--year", "2026", "--operating", "1 234 567,89",
                          "--investment", "250000", "--cyber-operating", "60 000 €")
        assert 0 == code
        budget = BudgetYear.objects.get(node=tenants.hospital_a, year=2026)
        assert (Decimal("1234567.89"), Decimal("60000.00")) == (budget.operating, budget.cyber_operating)
        project(tenants.hospital_a, "PACS", 100_000, 1_000)
        code, out = _run("show", "--node", node, "--year", "2026", "--json")
        data = json.loads(out)
        assert (0, "4.04", [True]) == (code, data["budget"]["cyber_share"], [p["flagged"] for p in data["projects"]])
        code, out = _run("show", "--node", "Hospital A", "--year", "2026")
        assert 0 == code
        assert "below 5 %" in out

    def test_bad_amount(self, tenants: Any) -> None:
        code, out = _run("set", "--node", "Hospital A", "--operating", "12,3456")
        assert EXIT_INVALID_INPUT == code
        assert "12,3456" in out
        assert not BudgetYear.objects.exists()

    def test_import(self, tenants: Any, tmp_path: Path) -> None:
        good = tmp_path / "p.csv"
        good.write_text("project;line;amount;cybersecurity\nDPI;Licences;100 000,00;non\nDPI;Audit;6 000;oui\n")
        assert 0 == _run("import", str(good), "--node", "Hospital A", "--year", "2026")[0]
        assert Decimal("5.66") == ItProject.objects.get(name="DPI").cyber_share
        wrong = tmp_path / "w.csv"
        wrong.write_text("a;b\n1;2\n")
        code, out = _run("import", str(wrong), "--node", "Hospital A", "--year", "2026")
        assert EXIT_INVALID_INPUT == code
        assert "Expected: project, line, amount, cybersecurity" in out
        assert EXIT_NOT_FOUND == _run("import", str(tmp_path / "none.csv"), "--node", "Hospital A")[0]

    def test_permissions(self, tenants: Any) -> None:
        code, _out = _run("set", "--node", "Hospital A", "--operating", "1", "--as", "viewer_a")
        assert EXIT_PERMISSION == code
        assert EXIT_NOT_FOUND == _run("show", "--node", "Hospital B", "--as", "viewer_a")[0]


class TestFunding:
    """Programmes, applications, milestones and the ARS file."""

    def test_programmes(self, db: Any) -> None:
        load_programmes()
        code, out = _run("programmes", "--json")
        assert {"segur", "care_d1", "care_d1_bis", "care_d2"} == {p["key"] for p in json.loads(out)}
        assert 0 == code

    def test_programme_set_superuser_only(self, tenants: Any) -> None:
        load_programmes()
        assert 0 == _run("programme-set", "care_d1_bis", "--envelope", "20 000 000", "--opens", "2026-02-01")[0]
        assert Decimal(20_000_000) == FundingProgramme.objects.get(key="care_d1_bis").envelope
        assert EXIT_PERMISSION == _run("programme-set", "care_d1_bis", "--envelope", "1", "--as",
                                       "administrator_a")[0]
        assert EXIT_INVALID_INPUT == _run("programme-set", "care_d1_bis", "--opens", "soon")[0]

    def test_application_flow(self, tenants: Any, tmp_path: Path) -> None:
        load_programmes()
        code, _out = _run("application", "create", "--node", "Hospital A", "--programme", "care_d1", "--title",
                          "D1", "--amount", "180 000,00", "--applied", "2026-01-05")
        assert 0 == code
        made = FundingApplication.objects.get(title="D1")
        assert "applied" == made.state
        assert EXIT_INVALID_INPUT == _run("application", "milestone", str(made.pk), "checked")[0]
        code, _out = _run("application", "milestone", str(made.pk), "validated", "--done", "2026-02-01",
                          "--amount", "150 000")
        made.refresh_from_db()
        assert (0, Decimal(150_000)) == (code, made.amount_granted)
        assert EXIT_USAGE == _run("application", "milestone", str(made.pk), "granted")[0]
        output = tmp_path / "ars.zip"
        assert 0 == _run("ars-file", str(made.pk), "--format", "zip", "-o", str(output))[0]
        assert "milestones.csv" in zipfile.ZipFile(output).namelist()
        pdf = tmp_path / "ars.pdf"
        assert 0 == _run("ars-file", str(made.pk), "-o", str(pdf))[0]
        assert pdf.read_bytes().startswith(b"%PDF-")
        assert EXIT_NOT_FOUND == _run("ars-file", str(made.pk), "-o", str(pdf), "--as", "manager_b")[0]
        assert EXIT_USAGE == _run("ars-file", str(made.pk), "--format", "doc", "-o", str(pdf))[0]
        assert EXIT_USAGE == _run("application", "create", "--node", "Hospital A", "--programme", "nope",
                                  "--title", "X", "--amount", "1")[0]
