"""Pre-filled declarations: CERT Santé, CNIL, NIS2, ANSSI contents; text and PDF; marked sent; messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.apps.incidents.declarations import (
    build_content,
    content_text,
    declaration_pdf,
    generate_declaration,
    mark_sent,
    obligation_for,
    prepare_message,
)
from hygie.apps.incidents.models import (
    Audience,
    CommunicationTemplate,
    CrisisMember,
    CrisisRole,
    Declaration,
    LogEntry,
    ObligationRecord,
    RegulatoryProfile,
)
from hygie.apps.incidents.services import IncidentError, add_indicator, record_obligation
from hygie.apps.inventory.models import Application, ApplicationCategory

from .support_cases import hours_ago, open_case


def _fields(content: dict[str, Any]) -> dict[str, str]:
    return {field["label"]: field["value"] for section in content["sections"] for field in section["fields"]}


def _sections(content: dict[str, Any]) -> list[str]:
    return [section["title"] for section in content["sections"]]


@pytest.fixture
def case(tenants: Any) -> Any:
    """A ransomware incident at hospital A with a CISO and a DPO in its crisis cell and an application hit."""
    hospital = tenants.hospital_a
    hospital.finess_eg = "750100042"
    hospital.city = "Paris"
    hospital.save()
    CrisisMember.objects.create(node=hospital, role=CrisisRole.CISO, name="Claire Rssi", position="RSSI",
                                mobile="+33 6 11 22 33 44", work_email="rssi@chu.example")
    CrisisMember.objects.create(node=tenants.group_a, role=CrisisRole.DPO, name="Paul Dpo",
                                personal_email="dpo@home.example")
    app = Application.objects.create(node=hospital, name="PACS", category=ApplicationCategory.values[0])
    incident = open_case(tenants, hours=80, applications=[app], personal_data_breach=True,
                         description="Files encrypted on the PACS servers.", causes="Phished VPN account.",
                         occurred_at=hours_ago(90))
    incident.impact_people = "Patients of the imaging department"
    incident.persons_affected = 1200
    incident.save()
    add_indicator(incident, kind="domain", value="evil.example", user=None)
    return incident


class TestCertSante:
    """The report of the arrêté of 30 October 2017."""

    def test_sections_and_fields(self, case: Any) -> None:
        """Given the case, the report holds structure, declarant, description, impacts, causes, other steps."""
        content = build_content(case, "cert_sante")
        assert ["Structure", "Declarant", "Description of the incident", "Impacts", "Causes",
                "Other steps"] == _sections(content)
        fields = _fields(content)
        assert "Hospital A" == fields["Establishment"]
        assert "750712184" == fields["FINESS EJ"]
        assert "750100042" == fields["FINESS EG"]
        assert "Paris" == fields["City"]
        assert "Claire Rssi" == fields["Name"]
        assert "+33 6 11 22 33 44" == fields["Phone"]
        assert "Applications: PACS" in fields["Systems and data concerned"]
        assert "1" == fields["Indicators of compromise"]
        assert "Phished VPN account." == fields["Causes, if known"]
        assert "1200" == fields["Persons whose data is concerned"]
        assert "No" == fields["Complaint filed"]

    def test_date_found_is_paris_time(self, case: Any) -> None:
        """The date found is aware_at on the Paris wall clock, with its zone."""
        case.aware_at = dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.UTC)
        assert "27/03/2026 10:00 CET" == _fields(build_content(case, "cert_sante"))["Date and time found"]
        case.aware_at = dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)
        assert "30/03/2026 11:00 CEST" == _fields(build_content(case, "cert_sante"))["Date and time found"]

    def test_complaint_and_cnil_from_records(self, case: Any, tenants: Any) -> None:
        """A recorded CNIL notification shows in the CERT Santé report with its date and reference."""
        RegulatoryProfile.objects.create(node=tenants.hospital_a, insured="yes")
        record_obligation(case, "cnil", done_at=hours_ago(5), reference="CNIL-123", user=None)
        record_obligation(case, "criminal_complaint", done_at=hours_ago(6), reference="PV-9", user=None)
        fields = _fields(build_content(case, "cert_sante"))
        assert fields["CNIL notified"].startswith("Yes, on ")
        assert "CNIL-123" in fields["CNIL notified"]
        assert "PV-9" in fields["Complaint filed"]

    def test_declarant_is_the_user_when_member(self, case: Any, tenants: Any) -> None:
        """The user's own crisis-cell membership wins over the CISO."""
        user = tenants.users["manager"]
        CrisisMember.objects.create(node=tenants.hospital_a, role=CrisisRole.DIRECTOR, name="Dir Ector", user=user)
        assert "Dir Ector" == _fields(build_content(case, "cert_sante", user=user))["Name"]


