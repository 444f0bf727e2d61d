"""Protocol probes, one module per protocol family; importing this package registers them all."""

from hygie.engines.exposure.probes import (  # noqa: F401 - imported for their registrations
    banner,
    databases,
    dicom,
    dns_server,
    ftp,
    http,
    mllp,
    rdp,
    smb,
    ssh,
    tls,
)
