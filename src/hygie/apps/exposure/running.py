"""Exposure scans run as background jobs (or synchronously from the CLI); imports are stored at once.

A scan runs the engine against its perimeter (the engine refuses anything outside it), then in one
transaction stores the result on the scan and pushes the findings into the shared register
(source ``exposure``, on the scan's node). A scan that fails stores nothing but the failure. An
imported nmap or masscan file is parsed and judged before anything is written: a bad file stores
nothing and the message says why.

The register holds, per node, the union of the latest result of each perimeter (imports count as
one more "perimeter"): a scan of one perimeter never closes the findings another perimeter
reported, while re-scanning the same perimeter updates its findings and closes the resolved ones.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan, ScanSource, ScanStatus
from hygie.apps.findings.ingest import ingest
from hygie.apps.jobs.relay import run_in_thread
from hygie.apps.jobs.runner import start_job
from hygie.engines._core import Finding as EngineFinding
from hygie.engines._core import NullProgress, Progress

if TYPE_CHECKING:
    import datetime as dt

    from hygie.apps.organizations.models import Node
    from hygie.engines.exposure.kev import KevCatalogue
    from hygie.engines.exposure.model import ScanResult

__all__ = [
    "IMPORT_SUFFIXES",
    "SOURCE",
    "ScanFailedError",
    "enqueue_due_scans",
    "exposure_dir",
    "import_file",
    "kev_catalogue",
    "new_scan",
    "run_scan",
    "scan_perimeter",
    "start_scan",
    "store_result",
]

logger = logging.getLogger(__name__)

SOURCE = "exposure"
IMPORT_SUFFIXES = (".xml", ".json")
SCAN_TARGET = "hygie.apps.exposure.running.run_scan"


class ScanFailedError(Exception):
    """The scan or the import could not be done: the message says why, for people."""


def exposure_dir() -> Path:
    """The app's folder in the data dir (the uploaded KEV catalogue, imports waiting to be read)."""
    return Path(settings.DATA_DIR) / "exposure"


def kev_file() -> Path | None:
    """The KEV catalogue to use: ``HYGIE_KEV_FILE`` (setting or environment), else the uploaded one."""
    explicit = getattr(settings, "HYGIE_KEV_FILE", "") or os.environ.get("HYGIE_KEV_FILE", "")
    if explicit:
        return Path(explicit)
    uploaded = exposure_dir() / "kev.json"
    return uploaded if uploaded.is_file() else None


def kev_catalogue(progress: Progress | None = None) -> KevCatalogue | None:
    """The known-exploited catalogue, or None (never downloaded: hospital networks are closed)."""
    path = kev_file()
    if path is None:
        return None
    from hygie.engines.exposure.kev import KevCatalogue, KevError

    try:
        return KevCatalogue.load(path)
    except (KevError, OSError) as exc:
        # A broken catalogue must not stop the audit: the scan runs, without KEV matching, and says so.
        (progress or NullProgress()).log(_("KEV catalogue not used: %(reason)s") % {"reason": exc})
        return None


def install_kev(source: Path) -> int:
    """Check ``source`` is a KEV catalogue and make it the one scans use; returns its entry count."""
    from hygie.engines.exposure.kev import KevCatalogue, KevError

    try:
        catalogue = KevCatalogue.load(source)
    except (KevError, OSError) as exc:
        raise ScanFailedError(str(exc)) from exc
    target = exposure_dir() / "kev.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{secrets.token_hex(4)}.tmp")
    shutil.copyfile(source, temporary)
    temporary.replace(target)
    return len(catalogue) if hasattr(catalogue, "__len__") else 0


# --- Storing a result ---------------------------------------------------------------------------


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from every string (PostgreSQL refuses them in text and JSON)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nul(v) for v in value]
    return value


def _scope(scan: ExposureScan) -> dict[str, Any]:
    """Scans that succeed one another: the same perimeter, or the imports of the node."""
    if scan.perimeter_id is not None:
        return {"perimeter_id": scan.perimeter_id}
    return {"perimeter__isnull": True}


