"""The demo group's awareness figures: staff per category, training coverage, phishing campaigns.

Staff numbers follow the usual shape of French public hospitals (paramedical staff over half,
medical staff about a tenth, IT about 1.5 %): a CHU-sized support establishment of 4,000 staff,
a general hospital of 1,300, a psychiatric one of 720, a nursing home of 130, a private clinic of
320. The psychiatric establishment is well under the group's 80 % target; doctors of the support
establishment are just under it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CAMPAIGNS", "GROUP_TARGET", "POSITIONS", "SESSIONS", "STAFF", "TRAINED", "CampaignSpec"]

CATEGORIES = ("medical", "paramedical", "administrative", "technical", "it", "management")

#: Headcount per category and establishment key (current census; last year's is 3 % lower).
STAFF: dict[str, dict[str, int]] = {
    "support": {"medical": 460, "paramedical": 2300, "administrative": 480, "technical": 560, "it": 60,
                "management": 140},
    "general": {"medical": 140, "paramedical": 760, "administrative": 160, "technical": 180, "it": 18,
                "management": 42},
    "psychiatry": {"medical": 60, "paramedical": 430, "administrative": 90, "technical": 110, "it": 8,
                   "management": 22},
    "nursing_home": {"medical": 3, "paramedical": 90, "administrative": 12, "technical": 20, "it": 1,
                     "management": 4},
    "clinic": {"medical": 40, "paramedical": 190, "administrative": 40, "technical": 40, "it": 4, "management": 6},
}

#: Share of each category trained in the last twelve months.
TRAINED: dict[str, dict[str, float]] = {
    "support": {"medical": 0.77, "paramedical": 0.86, "administrative": 0.9, "technical": 0.82, "it": 0.97,
                "management": 0.93},
    "general": {"medical": 0.84, "paramedical": 0.83, "administrative": 0.88, "technical": 0.81, "it": 0.95,
                "management": 0.9},
    "psychiatry": {"medical": 0.45, "paramedical": 0.55, "administrative": 0.62, "technical": 0.5, "it": 0.75,
                   "management": 0.68},
    "nursing_home": {"medical": 1.0, "paramedical": 0.88, "administrative": 0.92, "technical": 0.85, "it": 1.0,
                     "management": 1.0},
    "clinic": {"medical": 0.55, "paramedical": 0.62, "administrative": 0.7, "technical": 0.6, "it": 1.0,
               "management": 0.83},
}

#: The group's targets (%): coverage over twelve months, phishing click-rate ceiling.
GROUP_TARGET = (80, 15)

#: Training sessions (title, kind) and who mostly follows them.
SESSIONS: tuple[tuple[str, str], ...] = (
    ("Hygiène numérique : les bases (module en ligne)", "elearning"),
    ("Reconnaître un courriel d'hameçonnage", "elearning"),
    ("Accueil des nouveaux arrivants : cybersécurité", "classroom"),
    ("Exercice de crise cyber (cellule de crise)", "exercise"),
)
#: Last year's module: completions older than twelve months, so that the trend has a history.
PREVIOUS_SESSION = ("Hygiène numérique 2024 (module en ligne)", "elearning")

#: GoPhish positions per category, as HR systems spell them.
POSITIONS: dict[str, tuple[str, ...]] = {
    "medical": ("Praticien hospitalier", "Médecin urgentiste", "Interne", "Pharmacien", "Sage-femme"),
    "paramedical": ("Infirmier", "Infirmière", "Aide-soignante", "IBODE", "Manipulateur radio",
                    "Kinésithérapeute"),
    "administrative": ("Secrétaire médicale", "Agent administratif des admissions", "Gestionnaire RH",
                       "Assistante de direction"),
    "technical": ("Technicien de maintenance", "Ingénieur biomédical", "Agent logistique", "Cuisinier"),
    "it": ("Technicien informatique", "Ingénieur système", "RSSI"),
    "management": ("Cadre de santé", "Directeur des achats", "Directrice des soins"),
}


@dataclass(frozen=True)
class CampaignSpec:
    """A phishing simulation: who ran it, when, to how many, and how they behaved."""

    owner_key: str
    name: str
    days_ago: int
    recipients: int
    open_rate: float
    click_rate: float
    submit_share: float  # of those who clicked
    report_rate: float


CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec("support", "Simulation d'hameçonnage — printemps (faux colis)", 200, 600, 0.52, 0.19, 0.45, 0.05),
    CampaignSpec("support", "Simulation d'hameçonnage — automne (faux message RH)", 35, 600, 0.48, 0.11, 0.4, 0.12),
    CampaignSpec("general", "Simulation d'hameçonnage — faux message de la messagerie", 80, 300, 0.55, 0.17, 0.5,
                 0.06),
)
