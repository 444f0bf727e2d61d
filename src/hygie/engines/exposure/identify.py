"""Identification: run the registered probes on each open port, politely, and fill the services.

Probes of one service run one after the other (a fragile device sees one probe connection at a
time from us); services of different hosts run in parallel within the audit's concurrency. A probe
that fails records why in ``service.errors`` and never stops the others.
"""

from __future__ import annotations

import asyncio
import struct
from typing import TYPE_CHECKING

from hygie.engines._core import NullProgress, Progress
from hygie.engines.exposure import probes as _probes  # noqa: F401 - registers every probe
from hygie.engines.exposure.connection import ProbeContext, ProbeError
from hygie.engines.exposure.model import Host, Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.ports import port_info
from hygie.engines.exposure.registry import PROBES, probes_for

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["identify", "identify_service", "new_service", "probe_once"]


def new_service(port: int, *, source: str = "scan") -> Service:
    """A service on ``port`` named and categorised from the port catalogue, before any probe."""
    info = port_info(port)
    return Service(port=port, name=info.name, category=info.category, source=source)


async def probe_once(
    probe_id: str,
    address: str,
    service: Service,
    *,
    policy: ScanPolicy,
    rate: RateLimiter,
    gate: HostGate,
    server_name: str | None = None,
) -> None:
    """Run probe ``probe_id`` on ``service``; a failure lands in ``service.errors[probe_id]``."""
    spec = PROBES[probe_id]
    context = ProbeContext(address, service.port, server_name, policy, rate, gate)
    try:
        async with context:
            await asyncio.wait_for(spec.run(context, service), policy.probe_timeout + 1.0)
    except ProbeError as error:
        service.errors[probe_id] = str(error)
    except TimeoutError:
        service.errors[probe_id] = "the probe ran out of time"
    except (OSError, ValueError, UnicodeError, IndexError, KeyError, struct.error) as error:
        # A hostile answer may trip a parser in ways no probe can list: it is a failed probe,
        # recorded with its reason, never a crashed audit.
        service.errors[probe_id] = f"unexpected answer ({type(error).__name__}: {error})"


async def identify_service(
    address: str,
    service: Service,
    *,
    policy: ScanPolicy,
    rate: RateLimiter,
    gate: HostGate,
    server_name: str | None = None,
) -> None:
    """Run every probe that applies to ``service``, in order; a probe that renames the service pulls in its probes."""
    done: set[str] = set()
    while True:
        pending = [spec for spec in probes_for(service) if spec.probe_id not in done]
        if not pending:
            return
        spec = pending[0]
        done.add(spec.probe_id)
        async with gate.semaphore(address):
            await probe_once(
                spec.probe_id, address, service, policy=policy, rate=rate, gate=gate, server_name=server_name
            )


async def identify(
    hosts: Sequence[Host],
    *,
    policy: ScanPolicy,
    rate: RateLimiter | None = None,
    gate: HostGate | None = None,
    names: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> None:
    """Identify every service of ``hosts`` in place; ``names`` maps an address to the name it was declared by."""
    rate = rate or RateLimiter(policy.rate)
    gate = gate or HostGate(policy)
    progress = progress or NullProgress()
    total = sum(len(host.services) for host in hosts)
    progress.start("identify", total)
    limit = asyncio.Semaphore(max(1, min(policy.concurrency, 64)))

    async def one(host: Host, service: Service) -> None:
        async with limit:
            await identify_service(
                host.address,
                service,
                policy=policy,
                rate=rate,
                gate=gate,
                server_name=(names or {}).get(host.address),
            )
        progress.advance(1)

    await asyncio.gather(*(one(host, service) for host in hosts for service in host.services))
