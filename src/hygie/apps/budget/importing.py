"""CSV import of IT projects and their budget lines, for one establishment and year.

One row per budget line; rows naming the same project build one project. Columns (header row,
comma or semicolon separated, UTF-8 with or without BOM):

- ``project`` (required): the project's name;
- ``line`` (required): the line's label;
- ``amount`` (required): euros, as :func:`~hygie.apps.budget.amounts.parse_amount` reads them
  (``12 345,67`` needs a semicolon-separated file or quotes);
- ``cybersecurity`` (required): yes/no, oui/non, true/false, 1/0, x or empty;
- ``description``, ``status`` (planned, in_progress, done, cancelled), ``state_funded`` (yes/no):
  optional, read on the project's first row.

A project already stored for the node and year under the same name gets its lines replaced.
The whole file is checked first: any error stores nothing and names the line and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.apps.budget.amounts import AmountError, parse_amount
from hygie.apps.budget.editing import MAX_LINES, LineData, save_project
from hygie.apps.budget.flags import refresh_findings
from hygie.apps.budget.models import ItProject, ProjectStatus

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["COLUMNS", "MAX_IMPORT_BYTES", "REQUIRED", "ImportResult", "ProjectImportError", "import_projects"]

REQUIRED = ("project", "line", "amount", "cybersecurity")
OPTIONAL = ("description", "status", "state_funded")
COLUMNS = REQUIRED + OPTIONAL
#: Largest file read: a year of projects is a few hundred lines.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
_TRUE = {"yes", "oui", "true", "vrai", "1", "x", "y", "o"}
_FALSE = {"no", "non", "false", "faux", "0", ""}


class ProjectImportError(ValueError):
    """The file is refused; the message says where and why. Nothing was stored."""


@dataclass
class _Project:
    name: str
    description: str = ""
    status: str = ProjectStatus.PLANNED
    state_funded: bool = False
    lines: list[LineData] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    created: int
    updated: int
    lines: int


def _flag(value: str, row: int, column: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ProjectImportError(_("line %(row)d, column %(column)s: “%(value)s” is not yes or no.")
                       % {"row": row, "column": column, "value": value[:40]})


def _decode(content: bytes) -> str:
    if len(content) > MAX_IMPORT_BYTES:
        raise ProjectImportError(_("The file is larger than %(size)d MiB.") % {"size": MAX_IMPORT_BYTES // 2**20})
    if b"\x00" in content:
        raise ProjectImportError(_("This is not a CSV text file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on French Windows still save in Windows-1252.
        return content.decode("cp1252", errors="strict")


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ProjectImportError(_("The file is empty.")) from None
    except csv.Error as error:
        raise ProjectImportError(_("The file is not valid CSV: %(error)s") % {"error": error}) from error
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ProjectImportError(
            _("Wrong columns (%(found)s). Expected: %(required)s; optional: %(optional)s.")
            % {"found": ", ".join(header)[:200] or "-", "required": ", ".join(REQUIRED),
               "optional": ", ".join(OPTIONAL)}
        )
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ProjectImportError(_("line %(row)d: %(found)d values for %(expected)d columns.")
                                   % {"row": number, "found": len(values), "expected": len(header)})
            rows.append({"_row": str(number), **dict(zip(header, values, strict=True))})
            if len(rows) > MAX_ROWS:
                raise ProjectImportError(_("The file has more than %(max)d lines.") % {"max": MAX_ROWS})
    except csv.Error as error:
        raise ProjectImportError(_("The file is not valid CSV: %(error)s") % {"error": error}) from error
    return header, rows


def _parse(text: str) -> list[_Project]:
    _header, rows = _rows(text)
    if not rows:
        raise ProjectImportError(_("The file holds no budget line."))
    projects: dict[str, _Project] = {}
    for row in rows:
        number = int(row["_row"])
        name = row["project"].strip()
        label = row["line"].strip()
        if not name or not label:
            raise ProjectImportError(_("line %(row)d: the project and the line need a name.") % {"row": number})
        if len(name) > 200 or len(label) > 200:  # noqa: PLR2004 - the model's lengths
            raise ProjectImportError(_("line %(row)d: names are at most 200 characters.") % {"row": number})
        try:
            amount = parse_amount(row["amount"])
        except AmountError as error:
            message = _("line %(row)d, column amount: %(error)s") % {"row": number, "error": error}
            raise ProjectImportError(message) from None
        project = projects.get(name)
        if project is None:
            status = (row.get("status") or "").strip().lower() or ProjectStatus.PLANNED
            if status not in ProjectStatus.values:
                raise ProjectImportError(_("line %(row)d, column status: “%(value)s” is not one of %(choices)s.")
                                   % {"row": number, "value": status[:40], "choices": ", ".join(ProjectStatus.values)})
            project = projects[name] = _Project(
                name=name, description=(row.get("description") or "").strip(), status=status,
                state_funded=_flag(row.get("state_funded") or "", number, "state_funded"),
            )
        project.lines.append(LineData(label, amount, _flag(row["cybersecurity"], number, "cybersecurity")))
        if len(project.lines) > MAX_LINES:
            message = _("Project %(name)s has more than %(max)d lines.") % {"name": name, "max": MAX_LINES}
            raise ProjectImportError(message)
    return list(projects.values())


def import_projects(node: Node, year: int, content: bytes) -> ImportResult:
    """Import a CSV file's projects for ``node`` and ``year``; ``ProjectImportError`` and nothing stored on error."""
    try:
        parsed = _parse(_decode(content))
    except UnicodeDecodeError as error:
        raise ProjectImportError(_("The file is neither UTF-8 nor Windows-1252 text.")) from error
    created = updated = lines = 0
    try:
        with transaction.atomic():
            for item in parsed:
                project = ItProject.objects.filter(node=node, year=year, name=item.name).first()
                if project is None:
                    project = ItProject(node=node, year=year, name=item.name)
                    created += 1
                else:
                    updated += 1
                project.description = item.description or project.description
                project.status = item.status
                project.state_funded = item.state_funded
                save_project(project, item.lines, refresh=False)
                lines += len(item.lines)
            refresh_findings(node)
    except ValidationError as error:
        messages = "; ".join(error.messages)
        raise ProjectImportError(_("Refused: %(errors)s") % {"errors": messages}) from error
    return ImportResult(created=created, updated=updated, lines=lines)
