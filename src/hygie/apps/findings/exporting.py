"""Findings exports run as background jobs: large registers become CSV files without blocking a page.

The job runs with the permissions of the person who asked (re-read when it runs, so a role revoked
in between is honoured); the file lands in the data dir and is served only through the job (hygie.apps.jobs.outputs).
"""

from __future__ import annotations

import csv
import secrets
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.findings.filtersets import FindingFilterSet
from hygie.apps.findings.models import Finding
from hygie.apps.findings.tables import FINDING_COLUMNS
from hygie.apps.jobs.models import Job
from hygie.apps.jobs.outputs import output_dir
from hygie.apps.jobs.runner import start_job
from hygie.apps.organizations.models import Node
from hygie.engines._core import Progress
from hygie.web.tables import csv_rows

__all__ = ["export_findings", "start_findings_export"]

TARGET = "hygie.apps.findings.exporting.export_findings"


def start_findings_export(user: Any, node: Node, query: str = "") -> Job:
    """Queue an export of the findings of ``node``'s subtree matching the list filters ``query``."""
    return start_job(
        node=node, kind="findings.export", label=_("Findings export: %(node)s") % {"node": node.name},
        user=user, target=TARGET, node_id=node.pk, user_id=getattr(user, "pk", None), query=query[:2000],
    )


def export_findings(*, progress: Progress, node_id: int, user_id: int | None, query: str = "") -> dict[str, Any]:
    """Write the CSV and return its file name and row count (the job's result)."""
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise PermissionError(_("The person who asked for this export no longer has an active account."))
    node = Node.objects.restrict(user, Action.VIEW).filter(pk=node_id).first()
    if node is None:
        raise PermissionError(_("The node is no longer visible to the person who asked for this export."))
    findings = Finding.objects.restrict(user, Action.VIEW).filter(node__path__startswith=node.path)
    filterset = FindingFilterSet(QueryDict(query), queryset=findings.select_related("node", "owner"))
    rows = filterset.qs if filterset.is_valid() else findings.none()
    total = rows.count()
    progress.start(_("Exporting findings"), total)
    directory = output_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"findings-{node.pk}-{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.csv"
    with (directory / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for index, row in enumerate(csv_rows(rows.iterator(chunk_size=2000), FINDING_COLUMNS)):
            writer.writerow(row)
            if index:  # the header is not a finding
                progress.advance()
    progress.log(_("%(count)d findings written to %(name)s") % {"count": total, "name": name})
    return {"file": name, "rows": total}
