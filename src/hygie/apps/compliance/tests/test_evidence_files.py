"""Evidence files: type by extension and content, size limit, stored once under their SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest

from hygie.apps.compliance.evidence_files import (
    EvidenceError,
    evidence_dir,
    evidence_path,
    max_evidence_bytes,
    store_evidence_file,
)
from hygie.apps.compliance.models import Evidence

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Any) -> None:
    """A data directory of this test's own: other workers' uploads in flight are not leftovers of ours."""
    settings.DATA_DIR = tmp_path


def _leftovers() -> list[str]:
    return [path.name for path in evidence_dir().glob("incoming-*")]


class TestAccepted:
    """Each allowed type, checked by its content."""

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("report.pdf", PDF, "application/pdf"),
            ("screen.PNG", PNG, "image/png"),
            ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
            ("notes.txt", "Procédure validée\n".encode(), "text/plain"),
            ("accounts.csv", b"name;role\nalice;admin\n", "text/csv"),
            ("policy.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("plan.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
             "application/vnd.oasis.opendocument.spreadsheet"),
            ("bundle.zip", _zip({"a.txt": b"a"}), "application/zip"),
        ],
    )
    def test_stored_under_its_digest(self, name: str, content: bytes, content_type: str) -> None:
        stored = store_evidence_file([content], name)
        assert content_type == stored.content_type
        assert len(content) == stored.size
        assert hashlib.sha256(content).hexdigest() == stored.sha256
        evidence = Evidence(sha256=stored.sha256)
        assert content == evidence_path(evidence).read_bytes()
        assert not _leftovers()

    def test_same_content_twice_is_one_file(self) -> None:
        first = store_evidence_file([b"same content\n"], "a.txt")
        second = store_evidence_file([b"same ", b"content\n"], "b.txt")
        assert first.sha256 == second.sha256
        assert ["a.txt", "b.txt"] == [first.name, second.name]

    def test_hostile_names_are_cleaned(self) -> None:
        stored = store_evidence_file([PDF], '../../etc/"passwd";.pdf')
        assert "/" not in stored.name
        assert '"' not in stored.name
        assert stored.name.endswith(".pdf")


class TestRefused:
    """Wrong type, wrong content, too large: a clear message and nothing left on disk."""

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("fake.pdf", b"MZ\x90\x00 an executable", "is not a PDF file"),
            ("fake.png", PDF, "is not a PNG file"),
            ("fake.docx", b"plain text", "is not a DOCX file"),
            ("fake.xlsx", _zip({"a.txt": b"a"}), "is not a XLSX document"),
            ("binary.txt", b"abc\x00def", "is not a text file"),
            ("empty.pdf", b"", "is empty"),
            ("script.exe", b"MZ", "file type not accepted"),
            ("page.html", b"<html>", "file type not accepted"),
            ("noextension", b"data", "file type not accepted"),
        ],
    )
    def test_refused_with_a_message(self, name: str, content: bytes, message: str) -> None:
        before = {path.name for path in evidence_dir().rglob("*")} if evidence_dir().exists() else set()
        with pytest.raises(EvidenceError, match=message):
            store_evidence_file([content], name)
        after = {path.name for path in evidence_dir().rglob("*")} if evidence_dir().exists() else set()
        assert before == after

    def test_too_large(self, settings: Any) -> None:
        settings.HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES = 1024
        assert 1024 == max_evidence_bytes()
        with pytest.raises(EvidenceError, match="too large"):
            store_evidence_file([PDF, b"x" * 2048], "big.pdf")
        assert not _leftovers()

    def test_default_limit_is_the_platform_upload_limit(self, settings: Any) -> None:
        settings.HYGIE_COMPLIANCE_MAX_EVIDENCE_BYTES = 0
        settings.HYGIE_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
        assert 3 * 1024 * 1024 == max_evidence_bytes()

    def test_no_path_for_evidence_without_a_file(self) -> None:
        for digest in ("", "../../etc/passwd", "g" * 64):
            with pytest.raises(EvidenceError):
                evidence_path(Evidence(sha256=digest))
