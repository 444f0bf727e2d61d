"""The demo's incident response: profiles, crisis cells, four incidents whose clocks tell the story the guide tells.

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.incidents.models import (
    Audience,
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    CrisisRole,
    DeclarationKind,
    DutyShift,
    Incident,
    IncidentKind,
    IncidentStatus,
    LogEntry,
    LogEntryKind,
)
from hygie.apps.incidents.services import effective_profile, incident_clocks, overdue_clocks
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import load_demo
from hygie.engines.incidents import ClockState

FICTION_MOBILE = "+33 6 39 98 "
FICTION_LANDLINE = "+33 4 65 71 "


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def incidents(demo: None, db: Any) -> dict[str, Incident]:
    """The demo's incidents by kind."""
    return {incident.kind: incident for incident in Incident.objects.select_related("node")}


def _states(incident: Incident) -> dict[str, ClockState]:
    return {clock.rule.id: clock.state for clock in incident_clocks(incident)}


class TestDemoProfiles:
    """The GHT sets one policy for its members; the support hospital is essential; the clinic is not insured."""

    def test_effective_profiles(self, demo: None, db: Any) -> None:
        """Given the demo, when the profiles in force are read, then they differ as the guide says."""
        nodes = {node.short_name: node for node in Node.objects.filter(kind=NodeKind.ESTABLISHMENT)}
        support = effective_profile(nodes["CH Valbrise"])
        member = effective_profile(nodes["CH Montbrézin"])
        clinic = effective_profile(nodes["Clinique du Parc"])
        assert (True, "essential", True, 120) == (support.ose, support.nis2_status, support.insured,
                                                  support.insurer_notice_hours)
        assert (False, "important", True) == (member.ose, member.nis2_status, member.insured)
        assert "fictive" in member.insurer
        assert member.policy_number
        assert (False, "important", False) == (clinic.ose, clinic.nis2_status, clinic.insured)


class TestDemoCrisisCells:
    """A crisis cell per establishment and for the group, reachable out of band, with a rota and templates."""

    def test_cells_and_roles(self, demo: None, db: Any) -> None:
        """Every establishment and the group have a cell holding every internal role with a fictional mobile."""
        owners = list(Node.objects.filter(kind__in=[NodeKind.GROUP, NodeKind.ESTABLISHMENT]))
        assert {node.pk for node in owners} == set(CrisisCell.objects.values_list("node_id", flat=True))
        internal = {CrisisRole.DIRECTOR, CrisisRole.MEDICAL_LEAD, CrisisRole.NURSING_LEAD, CrisisRole.CISO,
                    CrisisRole.CIO, CrisisRole.COMMUNICATION, CrisisRole.LOGISTICS, CrisisRole.DPO, CrisisRole.LEGAL,
                    CrisisRole.LOG_KEEPER}
        for node in owners:
            members = CrisisMember.objects.filter(node=node)
            assert internal <= set(members.values_list("role", flat=True)), node
            assert {CrisisRole.ARS, CrisisRole.POLICE, CrisisRole.PROVIDER} <= set(
                members.values_list("role", flat=True)), node
        people = CrisisMember.objects.exclude(role__in=[CrisisRole.ARS, CrisisRole.POLICE, CrisisRole.PROVIDER,
                                                        CrisisRole.INSURER])
        assert all(m.mobile.startswith(FICTION_MOBILE) for m in people)
        assert all(m.personal_email.endswith("@example.org") for m in people)
        phones = [m.mobile for m in people]
        assert len(phones) == len(set(phones))
        externals = CrisisMember.objects.filter(role__in=[CrisisRole.ARS, CrisisRole.POLICE, CrisisRole.PROVIDER,
                                                          CrisisRole.INSURER])
        assert all(m.landline.startswith(FICTION_LANDLINE) for m in externals)

    def test_clinic_has_no_insurer_contact(self, demo: None, db: Any) -> None:
        """The uninsured clinic lists no insurer; the GHT's members do."""
        insurers = set(CrisisMember.objects.filter(role=CrisisRole.INSURER).values_list("node__short_name", flat=True))
        assert "Clinique du Parc" not in insurers
        assert {"CH Montbrézin", "CH Valbrise", "GHT VBMF"} <= insurers

    def test_rota_covers_the_next_two_weeks(self, demo: None, db: Any) -> None:
        """Someone is on call as director and as IT at every moment of the next 14 days, in every cell."""
        now = timezone.now()
        for cell in CrisisCell.objects.all():
            for role in (CrisisRole.DIRECTOR, CrisisRole.CIO):
                shifts = DutyShift.objects.filter(member__node=cell.node_id, member__role=role)
                for day in range(15):
                    moment = now + dt.timedelta(days=day)
                    assert shifts.filter(starts_at__lte=moment, ends_at__gt=moment).count() == 1, (cell, role, day)

    def test_templates_for_four_audiences(self, demo: None, db: Any) -> None:
        """The group and the clinic each have one template per audience, naming the placeholders."""
        for short_name in ("GHT VBMF", "Clinique du Parc"):
            templates = CommunicationTemplate.objects.filter(node__short_name=short_name)
            assert set(Audience.values) == set(templates.values_list("audience", flat=True))
            assert all("{establishment}" in t.body for t in templates)


