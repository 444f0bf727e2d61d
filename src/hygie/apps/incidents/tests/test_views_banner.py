"""The overdue-clocks banner on every page: who sees it, what it says, what it costs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hygie.apps.incidents.models import Incident, IncidentKind
from hygie.apps.incidents.services import open_incident, record_obligation


def _late(node: Any, title: str, hours: float = 30) -> Incident:
    return open_incident(node=node, user=None, title=title, kind=IncidentKind.RANSOMWARE,
                         aware_at=timezone.now() - dt.timedelta(hours=hours))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _banner(text: str) -> str:
    if 'data-testid="overdue-banner"' not in text:
        return ""
    start = text.index('data-testid="overdue-banner"')
    return text[start:text.index("</div>", start)]


class TestOverdueBanner:
    """Shown on any page to whoever sees an incident with an overdue clock, and to nobody else."""

    def test_named_and_linked_on_another_page(self, tenants: Any) -> None:
        """On the findings list, the banner counts the overdue clocks and links to the incident."""
        incident = _late(tenants.hospital_a, "Ransomware")
        banner = _banner(_client(tenants.users["viewer"]).get(reverse("findings:finding_list")).content.decode())
        assert "regulatory deadlines overdue" in banner
        assert f"Report the incident to CERT Santé (national portal) for {incident.reference}" in banner
        assert f'href="{incident.get_absolute_url()}#clocks" data-obligation="cert_sante"' in banner

    def test_not_shown_to_another_tenant_nor_when_done(self, tenants: Any) -> None:
        """Group B's users see nothing; once every clock is done the banner goes."""
        incident = _late(tenants.hospital_a, "Ransomware")
        assert "" == _banner(_client(tenants.outsider).get(reverse("home")).content.decode())
        viewer = _client(tenants.users["viewer"])
        assert _banner(viewer.get(reverse("home")).content.decode())
        for obligation in ("cert_sante", "ars"):
            record_obligation(incident, obligation, done_at=timezone.now(), reference="done", user=None)
        assert "" == _banner(viewer.get(reverse("home")).content.decode())

    def test_not_shown_for_a_recent_or_closed_incident(self, tenants: Any) -> None:
        """A clock still running is not overdue; a closed incident is not shown."""
        _late(tenants.hospital_a, "Fresh", hours=1)
        closed = _late(tenants.hospital_a, "Old")
        closed.status = "closed"
        closed.save()
        assert "" == _banner(_client(tenants.users["viewer"]).get(reverse("home")).content.decode())

    def test_query_count_does_not_grow_with_incidents(self, tenants: Any) -> None:
        """One incident or six, across two establishments: the same number of queries for the page."""
        from hygie.apps.organizations.models import Node, NodeKind

        client = _client(tenants.users["viewer"])
        url = reverse("findings:finding_list")
        _late(tenants.hospital_a, "First")
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as one:
            first = client.get(url)
        sister = Node.objects.create(kind=NodeKind.ESTABLISHMENT, name="Clinic A2", parent=tenants.group_a)
        for index in range(5):
            _late(sister if index % 2 else tenants.hospital_a, f"More {index}")
        with CaptureQueriesContext(connection) as six:
            second = client.get(url)
        # Each incident has two clocks overdue (CERT Santé and ARS, 24 h each).
        assert "2 regulatory deadlines overdue" in _banner(first.content.decode())
        assert "12 regulatory deadlines overdue" in _banner(second.content.decode())
        assert len(one) == len(six)
