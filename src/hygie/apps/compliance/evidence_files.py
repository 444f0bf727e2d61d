"""Files of evidence: checked (type by extension AND content, size) and stored under their SHA-256.

Files live in the private data directory (``DATA_DIR/compliance/evidence/ab/abcdef...``), never
under the web root: they are served only by a permission-checked view, as attachments. The same
content uploaded twice is one file on disk. A refused file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.compliance.models import Evidence

__all__ = [
    "ALLOWED_TYPES",
    "EvidenceError",
    "StoredFile",
    "evidence_dir",
    "evidence_path",
    "max_evidence_bytes",
    "store_evidence_file",
]

#: Extension -> content type. Office documents (OOXML, ODF) are ZIP archives underneath.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
_ZIPPED = {".docx", ".xlsx", ".odt", ".ods", ".zip"}
_TEXT = {".txt", ".csv"}
#: What an office document's archive must hold (OOXML: its content types; ODF: its mimetype entry).
_OFFICE_ENTRY = {".docx": "[Content_Types].xml", ".xlsx": "[Content_Types].xml", ".odt": "mimetype",
                 ".ods": "mimetype"}
_SNIFF_BYTES = 8192


class EvidenceError(ValueError):
    """The file was refused; the message says why, for people."""


@dataclass(frozen=True)
class StoredFile:
    """A file kept as evidence: its clean name, content type, size and SHA-256."""

    name: str
    content_type: str
    size: int
    sha256: str


def max_evidence_bytes() -> int:
    """Largest evidence file accepted (``HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES``, else the platform's upload limit)."""
    return int(getattr(settings, "HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES", 0) or settings.HYGIE_MAX_UPLOAD_BYTES)


def evidence_dir() -> Path:
    """The private folder of evidence files."""
    return Path(settings.DATA_DIR) / "compliance" / "evidence"


def _path_for(sha256: str) -> Path:
    return evidence_dir() / sha256[:2] / sha256


def evidence_path(evidence: Evidence) -> Path:
    """Where the file of a piece of file evidence is stored; ``EvidenceError`` for other kinds."""
    sha = evidence.sha256 or ""
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):  # noqa: PLR2004 - hex SHA-256
        raise EvidenceError(_("This evidence has no stored file."))
    return _path_for(sha)


def clean_name(name: str) -> str:
    """A file name safe to store and to send back in a header: letters, digits, ``-_. `` only."""
    clean = "".join(c if c.isalnum() or c in "-_. " else "_" for c in Path(name or "").name)
    return clean[-200:].strip(" .") or "evidence"


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise EvidenceError(
            _("%(name)s: file type not accepted (accepted: PDF, PNG, JPEG, text, CSV, DOCX, XLSX, ODT, ODS, ZIP).")
            % {"name": Path(name).name[:100]}
        )
    return suffix


def _check_content(path: Path, suffix: str, name: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise EvidenceError(_("%(name)s is empty.") % {"name": name})
    if suffix in _MAGIC:
        if not head.startswith(_MAGIC[suffix]):
            raise EvidenceError(
                _("%(name)s is not a %(kind)s file (its content does not match its extension).")
                % {"name": name, "kind": suffix[1:].upper()}
            )
        return
    if suffix in _TEXT:
        if b"\x00" in head:
            raise EvidenceError(_("%(name)s is not a text file.") % {"name": name})
        try:
            # The sniffed block may cut a multi-byte character at its end: ignore that last one.
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError:
                    raise EvidenceError(_("%(name)s is not a text file.") % {"name": name}) from exc
        return
    _check_zip(path, suffix, name)


def _check_zip(path: Path, suffix: str, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise EvidenceError(
            _("%(name)s is not a %(kind)s file (its content does not match its extension).")
            % {"name": name, "kind": suffix[1:].upper()}
        ) from exc
    entry = _OFFICE_ENTRY.get(suffix)
    if entry is not None and entry not in names:
        raise EvidenceError(
            _("%(name)s is not a %(kind)s document.") % {"name": name, "kind": suffix[1:].upper()}
        )


def _write(chunks: Iterable[bytes], folder: Path) -> tuple[Path, str, int]:
    """Write to a temporary file while hashing; refused past the size limit (nothing left behind)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"incoming-{secrets.token_hex(12)}"
    digest = hashlib.sha256()
    size = 0
    limit = max_evidence_bytes()
    try:
        with temporary.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:  # refused while written: an oversized file never lands whole on disk
                    raise EvidenceError(  # noqa: TRY301 - the cleanup below must run for it too
                        _("The file is too large (the limit is %(limit)d MiB).") % {"limit": limit // (1024 * 1024)}
                    )
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, digest.hexdigest(), size


def store_evidence_file(chunks: Iterable[bytes], name: str) -> StoredFile:
    """Check and keep a file; ``EvidenceError`` (nothing kept) for a refused type, content or size."""
    suffix = _suffix(name)
    clean = clean_name(name)
    if not clean.lower().endswith(suffix):
        clean = f"{clean}{suffix}"
    temporary, sha256, size = _write(chunks, evidence_dir())
    try:
        _check_content(temporary, suffix, clean)
        target = _path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return StoredFile(name=clean, content_type=ALLOWED_TYPES[suffix], size=size, sha256=sha256)
