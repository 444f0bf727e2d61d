"""Incident response in a real browser: a ransomware at a member establishment, from opening to the crisis kit.

The group CISO (manager on the group) opens the incident at a member establishment of the group,
reads the regulatory clocks that start (CERT Santé, ARS, criminal complaint, insurer, NIS2), logs
decisions in the crisis log and corrects one by a new entry, generates the CERT Santé declaration
and marks it sent (its clock turns done), then generates the establishment's offline crisis kit and
downloads it. An older incident of the group has an overdue clock: the banner shows it on every
page. Each step leaves a screenshot ``test-artifacts/e2e-60-incident-*.png``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.continuity.models import DegradedMode
from hygie.apps.incidents.models import (
    CrisisCell,
    CrisisMember,
    CrisisRole,
    Declaration,
    Incident,
    IncidentKind,
    Insured,
    LogEntry,
    Nis2Status,
    RegulatoryProfile,
)
from hygie.apps.incidents.services import open_incident
from hygie.apps.inventory.models import CareActivity
from hygie.testing import build_tenants
from hygie.testing.tenants import PASSWORD

from .test_e2e import _login, _shot, pytestmark  # noqa: F401 - the browser marks
from .test_e2e import page as page  # noqa: PLC0414 - the fixture, under its own name

__all__ = ["TestIncidentJourney"]

#: A phone number of the fiction range: it must reach the printed kit.
MOBILE = "+33 6 39 98 12 34"


def _group_ciso(group: Any) -> Any:
    ciso = User.objects.create_user(username="ciso_group_a", password=PASSWORD)
    RoleAssignment.objects.create(user=ciso, node=group, role=Role.MANAGER)
    return ciso


def _setup(tenants: Any, ciso: Any) -> dict[str, Any]:
    """The group is insured and a NIS2 entity; the member hospital has a crisis cell and a degraded mode."""
    RegulatoryProfile.objects.create(node=tenants.group_a, nis2_status=Nis2Status.IMPORTANT, insured=Insured.YES,
                                     insurer="Mutuelle fictive", insurer_notice_hours=120)
    hospital = tenants.hospital_a
    CrisisCell.objects.create(node=hospital, meeting_place="Salle du conseil, bâtiment A")
    CrisisMember.objects.create(node=hospital, role=CrisisRole.DIRECTOR, name="Claire Directrice", mobile=MOBILE,
                                personal_email="claire@example.org")
    activity = CareActivity.objects.create(node=hospital, name="Urgences", max_downtime_hours=4)
    DegradedMode.objects.create(activity=activity, name="Dossiers papier aux urgences",
                                procedure="Sortir les classeurs de la réserve", hold_h=72)
    # An older incident whose "without delay" clocks are long overdue: the banner shows it everywhere.
    old = open_incident(node=hospital, user=ciso, title="Old phishing", kind=IncidentKind.PHISHING,
                        aware_at=timezone.now() - dt.timedelta(days=4))
    return {"hospital": hospital, "activity": activity, "old": old}


def _open(page: Any, built: dict[str, Any]) -> Incident:
    """Step 1: from the menu, open a ransomware incident at the member hospital."""
    assert built["old"].reference in page.get_by_test_id("overdue-banner").inner_text()
    page.locator("nav.mainnav").get_by_role("link", name="Incidents").click()
    page.wait_for_url("**/incidents/")
    page.get_by_role("link", name="Add").click()
    page.wait_for_url("**/incidents/open/")
    form = page.locator("#incident-open-form")
    form.locator("select[name=node]").select_option(str(built["hospital"].pk))
    form.locator("input[name=title]").fill("Rançongiciel LockBit aux urgences")
    form.locator("select[name=kind]").select_option(IncidentKind.RANSOMWARE)
    aware = timezone.localtime(timezone.now() - dt.timedelta(hours=2))
    form.locator("input[name=aware_at]").fill(aware.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=personal_data_breach]").check()
    form.locator("select[name=activities]").select_option(str(built["activity"].pk))
    with page.expect_navigation():
        form.get_by_test_id("incident-open").click()
    incident = Incident.objects.get(title="Rançongiciel LockBit aux urgences")
    assert built["hospital"] == incident.node
    _shot(page, "60-incident-opened")
    return incident


def _clocks(page: Any) -> None:
    """Step 2: the clocks that apply to an insured NIS2 hospital hit by ransomware with a data breach."""
    table = page.locator("#clocks")
    obligations = set(table.locator("tr[data-obligation]").evaluate_all(
        "rows => rows.map(row => row.dataset.obligation)"))
    assert {"cert_sante", "ars", "nis2_early_warning", "nis2_notification", "cnil", "criminal_complaint",
            "insurer"} <= obligations
    assert "due" == table.locator("tr[data-obligation=cnil]").get_attribute("data-state")
    assert "Dossiers papier aux urgences" in page.locator("#activities").inner_text()


def _log(page: Any, incident: Incident) -> None:
    """Step 3: two decisions logged, the second corrected by a new entry (never edited)."""
    for text in ("Cellule de crise réunie, isolement du réseau décidé", "Bascule des urgences en mode dégradé à 9h"):
        form = page.locator("#log-form")
        form.locator("select[name=kind]").select_option("decision")
        form.locator("textarea[name=text]").fill(text)
        form.get_by_test_id("log-add").click()
        page.locator("#crisis-log").get_by_text(text).wait_for()
    wrong = LogEntry.objects.get(incident=incident, text__startswith="Bascule")
    page.locator(f"#crisis-log li[data-entry='{wrong.pk}']").get_by_role("link", name="Correct").click()
    page.get_by_test_id("correcting").wait_for()
    form = page.locator("#log-form")
    form.locator("textarea[name=text]").fill("Bascule à 9h30, pas 9h")
    form.get_by_test_id("log-add").click()
    page.locator("#crisis-log li[data-corrects]").get_by_text("Bascule à 9h30").wait_for()
    assert 1 == LogEntry.objects.filter(incident=incident, corrects=wrong).count()
    assert "Bascule des urgences en mode dégradé à 9h" == LogEntry.objects.get(pk=wrong.pk).text
    _shot(page, "60-incident-log")


def _declare(page: Any, incident: Incident) -> None:
    """Step 4: the CERT Santé declaration, pre-filled from the case, downloaded, then marked sent."""
    with page.expect_navigation():
        page.locator("button[data-declare=cert_sante]").click()
    declaration = Declaration.objects.get(incident=incident, kind="cert_sante")
    row = page.locator("#declaration-list tr[data-declaration=cert_sante]")
    with page.expect_download() as download:
        row.get_by_role("link", name="text").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Rançongiciel LockBit aux urgences" in text
    assert incident.node.name in text
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    sent = timezone.localtime(timezone.now() - dt.timedelta(minutes=10))
    row.locator("input[name=sent_at]").fill(sent.strftime("%Y-%m-%dT%H:%M"))
    row.locator("input[name=reference]").fill("CS-2026-4711")
    with page.expect_navigation():
        row.locator("button[data-sent=cert_sante]").click()
    declaration.refresh_from_db()
    assert "CS-2026-4711" == declaration.sent_reference
    assert page.locator("#clocks tr[data-obligation=cert_sante]").get_attribute("data-state") in {"done", "done_late"}
    _shot(page, "60-incident-declared")


def _kit(page: Any, built: dict[str, Any]) -> None:
    """Step 5: the member hospital's offline crisis kit, generated and downloaded as one HTML file and a PDF."""
    page.goto(f"/incidents/nodes/{built['hospital'].pk}/crisis-cell/")
    with page.expect_navigation():
        page.locator("#kit-generate").click()
    with page.expect_download() as download:
        page.locator("#kit-list a[data-kit=html]").first.click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert MOBILE in html
    assert "Dossiers papier aux urgences" in html
    assert "CERT Santé" in html
    # Self-contained: nothing is fetched from anywhere when the network is down.
    assert "<script src" not in html
    assert '<link rel="stylesheet"' not in html
    with page.expect_download() as download:
        page.locator("#kit-list a[data-kit=pdf]").first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    _shot(page, "60-incident-kit")


class TestIncidentJourney:
    """The group CISO's first hours of a ransomware at a member establishment."""

    def test_ransomware_clocks_log_declaration_kit(self, page: Any, flushable_db: Any) -> None:
        tenants = build_tenants()
        ciso = _group_ciso(tenants.group_a)
        built = _setup(tenants, ciso)
        _login(page, ciso.username)
        incident = _open(page, built)
        _clocks(page)
        _log(page, incident)
        _declare(page, incident)
        _kit(page, built)
