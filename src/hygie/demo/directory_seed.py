"""Directory audits of the demo: synthetic collections of two establishments, audited like uploads.

The support hospital has two audits ten weeks apart (the weaknesses planted in the first are gone
from the second), so its trend and its diff show something; the clinic has one. The collections
are small (a second in all) and written to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hygie.apps.directory.models import AuditSource, DirectoryAudit
from hygie.apps.directory.running import audit_collection, read_collection
from hygie.apps.organizations.models import Node
from hygie.engines._core import NullProgress, Progress
from hygie.engines.directory.synthetic import write_collection

__all__ = ["DIRECTORY_AUDITS", "DIRECTORY_SIZES", "seed_directory_audits"]

#: (establishment key, domain, days before now, planted weaknesses, seed): one audit each.
DIRECTORY_AUDITS = (
    ("support", "VALBRISE.LOCAL", 70, True, 11),
    ("support", "VALBRISE.LOCAL", 7, False, 11),
    ("clinic", "CLINIQUE-PARC.LOCAL", 20, True, 23),
)
DIRECTORY_SIZES = {"users": 60, "computers": 25, "groups": 45, "aces": 400}


def seed_directory_audits(owners: dict[str, Node], user: Any, progress: Progress, now: dt.datetime) -> int:
    """Write, audit and store the demo collections; returns how many audits were stored."""
    progress.start("Directory audits", total=len(DIRECTORY_AUDITS))
    with tempfile.TemporaryDirectory(prefix="hygie-demo-ad-") as folder:
        for index, (key, domain, days, weaknesses, seed) in enumerate(DIRECTORY_AUDITS):
            collected = now - dt.timedelta(days=days)
            path = Path(folder) / f"collection-{index}"
            write_collection(path, **DIRECTORY_SIZES, seed=seed, domain=domain, weaknesses=weaknesses, now=collected)
            audit = DirectoryAudit.objects.create(
                node=owners[key],
                source=AuditSource.UPLOAD,
                label=f"sharphound-{domain.lower()}.zip",
                collected=collected,
                created=collected,
                created_by=user,
            )
            audit_collection(audit, lambda _p, path=path: read_collection(path), NullProgress())
            progress.advance()
    return len(DIRECTORY_AUDITS)