def previous_scan(scan: ExposureScan, scans: Any = None) -> ExposureScan | None:
    """The latest finished scan of the same node and perimeter before ``scan`` (from ``scans``)."""
    scans = ExposureScan.objects.all() if scans is None else scans
    when = scan.scanned_at or scan.created
    return (
        scans.done()
        .filter(node_id=scan.node_id, scanned_at__lte=when, **_scope(scan))
        .exclude(pk=scan.pk)
        .order_by("-scanned_at", "-id")
        .first()
    )


def _register_findings(scan: ExposureScan, result: ScanResult) -> list[EngineFinding]:
    """The findings of this result plus those of the latest result of every other perimeter of the node."""
    from hygie.engines._core import FindingFormatError

    findings = list(result.findings)
    others = ExposureScan.objects.done().filter(node_id=scan.node_id).exclude(pk=scan.pk).exclude(**_scope(scan))
    latest: dict[Any, ExposureScan] = {}
    for other in others.order_by("scanned_at", "id"):
        latest[other.perimeter_id] = other
    for other in latest.values():
        for item in (other.result or {}).get("findings") or []:
            try:
                findings.append(EngineFinding.from_dict(item))
            except (FindingFormatError, ValueError, TypeError):
                logger.warning("scan %s holds an unreadable finding; left out of the register", other.pk)
    return findings


def _storable(findings: list[EngineFinding]) -> list[EngineFinding]:
    cleaned = []
    for finding in findings:
        data = finding.to_dict()
        clean = _without_nul(data)
        cleaned.append(finding if clean == data else EngineFinding.from_dict(clean))
    return cleaned


def change_summary(base: ExposureScan | None, scan: ExposureScan) -> dict[str, Any]:
    """Counts of what changed since ``base`` (kept on the scan so the dashboard reads no result).

    The first scan of a perimeter has nothing to compare with: everything it found is new, and the
    dashboard says so rather than "nothing new".
    """
    if not scan.succeeded:
        return {}
    if base is None:
        return {
            "base_id": None,
            "since": None,
            "first_scan": True,
            "new_services": scan.service_count,
            "closed_services": 0,
            "changed_services": 0,
            "new_findings": scan.finding_count,
            "resolved_findings": 0,
        }
    if not base.succeeded:
        return {}
    from hygie.apps.exposure.analysis import diff_scans_of

    diff = diff_scans_of(base, scan)
    return {
        "base_id": base.pk,
        "since": (base.scanned_at or base.created).isoformat(),
        "new_services": len(diff.new_services),
        "closed_services": len(diff.closed_services),
        "changed_services": len(diff.changed_services),
        "new_findings": len(diff.new_findings),
        "resolved_findings": len(diff.resolved_findings),
    }


def summarise(scan: ExposureScan, result: ScanResult) -> None:
    """Copy ``result`` and its figures onto ``scan`` (not saved): what pages and the report show."""
    scan.result = _without_nul(result.to_dict())
    scan.score = max(0, min(int(result.score), 32767))
    scan.host_count = len(result.hosts)
    scan.service_count = sum(len(host.services) for host in result.hosts)
    scan.finding_count = len(result.findings)
    scan.counts = dict(Counter(f.severity.name.lower() for f in result.findings))
    scan.scanned_at = scan.scanned_at or _aware(result.started_at)


