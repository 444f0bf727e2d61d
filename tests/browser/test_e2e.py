"""End to end in a real browser: Debian's Chromium driven by Playwright against a live server.

A group manager logs in through the login form, reads the dashboard, walks down to an
establishment, an asset and a finding, changes the finding's status through the form, then
switches the interface to French. Each step leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygie.apps.findings.models import Finding
from hygie.testing import build_world
from hygie.testing.tenants import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FRENCH_CATALOGUE = Path(__file__).resolve().parents[2] / "src" / "hygie" / "locale" / "fr" / "LC_MESSAGES" / "django.mo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium); never `playwright install`",
    ),
]


@pytest.fixture
def page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Chromium page on the live server; Playwright's sync API runs an event loop in this thread."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # The ORM refuses to run beside an event loop; the test only reads and writes between page steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page: Any, step: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"e2e-{step}.png"), full_page=True)


class TestManagerJourney:
    """A manager logs in, walks from the dashboard to a finding, changes its status and reads French."""

    def test_journey(self, page: Any, flushable_db: Any) -> None:
        world = build_world()
        manager = world.user("manager")
        establishment, asset, finding = world.get("node"), world.get("asset"), world.get("finding")

        page.goto("/")
        assert "/login/" in page.url
        page.fill("input[name=username]", manager.username)
        page.fill("input[name=password]", PASSWORD)
        _shot(page, "01-login")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

        # The dashboard of group A: the KPI cards and the bar charts.
        assert world.tenants.group_a.name in page.locator("h1").inner_text()
        assert "1" == page.get_by_test_id("kpi-active").inner_text().strip()
        assert page.locator(".bars .bar").count() >= 1
        _shot(page, "02-dashboard")

        page.get_by_role("link", name=establishment.name).first.click()
        page.wait_for_url(f"**/organizations/{establishment.pk}/")
        assert establishment.name in page.locator("h1").inner_text()
        _shot(page, "03-establishment")

        page.get_by_role("link", name="Assets").first.click()
        page.get_by_role("link", name=asset.name).first.click()
        page.wait_for_url(f"**/inventory/assets/{asset.pk}/")
        assert asset.name in page.locator("h1").inner_text()
        _shot(page, "04-asset")

        page.get_by_role("link", name=finding.title).first.click()
        page.wait_for_url(f"**/findings/{finding.pk}/")
        assert finding.title in page.locator("h1").inner_text()
        page.select_option("select[name=status]", "in_remediation")
        page.fill("textarea[name=comment]", "Patch planned")
        page.locator("#workflow button[type=submit]").click()
        page.get_by_test_id("finding-status").get_by_text("In remediation").wait_for()
        _shot(page, "05-finding-status")
        assert "in_remediation" == Finding.objects.get(pk=finding.pk).status
        page.reload()
        assert "In remediation" in page.get_by_test_id("finding-status").inner_text()

        page.get_by_test_id("lang-fr").click()
        page.wait_for_function("document.documentElement.lang === 'fr'")
        assert "fr" == page.locator("html").get_attribute("lang")
        _shot(page, "06-french")
        # Becomes strict by itself once the French catalogue is compiled into the package.
        if FRENCH_CATALOGUE.exists():
            page.goto("/")
            assert "Tableau de bord" in page.content()


class TestDirectoryAuditJourney:
    """An analyst opens a directory audit: level, score, findings, the attack paths and the PDF report."""

    def test_directory_audit(self, page: Any, flushable_db: Any, tmp_path: Path) -> None:
        from hygie.apps.directory.models import AuditSource, DirectoryAudit
        from hygie.apps.directory.running import audit_collection, read_collection
        from hygie.engines.directory.synthetic import write_collection

        world = build_world()
        analyst = world.user("analyst")
        # A small synthetic forest with its planted weaknesses (a non-admin with DCSync rights...).
        stats = write_collection(
            tmp_path / "forest", users=60, computers=25, groups=45, aces=400, seed=5, domain="E2E.LOCAL"
        )
        audit = DirectoryAudit.objects.create(node=world.get("node"), source=AuditSource.UPLOAD, label="forest.zip")
        audit_collection(audit, lambda _p: read_collection(tmp_path / "forest"))
        audit.refresh_from_db()

        page.goto("/login/")
        page.fill("input[name=username]", analyst.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

        page.get_by_role("link", name="Directory audits").first.click()
        page.wait_for_url("**/directory/")
        page.get_by_role("link", name=str(audit)).first.click()
        page.wait_for_url(f"**/directory/{audit.pk}/")
        assert str(audit.level) == page.get_by_test_id("audit-level").inner_text().strip()
        assert f"{audit.score} / 100" == page.get_by_test_id("audit-score").inner_text().strip()
        assert stats.planted["dcsync_non_admin"] in page.content()
        _shot(page, "10-directory-audit")

        page.get_by_test_id("attack-paths-link").click()
        page.wait_for_url(f"**/directory/{audit.pk}/attack-paths/")
        assert page.get_by_test_id("attack-cut").count() == 1
        _shot(page, "11-directory-attack-paths")

        page.go_back()
        with page.expect_download() as download:
            page.get_by_test_id("report-pdf").click()
        path = tmp_path / "report.pdf"
        download.value.save_as(str(path))
        assert path.read_bytes().startswith(b"%PDF")


class _Ssh1(socketserver.BaseRequestHandler):
    """An SSH server that still offers protocol 1 (its identification line is all the probe needs)."""

    def handle(self) -> None:
        self.request.sendall(b"SSH-1.5-OpenSSH_3.9p1\r\n")


@pytest.fixture
def ssh1_port() -> Iterator[int]:
    """The loopback port of that server, served from a thread."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Ssh1)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _login(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


