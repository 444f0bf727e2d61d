"""Directory audits run as background jobs (or synchronously from the CLI), with progress.

An audit reads a collection (an uploaded SharpHound zip/JSON or LDIF file, or a live LDAP
collection with a stored credential), runs the engine, stores the snapshot as Parquet in the data
dir and, in one transaction, the result and the findings in the shared register (source
``directory``, on the audit's node). A collection that cannot be read stores nothing but the
failure: no result, no findings, no snapshot; the job shows the reader's message.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.directory.crypto import CredentialKeyError
from hygie.apps.directory.models import AuditSource, AuditStatus, DirectoryAudit, DirectoryCredential
from hygie.apps.findings.ingest import ingest
from hygie.apps.jobs.runner import start_job
from hygie.apps.organizations.models import Node
from hygie.engines._core import Finding as EngineFinding
from hygie.engines._core import NullProgress, Progress
from hygie.engines.directory.audit import audit as run_engine
from hygie.engines.directory.errors import CollectionError, SnapshotError
from hygie.engines.directory.ldif import read_ldif
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

if TYPE_CHECKING:
    from hygie.engines.directory.audit import AuditResult

__all__ = [
    "UPLOAD_SUFFIXES",
    "AuditFailedError",
    "apply_result",
    "audit_collection",
    "collect_with",
    "read_collection",
    "snapshot_domains",
    "start_ldap_audit",
    "start_upload_audit",
    "store_upload",
]

SOURCE = "directory"
UPLOAD_SUFFIXES = (".zip", ".json", ".ldif")
UPLOAD_TARGET = "hygie.apps.directory.running.run_upload_audit"
LDAP_TARGET = "hygie.apps.directory.running.run_ldap_audit"


class AuditFailedError(Exception):
    """The collection could not be read or collected: the message says why, for people."""


def directory_dir() -> Path:
    """The app's folder in the data dir (uploads waiting for their job, stored snapshots)."""
    return Path(settings.DATA_DIR) / "directory"


def store_upload(chunks: Any, name: str) -> Path:
    """Write an uploaded file to the data dir, in an unguessable folder, under its own (cleaned) name.

    Keeping the name lets the reader's messages name the file people uploaded.
    """
    clean = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).name)[-100:].lstrip(".") or "upload"
    folder = directory_dir() / "uploads" / secrets.token_hex(12)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / clean
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return path


def read_collection(path: Path) -> Snapshot:
    """A snapshot from a SharpHound zip/folder/JSON or an LDIF file; ``AuditFailedError`` when unreadable."""
    try:
        if path.is_dir() and (path / "manifest.json").is_file():
            return Snapshot.load(path)
        if path.suffix.lower() == ".ldif":
            return read_ldif(path)
        return read_sharphound(path)
    except (CollectionError, SnapshotError) as exc:
        raise AuditFailedError(str(exc)) from exc
    except OSError as exc:
        raise AuditFailedError(f"{path.name}: {exc.strerror or exc}") from exc


def snapshot_domains(snapshot: Snapshot) -> list[str]:
    """The names of the snapshot's domains, sorted, without NUL characters."""
    names = snapshot.domains.get_column("name").drop_nulls().to_list()
    return sorted({str(name).replace("\x00", "")[:253] for name in names})


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from every string (PostgreSQL refuses them in text and JSON)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nul(v) for v in value]
    return value


def _storable(findings: tuple[EngineFinding, ...]) -> list[EngineFinding]:
    """The findings, rebuilt without NUL characters where a hostile collection planted some in names."""
    cleaned = []
    for finding in findings:
        data = finding.to_dict()
        clean = _without_nul(data)
        cleaned.append(finding if clean == data else EngineFinding.from_dict(clean))
    return cleaned


def _result_document(result: AuditResult) -> dict[str, Any]:
    """``to_dict`` of the engine with each finding's fingerprint (to match findings of the register)."""
    document = result.to_dict()
    for item, finding in zip(document.get("findings", []), result.findings, strict=False):
        item["fingerprint"] = finding.fingerprint
        item["remediation"] = finding.remediation
    paths = getattr(result, "attack_paths", None)
    if "attack_paths" not in document and paths is not None and hasattr(paths, "to_dict"):
        document["attack_paths"] = paths.to_dict()
    cleaned: dict[str, Any] = _without_nul(document)
    return cleaned