def store_result(scan: ExposureScan, result: ScanResult, *, now: dt.datetime | None = None) -> ExposureScan:
    """Store ``result`` on ``scan`` (done) and update the register, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        summarise(scan, result)
        scan.scanned_at = scan.scanned_at or now
        scan.status = ScanStatus.DONE
        scan.finished = now
        scan.error = ""
        scan.changes = change_summary(previous_scan(scan), scan)
        scan.save()
        ingested = ingest(scan.node, SOURCE, _storable(_register_findings(scan, result)), now=now)
    logger.info("scan %s stored: %s", scan.pk, ingested.as_dict())
    return scan


def _aware(value: Any) -> Any:
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _fail(scan: ExposureScan, message: str) -> None:
    ExposureScan.objects.filter(pk=scan.pk).update(
        status=ScanStatus.FAILED, error=message[:5000], finished=timezone.now()
    )
    scan.status = ScanStatus.FAILED
    scan.error = message[:5000]


# --- Scans ----------------------------------------------------------------------------------------


def audit_request(perimeter: ExposurePerimeter) -> Any:
    """The engine's request for ``perimeter``: its addresses and names (domains are DNS-checked, not scanned)."""
    from hygie.engines.exposure.audit import AuditRequest

    resolver = None
    if perimeter.nameserver_list():
        from hygie.engines.exposure.dns import ResolverConfig

        resolver = ResolverConfig(
            nameservers=tuple(perimeter.nameserver_list()),
            port=perimeter.resolver_port,
            timeout=perimeter.connect_timeout,
        )
    targets = tuple(e for e in perimeter.entry_list() if not e.startswith(("*.", ".")))
    return AuditRequest(
        targets=targets,
        domains=tuple(perimeter.domain_list()),
        ports=perimeter.port_list(),
        policy=perimeter.policy(),
        resolver=resolver,
    )


def scan_perimeter(scan: ExposureScan, progress: Progress | None = None) -> ExposureScan:
    """Run the engine on the scan's perimeter and store the result; ``ScanFailedError`` on failure."""
    from hygie.engines.exposure.audit import ExposureError, run_audit
    from hygie.engines.exposure.perimeter import PerimeterError
    from hygie.engines.exposure.policy import PolicyError
    from hygie.engines.exposure.ports import PortError

    progress = progress or NullProgress()
    perimeter = scan.perimeter
    if perimeter is None:
        _fail(scan, _("The perimeter of this scan was deleted."))
        raise ScanFailedError(scan.error)
    scan.status = ScanStatus.RUNNING
    scan.started = timezone.now()
    scan.perimeter_snapshot = perimeter.snapshot()
    scan.save(update_fields=["status", "started", "perimeter_snapshot", "updated"])
    if not perimeter.enabled:
        _fail(scan, _("The perimeter %(name)s is disabled.") % {"name": perimeter.name})
        raise ScanFailedError(scan.error)
    try:
        request, scope, kev = audit_request(perimeter), perimeter.perimeter(), kev_catalogue(progress)
        result = run_in_thread(
            lambda relay: run_audit(request, perimeter=scope, kev=kev, now=scan.started, progress=relay), progress
        )
    except (ExposureError, PerimeterError, PolicyError, PortError, ScanFailedError) as exc:
        _fail(scan, str(exc))
        raise ScanFailedError(scan.error) from exc
    except Exception:
        _fail(scan, _("The scan failed unexpectedly; the administrators find the details in the log."))
        raise
    store_result(scan, result)
    progress.log(
        _("Score %(score)d: %(hosts)d hosts, %(services)d services, %(findings)d findings, %(refused)d refused.")
        % {
            "score": scan.score or 0,
            "hosts": scan.host_count,
            "services": scan.service_count,
            "findings": scan.finding_count,
            "refused": len(result.refused),
        }
    )
    return scan


def new_scan(perimeter: ExposurePerimeter, user: Any, *, scheduled: bool = False) -> ExposureScan:
    """A queued scan of ``perimeter`` on its node."""
    return ExposureScan.objects.create(
        node=perimeter.node,
        perimeter=perimeter,
        source=ScanSource.SCAN,
        label=perimeter.name[:300],
        scheduled=scheduled,
        perimeter_snapshot=perimeter.snapshot(),
        created_by=_user(user),
    )


