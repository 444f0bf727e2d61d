"""The crisis log in the web UI: entries and corrections are added, never edited nor deleted."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hygie.apps.incidents.models import IncidentKind, LogEntry, LogEntryKind
from hygie.apps.incidents.services import add_log_entry, open_incident


@pytest.fixture
def incident(tenants: Any) -> Any:
    """A ransomware incident at hospital A, aware two hours ago."""
    return open_incident(node=tenants.hospital_a, user=tenants.users["analyst"], title="Ransomware",
                         kind=IncidentKind.RANSOMWARE, aware_at=timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """A logged-in analyst of group A."""
    client = Client()
    client.force_login(tenants.users["analyst"])
    return client


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _log_section(html: str) -> str:
    start = html.index('id="crisis-log-section"')
    return html[start:html.index("</section>", start)]


class TestAppendOnlyThroughTheUi:
    """No route, no control and no request changes or removes an entry."""

    def test_no_route_edits_or_deletes_an_entry(self) -> None:
        """The app's only log route adds; edit/delete names do not exist."""
        from hygie.apps.incidents import urls

        log_routes = [p.name for p in urls.urlpatterns if p.name and ("log" in p.name or "entry" in p.name)]
        assert ["log_add"] == log_routes
        for name in ("log_edit", "log_delete", "logentry_edit", "logentry_delete", "entry_edit", "entry_delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"incidents:{name}", args=[1])

    def test_other_methods_and_entry_urls_are_refused(self, incident: Any, analyst: Client) -> None:
        """PUT/PATCH/DELETE on the log route answer 405; an entry URL does not exist; nothing changes."""
        entry = LogEntry.objects.get(incident=incident)
        url = reverse("incidents:log_add", args=[incident.pk])
        for method in ("put", "patch", "delete"):
            assert 405 == getattr(analyst, method)(url, "text=changed").status_code
        for guessed in (f"/incidents/{incident.pk}/log/{entry.pk}/", f"/incidents/log/{entry.pk}/",
                        f"/incidents/log/{entry.pk}/delete/", f"/incidents/{incident.pk}/log/{entry.pk}/delete/"):
            assert 404 == analyst.post(guessed, {"text": "changed"}).status_code
        entry.refresh_from_db()
        assert "changed" not in entry.text
        assert 1 == LogEntry.objects.filter(incident=incident).count()

    def test_page_has_no_edit_or_delete_control_for_entries(self, incident: Any, analyst: Client) -> None:
        """The log lists entries with a "Correct" link only; its one form adds."""
        section = _log_section(analyst.get(incident.get_absolute_url()).content.decode())
        listing = section[section.index('id="crisis-log"'):]
        assert "Correct" in listing
        assert "<form" not in listing
        assert not re.search(r"hx-(put|patch|delete)|>\s*(Edit|Delete|Remove)\s*<", section)
        actions = re.findall(r'<form[^>]*action="([^"]+)"', section)
        assert [reverse("incidents:log_add", args=[incident.pk])] == actions


class TestAddingEntries:
    """The add form at the top of the log, with and without HTMX."""

    def test_htmx_post_returns_the_log_with_the_entry(self, incident: Any, analyst: Client, tenants: Any) -> None:
        """An HTMX post answers the log section, the new entry in it and an empty form."""
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.DECISION, "text": "Cut the VPN."}, HTTP_HX_REQUEST="true")
        assert 200 == response.status_code
        text = response.content.decode()
        assert text.lstrip().startswith('<section id="crisis-log-section">')
        assert "Cut the VPN." in text
        assert 'id="log-form"' in text
        assert LogEntry.objects.filter(incident=incident, text="Cut the VPN.", author=tenants.users["analyst"]).exists()

    def test_plain_post_redirects_to_the_log(self, incident: Any, analyst: Client) -> None:
        """Without HTMX the page is reloaded at the log."""
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.ACTION, "text": "Called the provider.",
                                 "occurred_at": _local(timezone.now() - dt.timedelta(minutes=30))})
        assert 302 == response.status_code
        assert response["Location"].endswith("#crisis-log")
        assert "Called the provider." in analyst.get(incident.get_absolute_url()).content.decode()

    def test_time_in_the_future_is_refused(self, incident: Any, analyst: Client) -> None:
        """A future time is a form error; nothing is stored."""
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.DECISION, "text": "Later.",
                                 "occurred_at": _local(timezone.now() + dt.timedelta(hours=3))})
        assert 400 == response.status_code
        assert "This time is in the future." in response.content.decode()
        assert not LogEntry.objects.filter(text="Later.").exists()

    def test_htmx_refusal_shows_the_errors_in_place(self, incident: Any, analyst: Client) -> None:
        """An HTMX post with an empty text answers the section with the error (200, so htmx swaps it)."""
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.DECISION, "text": " "}, HTTP_HX_REQUEST="true")
        assert 200 == response.status_code
        assert "errorlist" in response.content.decode()
        assert 1 == LogEntry.objects.filter(incident=incident).count()

    def test_a_viewer_sees_no_form(self, incident: Any, tenants: Any) -> None:
        """Without the add right the log is read-only on screen too."""
        client = Client()
        client.force_login(tenants.users["viewer"])
        text = client.get(incident.get_absolute_url()).content.decode()
        assert 'id="crisis-log"' in text
        assert 'id="log-form"' not in text


