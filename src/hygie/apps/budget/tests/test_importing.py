"""CSV import of IT projects: French amounts, wrong columns named, atomic on any error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hygie.apps.budget.importing import ProjectImportError, import_projects
from hygie.apps.budget.models import BudgetLine, ItProject

GOOD = (
    "project;line;amount;cybersecurity;state_funded;status\n"
    "DPI;Licences;120 000,00;non;oui;in_progress\n"
    "DPI;Audit de sécurité;8 000,00 €;oui;;\n"
    "Wi-Fi;Bornes;45000;no;no;planned\n"
)


class TestImport:
    """A good file creates projects and lines; a second import replaces the lines."""

    def test_good_file(self, tenants: Any) -> None:
        result = import_projects(tenants.hospital_a, 2026, GOOD.encode())
        assert (2, 0, 3) == (result.created, result.updated, result.lines)
        dpi = ItProject.objects.with_totals().get(name="DPI")
        assert (Decimal("128000.00"), Decimal("8000.00"), True, "in_progress") == (
            dpi.total, dpi.cyber, dpi.state_funded, dpi.status)
        assert Decimal("6.25") == dpi.cyber_share

    def test_reimport_replaces_lines(self, tenants: Any) -> None:
        import_projects(tenants.hospital_a, 2026, GOOD.encode())
        result = import_projects(tenants.hospital_a, 2026, b"project,line,amount,cybersecurity\nDPI,Licences,100,no\n")
        assert (0, 1) == (result.created, result.updated)
        assert 1 == BudgetLine.objects.filter(project__name="DPI").count()

    def test_windows_1252_and_bom(self, tenants: Any) -> None:
        import_projects(tenants.hospital_a, 2026, "project;line;amount;cybersecurity\nSécu;Pare-feu;10,5;x\n"
                        .encode("cp1252"))
        import_projects(tenants.hospital_a, 2027, "\ufeffproject,line,amount,cybersecurity\nA,B,1,0\n".encode())
        assert {"Sécu", "A"} == set(ItProject.objects.values_list("name", flat=True))


class TestRefused:
    """Bad files are refused whole with a message naming the problem; nothing is stored."""

    def test_wrong_columns_names_expected(self, tenants: Any) -> None:
        with pytest.raises(ProjectImportError) as error:
            import_projects(tenants.hospital_a, 2026, b"name;cost\nDPI;12\n")
        message = str(error.value)
        assert "Expected: project, line, amount, cybersecurity" in message
        assert "name, cost" in message

    @pytest.mark.parametrize(("content", "needle"), [
        ("project;line;amount;cybersecurity\nA;L;12,3456;no\n", "line 2, column amount"),
        ("project;line;amount;cybersecurity\nA;L;12;maybe\n", "line 2, column cybersecurity"),
        ("project;line;amount;cybersecurity\nA;L;12\n", "line 2: 3 values"),
        ("project;line;amount;cybersecurity;status\nA;L;12;no;lost\n", "column status"),
        ("project;line;amount;cybersecurity\n;L;12;no\n", "need a name"),
        ("project;line;amount;cybersecurity\n", "no budget line"),
        ("", "empty"),
    ])
    def test_bad_rows(self, tenants: Any, content: str, needle: str) -> None:
        with pytest.raises(ProjectImportError, match=needle):
            import_projects(tenants.hospital_a, 2026, content.encode())

    def test_atomic(self, tenants: Any) -> None:
        """An error on the last line leaves the earlier projects and the existing lines untouched."""
        import_projects(tenants.hospital_a, 2026, b"project;line;amount;cybersecurity\nDPI;Old;100;no\n")
        bad = GOOD + "PACS;Stockage;douze;no\n"
        with pytest.raises(ProjectImportError, match="line 5"):
            import_projects(tenants.hospital_a, 2026, bad.encode())
        assert ["DPI"] == list(ItProject.objects.values_list("name", flat=True))
        assert ["Old"] == list(BudgetLine.objects.values_list("label", flat=True))

    def test_binary_and_oversized(self, tenants: Any) -> None:
        with pytest.raises(ProjectImportError, match="not a CSV"):
            import_projects(tenants.hospital_a, 2026, b"\x00\x01PK")
        with pytest.raises(ProjectImportError, match="larger"):
            import_projects(tenants.hospital_a, 2026, b"a" * (3 * 1024 * 1024))