def start_scan(user: Any, perimeter: ExposurePerimeter, *, scheduled: bool = False) -> ExposureScan:
    """Queue a scan of ``perimeter`` as a job (callers checked the right to add data on its node)."""
    scan = new_scan(perimeter, user, scheduled=scheduled)
    job = start_job(
        node=perimeter.node,
        kind="exposure.scan",
        label=_("Exposure scan: %(name)s") % {"name": perimeter.name},
        user=user,
        target=SCAN_TARGET,
        scan_id=scan.pk,
        user_id=getattr(user, "pk", None),
    )
    ExposureScan.objects.filter(pk=scan.pk).update(job=job)
    scan.job = job
    return scan


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def _allowed_scan(scan_id: int, user_id: int | None) -> ExposureScan:
    """The queued scan, when whoever asked may still add data on its node (scheduled scans: the schedule asked)."""
    scan = ExposureScan.objects.select_related("node", "perimeter").filter(pk=scan_id).first()
    if scan is None:
        raise PermissionError(_("This scan no longer exists."))
    if user_id is None:
        if scan.scheduled or scan.created_by_id is None:
            return scan
        raise PermissionError(_("This scan names nobody who asked for it."))
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise PermissionError(_("The person who asked for this scan no longer has an active account."))
    if not ExposureScan.objects.restrict(user, Action.ADD).filter(pk=scan_id).exists():
        raise PermissionError(_("The person who asked for this scan may no longer add data to its node."))
    return scan


def run_scan(*, progress: Progress, scan_id: int, user_id: int | None) -> dict[str, Any]:
    """Job target: scan the perimeter of a queued scan and store the result."""
    scan = _allowed_scan(scan_id, user_id)
    scan_perimeter(scan, progress)
    return {"scan": scan.pk, "score": scan.score, "services": scan.service_count, "findings": scan.finding_count}


def enqueue_due_scans(now: dt.datetime | None = None) -> list[ExposureScan]:
    """Queue a scan of every enabled perimeter whose next scheduled scan is due; move its next date on.

    A perimeter whose authorisation has ended is not scanned (the engine would refuse every
    target) and its schedule stops, so an expired authorisation never fills the job list.
    """
    now = now or timezone.now()
    started: list[ExposureScan] = []
    due = ExposurePerimeter.objects.select_related("node").filter(
        enabled=True, interval_days__isnull=False, next_run_at__lte=now
    )
    for perimeter in due.order_by("next_run_at", "id"):
        with transaction.atomic():
            # Claim the perimeter first: two schedulers running at once must not queue it twice.
            claimed = ExposurePerimeter.objects.filter(pk=perimeter.pk, next_run_at=perimeter.next_run_at)
            if perimeter.valid_until <= now:
                claimed.update(next_run_at=None)
                continue
            perimeter.schedule_next(now)
            if not claimed.update(next_run_at=perimeter.next_run_at):
                continue
            started.append(start_scan(None, perimeter, scheduled=True))
    return started


# --- Imports --------------------------------------------------------------------------------------


def import_file(user: Any, node: Node, path: Path, name: str, *, now: dt.datetime | None = None) -> ExposureScan:
    """Read, judge and store an nmap XML or masscan JSON file on ``node``; ``ScanFailedError`` stores nothing."""
    from hygie.engines.exposure.imports import ScanImportError, import_scan

    now = now or timezone.now()
    try:
        result = import_scan(path)
    except ScanImportError as exc:
        raise ScanFailedError(str(exc)) from exc
    except (OSError, ValueError) as exc:
        raise ScanFailedError(f"{name}: {exc}") from exc
    # Judging replaces the findings: an importer that judged already gives the same list again.
    _judge(result, now)
    source = result.source if result.source in ScanSource.values else ScanSource.NMAP
    with transaction.atomic():
        scan = ExposureScan.objects.create(
            node=node,
            source=source,
            label=Path(name).name[:300],
            status=ScanStatus.RUNNING,
            started=now,
            created_by=_user(user),
        )
        store_result(scan, result, now=now)
    return scan


def _judge(result: ScanResult, now: dt.datetime) -> None:
    from hygie.engines.exposure.judge import judge
    from hygie.engines.exposure.registry import JudgeContext

    judge(result, JudgeContext(now=now, kev=kev_catalogue()))


def store_upload(chunks: Any, name: str) -> Path:
    """Write an uploaded file to the data dir, in an unguessable folder, under its own (cleaned) name."""
    clean = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).name)[-100:].lstrip(".") or "upload"
    folder = exposure_dir() / "uploads" / secrets.token_hex(12)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / clean
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return path


def import_upload(user: Any, node: Node, chunks: Any, name: str) -> ExposureScan:
    """Store an upload, import it, and delete the upload whatever happened."""
    path = store_upload(chunks, name)
    try:
        return import_file(user, node, path, name)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
