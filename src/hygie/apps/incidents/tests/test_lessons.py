"""Post-incident actions become findings of the register, once each, and are fixed when the action is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hygie.apps.findings.models import Finding, FindingEvent
from hygie.apps.incidents.lessons import CHECK_ID, SOURCE, action_contract, actions_to_findings
from hygie.apps.incidents.models import IncidentTask
from hygie.apps.incidents.services import add_task, update_task

from .support_cases import hours_ago, open_case


class TestLessons:
    """Actions into the findings register."""

    def test_actions_become_findings_once(self, tenants: Any) -> None:
        """One finding per action (response tasks skipped), linked back; a second run adds nothing."""
        user = tenants.users["manager"]
        incident = open_case(tenants)
        due = hours_ago(-24 * 30)
        action = add_task(incident, user=user, kind="action", title="Enforce MFA on the VPN", owner=user, due=due)
        add_task(incident, user=user, kind="response", title="Call the provider")
        found = actions_to_findings(incident, user)
        assert 1 == len(found)
        finding = found[0]
        assert (SOURCE, CHECK_ID, "open", user.pk) == (finding.source, finding.check_id, finding.status,
                                                      finding.owner_id)
        assert tenants.hospital_a.pk == finding.node_id
        assert due.date() - dt.timedelta(days=1) <= finding.due_date <= due.date() + dt.timedelta(days=1)
        assert action_contract(action).fingerprint == finding.fingerprint
        assert finding.pk == IncidentTask.objects.get(pk=action.pk).finding_id
        assert [finding.pk] == [f.pk for f in actions_to_findings(incident, user)]
        assert 1 == Finding.objects.filter(source=SOURCE).count()

    def test_fingerprint_is_the_task(self, tenants: Any) -> None:
        """Two actions with the same title are two findings."""
        incident = open_case(tenants)
        for _ in range(2):
            add_task(incident, user=None, kind="action", title="Same title")
        assert 2 == len(actions_to_findings(incident, None))

    def test_closing_the_task_fixes_the_finding(self, tenants: Any) -> None:
        """The action done: the finding is fixed, with an event in its history."""
        user = tenants.users["manager"]
        incident = open_case(tenants)
        action = add_task(incident, user=user, kind="action", title="Segment the imaging network")
        finding = actions_to_findings(incident, user)[0]
        update_task(IncidentTask.objects.get(pk=action.pk), user=user, status="done")
        finding.refresh_from_db()
        assert "fixed" == finding.status
        assert FindingEvent.objects.filter(finding=finding, to_status="fixed").exists()

    def test_done_action_becomes_a_fixed_finding(self, tenants: Any) -> None:
        """An action already done when put in the register is a fixed finding."""
        incident = open_case(tenants)
        action = add_task(incident, user=None, kind="action", title="Done already")
        update_task(action, user=None, status="done")
        assert "fixed" == actions_to_findings(incident, None)[0].status