class TestCorrections:
    """A correction is a new entry shown next to the entry it corrects."""

    def test_correct_opens_the_form_on_the_entry(self, incident: Any, analyst: Client) -> None:
        """The HTMX form and the no-JavaScript page both name the entry corrected."""
        entry = LogEntry.objects.get(incident=incident)
        url = reverse("incidents:log_add", args=[incident.pk])
        fragment = analyst.get(url, {"corrects": entry.pk}).content.decode()
        assert f'name="corrects" value="{entry.pk}"' in fragment
        assert 'data-testid="correcting"' in fragment
        assert '<input type="hidden" name="kind" value="correction">' in fragment
        page = analyst.get(incident.get_absolute_url(), {"corrects": entry.pk}).content.decode()
        assert f'name="corrects" value="{entry.pk}"' in page

    def test_correction_is_stored_and_shown_under_its_entry(self, incident: Any, analyst: Client) -> None:
        """Posting with ``corrects`` adds a correction; the original stays as written."""
        entry = add_log_entry(incident, kind=LogEntryKind.DECISION, text="Shut down the PACS.",
                              user=None, author_name="director")
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.DECISION, "text": "It was the RIS, not the PACS.",
                                 "corrects": entry.pk})
        assert 302 == response.status_code
        fix = LogEntry.objects.get(corrects=entry)
        assert LogEntryKind.CORRECTION == fix.kind
        entry.refresh_from_db()
        assert "Shut down the PACS." == entry.text
        text = analyst.get(incident.get_absolute_url()).content.decode()
        assert f'data-corrects="{entry.pk}"' in text
        assert text.index("Shut down the PACS.") < text.index("It was the RIS, not the PACS.")

    def test_correcting_another_incidents_entry_is_refused(self, incident: Any, analyst: Client,
                                                           tenants: Any) -> None:
        """``corrects`` names an entry of this incident only; nothing stored otherwise."""
        other = open_incident(node=tenants.hospital_a, user=None, title="Other", kind=IncidentKind.OUTAGE,
                              aware_at=timezone.now() - dt.timedelta(hours=1))
        foreign = LogEntry.objects.get(incident=other)
        before = LogEntry.objects.count()
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.DECISION, "text": "Wrong target.", "corrects": foreign.pk})
        assert 400 == response.status_code
        assert before == LogEntry.objects.count()

    def test_a_correction_kind_without_an_entry_is_refused(self, incident: Any, analyst: Client) -> None:
        """Choosing "correction" by hand without naming an entry is a form error."""
        response = analyst.post(reverse("incidents:log_add", args=[incident.pk]),
                                {"kind": LogEntryKind.CORRECTION, "text": "Loose correction."})
        assert 400 == response.status_code
        assert not LogEntry.objects.filter(text="Loose correction.").exists()
