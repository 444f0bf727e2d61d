"""The budget pages and API lists cost the same number of queries for 2 or 8 projects and applications."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .support import application, project

PAGES = [
    "/budget/nodes/{node}/?year=2026",
    "/budget/nodes/{group}/rollup/?year=2026",
    "/budget/projects/",
    "/budget/applications/",
    "/api/budget/projects",
    "/api/budget/applications",
    "/api/budget/nodes/{node}/summary?year=2026",
]


def _grow(tenants: Any, upto: int) -> None:
    start = len(tenants.hospital_a.it_projects.all())
    for index in range(start, upto):
        funding = application(tenants.hospital_a)
        project(tenants.hospital_a, f"P{index}", 100_000, 1_000 * index, funding=funding)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert 200 == response.status_code, url
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_no_query_per_row(tenants: Any, page: str) -> None:
    """No N+1: the count does not grow with the rows shown."""
    client = Client()
    client.force_login(tenants.users["viewer"])
    url = page.format(node=tenants.hospital_a.pk, group=tenants.group_a.pk)
    _grow(tenants, 2)
    small = _count(client, url)
    _grow(tenants, 8)
    assert small == _count(client, url)
