"""The findings workflow: transitions, justification, owner, history and expiry of acceptances."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hygie.apps.accounts.audit import acting_as
from hygie.apps.accounts.models import AuditEvent
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.tests.factories import stored_finding
from hygie.apps.findings.workflow import change_finding, expire_acceptances, transition_allowed

S = FindingStatus


class TestTransitions:
    """Allowed moves are explicit."""

    def test_closed_findings_only_reopen(self) -> None:
        """A fixed finding can be reopened, not accepted as a risk."""
        assert (True, False) == (transition_allowed(S.FIXED, S.OPEN), transition_allowed(S.FIXED, S.RISK_ACCEPTED))

    def test_refused_transition_changes_nothing(self, tenants: Any) -> None:
        """False positive -> in remediation is refused with a reason and nothing is written."""
        finding = stored_finding(tenants.hospital_a, status=S.FALSE_POSITIVE, justification="Test host")
        with pytest.raises(ValidationError) as caught:
            change_finding(finding, actor=tenants.users["analyst"], status=S.IN_REMEDIATION)
        assert ["status"] == list(caught.value.message_dict)
        assert 0 == finding.events.count()


class TestChangeFinding:
    """A change saves the finding, writes a history event and an audit event."""

    def test_start_remediation(self, tenants: Any) -> None:
        """Open -> in remediation with an owner and a due date, recorded in history and audit log."""
        finding = stored_finding(tenants.hospital_a)
        analyst = tenants.users["analyst"]
        due = timezone.localdate() + dt.timedelta(days=30)
        with acting_as(analyst, "web"):
            event = change_finding(finding, actor=analyst, status=S.IN_REMEDIATION, owner=tenants.users["manager"],
                                   due_date=due, comment="Planned for next window")
        finding.refresh_from_db()
        assert (S.IN_REMEDIATION, tenants.users["manager"], due) == (finding.status, finding.owner, finding.due_date)
        assert (S.OPEN, S.IN_REMEDIATION, "Planned for next window") == (event.from_status, event.to_status,
                                                                         event.comment)
        assert ["manager_a"] == [event.changes["owner"][1]]
        audit = AuditEvent.objects.filter(object_type="findings.Finding", object_id=str(finding.pk), action="update")
        assert 1 == audit.count()
        assert "analyst_a" == audit.get().actor_name

    def test_risk_acceptance_needs_justification_and_future_expiry(self, tenants: Any) -> None:
        """Accepting a risk without a reason, or with a past expiry, is refused."""
        finding = stored_finding(tenants.hospital_a)
        with pytest.raises(ValidationError) as caught:
            change_finding(finding, actor=None, status=S.RISK_ACCEPTED,
                           acceptance_expires=timezone.localdate() - dt.timedelta(days=1))
        assert {"justification", "acceptance_expires"} == set(caught.value.message_dict)
        assert S.OPEN == Finding.objects.get(pk=finding.pk).status

    def test_closing_sets_closed_at_and_reopening_clears_it(self, tenants: Any) -> None:
        """Fixed sets closed_at; reopening clears it and the justification."""
        finding = stored_finding(tenants.hospital_a)
        change_finding(finding, actor=None, status=S.FALSE_POSITIVE, justification="Lab machine")
        assert finding.closed_at is not None
        change_finding(finding, actor=None, status=S.OPEN)
        finding.refresh_from_db()
        assert (None, "") == (finding.closed_at, finding.justification)
        assert 2 == finding.events.count()

    def test_owner_from_other_tenant_is_refused(self, tenants: Any) -> None:
        """The outsider holds no role on group A's branch: a clear error, nothing saved."""
        finding = stored_finding(tenants.site_a)
        with pytest.raises(ValidationError) as caught:
            change_finding(finding, actor=None, owner=tenants.outsider)
        assert ["owner"] == list(caught.value.message_dict)
        assert Finding.objects.get(pk=finding.pk).owner is None

    def test_owner_with_role_on_ancestor_is_accepted(self, tenants: Any) -> None:
        """A viewer of group A may own a finding of site A1 (role on an ancestor)."""
        finding = stored_finding(tenants.site_a)
        change_finding(finding, actor=None, owner=tenants.users["viewer"])
        assert tenants.users["viewer"] == Finding.objects.get(pk=finding.pk).owner

    def test_nothing_to_change(self, tenants: Any) -> None:
        """A change that changes nothing is refused."""
        finding = stored_finding(tenants.hospital_a)
        with pytest.raises(ValidationError):
            change_finding(finding, actor=None, status=S.OPEN)


class TestExpireAcceptances:
    """Expired risk acceptances reopen."""

    def test_expired_reopens(self, tenants: Any) -> None:
        """Only the acceptance past its expiry date reopens, with a history event."""
        today = timezone.localdate()
        expired = stored_finding(tenants.hospital_a, "expired", status=S.RISK_ACCEPTED, justification="x",
                                 acceptance_expires=today - dt.timedelta(days=1), closed_at=timezone.now())
        valid = stored_finding(tenants.hospital_a, "valid", status=S.RISK_ACCEPTED, justification="x",
                               acceptance_expires=today + dt.timedelta(days=10), closed_at=timezone.now())
        assert 1 == expire_acceptances(today)
        expired.refresh_from_db()
        valid.refresh_from_db()
        assert (S.OPEN, None, S.RISK_ACCEPTED) == (expired.status, expired.closed_at, valid.status)
        assert S.OPEN == expired.events.get().to_status
