"""Helpers of the case tests (declarations, timeline, statistics, API, CLI): an incident on hospital A."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from hygie.apps.accounts.models import ApiToken

__all__ = ["api_client", "hours_ago", "open_case"]


def hours_ago(hours: float) -> dt.datetime:
    """A time ``hours`` before now (the clocks run on real time; a fixed date could be in the future)."""
    return timezone.now() - dt.timedelta(hours=hours)


def open_case(tenants: Any, *, hours: float = 10, node: Any = None, user: Any = None, **fields: Any) -> Any:
    """A ransomware incident handled by hospital A (or ``node``), aware ``hours`` ago, through the service."""
    from hygie.apps.incidents.services import open_incident

    fields.setdefault("kind", "ransomware")
    fields.setdefault("title", "Ransomware at the imaging department")
    return open_incident(node=node or tenants.hospital_a, user=user or tenants.users["manager"],
                         aware_at=hours_ago(hours), **fields)


def api_client(user: Any) -> Client:
    """A client authenticated with a bearer token of ``user``."""
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})