class TestExposureJourney:
    """An administrator declares a perimeter in the form, scans it, reads the result, the dashboard card and the PDF."""

    def test_exposure_scan(self, page: Any, flushable_db: Any, tmp_path: Path, ssh1_port: int) -> None:
        from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan
        from hygie.testing.tasks import run_queued_tasks

        world = build_world()
        establishment = world.get("node")
        _login(page, world.user("administrator").username)

        page.goto("/exposure/perimeters/add/")
        page.select_option("select[name=node]", str(establishment.pk))
        page.fill("input[name=name]", "Loopback")
        page.fill("textarea[name=entries]", "127.0.0.1/32")
        page.fill("input[name=authorised_by]", "Directeur du CH, courrier du 2 novembre")
        page.fill("input[name=valid_until]", "2099-12-31T23:00")
        page.fill("input[name=ports]", str(ssh1_port))
        page.fill("input[name=connect_timeout]", "1")
        page.fill("input[name=probe_timeout]", "2")
        _shot(page, "20-exposure-perimeter-form")
        save = page.locator("main form button[type=submit]")
        # Focus first: Chromium scrolls back to a datetime-local input filled by script when focus
        # leaves it, so a click whose mousedown moves the focus would land its mouseup elsewhere.
        save.focus()
        with page.expect_navigation():
            save.click()
        perimeter = ExposurePerimeter.objects.get(name="Loopback")
        page.wait_for_url(f"**/exposure/perimeters/{perimeter.pk}/")

        with page.expect_navigation():
            page.get_by_test_id("perimeter-run").click()
        run_queued_tasks()
        scan = ExposureScan.objects.get(perimeter=perimeter)
        page.goto(f"/exposure/{scan.pk}/")
        assert "done" in page.get_by_test_id("scan-status").inner_text().lower()
        services = page.get_by_test_id("services").inner_text()
        assert "127.0.0.1" in services
        assert f"{ssh1_port}/tcp" in services
        assert "OpenSSH 3.9p1" in services
        assert "Remote access" in services
        assert "SSH server accepts protocol version 1" in page.content()
        _shot(page, "21-exposure-scan")

        page.goto(f"/organizations/{establishment.pk}/")
        assert page.get_by_test_id("exposure-card").count() == 1
        _shot(page, "22-exposure-dashboard-card")

        page.goto(f"/exposure/{scan.pk}/")
        with page.expect_download() as download:
            page.get_by_test_id("report-pdf").click()
        path = tmp_path / "exposure.pdf"
        download.value.save_as(str(path))
        assert path.read_bytes().startswith(b"%PDF")
