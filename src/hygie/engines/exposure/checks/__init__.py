"""Judgement checks, one module per family; importing this package registers them all."""

from hygie.engines.exposure.checks import (  # noqa: F401 - imported for their registrations
    data,
    dns,
    dns_server,
    remote,
    services,
    tls,
    web,
)
