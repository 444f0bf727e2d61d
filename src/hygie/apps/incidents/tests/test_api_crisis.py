"""The crisis-cell REST API: cell settings, members, rota, templates, kits; validation and tenant isolation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from hygie.apps.incidents.models import (
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    CrisisRole,
    DutyShift,
)

from .support_cases import api_client

JSON = "application/json"


def _member(node: Any, **extra: Any) -> CrisisMember:
    return CrisisMember.objects.create(node=node, role=CrisisRole.CISO, name=extra.pop("name", "Ciso A"), **extra)


class TestCell:
    """Read and set the cell."""

    def test_get_shows_members_rota_templates_profile(self, tenants: Any) -> None:
        """Settings may be empty; the rota shows the next 14 days only, with who is on duty now."""
        node = tenants.hospital_a
        member = _member(node, mobile="+33 6 11 22 33 44", personal_email="ciso@home.example")
        now = timezone.now()
        DutyShift.objects.create(member=member, starts_at=now - dt.timedelta(hours=1),
                                 ends_at=now + dt.timedelta(hours=8))
        DutyShift.objects.create(member=member, starts_at=now + dt.timedelta(days=20),
                                 ends_at=now + dt.timedelta(days=21))
        CommunicationTemplate.objects.create(node=node, audience="staff", title="Staff", body="Down at {establishment}")
        response = api_client(tenants.users["viewer"]).get(f"/api/incidents/cells/{node.pk}")
        assert 200 == response.status_code, response.content
        cell = response.json()
        assert cell["settings"] is None
        assert [("Ciso A", "+33 6 11 22 33 44", "ciso@home.example", True)] == [
            (m["name"], m["mobile"], m["personal_email"], m["on_duty"]) for m in cell["members"]]
        assert [True] == [shift["current"] for shift in cell["shifts"]]
        assert ["Staff"] == [t["title"] for t in cell["templates"]]
        assert {"ose", "nis2_status", "insured"} <= set(cell["profile"])

    def test_put_settings(self, tenants: Any) -> None:
        """An address without a scheme is https, as on the page; a viewer may not change them."""
        node = tenants.hospital_a
        body = {"meeting_place": "Room B12", "plan_blanc_url": "intranet.example/plan", "kit_daily": False}
        assert 403 == api_client(tenants.users["viewer"]).put(f"/api/incidents/cells/{node.pk}", body,
                                                               content_type=JSON).status_code
        response = api_client(tenants.users["analyst"]).put(f"/api/incidents/cells/{node.pk}", body, content_type=JSON)
        assert 200 == response.status_code, response.content
        assert "Room B12" == response.json()["settings"]["meeting_place"]
        cell = CrisisCell.objects.get(node=node)
        assert ("https://intranet.example/plan", False) == (cell.plan_blanc_url, cell.kit_daily)

    def test_bad_settings_refused(self, tenants: Any) -> None:
        """An unknown field, a bad URL: refused with a reason, nothing stored."""
        api = api_client(tenants.users["manager"])
        url = f"/api/incidents/cells/{tenants.hospital_a.pk}"
        assert 422 == api.put(url, {"meeting_place": "x", "colour": "red"}, content_type=JSON).status_code
        response = api.put(url, {"plan_blanc_url": "http://exa mple/ x"}, content_type=JSON)
        assert 422 == response.status_code
        assert "plan_blanc_url" in response.json()["detail"]
        assert not CrisisCell.objects.filter(node=tenants.hospital_a).exists()

    def test_other_tenant_is_404(self, tenants: Any) -> None:
        """Group B's manager sees nothing of hospital A's cell, and changes nothing."""
        api = api_client(tenants.outsider)
        url = f"/api/incidents/cells/{tenants.hospital_a.pk}"
        assert 404 == api.get(url).status_code
        assert 404 == api.put(url, {"meeting_place": "Theirs"}, content_type=JSON).status_code
        assert 404 == api.post(f"{url}/members", {"role": "ciso", "name": "Spy"}, content_type=JSON).status_code
        assert not CrisisCell.objects.exists()
        assert not CrisisMember.objects.exists()


class TestMembersAndShifts:
    """Members, their shifts."""

    def test_add_change_remove_member(self, tenants: Any) -> None:
        """Add (ADD), change only the fields given (CHANGE), remove with the shifts (DELETE)."""
        node = tenants.hospital_a
        analyst = api_client(tenants.users["analyst"])
        response = analyst.post(f"/api/incidents/cells/{node.pk}/members",
                                {"role": "ars", "name": "ARS duty", "landline": "0800 000 000"}, content_type=JSON)
        assert 201 == response.status_code, response.content
        member_id = response.json()["id"]
        assert response.json()["external"]
        response = analyst.patch(f"/api/incidents/members/{member_id}", {"rank": 2, "landline": None},
                                 content_type=JSON)
        assert 200 == response.status_code, response.content
        member = CrisisMember.objects.get(pk=member_id)
        assert (2, "", "ARS duty") == (member.rank, member.landline, member.name)
        shift = analyst.post(f"/api/incidents/members/{member_id}/shifts",
                             {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T20:00"}, content_type=JSON)
        assert 201 == shift.status_code, shift.content
        # Naive times are read on the Paris wall clock (UTC+1 in January) and go out in UTC.
        assert "2030-01-01T07:00:00Z" == shift.json()["starts_at"].replace("+00:00", "Z")
        assert 403 == analyst.delete(f"/api/incidents/members/{member_id}").status_code
        manager = api_client(tenants.users["manager"])
        assert 204 == manager.delete(f"/api/incidents/members/{member_id}").status_code
        assert not CrisisMember.objects.exists()
        assert not DutyShift.objects.exists()

    def test_bad_member_refused(self, tenants: Any) -> None:
        """Unknown role, bad e-mail, empty name, null name: 422 with the field named; nothing stored."""
        api = api_client(tenants.users["manager"])
        url = f"/api/incidents/cells/{tenants.hospital_a.pk}/members"
        assert 422 == api.post(url, {"role": "king", "name": "X"}, content_type=JSON).status_code
        assert 422 == api.post(url, {"role": "ciso", "name": ""}, content_type=JSON).status_code
        response = api.post(url, {"role": "ciso", "name": "X", "personal_email": "not-an-address"}, content_type=JSON)
        assert 422 == response.status_code
        assert "personal_email" in response.json()["detail"]
        member = _member(tenants.hospital_a)
        assert 422 == api.patch(f"/api/incidents/members/{member.pk}", {"name": None}, content_type=JSON).status_code
        assert ["Ciso A"] == list(CrisisMember.objects.values_list("name", flat=True))

    def test_bad_shift_refused(self, tenants: Any) -> None:
        """A shift ending before it starts, a year-1 time, a body on DELETE: refused, nothing stored."""
        api = api_client(tenants.users["manager"])
        member = _member(tenants.hospital_a)
        url = f"/api/incidents/members/{member.pk}/shifts"
        response = api.post(url, {"starts_at": "2030-01-02T08:00", "ends_at": "2030-01-01T08:00"}, content_type=JSON)
        assert 422 == response.status_code
        assert "ends_at" in response.json()["detail"]
        assert 422 == api.post(url, {"starts_at": "0001-01-01T00:00", "ends_at": "2030-01-01T08:00"},
                               content_type=JSON).status_code
        assert not DutyShift.objects.exists()
        now = timezone.now()
        shift = DutyShift.objects.create(member=member, starts_at=now, ends_at=now + dt.timedelta(hours=1))
        assert 400 == api.delete(f"/api/incidents/shifts/{shift.pk}", {"x": "y" * 2000},
                                 content_type=JSON).status_code
        assert 204 == api.delete(f"/api/incidents/shifts/{shift.pk}").status_code
        assert not DutyShift.objects.exists()

    def test_other_tenant_is_404(self, tenants: Any) -> None:
        """Group B's manager can neither change, put on duty nor remove hospital A's member or shift."""
        member = _member(tenants.hospital_a)
        now = timezone.now()
        shift = DutyShift.objects.create(member=member, starts_at=now, ends_at=now + dt.timedelta(hours=1))
        api = api_client(tenants.outsider)
        assert 404 == api.patch(f"/api/incidents/members/{member.pk}", {"name": "Spy"}, content_type=JSON).status_code
        assert 404 == api.post(f"/api/incidents/members/{member.pk}/shifts",
                               {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T20:00"},
                               content_type=JSON).status_code
        assert 404 == api.delete(f"/api/incidents/shifts/{shift.pk}").status_code
        assert 404 == api.delete(f"/api/incidents/members/{member.pk}").status_code
        assert 1 == DutyShift.objects.count()
        assert "Ciso A" == CrisisMember.objects.get().name


class TestTemplates:
    """Communication templates."""

    def test_add_change_remove(self, tenants: Any) -> None:
        """Add, change the title only, refuse a duplicate audience and title, remove."""
        node = tenants.hospital_a
        api = api_client(tenants.users["manager"])
        url = f"/api/incidents/cells/{node.pk}/templates"
        body = {"audience": "press", "title": "Press release", "body": "{establishment} runs in degraded mode."}
        response = api.post(url, body, content_type=JSON)
        assert 201 == response.status_code, response.content
        template_id = response.json()["id"]
        duplicate = api.post(url, body, content_type=JSON)
        assert 422 == duplicate.status_code
        assert "title" in duplicate.json()["detail"]
        response = api.patch(f"/api/incidents/templates/{template_id}", {"title": "Press note"}, content_type=JSON)
        assert 200 == response.status_code, response.content
        assert ("Press note", body["body"]) == (response.json()["title"], response.json()["body"])
        assert 422 == api.patch(f"/api/incidents/templates/{template_id}", {"audience": "aliens"},
                                content_type=JSON).status_code
        assert 204 == api.delete(f"/api/incidents/templates/{template_id}").status_code
        assert not CommunicationTemplate.objects.exists()

    def test_other_tenant_is_404(self, tenants: Any) -> None:
        """Group B's manager cannot change or remove hospital A's template."""
        template = CommunicationTemplate.objects.create(node=tenants.hospital_a, audience="staff", title="T", body="B")
        api = api_client(tenants.outsider)
        assert 404 == api.patch(f"/api/incidents/templates/{template.pk}", {"title": "X"},
                                content_type=JSON).status_code
        assert 404 == api.delete(f"/api/incidents/templates/{template.pk}").status_code
        assert "T" == CommunicationTemplate.objects.get().title


class TestKits:
    """Generate, list and download kits."""

    def test_generate_list_download(self, tenants: Any) -> None:
        """Generate now (201), listed for the node, HTML and PDF as attachments; a viewer may not generate."""
        node = tenants.hospital_a
        _member(node, name="Director Kit")
        assert 403 == api_client(tenants.users["viewer"]).post(f"/api/incidents/cells/{node.pk}/kits").status_code
        api = api_client(tenants.users["analyst"])
        response = api.post(f"/api/incidents/cells/{node.pk}/kits")
        assert 201 == response.status_code, response.content
        kit = response.json()
        assert kit["html_size"] > 0
        assert kit["pdf_size"]
        assert [kit["id"]] == [k["id"] for k in api.get(f"/api/incidents/kits/?node_id={node.pk}").json()["items"]]
        html = api.get(f"/api/incidents/kits/{kit['id']}/html")
        assert 200 == html.status_code
        assert "attachment" in html["Content-Disposition"]
        assert "Director Kit" in b"".join(html.streaming_content).decode()
        pdf = api.get(f"/api/incidents/kits/{kit['id']}/pdf")
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    def test_bad_input_and_other_tenant(self, tenants: Any) -> None:
        """Body on generate: 400; a kit without its file, another tenant's kit: 404; a foreign node filter: none."""
        kit = CrisisKit.objects.create(node=tenants.hospital_a, html_sha256="0" * 64, html_size=1)
        api = api_client(tenants.users["manager"])
        assert 400 == api.post(f"/api/incidents/cells/{tenants.hospital_a.pk}/kits", {"pdf": "x" * 2000},
                               content_type=JSON).status_code
        assert 404 == api.get(f"/api/incidents/kits/{kit.pk}/html").status_code
        assert 404 == api.get(f"/api/incidents/kits/{kit.pk}/pdf").status_code
        assert 0 == api.get(f"/api/incidents/kits/?node={tenants.hospital_b.pk}").json()["count"]
        assert 1 == api.get("/api/incidents/kits/").json()["count"]
        outsider = api_client(tenants.outsider)
        assert 0 == outsider.get("/api/incidents/kits/").json()["count"]
        assert 404 == outsider.get(f"/api/incidents/kits/{kit.pk}/html").status_code
        assert 404 == outsider.post(f"/api/incidents/cells/{tenants.hospital_a.pk}/kits").status_code
        assert 1 == CrisisKit.objects.count()
