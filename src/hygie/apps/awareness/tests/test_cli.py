"""``hygie awareness``: imports, staff, targets, coverage, check; bad input exits with its code."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner

from hygie.apps.awareness.models import AwarenessTarget, PhishingCampaign, StaffCensus, TrainingCompletion
from hygie.apps.findings.models import Finding
from hygie.cli.awareness import app
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE

from .support import gophish_csv, training_csv

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


class TestCommands:
    """The commands as the local administrator or a named user."""

    def test_full_cycle(self, tenants: Any, tmp_path: Path) -> None:
        """Staff, target, training import, coverage, check: a finding for IT below 80 %."""
        from django.utils import timezone

        today = timezone.localdate().isoformat()
        assert 0 == _run("staff", "--node", "750712184", "--category", "it", "--headcount", "10")[0]
        assert 0 == _run("target", "--node", "Hospital A", "--coverage", "80", "--click-ceiling", "15")[0]
        csv_file = tmp_path / "training.csv"
        csv_file.write_bytes(training_csv(*(f"p{i}@chu.example,,,it,,Module,{today}" for i in range(5))))
        code, text = _run("import", "training", str(csv_file), "--node", str(tenants.hospital_a.pk))
        assert 0 == code, text
        assert "5 completion(s) stored" in text
        code, text = _run("coverage", "--node", "Hospital A", "--json")
        assert 0 == code
        assert 0.5 == json.loads(text)["categories"][0]["rate"]
        assert 0 == _run("check", "--node", "Hospital A")[0]
        assert 1 == Finding.objects.filter(node=tenants.hospital_a, source="awareness").count()
        assert 1 == StaffCensus.objects.count()
        assert AwarenessTarget.objects.get().click_ceiling_pct == 15

    def test_gophish(self, tenants: Any, tmp_path: Path) -> None:
        """The funnel is printed."""
        path = tmp_path / "results.csv"
        path.write_bytes(gophish_csv([("Clicked Link", "IDE"), ("Email Sent", "IDE"), ("Email Reported", "IDE")]))
        code, text = _run("import", "gophish", str(path), "--node", "Hospital A", "--name", "Spring")
        assert 0 == code, text
        assert "3 delivered" in text
        assert "1 clicked" in text
        assert "1 reported" in text

    def test_bad_input(self, tenants: Any, tmp_path: Path) -> None:
        """Wrong columns: 3 with the expected columns; missing file or node: 4; bad option: 2."""
        bad = tmp_path / "bad.csv"
        bad.write_text("who,when\nx,y\n")
        code, text = _run("import", "training", str(bad), "--node", "Hospital A")
        assert EXIT_INVALID_INPUT == code
        assert "Expected columns" in text
        assert EXIT_NOT_FOUND == _run("import", "training", str(tmp_path / "none.csv"), "--node", "Hospital A")[0]
        assert EXIT_NOT_FOUND == _run("coverage", "--node", "Nowhere")[0]
        assert EXIT_USAGE == _run("staff", "--node", "Hospital A", "--category", "cooks", "--headcount", "3")[0]
        assert EXIT_USAGE == _run("staff", "--node", "Hospital A", "--category", "it", "--headcount", "3",
                                  "--as-of", "2999-01-01")[0]
        assert 0 == TrainingCompletion.objects.count()
        assert 0 == PhishingCampaign.objects.count()

    def test_as_user(self, tenants: Any, tmp_path: Path) -> None:
        """A viewer may read but not import; group B's manager does not see hospital A."""
        path = tmp_path / "results.csv"
        path.write_bytes(gophish_csv([("Email Sent", "IDE")]))
        viewer = tenants.users["viewer"].username
        assert EXIT_PERMISSION == _run("import", "gophish", str(path), "--node", "Hospital A", "--name", "X",
                                       "--as", viewer)[0]
        assert 0 == _run("coverage", "--node", "Hospital A", "--as", viewer)[0]
        assert EXIT_NOT_FOUND == _run("coverage", "--node", "Hospital A", "--as", tenants.outsider.username)[0]
