"""The perimeter is enforced end to end: a refused target never receives a packet.

Two independent witnesses: the lab kernel's count of TCP segments received (``Tcp: InSegs``) and a
Python audit hook that records every ``socket.connect`` the test process makes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hygie.engines.exposure.audit import AuditRequest, ExposureError, plan_targets, run_audit
from hygie.engines.exposure.perimeter import Perimeter
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.tests.netlab import NetLab

pytestmark = pytest.mark.lab

_CONNECTS: list[Any] = []
_RECORDING: list[bool] = [False]


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _RECORDING[0]:
        _CONNECTS.append(args[1])


sys.addaudithook(_hook)


@pytest.fixture
def connects() -> Iterator[list[Any]]:
    """Every address the test process connects to while the test runs."""
    _CONNECTS.clear()
    _RECORDING[0] = True
    try:
        yield _CONNECTS
    finally:
        _RECORDING[0] = False


_LISTENER = """
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((sys.argv[1], int(sys.argv[2])))
server.listen(64)
while True:
    connection, _ = server.accept()
    connection.close()
"""


@pytest.fixture(scope="module")
def listeners(netlab: NetLab) -> tuple[str, str]:
    """Two lab addresses with an SSH-like port open: one to allow, one to exclude."""
    allowed, excluded = netlab.add_address(181), netlab.add_address(180)
    for address in (allowed, excluded):
        netlab.start(f"listener-{address}", [sys.executable, "-c", _LISTENER, address, "2222"], ready=(address, 2222))
    return allowed, excluded


def _perimeter(netlab: NetLab, *, excluded: str, hours: float = 1.0) -> Perimeter:
    return Perimeter.parse(
        [str(netlab.network)],
        exclusions=[excluded],
        authorised_by="RSSI du CH de test",
        valid_until=datetime.now(tz=UTC) + timedelta(hours=hours),
    )


_FAST = ScanPolicy(rate=1000, connect_timeout=0.5, retries=0, probe_timeout=2.0)


def test_excluded_target_is_refused_and_receives_nothing(
    netlab: NetLab, listeners: tuple[str, str], connects: list[Any]
) -> None:
    """Excluded target is refused and receives nothing."""
    _, excluded = listeners
    before = netlab.tcp_segments_received()
    with pytest.raises(ExposureError, match="exclusion"):
        run_audit(
            AuditRequest(targets=(excluded,), ports=(2222, 22, 80), policy=_FAST),
            perimeter=_perimeter(netlab, excluded=excluded),
        )
    assert netlab.tcp_segments_received() == before
    assert connects == []


def test_target_outside_every_range_is_refused_before_any_packet(netlab: NetLab, connects: list[Any]) -> None:
    """Target outside every range is refused before any packet."""
    outside = "192.0.2.10"  # TEST-NET-1: not in the lab, not in the perimeter
    with pytest.raises(ExposureError, match="outside every declared range"):
        run_audit(
            AuditRequest(targets=(outside, "192.0.2.0/28"), ports=(443,), policy=_FAST),
            perimeter=_perimeter(netlab, excluded=netlab.address(180)),
        )
    assert connects == []


def test_expired_authorisation_refuses_everything(netlab: NetLab, connects: list[Any]) -> None:
    """Expired authorisation refuses everything."""
    perimeter = _perimeter(netlab, excluded=netlab.address(180), hours=-1)
    with pytest.raises(ExposureError, match="authorisation"):
        run_audit(AuditRequest(targets=(netlab.address(181),), ports=(2222,), policy=_FAST), perimeter=perimeter)
    assert connects == []


def test_mixed_targets_scan_only_the_allowed_ones(
    netlab: NetLab, listeners: tuple[str, str], connects: list[Any]
) -> None:
    """Mixed targets scan only the allowed ones."""
    allowed, excluded = listeners
    result = run_audit(
        AuditRequest(targets=(allowed, excluded, "192.0.2.10"), ports=(2222, 2223), policy=_FAST),
        perimeter=_perimeter(netlab, excluded=excluded),
    )
    assert [host.address for host in result.hosts] == [allowed]
    assert [service.port for service in result.hosts[0].services] == [2222]
    refused = {item["target"]: item["reason"] for item in result.refused}
    assert set(refused) == {excluded, "192.0.2.10"}
    assert "exclusion" in refused[excluded]
    touched = {address[0] for address in connects if isinstance(address, tuple)}
    assert touched == {allowed}


def test_a_range_overlapping_an_exclusion_is_refused_whole(netlab: NetLab, listeners: tuple[str, str]) -> None:
    """A range overlapping an exclusion is refused whole."""
    _, excluded = listeners
    plan = plan_targets(
        AuditRequest(targets=(f"{netlab.address(176)}/29",)),
        _perimeter(netlab, excluded=excluded),
        datetime.now(tz=UTC),
    )
    assert plan.addresses == []
    assert "overlaps the exclusion" in plan.refused[0]["reason"]


def test_a_domain_not_declared_is_not_audited(netlab: NetLab) -> None:
    """A domain not declared is not audited."""
    plan = plan_targets(
        AuditRequest(targets=(), domains=("example.org",)),
        _perimeter(netlab, excluded=netlab.address(180)),
        datetime.now(tz=UTC),
    )
    assert plan.domains == []
    assert "not a domain declared" in plan.refused[0]["reason"]
