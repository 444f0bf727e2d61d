"""GoPhish's CSV results export: parsing, the mapping of positions to staff categories, the funnel.

The export (campaign page, "Export CSV", results) has one line per recipient with the columns
``id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position``;
``status`` is the furthest event GoPhish recorded for the recipient. A ``category`` column, when a
CISO adds one, wins over the mapping of ``position``.

The funnel is cumulative: a recipient who submitted data also clicked, opened and received the
e-mail (GoPhish's status keeps only the furthest step). Rates are over the e-mails delivered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hygie.apps.awareness.csvfiles import (
    CATEGORY_LABELS,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    CsvError,
    check_email,
    parse_date,
    plain_text,
    pseudonym,
    read_table,
)
from hygie.apps.awareness.models.staff import UNKNOWN_CATEGORY, StaffCategory

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "GOPHISH_COLUMNS",
    "STAGES",
    "Funnel",
    "GophishResult",
    "category_of_position",
    "funnel_of",
    "funnels_by_category",
    "parse_gophish",
]

GOPHISH_COLUMNS = (
    "id", "status", "ip", "latitude", "longitude", "send_date", "reported", "modified_date",
    "email", "first_name", "last_name", "position",
)

NOT_SENT, SENT, OPENED, CLICKED, SUBMITTED = range(5)

#: GoPhish result statuses and how far each one went. Not-yet-sent and failed deliveries are stage 0.
STAGES: dict[str, int] = {
    "scheduled": NOT_SENT, "queued": NOT_SENT, "sending": NOT_SENT, "retrying": NOT_SENT,
    "error": NOT_SENT, "error sending email": NOT_SENT, "unknown": NOT_SENT,
    "email sent": SENT, "success": SENT, "email reported": SENT,
    "email opened": OPENED,
    "clicked link": CLICKED,
    "submitted data": SUBMITTED,
}

_TRUE = {"true", "1", "yes", "oui", "vrai"}
_FALSE = {"false", "0", "no", "non", "faux", ""}

#: Words of a job title and the category they point to, tried in this order (first match wins):
#: IT before management ("DSI", "responsable informatique"), management before care ("cadre de
#: santé" manages a unit), medical before paramedical ("médecin" vs "aide-soignant").
POSITION_RULES: tuple[tuple[StaffCategory, tuple[str, ...]], ...] = (
    (StaffCategory.IT, ("informatique", "informaticien", "dsi", "rssi", "ciso", "developpeur", "developer",
                        "reseau", "network", "system", "systeme", "it ", "helpdesk", "support it", "devops",
                        "biomedical informatics", "numerique")),
    (StaffCategory.MANAGEMENT, ("directeur", "directrice", "director", "direction", "cadre", "chef", "chief",
                                "head of", "manager", "responsable", "drh", "ceo", "cfo", "president")),
    (StaffCategory.MEDICAL, ("medecin", "doctor", "physician", "chirurgien", "surgeon", "praticien", "pharmacien",
                             "pharmacist", "interne", "resident", "radiologue", "anesthesiste", "psychiatre",
                             "sage femme", "midwife", "dentiste", "dentist", "pediatre", "cardiologue", "urgentiste")),
    (StaffCategory.PARAMEDICAL, ("infirmier", "infirmiere", "nurse", "ide", "ibode", "iade", "aide soignant",
                                 "auxiliaire", "kinesitherapeute", "kine", "physiotherap", "manipulateur",
                                 "radiographer", "ergotherapeute", "psychologue", "dieteticien", "orthophoniste",
                                 "preparateur", "laborantin", "technicien de laboratoire", "brancardier",
                                 "puericultrice", "soignant", "caregiver")),
    (StaffCategory.TECHNICAL, ("technicien", "technician", "ingenieur", "engineer", "maintenance", "electricien",
                               "plombier", "ouvrier", "logistique", "logistic", "cuisinier", "cook", "agent technique",
                               "biomedical", "securite incendie", "jardinier", "chauffeur", "driver")),
    (StaffCategory.ADMINISTRATIVE, ("secretaire", "secretary", "administratif", "administrative", "admission",
                                    "accueil", "reception", "comptable", "accountant", "gestionnaire", "rh",
                                    "ressources humaines", "human resources", "assistant", "assistante", "clerk",
                                    "facturation", "billing", "archiviste", "juriste", "acheteur", "buyer")),
)


def category_of_position(position: str) -> str:
    """The staff category a job title points to, or ``"unknown"`` (see ``POSITION_RULES``)."""
    plain = plain_text(position)
    if not plain:
        return UNKNOWN_CATEGORY
    exact = CATEGORY_LABELS.get(plain)
    if exact is not None:
        return exact.value
    # Pad with spaces so that short words ("ide", "rh", "it ") match whole words only.
    padded = f" {plain} "
    for category, words in POSITION_RULES:
        if any(f" {word.strip()} " in padded or (len(word.strip()) > 4 and word.strip() in plain)  # noqa: PLR2004
               for word in words):
            return category.value
    return UNKNOWN_CATEGORY


@dataclass(frozen=True)
class GophishResult:
    """One recipient of a campaign, pseudonymised."""

    person: str
    category: str
    status: str
    stage: int
    reported: bool
    sent_on: dt.date | None


def parse_gophish(
    data: bytes, secret: str | bytes, *, max_bytes: int = MAX_CSV_BYTES, max_rows: int = MAX_CSV_ROWS
) -> list[GophishResult]:
    """The results of a GoPhish CSV export; :class:`CsvError` names the line of the first problem.

    A recipient listed twice (same e-mail) counts once, at the furthest stage reached.
    """
    table = read_table(data, required=GOPHISH_COLUMNS, optional=("category",), allow_extra=True,
                       max_bytes=max_bytes, max_rows=max_rows)
    if not table.rows:
        raise CsvError(_("The file has a header but no results."))
    by_person: dict[str, GophishResult] = {}
    for line, row in table.rows:
        email = check_email(row["email"], line)
        status = row["status"].strip()
        stage = STAGES.get(status.lower())
        if stage is None:
            raise CsvError(
                _("Line %(line)d: unknown GoPhish status %(value)r; expected one of %(choices)s.")
                % {"line": line, "value": status[:40], "choices": ", ".join(sorted({s.title() for s in STAGES}))}
            )
        reported_text = row["reported"].strip().lower()
        if reported_text not in _TRUE | _FALSE:
            raise CsvError(_("Line %(line)d: reported must be true or false, not %(value)r.")
                           % {"line": line, "value": row["reported"][:20]})
        reported = reported_text in _TRUE or status.lower() == "email reported"
        if reported and stage == NOT_SENT:
            stage = SENT  # a reported e-mail was delivered
        category = _category(row, line)
        sent_on = parse_date(row["send_date"], line, "send_date") if row["send_date"].strip() else None
        person = pseudonym(email, secret)
        result = GophishResult(person, category, status, stage, reported, sent_on)
        previous = by_person.get(person)
        if previous is not None:
            result = GophishResult(person, category, status if stage >= previous.stage else previous.status,
                                   max(stage, previous.stage), reported or previous.reported,
                                   previous.sent_on or sent_on)
        by_person[person] = result
    return list(by_person.values())


def _category(row: dict[str, str], line: int) -> str:
    given = row.get("category", "").strip()
    if given:
        found = CATEGORY_LABELS.get(plain_text(given))
        if found is None and plain_text(given) != UNKNOWN_CATEGORY:
            raise CsvError(
                _("Line %(line)d: unknown category %(value)r; expected one of %(choices)s (or their French labels).")
                % {"line": line, "value": given[:40], "choices": ", ".join(c.value for c in StaffCategory)}
            )
        return found.value if found is not None else UNKNOWN_CATEGORY
    return category_of_position(row["position"])


@dataclass(frozen=True)
class Funnel:
    """Cumulative counts of a campaign (or one category of it) and their rates over delivered e-mails."""

    targeted: int = 0
    sent: int = 0
    opened: int = 0
    clicked: int = 0
    submitted: int = 0
    reported: int = 0

    def rate(self, step: str) -> float | None:
        """``step`` (opened, clicked, submitted, reported) over ``sent``; None when nothing was delivered."""
        return getattr(self, step) / self.sent if self.sent else None

    def as_dict(self) -> dict[str, Any]:
        """JSON form, with the rates."""
        counts: dict[str, Any] = asdict(self)
        counts["rates"] = {step: self.rate(step) for step in ("opened", "clicked", "submitted", "reported")}
        return counts

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Funnel:
        """Inverse of ``as_dict`` (rates are recomputed)."""
        data = data or {}
        return cls(**{name: int(data.get(name) or 0)
                      for name in ("targeted", "sent", "opened", "clicked", "submitted", "reported")})


def funnel_of(results: Iterable[tuple[int, bool]]) -> Funnel:
    """The funnel of ``(stage, reported)`` pairs: each stage counts every recipient who reached it or beyond."""
    counts = [0] * 5
    reported = targeted = 0
    for stage, was_reported in results:
        targeted += 1
        for reached in range(SENT, min(stage, SUBMITTED) + 1):
            counts[reached] += 1
        reported += bool(was_reported and stage >= SENT)
    return Funnel(targeted, counts[SENT], counts[OPENED], counts[CLICKED], counts[SUBMITTED], reported)


def funnels_by_category(results: Iterable[tuple[str, int, bool]]) -> dict[str, Any]:
    """``{"overall": funnel, "categories": {category: funnel}}`` of ``(category, stage, reported)`` triples."""
    everything: list[tuple[int, bool]] = []
    grouped: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for category, stage, reported in results:
        everything.append((stage, reported))
        grouped[category].append((stage, reported))
    return {
        "overall": funnel_of(everything).as_dict(),
        "categories": {category: funnel_of(items).as_dict() for category, items in sorted(grouped.items())},
    }
