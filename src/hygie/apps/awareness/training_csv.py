"""The training-completions CSV: one line per person and session completed.

Columns: ``email,first_name,last_name,category,establishment,session,completed_on`` (``first_name``,
``last_name`` and ``session_kind`` optional; names are read and dropped, never stored). The
establishment is a FINESS (EJ or EG) or an exact name; an empty cell means the importing node.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hygie.apps.awareness.csvfiles import (
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    CsvError,
    check_email,
    parse_category,
    parse_date,
    plain_text,
    pseudonym,
    read_table,
)
from hygie.apps.awareness.models.training import SessionKind

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "CompletionRow", "parse_training"]

REQUIRED_COLUMNS = ("email", "category", "establishment", "session", "completed_on")
OPTIONAL_COLUMNS = ("first_name", "last_name", "session_kind")
MAX_TITLE = 200

_KINDS = {
    **{plain_text(k.value): k for k in SessionKind},
    "e learning": SessionKind.ELEARNING, "module": SessionKind.ELEARNING, "presentiel": SessionKind.CLASSROOM,
    "classroom": SessionKind.CLASSROOM, "formation": SessionKind.CLASSROOM, "exercice": SessionKind.EXERCISE,
}


@dataclass(frozen=True)
class CompletionRow:
    """One completion, pseudonymised; ``establishment`` is the cell as written (resolved by the importer)."""

    line: int
    person: str
    category: str
    establishment: str
    session: str
    session_kind: str
    completed_on: dt.date


def parse_training(
    data: bytes,
    secret: str | bytes,
    *,
    today: dt.date,
    max_bytes: int = MAX_CSV_BYTES,
    max_rows: int = MAX_CSV_ROWS,
) -> list[CompletionRow]:
    """The completions of a training CSV; :class:`CsvError` names the line of the first problem.

    The same person and session listed twice count once (the earliest completion date is kept).
    """
    table = read_table(data, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, max_bytes=max_bytes,
                       max_rows=max_rows)
    if not table.rows:
        raise CsvError(_("The file has a header but no completions."))
    kept: dict[tuple[str, str], CompletionRow] = {}
    for line, row in table.rows:
        email = check_email(row["email"], line)
        session = row["session"].strip()
        if not session:
            raise CsvError(_("Line %(line)d: the session is empty.") % {"line": line})
        if len(session) > MAX_TITLE:
            raise CsvError(_("Line %(line)d: the session title is longer than %(max)d characters.")
                           % {"line": line, "max": MAX_TITLE})
        completed_on = parse_date(row["completed_on"], line, "completed_on")
        if completed_on > today:
            raise CsvError(_("Line %(line)d: completed_on %(date)s is in the future.")
                           % {"line": line, "date": completed_on.isoformat()})
        kind_text = plain_text(row.get("session_kind", ""))
        kind = _KINDS.get(kind_text) if kind_text else SessionKind.ELEARNING
        if kind is None:
            raise CsvError(
                _("Line %(line)d: unknown session kind %(value)r; expected one of %(choices)s.")
                % {"line": line, "value": row["session_kind"][:40], "choices": ", ".join(k.value for k in SessionKind)}
            )
        completion = CompletionRow(
            line=line,
            person=pseudonym(email, secret),
            category=parse_category(row["category"], line).value,
            establishment=row["establishment"].strip(),
            session=session,
            session_kind=kind.value,
            completed_on=completed_on,
        )
        key = (completion.person, session.casefold())
        previous = kept.get(key)
        if previous is None or completion.completed_on < previous.completed_on:
            kept[key] = completion
    return sorted(kept.values(), key=lambda c: c.line)
