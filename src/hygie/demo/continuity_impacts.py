"""Business-impact analyses of the demo group's activities (declarative data): grids and degraded modes.

Grids follow the CaRE d2.o1.c scopes: care services (emergencies, intensive care, maternity,
operating theatre...), the most critical administrative processes (admissions, payroll) and the
technical platforms (pharmacy, imaging, laboratory).
"""

from __future__ import annotations

from typing import Any

from hygie.demo.continuity_data import ActivityImpactSpec, DegradedModeSpec, ExtraActivitySpec

__all__ = [
    "ACTIVITY_IMPACTS",
    "EXTRA_ACTIVITIES",
    "GRIDS",
]


#: Impact grids (levels 0-4 at 1 h, 4 h, 24 h, 72 h, 1 week, 1 month; data loss at 1 h ... 1 week).
GRIDS: dict[str, dict[str, Any]] = {
    # Emergencies, intensive care: serious from the first hour, critical within four.
    "vital": {
        "impacts": {
            "patient_safety": [3, 4, 4, 4, 4, 4],
            "care_continuity": [3, 4, 4, 4, 4, 4],
            "legal": [1, 2, 3, 3, 4, 4],
            "finance": [0, 1, 2, 3, 3, 3],
            "image": [1, 2, 3, 4, 4, 4],
        },
        "data_loss": [1, 2, 3, 4, 4],
    },
    # Maternity, operating theatre, laboratory: a few hours on paper, critical within a day.
    "urgent": {
        "impacts": {
            "patient_safety": [1, 2, 4, 4, 4, 4],
            "care_continuity": [2, 2, 3, 4, 4, 4],
            "legal": [0, 1, 2, 3, 3, 4],
            "finance": [0, 1, 2, 3, 3, 3],
            "image": [0, 1, 2, 3, 4, 4],
        },
        "data_loss": [1, 2, 3, 4, 4],
    },
    # Scheduled care (radiotherapy, chemotherapy, imaging, medicine): a day, then patients are moved.
    "scheduled": {
        "impacts": {
            "patient_safety": [0, 1, 2, 3, 4, 4],
            "care_continuity": [1, 1, 2, 3, 4, 4],
            "legal": [0, 0, 1, 2, 3, 3],
            "finance": [0, 1, 2, 3, 3, 4],
            "image": [0, 1, 1, 2, 3, 4],
        },
        "data_loss": [1, 1, 2, 3, 4],
    },
    # Long stays (psychiatry, nursing home): a paper plan of care holds for days.
    "long_stay": {
        "impacts": {
            "patient_safety": [0, 1, 2, 2, 3, 4],
            "care_continuity": [1, 1, 2, 3, 3, 4],
            "legal": [0, 1, 2, 2, 3, 3],
            "finance": [0, 0, 1, 1, 2, 3],
            "image": [0, 0, 1, 2, 3, 3],
        },
        "data_loss": [0, 1, 2, 3, 4],
    },
    # Admissions: identities and billing; the risk is identity errors and lost revenue.
    "admissions": {
        "impacts": {
            "patient_safety": [0, 1, 2, 2, 3, 3],
            "care_continuity": [1, 1, 2, 3, 3, 3],
            "legal": [0, 1, 2, 3, 3, 4],
            "finance": [0, 1, 2, 3, 4, 4],
            "image": [0, 0, 1, 2, 3, 3],
        },
        "data_loss": [1, 1, 2, 3, 4],
    },
    # Payroll: nothing for days, then salaries are not paid at the end of the month.
    "payroll": {
        "impacts": {"legal": [0, 0, 1, 2, 3, 4], "finance": [0, 0, 1, 2, 2, 4], "image": [0, 0, 0, 1, 3, 4]},
        "data_loss": [0, 1, 2, 3, 4],
    },
}

_PAPER = "Paper forms printed in advance; results and prescriptions by phone, copied on paper."


def _mode(
    name: str, hold_h: float, procedure: str = _PAPER, owner: str = "", tested: int | None = None
) -> DegradedModeSpec:
    return DegradedModeSpec(name, hold_h, procedure, owner, tested)


