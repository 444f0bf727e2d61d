"""Small judged scan results written by hand, so every expected finding follows from the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan, ScanStatus
from hygie.apps.exposure.running import store_result
from hygie.engines.exposure.judge import judge
from hygie.engines.exposure.model import Category, Host, ScanResult, Service
from hygie.engines.exposure.registry import JudgeContext

RDP = ("192.0.2.31", 3389, "rdp", Category.REMOTE_ACCESS)
SSH = ("192.0.2.10", 22, "ssh", Category.REMOTE_ACCESS)
WEB = ("192.0.2.10", 443, "https", Category.WEB)
DICOM = ("192.0.2.40", 104, "dicom", Category.MEDICAL)


def result(*services: tuple[str, int, str, Category], when: dt.datetime | None = None) -> ScanResult:
    """A judged result in which ``services`` (address, port, name, category) answered."""
    when = when or timezone.now()
    hosts: dict[str, Host] = {}
    for address, port, name, category in services:
        host = hosts.setdefault(address, Host(address))
        host.services.append(Service(port=port, name=name, category=category, product=name.upper()))
    scan = ScanResult(started_at=when, finished_at=when + dt.timedelta(minutes=1), hosts=list(hosts.values()))
    judge(scan, JudgeContext(now=when))
    return scan


def perimeter(node: Any, name: str = "Internet", **extra: Any) -> ExposurePerimeter:
    """A valid perimeter on ``node`` (192.0.2.0/24, authorised for a year)."""
    values: dict[str, Any] = {
        "entries": "192.0.2.0/24\n*.chu-test.example",
        "authorised_by": "CISO",
        "valid_until": timezone.now() + dt.timedelta(days=365),
        **extra,
    }
    return ExposurePerimeter.objects.create(node=node, name=name, **values)


def stored_scan(
    node: Any, *services: tuple[str, int, str, Category], days_ago: int = 0, perimeter: Any = None
) -> ExposureScan:
    """A finished scan of ``services`` on ``node``, stored like a job would (findings into the register)."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    scan = ExposureScan.objects.create(
        node=node, perimeter=perimeter, label=getattr(perimeter, "name", "test"), status=ScanStatus.RUNNING
    )
    return store_result(scan, result(*services, when=when), now=when)