class TestDemoRansomware:
    """The open ransomware at a member establishment: what the browser test and the guide walk through."""

    def test_case(self, incidents: dict[str, Incident]) -> None:
        """Open, at CH Montbrézin, aware about 30 hours ago, with what it touches, indicators and tasks."""
        incident = incidents[IncidentKind.RANSOMWARE]
        assert (IncidentStatus.OPEN, "CH Montbrézin") == (incident.status, incident.node.short_name)
        age = timezone.now() - incident.aware_at
        assert dt.timedelta(hours=29) < age < dt.timedelta(hours=31)
        assert incident.personal_data_breach
        assert incident.applications.count() >= 2
        assert incident.activities.count() >= 2
        assert incident.assets.count() >= 1
        assert incident.indicators.count() >= 5
        assert incident.tasks.count() >= 5
        assert incident.evidence.count() == 2

    def test_crisis_log(self, incidents: dict[str, Incident]) -> None:
        """At least 12 entries in time order, one of them a correction of an earlier entry."""
        log = list(LogEntry.objects.filter(incident=incidents[IncidentKind.RANSOMWARE]))
        assert len(log) >= 12
        corrections = [entry for entry in log if entry.kind == LogEntryKind.CORRECTION]
        assert 1 == len(corrections)
        corrected = corrections[0].corrects
        assert corrected is not None
        assert corrected.occurred_at < corrections[0].occurred_at
        assert "4 serveurs" in corrected.text
        assert [e.occurred_at for e in log] == sorted(e.occurred_at for e in log)

    def test_clocks(self, incidents: dict[str, Incident]) -> None:
        """CERT Santé and ARS done; the NIS2 early warning overdue; CNIL, complaint and insurer still running."""
        incident = incidents[IncidentKind.RANSOMWARE]
        states = _states(incident)
        assert ClockState.DONE == states["cert_sante"] == states["ars"]
        assert ClockState.OVERDUE == states["nis2_early_warning"]
        assert ClockState.DUE == states["cnil"] == states["criminal_complaint"] == states["insurer"]
        assert "anssi_ose" not in states  # Montbrézin is not an OSE
        proof = incident.obligations.get(obligation="cert_sante")
        assert proof.reference
        assert proof.evidence is not None

    def test_cert_sante_declaration_sent(self, incidents: dict[str, Incident]) -> None:
        """The CERT Santé declaration was generated from the case and marked sent before the proof's time."""
        incident = incidents[IncidentKind.RANSOMWARE]
        declaration = incident.declarations.get()
        assert DeclarationKind.CERT_SANTE == declaration.kind
        assert declaration.sent_at is not None
        assert declaration.generated_at <= declaration.sent_at
        assert declaration.sent_at == incident.obligations.get(obligation="cert_sante").done_at
        assert incident.reference in declaration.text

    def test_only_overdue_clock_of_the_demo(self, incidents: dict[str, Incident]) -> None:
        """The overdue banner shows exactly one deadline: the ransomware's NIS2 early warning."""
        late = overdue_clocks(Incident.objects.all())
        assert [(incidents[IncidentKind.RANSOMWARE].pk, "nis2_early_warning")] == [
            (incident.pk, clock.rule.id) for incident, clock in late]

    def test_crisis_kit(self, incidents: dict[str, Incident]) -> None:
        """A crisis kit was generated for the establishment hit."""
        assert CrisisKit.objects.filter(node=incidents[IncidentKind.RANSOMWARE].node).exists()


class TestDemoClosedIncidents:
    """The history: a data theft, an outage and a fraud, their clocks all done in time."""

    def test_all_clocks_done_in_time(self, incidents: dict[str, Incident]) -> None:
        """Every clock of the three older incidents is done, none late."""
        for kind in (IncidentKind.DATA_THEFT, IncidentKind.OUTAGE, IncidentKind.FRAUD):
            states = _states(incidents[kind])
            assert states
            assert {ClockState.DONE} == set(states.values()), kind

    def test_data_theft(self, incidents: dict[str, Incident]) -> None:
        """Closed five months ago with lessons learned and two actions in the findings register."""
        incident = incidents[IncidentKind.DATA_THEFT]
        assert IncidentStatus.CLOSED == incident.status
        assert dt.timedelta(days=140) < timezone.now() - incident.aware_at < dt.timedelta(days=160)
        assert incident.lessons_learned
        assert {"cnil", "data_subjects", "criminal_complaint", "insurer"} <= set(_states(incident))
        findings = Finding.objects.filter(source="incidents", node=incident.node)
        assert 2 == findings.count()
        assert {FindingStatus.FIXED, FindingStatus.OPEN} == set(findings.values_list("status", flat=True))
        assert 2 == incident.tasks.filter(finding__isnull=False).count()

    def test_outage(self, incidents: dict[str, Incident]) -> None:
        """Not malicious: no complaint clock; the support hospital is an OSE; recovered in 6 hours."""
        incident = incidents[IncidentKind.OUTAGE]
        states = _states(incident)
        assert "criminal_complaint" not in states
        assert "anssi_ose" in states
        assert incident.recovered_at is not None
        assert dt.timedelta(hours=6) == incident.recovered_at - incident.aware_at
        assert IncidentStatus.CLOSED == incident.status

    def test_fraud_at_uninsured_clinic(self, incidents: dict[str, Incident]) -> None:
        """Contained last month; the clinic is not insured: no insurer nor complaint clock."""
        incident = incidents[IncidentKind.FRAUD]
        assert (IncidentStatus.CONTAINED, "Clinique du Parc") == (incident.status, incident.node.short_name)
        states = _states(incident)
        assert not {"insurer", "criminal_complaint"} & set(states)
        assert "cert_sante" in states

    def test_references_follow_awareness(self, incidents: dict[str, Incident]) -> None:
        """References are numbered in the order the incidents became known."""
        ordered = sorted(incidents.values(), key=lambda incident: incident.aware_at)
        numbers = [tuple(int(part) for part in incident.reference.split("-")[1:]) for incident in ordered]
        assert numbers == sorted(numbers)
        assert 4 == len(set(numbers))
