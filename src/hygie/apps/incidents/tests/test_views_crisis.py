"""The crisis-cell page of a node: settings, members, rota, templates, profile, kits; and the statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.apps.incidents.models import (
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    CrisisRole,
    DutyShift,
    IncidentKind,
    Nis2Status,
    RegulatoryProfile,
)
from hygie.apps.incidents.services import open_incident


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def manager(tenants: Any) -> Client:
    """A logged-in manager of group A."""
    client = Client()
    client.force_login(tenants.users["manager"])
    return client


class TestCrisisCellPage:
    """What the cell page shows and the forms on it."""

    def test_member_on_duty_is_highlighted(self, tenants: Any, manager: Client) -> None:
        """The member whose shift covers now is marked on duty; the rota row too."""
        now = timezone.now()
        on_call = CrisisMember.objects.create(node=tenants.hospital_a, role=CrisisRole.CISO, name="Alice",
                                              mobile="+33 6 12 34 56 78")
        CrisisMember.objects.create(node=tenants.hospital_a, role=CrisisRole.CIO, name="Bob")
        DutyShift.objects.create(member=on_call, starts_at=now - dt.timedelta(hours=1),
                                 ends_at=now + dt.timedelta(hours=5))
        text = manager.get(reverse("incidents:crisis_cell", args=[tenants.hospital_a.pk])).content.decode()
        assert f'class="oncall" data-member="{on_call.pk}"' in text
        assert "+33 6 12 34 56 78" in text
        assert 'data-current="1"' in text

    def test_settings_members_and_templates(self, tenants: Any, manager: Client) -> None:
        """Settings saved; a member added, changed and removed; a template added."""
        node = tenants.hospital_a
        assert 302 == manager.post(reverse("incidents:cell_edit", args=[node.pk]),
                                   {"meeting_place": "Room B12", "plan_blanc_url": "intranet.example/plan"}).status_code
        cell = CrisisCell.objects.get(node=node)
        assert ("Room B12", "https://intranet.example/plan") == (cell.meeting_place, cell.plan_blanc_url)
        assert 302 == manager.post(reverse("incidents:member_add", args=[node.pk]),
                                   {"role": "director", "rank": 1, "name": "Dr Who"}).status_code
        member = CrisisMember.objects.get(name="Dr Who")
        assert 302 == manager.post(reverse("incidents:member_edit", args=[member.pk]),
                                   {"role": "director", "rank": 1, "name": "Dr Who",
                                    "mobile": "+33 6 00 11 22 33"}).status_code
        member.refresh_from_db()
        assert "+33 6 00 11 22 33" == member.mobile
        assert 302 == manager.post(reverse("incidents:member_delete", args=[member.pk])).status_code
        assert not CrisisMember.objects.filter(pk=member.pk).exists()
        assert 302 == manager.post(reverse("incidents:template_add", args=[node.pk]),
                                   {"audience": "staff", "title": "IT down", "body": "Use paper."}).status_code
        assert CommunicationTemplate.objects.filter(node=node, title="IT down").exists()

    def test_bad_input_is_refused(self, tenants: Any, manager: Client) -> None:
        """A shift ending before it starts, a duplicate template, a bad e-mail: form errors, nothing stored."""
        node = tenants.hospital_a
        member = CrisisMember.objects.create(node=node, role=CrisisRole.CISO, name="Alice")
        now = timezone.now()
        shift = manager.post(reverse("incidents:shift_add", args=[node.pk]), {
            "member": member.pk, "starts_at": _local(now), "ends_at": _local(now - dt.timedelta(hours=2))})
        assert 400 == shift.status_code
        assert not DutyShift.objects.exists()
        CommunicationTemplate.objects.create(node=node, audience="press", title="Release", body="x")
        duplicate = manager.post(reverse("incidents:template_add", args=[node.pk]),
                                 {"audience": "press", "title": "Release", "body": "y"})
        assert 400 == duplicate.status_code
        assert 1 == CommunicationTemplate.objects.count()
        email = manager.post(reverse("incidents:member_add", args=[node.pk]),
                             {"role": "cio", "rank": 1, "name": "Bob", "personal_email": "not an address"})
        assert 400 == email.status_code
        assert not CrisisMember.objects.filter(name="Bob").exists()

    def test_profile_shows_inherited_values(self, tenants: Any, manager: Client) -> None:
        """The group's NIS2 status applies to the hospital and says it is inherited; the hospital can override."""
        RegulatoryProfile.objects.create(node=tenants.group_a, nis2_status=Nis2Status.ESSENTIAL)
        url = reverse("incidents:crisis_cell", args=[tenants.hospital_a.pk])
        text = manager.get(url).content.decode()
        assert "Essential entity" in text
        assert "(inherited)" in text
        assert 302 == manager.post(reverse("incidents:profile_edit", args=[tenants.hospital_a.pk]),
                                   {"nis2_status": Nis2Status.IMPORTANT, "insurer_notice_hours": 48}).status_code
        profile = RegulatoryProfile.objects.get(node=tenants.hospital_a)
        assert (Nis2Status.IMPORTANT, 48) == (profile.nis2_status, profile.insurer_notice_hours)

    def test_kit_generated_and_downloaded(self, tenants: Any, manager: Client) -> None:
        """"Generate now" makes a kit whose HTML and PDF download as attachments."""
        CrisisMember.objects.create(node=tenants.hospital_a, role=CrisisRole.DIRECTOR, name="Director Kit")
        url = reverse("incidents:crisis_cell", args=[tenants.hospital_a.pk])
        assert 'id="kit-generate"' in manager.get(url).content.decode()
        assert 302 == manager.post(reverse("incidents:kit_generate", args=[tenants.hospital_a.pk])).status_code
        kit = CrisisKit.objects.get(node=tenants.hospital_a)
        html = manager.get(reverse("incidents:kit_download", args=[kit.pk]))
        assert "Director Kit" in b"".join(html.streaming_content).decode()
        pdf = manager.get(reverse("incidents:kit_download", args=[kit.pk]), {"format": "pdf"})
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")


class TestStatistics:
    """The statistics page of a group."""

    def test_counts_by_type(self, tenants: Any, manager: Client) -> None:
        """Two incidents of two types at the hospital are counted on the group's page."""
        for kind in (IncidentKind.RANSOMWARE, IncidentKind.OUTAGE):
            open_incident(node=tenants.hospital_a, user=None, title=str(kind), kind=kind,
                          aware_at=timezone.now() - dt.timedelta(hours=3))
        text = manager.get(reverse("incidents:statistics", args=[tenants.group_a.pk])).content.decode()
        assert 'data-testid="stat-total">2<' in text
        assert "Ransomware" in text
        assert "Outage or failure" in text
