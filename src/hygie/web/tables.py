"""Declarative table columns shared by HTML lists, CSV exports and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.encoding import force_str

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.utils.functional import Promise

__all__ = ["Column", "csv_rows", "csv_text"]


@dataclass(frozen=True)
class Column:
    """One column: ``accessor`` is a dotted attribute path; ``display`` uses ``get_<x>_display``."""

    name: str
    label: str | Promise
    accessor: str = ""
    link: bool = False
    display: bool = False
    badge: str = ""  # CSS badge family (severity, status...) for the HTML list

    def value(self, obj: Any) -> Any:
        """The raw value of this column for ``obj``."""
        if self.display:
            getter = getattr(obj, f"get_{self.accessor or self.name}_display", None)
            if getter is not None:
                return getter()
        current = obj
        for part in (self.accessor or self.name).split("."):
            current = getattr(current, part, None)
            if current is None:
                return ""
        if callable(current):
            current = current()
        if isinstance(current, list):
            return ", ".join(str(v) for v in current)
        if isinstance(current, dt.datetime):
            # Local time to the minute: microseconds and UTC offsets only confuse people and spreadsheets.
            return timezone.localtime(current).strftime("%Y-%m-%d %H:%M")
        return current

    def text(self, obj: Any) -> str:
        """The value as text, for CSV and terminals."""
        return force_str(self.value(obj))


def _neutralise(text: str) -> str:
    # A cell starting with = + - @ would be run as a formula by spreadsheet software (CSV injection).
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def csv_rows(objects: Iterable[Any], columns: Iterable[Column]) -> Iterator[list[str]]:
    """Header then one row per object, formula-neutralised."""
    cols = list(columns)
    yield [force_str(c.label) for c in cols]
    for obj in objects:
        yield [_neutralise(c.text(obj)) for c in cols]


def csv_text(objects: Iterable[Any], columns: Iterable[Column]) -> str:
    """A whole CSV document."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(csv_rows(objects, columns))
    return buffer.getvalue()
