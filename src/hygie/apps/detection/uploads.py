"""Files of log sources: uploads and watched folders, stored under their SHA-256 in the private data dir.

A file is checked before it is kept: a known suffix (.evtx, .jsonl, .json, .zip), within the size
limit, and content that looks like what the suffix says (the EVTX signature, a zip holding event
logs, JSON text). A refused file leaves nothing behind. The same content sent twice to a source
is stored once: the second upload gives the first back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.detection.models import LogSource, LogUpload, UploadOrigin, detection_dir

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

__all__ = [
    "LOG_SUFFIXES",
    "UploadRefusedError",
    "max_upload_bytes",
    "store_log_file",
    "watched_files",
]

logger = logging.getLogger(__name__)

LOG_SUFFIXES = (".evtx", ".jsonl", ".json", ".zip")
_EVTX_MAGIC = b"ElfFile\x00"
_ENTRY_SUFFIXES = (".evtx", ".jsonl", ".json", ".ndjson", ".log")
#: Bytes read to judge a JSON file (its first line, or the start of a JSON document).
_SNIFF_BYTES = 65536
#: Files looked at per watched folder and scan: a folder of millions of files must not stall the scheduler.
MAX_WATCHED_FILES = 5000


class UploadRefusedError(Exception):
    """The file was refused: the message says why, for people."""


def max_upload_bytes() -> int:
    """Largest log file accepted (``HYGIE_DETECTION_MAX_UPLOAD_BYTES``, else the platform's upload limit)."""
    return int(getattr(settings, "HYGIE_DETECTION_MAX_UPLOAD_BYTES", 0) or settings.HYGIE_MAX_UPLOAD_BYTES)


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in LOG_SUFFIXES:
        raise UploadRefusedError(
            _("%(name)s: expected an .evtx, .jsonl, .json or .zip file.") % {"name": Path(name).name[:100]}
        )
    return suffix


def _clean_name(name: str) -> str:
    clean = "".join(c if c.isalnum() or c in "-_. " else "_" for c in Path(name).name)
    return clean[-200:].strip() or "upload"


def _check_content(path: Path, suffix: str, name: str) -> None:
    """Refuse content that is not what its suffix says (``UploadRefusedError``)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise UploadRefusedError(_("%(name)s is empty.") % {"name": name})
    if suffix == ".evtx":
        if not head.startswith(_EVTX_MAGIC):
            raise UploadRefusedError(_("%(name)s is not a Windows event log (EVTX).") % {"name": name})
        return
    if suffix == ".zip":
        _check_zip(path, name)
        return
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if not text.startswith(("{", "[")):
        raise UploadRefusedError(_("%(name)s is not JSON (one event per line expected).") % {"name": name})
    whole_line = "\n" in text or len(head) < _SNIFF_BYTES
    if suffix == ".jsonl" and whole_line:
        first = text.splitlines()[0]
        try:
            json.loads(first)
        except ValueError as exc:
            raise UploadRefusedError(
                _("%(name)s: the first line is not a JSON event (%(error)s).") % {"name": name, "error": exc}
            ) from exc


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [info for info in archive.infolist() if not info.is_dir()]
    except (OSError, zipfile.BadZipFile) as exc:
        raise UploadRefusedError(_("%(name)s is not a readable zip archive.") % {"name": name}) from exc
    if not any(Path(info.filename).suffix.lower() in _ENTRY_SUFFIXES for info in entries):
        raise UploadRefusedError(_("%(name)s holds no event log (.evtx or JSON lines).") % {"name": name})


def _write(chunks: Iterable[bytes], folder: Path) -> tuple[Path, str, int]:
    """Write ``chunks`` to a temporary file of ``folder`` while hashing; refuse past the size limit."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"incoming-{secrets.token_hex(12)}"
    digest = hashlib.sha256()
    size = 0
    limit = max_upload_bytes()
    try:
        with temporary.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:  # refused while it is written: an oversized file never lands whole on disk
                    raise UploadRefusedError(  # noqa: TRY301 - the cleanup below must run for it too
                        _("The file is too large (the limit is %(limit)d bytes).") % {"limit": limit}
                    )
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, digest.hexdigest(), size


def store_log_file(
    source: LogSource,
    chunks: Iterable[bytes],
    name: str,
    *,
    user: Any = None,
    origin: str = UploadOrigin.UPLOAD,
    origin_path: str = "",
    origin_mtime: float | None = None,
) -> tuple[LogUpload, bool]:
    """Check and store a file of ``source``; (upload, created). Already stored content gives the stored upload."""
    suffix = _suffix(name)
    clean = _clean_name(name)
    uploads = detection_dir() / "uploads"
    temporary, sha256, size = _write(chunks, uploads)
    try:
        _check_content(temporary, suffix, clean)
        existing = LogUpload.objects.filter(source=source, sha256=sha256).first()
        if existing is not None:
            return existing, False
        upload = LogUpload(
            node_id=source.node_id,
            source=source,
            name=clean,
            sha256=sha256,
            size=size,
            suffix=suffix,
            origin=origin,
            origin_path=origin_path[:1000],
            origin_mtime=origin_mtime,
            uploaded_by=user if getattr(user, "pk", None) is not None else None,
        )
        target = upload.path()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            temporary.replace(target)
        try:
            with transaction.atomic():
                upload.save()
        except IntegrityError:
            # The same content arrived at the same time through another request: keep that one.
            return LogUpload.objects.get(source=source, sha256=sha256), False
        LogSource.objects.filter(pk=source.pk).update(last_ingested_at=timezone.now())
        return upload, True
    finally:
        temporary.unlink(missing_ok=True)


def _chunks(path: Path, size: int = 1 << 20) -> Iterable[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def watched_files(source: LogSource) -> list[Path]:
    """Log files of the source's watched folder (recursive), oldest first; empty when there is none."""
    folder = Path(source.watched_folder) if source.watched_folder else None
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.suffix.lower() in LOG_SUFFIXES and path.is_file() and not path.is_symlink():
            found.append(path)
            if len(found) >= MAX_WATCHED_FILES:
                break
    return sorted(found, key=lambda p: (p.stat().st_mtime, str(p)))


def ingest_watched(source: LogSource, now: dt.datetime | None = None) -> tuple[list[LogUpload], list[str]]:
    """Store the new or changed files of the source's watched folder; (new uploads, messages of refused files).

    A file is looked at again only when its size or modification time changed since it was
    taken (path + size + mtime); a changed file whose content is already stored is not hunted twice
    (its hash).
    """
    new: list[LogUpload] = []
    refused: list[str] = []
    for path in watched_files(source):
        try:
            stat = path.stat()
        except OSError:
            continue
        seen = LogUpload.objects.filter(
            source=source, origin_path=str(path), size=stat.st_size, origin_mtime=stat.st_mtime
        )
        if seen.exists():
            continue
        try:
            upload, created = store_log_file(
                source,
                _chunks(path),
                path.name,
                origin=UploadOrigin.WATCH,
                origin_path=str(path),
                origin_mtime=stat.st_mtime,
            )
        except (UploadRefusedError, OSError) as exc:
            refused.append(f"{path}: {exc}")
            continue
        if created:
            new.append(upload)
        else:
            # Same content under another path or date: remember how it looks now, hunt nothing new.
            LogUpload.objects.filter(pk=upload.pk).update(origin_path=str(path)[:1000], origin_mtime=stat.st_mtime)
    if new:
        LogSource.objects.filter(pk=source.pk).update(last_ingested_at=now or timezone.now())
    return new, refused