def apply_result(directory_audit: DirectoryAudit, result: AuditResult, domains: list[str], now: Any) -> None:
    """Copy the engine's ``result`` onto ``directory_audit`` (not saved): what pages and the report show."""
    directory_audit.domains = domains
    directory_audit.domain = ", ".join(domains)[:300] or directory_audit.domain
    directory_audit.collected = directory_audit.collected or now
    directory_audit.level = result.level
    directory_audit.score = result.score
    directory_audit.categories = dict(result.categories)
    directory_audit.counts = dict(Counter(f.severity.name.lower() for f in result.findings))
    directory_audit.finding_count = len(result.findings)
    directory_audit.not_evaluated = [{"check_id": k, "reason": v} for k, v in result.not_evaluated.items()]
    directory_audit.result = _result_document(result)


def audit_collection(
    directory_audit: DirectoryAudit,
    load: Callable[[Progress], Snapshot],
    progress: Progress | None = None,
) -> DirectoryAudit:
    """Read, audit and store ``directory_audit``; on a read failure mark it failed and raise ``AuditFailedError``."""
    progress = progress or NullProgress()
    directory_audit.status = AuditStatus.RUNNING
    directory_audit.started = timezone.now()
    directory_audit.save(update_fields=["status", "started", "updated"])
    try:
        snapshot = load(progress)
        # Ages (stale accounts, old passwords) are measured at collection time when it is known.
        result = run_engine(snapshot, now=directory_audit.collected, progress=progress)
    except AuditFailedError as exc:
        _fail(directory_audit, str(exc))
        raise
    except Exception:
        _fail(directory_audit, _("The audit failed unexpectedly; the administrators find the details in the log."))
        raise
    folder = directory_dir() / "snapshots" / f"audit-{directory_audit.pk}-{secrets.token_hex(4)}"
    snapshot.save(folder, overwrite=True)
    now = timezone.now()
    domains = snapshot_domains(snapshot)
    try:
        with transaction.atomic():
            apply_result(directory_audit, result, domains, now)
            directory_audit.snapshot_path = str(folder)
            directory_audit.status = AuditStatus.SUCCEEDED
            directory_audit.finished = now
            directory_audit.error = ""
            directory_audit.save()
            ingested = ingest(directory_audit.node, SOURCE, _storable(result.findings), now=directory_audit.collected)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    progress.log(
        _("Level %(level)d, score %(score)d, %(count)d findings (%(created)d new, %(closed)d closed).")
        % {
            "level": result.level,
            "score": result.score,
            "count": len(result.findings),
            "created": ingested.created,
            "closed": ingested.closed,
        }
    )
    return directory_audit


def _fail(directory_audit: DirectoryAudit, message: str) -> None:
    DirectoryAudit.objects.filter(pk=directory_audit.pk).update(
        status=AuditStatus.FAILED, error=message[:5000], finished=timezone.now()
    )
    directory_audit.status = AuditStatus.FAILED
    directory_audit.error = message[:5000]


# --- Jobs -------------------------------------------------------------------------------------------


def start_upload_audit(user: Any, node: Node, upload: Path, name: str) -> DirectoryAudit:
    """Queue the audit of an uploaded collection already stored by ``store_upload``."""
    directory_audit = DirectoryAudit.objects.create(
        node=node, source=AuditSource.UPLOAD, label=Path(name).name[:300], created_by=_user(user)
    )
    job = start_job(
        node=node,
        kind="directory.audit",
        label=_("Directory audit: %(name)s") % {"name": name},
        user=user,
        target=UPLOAD_TARGET,
        audit_id=directory_audit.pk,
        user_id=getattr(user, "pk", None),
        path=f"{upload.parent.name}/{upload.name}",
    )
    DirectoryAudit.objects.filter(pk=directory_audit.pk).update(job=job)
    directory_audit.job = job
    return directory_audit


