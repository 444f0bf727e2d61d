"""Query-count baselines of the main pages and API lists: catch N+1 regressions (NetBox style).

Each view is requested with a small and a larger data set: the number of SQL queries must be the
same for both (it must not grow with the rows shown) and must not exceed the count pinned in
``tests/query_counts.json``. When a change legitimately lowers or raises a count, rewrite the
file with ``HYGIE_UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py`` and commit it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hygie.apps.directory.models import DirectoryAudit
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.inventory.models import Application, Asset
from hygie.apps.organizations.models import Node, NodeKind
from hygie.testing import Tenants

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("HYGIE_UPDATE_QUERY_COUNTS") == "1"
SMALL, LARGE = 3, 30

# The data below are created for tenant A; tenant B gets a few rows too, so that restriction works.
VIEWS: dict[str, Callable[[Tenants], str]] = {
    "group_dashboard": lambda t: f"/organizations/{t.group_a.pk}/",
    "establishment_dashboard": lambda t: f"/organizations/{t.hospital_a.pk}/",
    "node_list": lambda _t: "/organizations/",
    "asset_list": lambda _t: "/inventory/assets/",
    "asset_detail": lambda t: f"/inventory/assets/{Asset.objects.filter(node=t.site_a).order_by('pk')[0].pk}/",
    "application_list": lambda _t: "/inventory/applications/",
    "finding_list": lambda _t: "/findings/",
    "finding_detail": lambda t: f"/findings/{Finding.objects.filter(node=t.hospital_a).order_by('pk')[0].pk}/",
    "api_finding_list": lambda _t: "/api/findings/",
    "api_asset_list": lambda _t: "/api/inventory/assets",
    "directory_audit_list": lambda _t: "/directory/",
    "directory_audit_detail": lambda t: f"/directory/{DirectoryAudit.objects.filter(node=t.hospital_a)[0].pk}/",
    "api_directory_audit_list": lambda _t: "/api/directory/audits",
}


def populate(tenants: Tenants, upto: int) -> None:
    """Grow tenant A to ``upto`` sites, assets, applications and findings (all linked together)."""
    owner = tenants.users["analyst"]
    start = Asset.objects.filter(node=tenants.site_a).count()
    for i in range(start, upto):
        Node.objects.create(kind=NodeKind.SITE, name=f"Site A-{i}", parent=tenants.hospital_a)
        asset = Asset.objects.create(node=tenants.site_a, name=f"asset-a-{i}", kind="server",
                                     ip_addresses=[f"10.0.0.{i + 1}"])
        app = Application.objects.create(node=tenants.hospital_a, name=f"app-a-{i}", category="other")
        app.assets.add(asset, *Asset.objects.filter(node=tenants.site_a).order_by("pk")[:1])
        previous = Application.objects.filter(node=tenants.hospital_a).exclude(pk=app.pk).first()
        if previous is not None:
            app.depends_on.add(previous)
        first_asset = Asset.objects.filter(node=tenants.site_a).order_by("pk")[0]
        _directory_audit(tenants.hospital_a, i)
        Finding.objects.create(
            node=tenants.hospital_a, source="manual", check_id=f"manual.check_{i}", fingerprint=f"a{i}",
            title=f"finding a {i}", severity=i % 5, status=FindingStatus.IN_REMEDIATION if i % 2 else "open",
            owner=owner, asset=first_asset if i % 2 else asset,
        )
    if not Asset.objects.filter(node=tenants.hospital_b).exists():
        Asset.objects.create(node=tenants.hospital_b, name="asset-b", kind="server")
        Finding.objects.create(node=tenants.hospital_b, source="manual", check_id="manual.b", fingerprint="b",
                               title="finding b", severity=3)


def _directory_audit(node: Node, i: int) -> None:
    """A finished directory audit of the same domain, one month after the previous one."""
    finding = {"check_id": f"directory.check_{i}", "title": f"check {i}", "severity": "high", "anssi": ["vuln_x"],
               "objects": [{"kind": "User", "name": f"U{i}@CHU.LOCAL"}]}
    DirectoryAudit.objects.create(
        node=node, domain="CHU.LOCAL", domains=["CHU.LOCAL"], source="upload", status="succeeded", level=2,
        score=40 + i, finding_count=1, collected=timezone.now() - dt.timedelta(days=30 * (LARGE - i)),
        result={"level": 2, "score": 40 + i, "categories": {}, "findings": [finding], "not_evaluated": []})


def count_queries(client: Client, url: str) -> int:
    """Queries of one GET of ``url`` (after a warm-up GET, so one-off caches do not count)."""
    warm = client.get(url)
    assert 200 == warm.status_code, f"{url} answered {warm.status_code}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert 200 == response.status_code
    return len(captured.captured_queries)


@contextlib.contextmanager
def locked_baseline() -> Iterator[dict[str, int]]:
    """The baseline, read and (in update mode) rewritten under a lock: xdist workers share the file."""
    BASELINE.touch(exist_ok=True)
    with BASELINE.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        counts: dict[str, int] = json.loads(text) if text.strip() else {}
        yield counts
        if UPDATE:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")


class TestQueryCounts:
    """Every main view runs a fixed number of queries, independent of the rows, within its baseline."""

    @pytest.mark.parametrize("view", sorted(VIEWS))
    def test_view(self, tenants: Tenants, view: str) -> None:
        """Same count with 3 and 30 rows of each kind; no more than the pinned count."""
        client = Client()
        client.force_login(tenants.users["manager"])
        populate(tenants, SMALL)
        small = count_queries(client, VIEWS[view](tenants))
        populate(tenants, LARGE)
        large = count_queries(client, VIEWS[view](tenants))
        assert small == large, (
            f"{view}: {small} queries with {SMALL} rows but {large} with {LARGE}: the count grows with the "
            "rows (an N+1 query: add select_related/prefetch_related)"
        )
        with locked_baseline() as counts:
            pinned = counts.get(view)
            if UPDATE:
                counts[view] = large
                return
        assert pinned is not None, (
            f"{view} has no pinned query count; run HYGIE_UPDATE_QUERY_COUNTS=1 pytest {__file__}"
        )
        assert large <= pinned, (
            f"{view} regressed: {large} queries, {pinned} pinned in {BASELINE.name} (N+1 or an extra query). "
            "Fix it, or if the new query is intended, run HYGIE_UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py"
        )
        if large < pinned:
            warnings.warn(
                f"{view} now runs {large} queries instead of {pinned}: lower the baseline with "
                "HYGIE_UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py",
                stacklevel=1,
            )


def test_baseline_lists_every_view() -> None:
    """The pinned file names exactly the views measured (no stale entries)."""
    with locked_baseline() as counts:
        names = set(counts)
    assert UPDATE or set(VIEWS) == names, f"{BASELINE.name} lists {sorted(names)}, expected {sorted(VIEWS)}"
