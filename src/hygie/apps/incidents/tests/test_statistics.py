"""Statistics per node and subtree: counts, time to report and to recover, overdue clocks, restricted to the user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hygie.apps.incidents.services import record_obligation, set_status
from hygie.apps.incidents.statistics import Durations, incident_statistics

from .support_cases import hours_ago, open_case


class TestStatistics:
    """Per group and per region: run on that node."""

    def test_counts_and_durations(self, tenants: Any) -> None:
        """Two incidents at hospital A, one at hospital B; the group A view counts A's only."""
        user = tenants.users["manager"]
        first = open_case(tenants, hours=50)
        record_obligation(first, "cert_sante", done_at=first.aware_at + dt.timedelta(hours=2), reference="CS",
                          user=user)
        set_status(first, "recovering", user=user, at=first.aware_at + dt.timedelta(hours=40), recovered=True)
        second = open_case(tenants, hours=30, kind="outage", title="Power cut", severity=2)
        record_obligation(second, "cert_sante", done_at=second.aware_at + dt.timedelta(hours=6), reference="CS2",
                          user=user)
        open_case(tenants, hours=5, node=tenants.hospital_b, user=tenants.outsider, title="B's")
        result = incident_statistics(tenants.group_a, user)
        assert 2 == result.total
        assert {"outage": 1, "ransomware": 1} == result.by_kind
        assert {"high": 1, "medium": 1} == result.by_severity
        assert {"open": 1, "recovering": 1} == result.by_status
        assert {"Hospital A": 2} == result.by_establishment
        assert Durations(2, 4.0, 6.0) == result.time_to_report
        assert Durations(1, 40.0, 40.0) == result.time_to_recover
        # The ARS clock of both (target 24 h) is overdue, among others.
        assert result.overdue_clocks >= 2

    def test_region_sees_what_the_user_sees(self, tenants: Any) -> None:
        """On the region, group A's manager still counts only group A's incidents; B's manager only B's."""
        open_case(tenants)
        open_case(tenants, node=tenants.hospital_b, user=tenants.outsider, title="B's")
        assert 1 == incident_statistics(tenants.region, tenants.users["manager"]).total
        assert 1 == incident_statistics(tenants.region, tenants.outsider).total
        assert 2 == incident_statistics(tenants.region, tenants.superuser).total
        assert 0 == incident_statistics(tenants.region, tenants.no_role).total

    def test_empty(self, tenants: Any) -> None:
        """No incident: zero counts and no durations."""
        result = incident_statistics(tenants.hospital_a, tenants.users["viewer"]).to_dict()
        assert (0, None, None) == (result["total"], result["time_to_report"]["median_hours"],
                                   result["time_to_recover"]["max_hours"])

    def test_since(self, tenants: Any) -> None:
        """``since`` keeps incidents aware since then."""
        open_case(tenants, hours=100)
        open_case(tenants, hours=2, title="Recent")
        assert 1 == incident_statistics(tenants.group_a, tenants.superuser, since=hours_ago(10)).total
