"""Reading the CSV files of the awareness imports: limits, encodings, headers, dates, categories, pseudonyms.

Hospitals export CSV from spreadsheets: UTF-8 (with or without a byte-order mark) or Windows-1252,
separated by commas or semicolons. Every error is a :class:`CsvError` whose message names the line
(the header is line 1) and, for wrong headers, the expected columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hygie.apps.awareness.models.staff import StaffCategory

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "CATEGORY_LABELS",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "CsvError",
    "CsvTable",
    "check_email",
    "parse_category",
    "parse_date",
    "plain_text",
    "pseudonym",
    "read_table",
]

#: Largest CSV an import reads (bytes): a 20,000-person establishment's year fits in a few MiB.
MAX_CSV_BYTES = 16 * 1024 * 1024
#: Most data lines an import reads.
MAX_CSV_ROWS = 200_000
#: Longest cell accepted (characters): longer cells are hostile or broken files.
MAX_CELL = 500

_FR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SPACES = re.compile(r"[\s_\-/]+")


class CsvError(ValueError):
    """A CSV file was refused; the message says why and where."""


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header (lower-cased, stripped) and data rows, each with its line number."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in French saves "CSV (séparateur: point-virgule)" in Windows-1252.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CsvError(_("The file is neither UTF-8 nor Windows-1252 text.")) from exc


def read_table(
    data: bytes,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    allow_extra: bool = False,
    max_bytes: int = MAX_CSV_BYTES,
    max_rows: int = MAX_CSV_ROWS,
) -> CsvTable:
    """Parse ``data``; refuse it when over the limits or when its columns are not the expected ones."""
    if len(data) > max_bytes:
        raise CsvError(
            _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
            % {"size": len(data), "limit": max_bytes}
        )
    text = _decode(data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CsvError(_("Line %(line)d: NUL characters are not allowed.") % {"line": line})
    if not text.strip():
        raise CsvError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = tuple(cell.strip().lower() for cell in next(reader))
        expected = ", ".join([*required, *optional])
        missing = [name for name in required if name not in header]
        extra = [name for name in header if name not in required and name not in optional]
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if missing or duplicated or (extra and not allow_extra):
            problems = []
            if missing:
                problems.append(_("missing: %(names)s") % {"names": ", ".join(missing)})
            if extra and not allow_extra:
                problems.append(_("unexpected: %(names)s") % {"names": ", ".join(extra)})
            if duplicated:
                problems.append(_("repeated: %(names)s") % {"names": ", ".join(duplicated)})
            raise CsvError(
                _("Wrong columns (%(problems)s). Expected columns: %(expected)s.")
                % {"problems": "; ".join(problems), "expected": expected}
            )
        rows = tuple(_rows(reader, header, max_rows))
    except csv.Error as exc:
        raise CsvError(
            _("Line %(line)d: malformed CSV (%(reason)s).") % {"line": reader.line_num, "reason": exc}
        ) from exc
    return CsvTable(header, rows)


def _rows(reader: Iterator[list[str]], header: tuple[str, ...], max_rows: int) -> Iterator[tuple[int, dict[str, str]]]:
    count = 0
    line = 1
    for cells in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of spreadsheet exports
        count += 1
        if count > max_rows:
            raise CsvError(_("The file has more than %(limit)d lines; split it.") % {"limit": max_rows})
        if len(cells) != len(header):
            raise CsvError(
                _("Line %(line)d: %(found)d cells where the header has %(expected)d.")
                % {"line": line, "found": len(cells), "expected": len(header)}
            )
        if any(len(cell) > MAX_CELL for cell in cells):
            raise CsvError(
                _("Line %(line)d: a cell is longer than %(max)d characters.") % {"line": line, "max": MAX_CELL}
            )
        yield line, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}


def parse_date(text: str, line: int, column: str) -> dt.date:
    """An ISO date (``2026-03-14``, a timestamp's date part accepted) or a French one (``14/03/2026``)."""
    value = text.strip()
    try:
        match = _FR_DATE.fullmatch(value)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise CsvError(
            _("Line %(line)d: %(column)s %(value)r is not a date (YYYY-MM-DD or DD/MM/YYYY).")
            % {"line": line, "column": column, "value": value[:40]}
        ) from None


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: ``"Paramédical"`` -> ``"paramedical"``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return _SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


#: Accepted spellings of each category (compared without accents or case), English and French.
CATEGORY_LABELS: dict[str, StaffCategory] = {
    **{_plain(c.value): c for c in StaffCategory},
    "medical": StaffCategory.MEDICAL, "personnel medical": StaffCategory.MEDICAL,
    "paramedical": StaffCategory.PARAMEDICAL, "soignant": StaffCategory.PARAMEDICAL,
    "personnel soignant": StaffCategory.PARAMEDICAL, "nursing": StaffCategory.PARAMEDICAL,
    "administrative": StaffCategory.ADMINISTRATIVE, "administratif": StaffCategory.ADMINISTRATIVE,
    "administration": StaffCategory.ADMINISTRATIVE,
    "technical": StaffCategory.TECHNICAL, "technique": StaffCategory.TECHNICAL,
    "it": StaffCategory.IT, "information technology": StaffCategory.IT, "informatique": StaffCategory.IT,
    "si": StaffCategory.IT, "dsi": StaffCategory.IT, "numerique": StaffCategory.IT,
    "management": StaffCategory.MANAGEMENT, "direction": StaffCategory.MANAGEMENT,
    "encadrement": StaffCategory.MANAGEMENT, "manager": StaffCategory.MANAGEMENT,
}


def parse_category(text: str, line: int) -> StaffCategory:
    """A staff category from its English value or label or its French label."""
    found = CATEGORY_LABELS.get(_plain(text))
    if found is None:
        raise CsvError(
            _("Line %(line)d: unknown category %(value)r; expected one of %(choices)s (or their French labels).")
            % {"line": line, "value": text[:40], "choices": ", ".join(c.value for c in StaffCategory)}
        )
    return found


def plain_text(text: str) -> str:
    """Public form of the accent- and case-folding used to compare labels."""
    return _plain(text)


def pseudonym(email: str, secret: str | bytes) -> str:
    """Keyed hash (HMAC-SHA-256) of the lower-cased e-mail: the same person gets the same key, no name kept.

    The key is derived from the platform secret for this use only, so the pseudonym cannot be
    recomputed without the secret (a plain hash of an e-mail could be, by guessing addresses).
    """
    secret_bytes = secret.encode() if isinstance(secret, str) else secret
    key = hashlib.sha256(b"hygie.awareness.person\x00" + secret_bytes).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def check_email(text: str, line: int) -> str:
    """The e-mail, stripped; refused when it cannot be an address."""
    email = text.strip()
    if not email or "@" not in email or len(email) > 254 or any(c.isspace() for c in email):  # noqa: PLR2004 - RFC 5321 limit
        raise CsvError(_("Line %(line)d: %(value)r is not an e-mail address.") % {"line": line, "value": email[:60]})
    return email
