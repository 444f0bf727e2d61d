"""Fixtures of the exposure engine's tests: one namespace lab per test worker, servers started on demand.

Each family of servers lives in its own module (``lab_*.py``) and takes addresses from its own
block of the lab's /24, so the families never collide:

- ``lab_web``: .10-.19 (nginx: TLS, HTTP, edge-device pages)
- ``lab_remote``: .20-.29 (OpenSSH, vsftpd, xrdp, Samba)
- ``lab_data``: .30-.39 (DICOM, MLLP, PostgreSQL, MariaDB, Redis, memcached)
- ``lab_dns``: .50-.59 (BIND serving the lab zones)
- scanner and audit tests: .100-.199
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hygie.engines.exposure.tests.lab_data import *  # noqa: F403 - fixtures
from hygie.engines.exposure.tests.lab_dns import *  # noqa: F403 - fixtures
from hygie.engines.exposure.tests.lab_remote import *  # noqa: F403 - fixtures
from hygie.engines.exposure.tests.lab_web import *  # noqa: F403 - fixtures
from hygie.engines.exposure.tests.netlab import NetLab, lab_or_skip


@pytest.fixture(scope="session")
def netlab() -> Iterator[NetLab]:
    """The worker's namespace lab (skips with the reason when it cannot be built here)."""
    with lab_or_skip() as lab:
        yield lab
