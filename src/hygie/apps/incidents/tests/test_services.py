"""The case services added for the API and CLI: case fields, indicators, tasks; each refusal stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.apps.incidents.models import Incident, IncidentTask, Indicator, LogEntry
from hygie.apps.incidents.services import (
    IncidentError,
    add_indicator,
    add_task,
    open_incident,
    set_status,
    update_incident,
    update_task,
)

from .support_cases import hours_ago, open_case


class TestOpen:
    """Opening refuses bad times and objects outside the handling node's tree."""

    def test_future_awareness(self, tenants: Any) -> None:
        """A time of awareness in the future: refused, nothing stored."""
        with pytest.raises(IncidentError, match="future"):
            open_case(tenants, hours=-3)
        assert 0 == Incident.objects.count()

    def test_foreign_establishment(self, tenants: Any) -> None:
        """Hospital B is not in hospital A's tree."""
        with pytest.raises(IncidentError, match="does not belong"):
            open_incident(node=tenants.hospital_a, user=None, title="x", kind="ransomware", aware_at=hours_ago(1),
                          establishments=[tenants.hospital_b])
        assert 0 == Incident.objects.count()


class TestUpdateIncident:
    """Fields of the case."""

    def test_changes_are_logged(self, tenants: Any) -> None:
        """Changed fields are saved and named in a log entry; unchanged ones log nothing."""
        incident = open_case(tenants)
        update_incident(incident, user=tenants.users["manager"], causes="VPN", severity=4)
        incident.refresh_from_db()
        assert ("VPN", 4) == (incident.causes, incident.severity)
        entry = LogEntry.objects.filter(incident=incident).last()
        assert entry is not None
        assert "causes" in entry.text
        count = LogEntry.objects.count()
        update_incident(incident, user=None, causes="VPN")
        assert count == LogEntry.objects.count()

    def test_refusals(self, tenants: Any) -> None:
        """Unknown field, a start after awareness, a start in the future: refused, unchanged."""
        incident = open_case(tenants, hours=5)
        with pytest.raises(IncidentError, match="cannot be changed"):
            update_incident(incident, user=None, aware_at=hours_ago(1))
        with pytest.raises(IncidentError, match="start after"):
            update_incident(incident, user=None, occurred_at=hours_ago(1))
        with pytest.raises(IncidentError, match="future"):
            update_incident(incident, user=None, occurred_at=hours_ago(-1))
        incident.refresh_from_db()
        assert incident.occurred_at is None


class TestIndicatorsAndTasks:
    """Indicators of compromise and tasks."""

    def test_indicator_once(self, tenants: Any) -> None:
        """The same kind and value twice is refused; a bad kind is refused."""
        incident = open_case(tenants)
        add_indicator(incident, kind="ip", value=" 203.0.113.7 ", user=None)
        with pytest.raises(IncidentError):
            add_indicator(incident, kind="ip", value="203.0.113.7", user=None)
        with pytest.raises(IncidentError):
            add_indicator(incident, kind="smell", value="x", user=None)
        assert ["203.0.113.7"] == list(Indicator.objects.values_list("value", flat=True))

    def test_task_owner_must_see_the_incident(self, tenants: Any) -> None:
        """Group B's manager cannot own a task of hospital A's incident."""
        incident = open_case(tenants)
        with pytest.raises(IncidentError, match="owner"):
            add_task(incident, user=None, title="x", owner=tenants.outsider)
        assert 0 == IncidentTask.objects.count()

    def test_task_done_is_stamped_and_logged(self, tenants: Any) -> None:
        """Done: done_at set, one log entry; reopened: done_at cleared; done before awareness refused."""
        incident = open_case(tenants, hours=5)
        task = add_task(incident, user=None, title="Call the insurer", owner=tenants.users["analyst"])
        update_task(task, user=tenants.users["manager"], status="done")
        assert task.done_at is not None
        assert LogEntry.objects.filter(incident=incident, text="Task done: Call the insurer.").exists()
        update_task(task, user=None, status="todo")
        assert task.done_at is None
        with pytest.raises(IncidentError, match="before the time of awareness"):
            update_task(task, user=None, status="done", done_at=hours_ago(6))
        task.refresh_from_db()
        assert "todo" == task.status

    def test_status_recovered(self, tenants: Any) -> None:
        """A status change can stamp the recovery time."""
        incident = open_case(tenants, hours=5)
        at = hours_ago(1)
        set_status(incident, "recovering", user=None, at=at, recovered=True)
        assert at == Incident.objects.get(pk=incident.pk).recovered_at