ACTIVITY_IMPACTS: tuple[ActivityImpactSpec, ...] = (
    ActivityImpactSpec(
        "Urgences adultes",
        "care",
        "vital",
        "Pôle urgences",
        (_mode("Paper emergency record and lab requests", 24, owner="Cadre urgences", tested=120),),
    ),
    ActivityImpactSpec(
        "Urgences pédiatriques",
        "care",
        "vital",
        "Pôle mère-enfant",
        (_mode("Paper emergency record", 24, owner="Cadre pédiatrie"),),
    ),
    ActivityImpactSpec(
        "Maternité et salle de naissance",
        "care",
        "urgent",
        "Pôle mère-enfant",
        (
            _mode(
                "Paper partogram and labour ward register",
                72,
                "Paper partograms; monitors read at the bedside.",
                owner="Sage-femme coordinatrice",
                tested=200,
            ),
        ),
    ),
    ActivityImpactSpec(
        "Bloc opératoire",
        "care",
        "urgent",
        "Pôle chirurgie",
        (
            _mode(
                "Printed theatre schedule (D-1) and paper anaesthesia charts",
                24,
                "The D-1 schedule is printed every evening; urgent cases only after 24 hours.",
                owner="Cadre de bloc",
            ),
        ),
    ),
    ActivityImpactSpec(
        "Réanimation et soins critiques",
        "care",
        "vital",
        "Réanimation",
        (
            _mode(
                "Bedside monitoring and paper charts",
                12,
                "Monitors run alone; hourly paper charts.",
                owner="Cadre réanimation",
                tested=60,
            ),
        ),
    ),
    ActivityImpactSpec(
        "Radiothérapie",
        "care",
        "scheduled",
        "Radiothérapie",
        (
            _mode(
                "Sessions postponed, urgent patients sent to the regional centre",
                72,
                "Agreement with the regional cancer centre for urgent sessions.",
            ),
        ),
    ),
    ActivityImpactSpec(
        "Chimiothérapie ambulatoire",
        "care",
        "scheduled",
        "Oncologie",
        (_mode("Validated paper protocols", 48, "The pharmacy keeps signed paper protocols for ongoing cycles."),),
    ),
    ActivityImpactSpec(
        "Imagerie médicale",
        "technical_platform",
        "scheduled",
        "Pôle imagerie",
        (
            _mode(
                "Images read on the modality consoles, reports dictated",
                24,
                "Urgent images read on the consoles; reports by phone and on paper.",
            ),
        ),
    ),
    ActivityImpactSpec(
        "Laboratoire de biologie",
        "technical_platform",
        "urgent",
        "Laboratoire",
        (_mode("Paper requests, results by phone", 48, owner="Biologiste responsable", tested=300),),
    ),
    ActivityImpactSpec(
        "Dispensation pharmaceutique",
        "technical_platform",
        "scheduled",
        "Pharmacie",
        (_mode("Ward stock and paper orders", 72, "Global ward stock topped up on paper orders."),),
    ),
    ActivityImpactSpec(
        "Admissions et accueil",
        "administrative",
        "admissions",
        "Direction des finances",
        (
            _mode(
                "Paper admission forms, provisional identities",
                72,
                "Provisional identities (INS later), admissions recorded on paper and keyed in afterwards.",
            ),
        ),
    ),
    ActivityImpactSpec(
        "Urgences de Montbrézin", "care", "vital", "Urgences Montbrézin", (_mode("Paper emergency record", 24),)
    ),
    ActivityImpactSpec(
        "Médecine et chirurgie de Montbrézin",
        "care",
        "scheduled",
        "CME Montbrézin",
        (_mode("Paper care plans and prescriptions", 72),),
    ),
    ActivityImpactSpec(
        "Admissions en psychiatrie (soins sans consentement)",
        "care",
        "long_stay",
        "DIM EPSM",
        (
            _mode(
                "Paper register of involuntary admissions",
                168,
                "The legal register and the judge's deadlines are kept on paper.",
                tested=90,
            ),
        ),
    ),
    ActivityImpactSpec(
        "Hospitalisation psychiatrique", "care", "long_stay", "DIM EPSM", (_mode("Paper care plans", 168),)
    ),
    ActivityImpactSpec(
        "Soins et distribution des médicaments en EHPAD",
        "care",
        "long_stay",
        "Cadre de santé EHPAD",
        (
            _mode(
                "Weekly printed care and medication plan",
                72,
                "The care and medication plan is printed every Monday and kept in the nurses' office.",
            ),
        ),
    ),
    ActivityImpactSpec(
        "Chirurgie ambulatoire de la clinique",
        "care",
        "urgent",
        "Direction des soins clinique",
        (_mode("Paper day-surgery record", 24),),
    ),
    ActivityImpactSpec(
        "Paie des personnels",
        "administrative",
        "payroll",
        "Direction des ressources humaines",
        (
            _mode(
                "Last month's payroll paid again",
                720,
                "The bank file of the previous month is sent again; differences settled the month after.",
            ),
        ),
    ),
)

#: Payroll, an administrative process of each legal entity (CaRE d2.o1.c); the inventory lists only admissions.
EXTRA_ACTIVITIES: tuple[ExtraActivitySpec, ...] = (
    ExtraActivitySpec(
        "Paie des personnels",
        "support",
        1,
        240,
        ("Paie et ressources humaines", "Gestion du temps de travail"),
        "Monthly payroll of the support hospital's 3,100 staff, on the GHT's shared payroll system.",
    ),
)