class TestOtherDeclarations:
    """CNIL, NIS2 and ANSSI."""

    def test_cnil(self, case: Any) -> None:
        """DPO contact, persons, and the reasons for lateness once past 72 h."""
        fields = _fields(build_content(case, "cnil"))
        assert "Paul Dpo" == fields["Name"]
        assert "dpo@home.example" == fields["E-mail"]
        assert "1200" == fields["Approximate number of persons concerned"]
        assert "Reasons for the delay" in fields
        early = build_content(case, "cnil", now=case.aware_at + dt.timedelta(hours=71))
        assert "Reasons for the delay" not in _fields(early)

    def test_nis2_stages(self, case: Any) -> None:
        """The early warning asks less than the notification, which asks less than the final report."""
        warning = build_content(case, "nis2_early_warning")
        assert "Yes" == _fields(warning)["Suspected unlawful or malicious act"]
        assert "Initial assessment" not in _sections(warning)
        notification = build_content(case, "nis2_notification")
        assert "Domain name: evil.example" == _fields(notification)["Indicators of compromise"]
        final = build_content(case, "nis2_final_report")
        assert "Final report" in _sections(final)
        assert "Phished VPN account." == _fields(final)["Type of threat or root cause"]

    def test_anssi_is_the_notification_titled_for_anssi(self, case: Any) -> None:
        """The OSE report carries the notification's sections."""
        anssi = build_content(case, "anssi")
        assert "ANSSI" in anssi["title"]
        assert _sections(build_content(case, "nis2_notification")) == _sections(anssi)

    def test_unknown_kind(self, case: Any) -> None:
        """An unknown kind is refused with the known ones."""
        with pytest.raises(IncidentError, match="cert_sante"):
            build_content(case, "police")


class TestGenerateAndSend:
    """Kept frozen, rendered, marked sent."""

    def test_generate_text_pdf(self, case: Any, tenants: Any) -> None:
        """The declaration keeps its content and text; the PDF is a PDF; generation is logged."""
        declaration = generate_declaration(case, "cert_sante", user=tenants.users["manager"])
        assert declaration.text == content_text(declaration.content)
        assert "Hospital A" in declaration.text
        assert "STRUCTURE" in declaration.text
        assert declaration_pdf(declaration).startswith(b"%PDF")
        assert LogEntry.objects.filter(incident=case, text__startswith="Declaration generated").exists()
        case.title = "Changed later"
        case.save()
        declaration.refresh_from_db()
        assert "Changed later" not in declaration.text

    def test_mark_sent_records_the_obligation(self, case: Any, tenants: Any) -> None:
        """Sending the CNIL notification records the cnil obligation with the same time and reference."""
        user = tenants.users["manager"]
        declaration = generate_declaration(case, "cnil", user=user)
        sent = hours_ago(1)
        mark_sent(declaration, sent, "CNIL-42", user)
        record = ObligationRecord.objects.get(incident=case, obligation="cnil")
        assert (sent, "CNIL-42") == (record.done_at, record.reference)
        with pytest.raises(IncidentError, match="already"):
            mark_sent(declaration, sent, "again", user)

    def test_mark_sent_skips_a_recorded_obligation(self, case: Any, tenants: Any) -> None:
        """A second CERT Santé declaration sent leaves the first record alone."""
        user = tenants.users["manager"]
        record_obligation(case, "cert_sante", done_at=hours_ago(3), reference="CS-1", user=user)
        declaration = generate_declaration(case, "cert_sante", user=user)
        mark_sent(declaration, hours_ago(1), "CS-2", user)
        assert ["CS-1"] == list(ObligationRecord.objects.filter(incident=case).values_list("reference", flat=True))
        assert Declaration.objects.get(pk=declaration.pk).sent_reference == "CS-2"

    def test_mark_sent_refuses_the_future_and_no_reference(self, case: Any, tenants: Any) -> None:
        """A time in the future or an empty reference: refused, nothing stored."""
        declaration = generate_declaration(case, "cnil", user=tenants.users["manager"])
        with pytest.raises(IncidentError, match="future"):
            mark_sent(declaration, hours_ago(-2), "X", None)
        with pytest.raises(IncidentError, match="reference"):
            mark_sent(declaration, hours_ago(1), "  ", None)
        declaration.refresh_from_db()
        assert declaration.sent_at is None
        assert not ObligationRecord.objects.filter(incident=case, obligation="cnil").exists()

    def test_obligation_for(self) -> None:
        """Each declaration kind fulfils the rule naming it."""
        assert ("cert_sante", "anssi_ose", "cnil") == tuple(obligation_for(k) for k in ("cert_sante", "anssi", "cnil"))


class TestPrepareMessage:
    """Communication templates filled safely."""

    def test_fills_the_four_names_only(self, case: Any, tenants: Any) -> None:
        """The four names are replaced; format fields and attribute lookups are left as written."""
        template = CommunicationTemplate.objects.create(
            node=tenants.hospital_a, audience=Audience.STAFF, title="Staff",
            body="{establishment} {reference} {date} {time} {0.__class__} {incident.node} {{establishment}} {")
        now = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
        text = prepare_message(template, case, now=now)
        expected = f"Hospital A {case.reference} 24/11/2026 08:30 {{0.__class__}} {{incident.node}} {{Hospital A}} {{"
        assert expected == text
