"""The throw-away Samba AD DC of ``tools/with_samba.sh``, as the live LDAP tests see it.

The wrapper provisions and seeds the domain once and exports where it listens; tests only read
it (several pytest workers share it). Without the variables the tests skip and say how to run them.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

__all__ = ["SEED_FILE", "LiveDc", "free_port", "require_live_dc", "seed_manifest"]

#: What the wrapper planted in the domain (objects, their weaknesses, the password policy).
SEED_FILE = Path(__file__).with_name("samba_seed.json")

_SKIP_REASON = (
    "no live Samba AD DC: HYGIE_TEST_LDAP_URL is not set (run the tests under tools/with_samba.sh, "
    "as `make test-postgres` does; it needs Debian's samba-ad-dc, samba-ad-provision and ldb-tools)"
)


@dataclass(frozen=True, slots=True)
class LiveDc:
    """Where the test domain controller listens and how to bind to it as Administrator."""

    url: str
    base: str
    user: str
    password: str = field(repr=False)
    ca_file: Path


def require_live_dc() -> LiveDc:
    """The DC exported by the wrapper; skips the calling test when there is none."""
    url = os.environ.get("HYGIE_TEST_LDAP_URL")
    if not url:
        pytest.skip(_SKIP_REASON)
    return LiveDc(
        url=url,
        base=os.environ["HYGIE_TEST_LDAP_BASE"],
        user=os.environ["HYGIE_TEST_LDAP_USER"],
        password=os.environ["HYGIE_TEST_LDAP_PASSWORD"],
        ca_file=Path(os.environ["HYGIE_TEST_LDAP_CA_FILE"]),
    )


@cache
def seed_manifest() -> dict[str, Any]:
    """The seed manifest, parsed once."""
    manifest: dict[str, Any] = orjson.loads(SEED_FILE.read_bytes())
    return manifest


def free_port() -> int:
    """A loopback port nothing listens on (bound then released), for refused-connection tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