def start_ldap_audit(user: Any, credential: DirectoryCredential) -> DirectoryAudit:
    """Queue a live collection and audit of the directory behind ``credential``, on its node."""
    directory_audit = DirectoryAudit.objects.create(
        node=credential.node,
        source=AuditSource.LDAP,
        label=credential.url[:300],
        credential=credential,
        created_by=_user(user),
    )
    job = start_job(
        node=credential.node,
        kind="directory.audit",
        label=_("Directory audit: %(name)s") % {"name": credential.label},
        user=user,
        target=LDAP_TARGET,
        audit_id=directory_audit.pk,
        user_id=getattr(user, "pk", None),
    )
    DirectoryAudit.objects.filter(pk=directory_audit.pk).update(job=job)
    directory_audit.job = job
    return directory_audit


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def _allowed_audit(audit_id: int, user_id: int | None) -> DirectoryAudit:
    """The queued audit, when the person who asked may still add data on its node."""
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise PermissionError(_("The person who asked for this audit no longer has an active account."))
    found = (
        DirectoryAudit.objects.restrict(user, Action.ADD)
        .select_related("node", "credential")
        .filter(pk=audit_id)
        .first()
    )
    if found is None:
        raise PermissionError(_("The person who asked for this audit may no longer add data to its node."))
    return found


def run_upload_audit(*, progress: Progress, audit_id: int, user_id: int | None, path: str) -> dict[str, Any]:
    """Job target: audit an uploaded collection, then delete the upload whatever happened."""
    folder_name, _sep, file_name = path.partition("/")
    if not folder_name.isalnum() or Path(file_name).name != file_name or not file_name:
        raise ValueError(f"refused upload path {path!r}")  # a token folder and a bare name only: no path tricks
    upload = directory_dir() / "uploads" / folder_name / file_name
    try:
        directory_audit = _allowed_audit(audit_id, user_id)

        def load(progress: Progress) -> Snapshot:
            progress.start(_("Reading the collection"), None)
            return read_collection(upload)

        audit_collection(directory_audit, load, progress)
    finally:
        shutil.rmtree(upload.parent, ignore_errors=True)
    return _job_result(directory_audit)


def collect_with(credential: DirectoryCredential, progress: Progress) -> Snapshot:
    """A live collection with ``credential``; ``AuditFailedError`` with the collector's message."""
    from hygie.engines.directory.ldap_collector import collect_ldap

    progress.start(_("Collecting %(url)s") % {"url": credential.url}, None)
    try:
        password = credential.password()
    except CredentialKeyError as exc:
        raise AuditFailedError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="hygie-ca-") as folder:
        ca_file = None
        if credential.ca_certificate.strip():
            ca_file = Path(folder) / "ca.pem"
            ca_file.write_text(credential.ca_certificate, encoding="utf-8")
        try:
            return collect_ldap(
                credential.url,
                base=credential.base_dn or None,
                user=credential.bind_user,
                password=password,
                ca_file=ca_file,
                verify=credential.verify,
                start_tls=credential.start_tls,
                progress=progress,
            )
        except (CollectionError, SnapshotError) as exc:
            raise AuditFailedError(str(exc)) from exc


def run_ldap_audit(*, progress: Progress, audit_id: int, user_id: int | None) -> dict[str, Any]:
    """Job target: collect the directory live with the audit's credential, then audit it."""
    directory_audit = _allowed_audit(audit_id, user_id)
    credential = directory_audit.credential
    if credential is None:
        _fail(directory_audit, _("The credential of this audit was deleted."))
        raise AuditFailedError(directory_audit.error)

    audit_collection(directory_audit, lambda p: collect_with(credential, p), progress)
    return _job_result(directory_audit)


def _job_result(directory_audit: DirectoryAudit) -> dict[str, Any]:
    return {
        "audit": directory_audit.pk,
        "level": directory_audit.level,
        "score": directory_audit.score,
        "findings": directory_audit.finding_count,
    }
