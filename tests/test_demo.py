"""The demo hospital group: shape, validity and idempotence of ``load_demo`` and ``hygie demo``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.directory.analysis import diff_audits
from hygie.apps.directory.models import DirectoryAudit
from hygie.apps.exposure.models import ExposureScan
from hygie.apps.findings.dashboard import summarise
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.inventory.models.assets import validate_cpe
from hygie.apps.organizations.finess import is_valid_finess
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import DEMO_PASSWORD, DemoSummary, load_demo
from hygie.demo.directory_seed import DIRECTORY_AUDITS, DIRECTORY_SIZES
from hygie.engines.directory.synthetic import WEAKNESS_CHECKS, write_collection
from hygie.testing import database_fingerprint

TREND_WINDOW = dt.timedelta(weeks=12)


@pytest.fixture
def summary(db: Any) -> DemoSummary:
    """The demo loaded on an empty database."""
    return load_demo()


class TestLoadDemoShape:
    """On an empty database the demo builds a whole GHT with its inventory, users and findings."""

    def test_counts(self, summary: DemoSummary) -> None:
        """5 establishments, about 600 assets, about 45 applications, about 80 findings."""
        assert (False, 5, 9) == (summary.already_loaded, summary.establishments, summary.sites)
        assert 600 == summary.assets == Asset.objects.count()
        assert 40 <= summary.applications == Application.objects.count() <= 50
        assert summary.care_activities == CareActivity.objects.count() >= 12
        assert summary.findings == Finding.objects.count()
        from_audits = {f["fingerprint"] for a in DirectoryAudit.objects.all() for f in a.findings()}
        from_audits |= {f["fingerprint"] for s in ExposureScan.objects.all() for f in s.findings()}
        by_hand = (
            Finding.objects.exclude(fingerprint__in=from_audits)
            .exclude(source__startswith="continuity")
            .exclude(source__in=["awareness", "budget", "compliance"])
        )
        assert 75 <= by_hand.count() <= 85

    def test_finess_numbers_are_valid_and_not_the_test_ones(self, summary: DemoSummary) -> None:
        """Every establishment has valid EJ and EG numbers, none of them the real ones the tests use."""
        establishments = Node.objects.filter(kind=NodeKind.ESTABLISHMENT)
        numbers = [n for e in establishments for n in (e.finess_ej, e.finess_eg)]
        assert 10 == len(set(numbers))
        assert all(is_valid_finess(number) for number in numbers)
        assert not {"750712184", "010003820"} & set(numbers)

    def test_group_activity_shares_sum_to_100(self, summary: DemoSummary) -> None:
        """The members of the GHT share its whole activity (the 66 % coverage rules need it)."""
        group = Node.objects.get(kind=NodeKind.GROUP)
        members = Node.objects.filter(parent=group, kind=NodeKind.ESTABLISHMENT)
        assert Decimal(100) == sum(m.activity_share for m in members)
        assert {"public", "medico_social"} == {m.category for m in members}
        assert ["private_for_profit"] == list(
            Node.objects.filter(kind=NodeKind.ESTABLISHMENT).exclude(parent=group).values_list("category", flat=True)
        )

    def test_assets_have_valid_cpe_and_private_addresses(self, summary: DemoSummary) -> None:
        """CPEs have the 13 fields of CPE 2.3 and every address is a private 10.x address."""
        assets = list(Asset.objects.all())
        for asset in assets:
            if asset.cpe:
                validate_cpe(asset.cpe)
            assert all(ip.startswith("10.") for ip in asset.ip_addresses)
        kinds = {a.kind for a in assets}
        assert {"server", "workstation", "network", "security", "medical", "iot", "storage", "virtual"} == kinds
        assert sum(1 for a in assets if a.cpe) > 400

    def test_applications_depend_on_each_other(self, summary: DemoSummary) -> None:
        """The patient record depends on the directory, the database cluster and the interface engine."""
        dpi = Application.objects.get(category="patient_record", name__startswith="Dossier patient")
        needed = set(dpi.depends_on.values_list("category", flat=True))
        assert {"infrastructure"} == needed
        assert 4 == dpi.depends_on.count()
        assert dpi.assets.exists()

    def test_users_for_each_role_and_a_national_administrator(self, summary: DemoSummary) -> None:
        """A user per role on the GHT, a manager per establishment, an ARS auditor, a superuser."""
        group = Node.objects.get(kind=NodeKind.GROUP)
        on_group = set(RoleAssignment.objects.filter(node=group).values_list("role", flat=True))
        assert {role.value for role in Role} == on_group
        managers = RoleAssignment.objects.filter(node__kind=NodeKind.ESTABLISHMENT, role=Role.MANAGER)
        assert 5 == managers.count()
        assert RoleAssignment.objects.filter(node__kind=NodeKind.REGION, role=Role.AUDITOR).exists()
        assert ["demo.national"] == list(User.objects.filter(is_superuser=True).values_list("username", flat=True))

    def test_demo_password_is_accepted(self, summary: DemoSummary) -> None:
        """The printed password passes Django's validators and opens every demo account."""
        validate_password(DEMO_PASSWORD)
        for login in summary.logins:
            assert authenticate(username=login.username, password=DEMO_PASSWORD) is not None

    def test_findings_life_cycle_fills_the_dashboard(self, summary: DemoSummary) -> None:
        """Every status appears; overdue work, future expiries and closures over the last 12 weeks."""
        now = timezone.now()
        today = timezone.localdate()
        findings = list(Finding.objects.all())
        assert {s.value for s in FindingStatus} == {f.status for f in findings}
        # Simulation findings have one source per scenario (continuity_scenario_<id>).
        sources = {f.source for f in findings if not f.source.startswith("continuity_scenario_")}
        engines = {"directory", "exposure", "vulnwatch", "detection", "continuity", "awareness", "budget", "incidents"}
        assert {*engines, "manual"} == sources
        assert any(f.source.startswith("continuity_scenario_") for f in findings)
        assert all(now - TREND_WINDOW <= f.first_seen <= now for f in findings)
        remediation = [f for f in findings if f.status == FindingStatus.IN_REMEDIATION]
        assert all(f.owner_id and f.due_date for f in remediation)
        assert any(f.due_date < today for f in remediation)
        accepted = [f for f in findings if f.status == FindingStatus.RISK_ACCEPTED]
        assert all(f.justification and f.acceptance_expires > today for f in accepted)
        closed = [f for f in findings if f.status in {FindingStatus.FIXED, FindingStatus.FALSE_POSITIVE}]
        assert all(f.first_seen <= f.closed_at <= now for f in closed)
        assert any(f.asset_id for f in findings)
        assert any(r["kind"] == "anssi" and r["id"] == "vuln_krbtgt" for f in findings for r in f.references)


