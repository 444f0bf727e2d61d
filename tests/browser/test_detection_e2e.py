"""Log detection in a real browser: upload a log file, let the hunt run, read the timeline, acknowledge an alert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hygie.apps.detection.models import Alert, AlertStatus
from hygie.apps.detection.tests.support import attack_events, jsonl, pack_version
from hygie.testing import build_world
from hygie.testing.tasks import run_queued_tasks

from .test_e2e import _login, _shot, pytestmark  # noqa: F401 - the browser marks
from .test_e2e import page as page  # noqa: PLC0414 - the fixture, under its own name

__all__ = ["TestDetectionJourney"]


class TestDetectionJourney:
    """An analyst uploads a night of logs, the hunt raises alerts, the timeline shows them, one is acknowledged."""

    def test_upload_hunt_timeline_acknowledge(
        self,
        page: Any,
        flushable_db: Any,
        tmp_path: Path,
    ) -> None:
        world = build_world()
        pack_version(tmp_path)
        source = world.get("logsource")
        logs = tmp_path / "night.jsonl"
        logs.write_bytes(jsonl(attack_events()))

        _login(page, world.user("analyst").username)
        page.goto(f"/detection/upload/?source={source.pk}")
        page.set_input_files("input[name=file]", str(logs))
        _shot(page, "30-detection-upload")
        with page.expect_navigation():
            page.get_by_test_id("upload-submit").click()
        assert "/detection/hunts/" in page.url

        run_queued_tasks()  # the worker's own code runs the queued hunt
        page.reload()
        assert "Done" == page.get_by_test_id("hunt-status").inner_text().strip()
        page.get_by_test_id("hunt-timeline").click()
        page.wait_for_url("**/detection/timeline/?hunt=*")
        assert 3 == page.get_by_test_id("timeline-alert").count()
        _shot(page, "31-detection-timeline")

        page.get_by_role("link", name="LSASS memory access").first.click()
        page.select_option("select[name=status]", "acknowledged")
        page.fill("textarea[name=comment]", "Looking at it")
        with page.expect_navigation():
            page.get_by_test_id("transition-submit").click()
        assert "Acknowledged" in page.get_by_test_id("alert-status").inner_text()
        _shot(page, "32-detection-alert")
        alert = Alert.objects.get(rule_title="LSASS memory access", source=source)
        assert AlertStatus.ACKNOWLEDGED == alert.status
        assert "Looking at it" == alert.events.get().comment
