"""Reading an uploaded CSV file into rows with their line numbers: encoding, delimiter, header.

Pure Python (no Django): spreadsheets exported by French hospital staff arrive as UTF-8 with or
without a BOM, or as Windows-1252, separated by ``;`` (French Excel) or ``,``. Anything else
(binary files, images, archives) is refused with a reason code the caller turns into a message.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["EXTRA_CELLS_KEY", "CsvTable", "UnreadableFileError", "UnreadableReason", "read_csv"]

#: Row key holding how many cells a line has beyond the header (no header can produce it: NUL is refused).
EXTRA_CELLS_KEY = "\x00extra"

#: Share of control characters above which a "text" file is treated as binary garbage.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


class UnreadableReason(StrEnum):
    """Why a file cannot be read as CSV at all."""

    EMPTY = "empty"
    BINARY = "binary"
    MALFORMED = "malformed"


class UnreadableFileError(ValueError):
    """The file is not a CSV document; ``reason`` says why, ``detail`` adds context."""

    def __init__(self, reason: UnreadableReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CsvTable:
    """A parsed file: normalised header keys and ``(line number, {key: value})`` rows."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM dropped), else Windows-1252; binary data is refused."""
    if not data.strip():
        raise UnreadableFileError(UnreadableReason.EMPTY)
    # NUL bytes never occur in text files, but always in images, archives and UTF-16 dumps.
    if b"\x00" in data:
        raise UnreadableFileError(UnreadableReason.BINARY)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(UnreadableReason.BINARY) from exc
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)  # noqa: PLR2004
    if controls > len(sample) * _MAX_CONTROL_SHARE:
        raise UnreadableFileError(UnreadableReason.BINARY)
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line holds more semicolons than commas (French Excel), else ``,``."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def normalise_key(name: str) -> str:
    """Header cell as a column key: trimmed, lower case, spaces and dashes as underscores."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_csv(data: bytes) -> CsvTable:
    """Parse ``data``; line numbers count physical lines from 1 (the header), as editors show them."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header_cells = next(reader)
        header = [normalise_key(cell) for cell in header_cells]
        rows: list[tuple[int, dict[str, str]]] = []
        previous_end = reader.line_num
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (often trailing ones) are not data
            row = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(header) if key}
            if len(cells) > len(header):
                row[EXTRA_CELLS_KEY] = str(len(cells) - len(header))
            rows.append((start, row))
    except csv.Error as exc:
        raise UnreadableFileError(UnreadableReason.MALFORMED, f"line {reader.line_num}: {exc}") from exc
    except StopIteration as exc:
        raise UnreadableFileError(UnreadableReason.EMPTY) from exc
    return CsvTable(header=header, rows=rows, delimiter=delimiter, encoding=encoding)