class TestDemoDashboard:
    """The group dashboard of the demo has data everywhere, and its figures match the findings."""

    def test_charts_and_trend_match_the_findings(self, summary: DemoSummary) -> None:
        """Counts by severity and source, and opened/closed per local week over the last 12 weeks."""
        group = Node.objects.get(kind=NodeKind.GROUP)
        findings = Finding.objects.filter(node__path__startswith=group.path)
        figures = summarise(findings)
        rows = list(findings)
        active = [f for f in rows if f.is_active]
        assert len(active) == figures.active
        assert Counter(f.source for f in active) == {bar.key: bar.count for bar in figures.by_source}
        assert Counter(f.severity_name for f in active) == {b.key: b.count for b in figures.by_severity if b.count}

        def week(moment: dt.datetime) -> dt.date:
            day = timezone.localtime(moment).date()
            return day - dt.timedelta(days=day.weekday())

        opened = Counter(week(f.first_seen) for f in rows)
        closed = Counter(week(f.closed_at) for f in rows if f.closed_at)
        assert [(w, opened[w], closed[w]) for w, _, _ in figures.trend] == figures.trend
        assert 12 == len(figures.trend)
        assert sum(o for _, o, _ in figures.trend) == len(rows)
        assert sum(c for _, _, c in figures.trend) > 0


class TestLoadDemoIdempotent:
    """A second load finds the demo and changes nothing, not even the audit log."""

    def test_second_load_changes_nothing(self, summary: DemoSummary) -> None:
        """Same row counts in every table (audit events included) and the same summary."""
        before = database_fingerprint()
        again = load_demo()
        assert before == database_fingerprint()
        assert True is again.already_loaded
        assert summary.assets == again.assets
        assert summary.findings == again.findings
        assert summary.logins == again.logins


class TestDemoCommand:
    """``hygie demo`` loads the demo, prints the logins and the password, then says it is already there."""

    def test_load_then_already_loaded(self, db: Any) -> None:
        """First run loads and prints the table; second run says "already loaded"."""
        from hygie.cli.main import app

        runner = CliRunner()
        first = runner.invoke(app, ["demo"])
        assert 0 == first.exit_code, first.output
        assert "Demo loaded." in first.output
        assert "demo.manager" in first.output
        assert DEMO_PASSWORD in first.output
        second = runner.invoke(app, ["demo"])
        assert 0 == second.exit_code, second.output
        assert "already loaded" in second.output
        assert 600 == Asset.objects.count()


class TestDemoDirectoryAudits:
    """The support hospital has two audits of its domain (weaknesses planted, then gone); the clinic one."""

    def test_audits_trend_and_diff(self, summary: DemoSummary, tmp_path: Path) -> None:
        """The planted weaknesses are found in the first audit and fixed in the second; findings reach the register."""
        audits = list(DirectoryAudit.objects.order_by("collected"))
        assert 3 == len(audits)
        assert all(a.succeeded and a.level and a.snapshot_path for a in audits)
        support = [a for a in audits if a.domain == "VALBRISE.LOCAL"]
        assert 2 == len(support)
        assert {support[0].node_id} == {a.node_id for a in support}
        # The generator says which weaknesses it planted in the first collection (same parameters).
        _key, domain, _days, weaknesses, seed = DIRECTORY_AUDITS[0]
        stats = write_collection(
            tmp_path / "c", **DIRECTORY_SIZES, seed=seed, domain=domain, weaknesses=weaknesses, now=support[0].collected
        )
        planted = {WEAKNESS_CHECKS[name] for name in stats.weaknesses if WEAKNESS_CHECKS[name]}
        assert planted
        first_checks = {f["check_id"] for f in support[0].findings()}
        assert planted <= first_checks
        fixed = {row["check_id"] for row in diff_audits(support[0], support[1]).fixed}
        assert planted & fixed
        register = Finding.objects.filter(node_id=support[0].node_id, source="directory")
        assert {f["fingerprint"] for f in support[1].findings()} <= set(register.values_list("fingerprint", flat=True))
        assert register.filter(
            status=FindingStatus.FIXED, fingerprint__in=[f["fingerprint"] for f in support[0].findings()]
        ).exists()


class TestDemoExposure:
    """The demo shows the exposure feature working: scans, a diff with new items, the dashboard card, the report."""

    def test_each_perimeter_has_two_scans_and_the_latest_shows_what_is_new(self, summary: DemoSummary) -> None:
        """The second scan of CH Valbrise opens RDP and DICOM: new services and findings, highlighted."""
        from hygie.apps.exposure.analysis import exposure_card
        from hygie.apps.exposure.models import ExposurePerimeter

        perimeters = list(ExposurePerimeter.objects.all())
        assert len(perimeters) >= 3
        for perimeter in perimeters:
            assert ExposureScan.objects.filter(perimeter=perimeter).count() == 2
        group = Node.objects.get(kind=NodeKind.GROUP)
        manager = User.objects.get(username="demo.manager")
        card = exposure_card(manager, group)
        assert card is not None
        assert card.has_news
        assert card.new_services >= 2

    def test_scan_pages_and_report_render_for_the_manager(self, summary: DemoSummary, client: Any) -> None:
        """The group manager sees the latest scan with its findings, its changes and its report."""
        client.force_login(User.objects.get(username="demo.manager"))
        scan = ExposureScan.objects.exclude(perimeter=None).order_by("-finished").first()
        assert scan is not None
        page = client.get(reverse("exposure:scan_detail", args=[scan.pk]))
        assert page.status_code == 200
        assert scan.finding_count > 0
        assert scan.findings()[0]["title"].encode() in page.content
        report = client.get(reverse("exposure:scan_report", args=[scan.pk]))
        assert report.status_code == 200
        group = Node.objects.get(kind=NodeKind.GROUP)
        dashboard = client.get(reverse("organizations:node_detail", args=[group.pk]))
        assert dashboard.status_code == 200
        assert b'data-testid="exposure-card"' in dashboard.content
