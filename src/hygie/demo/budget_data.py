"""The demo group's budgets, IT projects and funding applications, as data.

Orders of magnitude: French hospitals spend about 1.69 % of their operating budget on IT. The
support hospital (910 beds, a budget near 450 M EUR) has an IT budget near 11 M EUR; the local
hospital a few million; the psychiatric hospital under 2 M EUR; the nursing home about 150 k EUR.
Lines are (label, amount in euros, cybersecurity?).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["APPLICATIONS", "BUDGETS", "PROJECTS", "YEARLY_GROWTH"]

#: Per establishment key: (IT operating, IT investment, cyber operating, cyber investment, total operating budget)
#: for the current year; earlier years are derived with ``YEARLY_GROWTH``.
BUDGETS: dict[str, tuple[int, int, int, int, int]] = {
    "support": (7_600_000, 3_200_000, 610_000, 420_000, 452_000_000),
    "general": (2_350_000, 900_000, 118_000, 64_000, 148_000_000),
    "psychiatry": (1_280_000, 420_000, 52_000, 18_000, 86_000_000),
    "nursing_home": (98_000, 45_000, 3_500, 0, 6_400_000),
    "clinic": (520_000, 180_000, 21_000, 9_000, 31_000_000),
}
#: Budgets grew about 4 % a year.
YEARLY_GROWTH = Decimal("1.04")

#: (establishment key, years ago, name, status, state-funded, funding application key or "", lines).
PROJECTS: list[tuple[str, int, str, str, bool, str, list[tuple[str, int, bool]]]] = [
    ("support", 0, "Convergence du DPI (Ségur)", "in_progress", True, "segur_dpi", [
        ("Licences DPI convergé", 1_450_000, False), ("Intégration et reprise de données", 620_000, False),
        ("Serveurs applicatifs", 380_000, False), ("Homologation de sécurité et tests d'intrusion", 48_000, True),
        ("Durcissement et supervision des serveurs", 96_000, True),
    ]),
    ("support", 0, "Renouvellement du PACS", "planned", True, "", [
        ("PACS et stockage", 1_180_000, False), ("Migration des archives", 210_000, False),
        ("Segmentation du réseau d'imagerie", 32_000, True),
    ]),
    ("support", 0, "Annuaire d'administration dédié (tiering AD)", "in_progress", True, "care_d1", [
        ("Forêt d'administration et bastion", 140_000, True), ("Postes d'administration sécurisés", 60_000, True),
        ("Accompagnement", 45_000, False),
    ]),
    ("support", 0, "Sauvegardes immuables et isolées", "planned", True, "care_d2", [
        ("Baie de sauvegarde immuable", 230_000, True), ("Bandothèque externalisée", 85_000, True),
        ("Infrastructure de restauration", 120_000, False),
    ]),
    ("support", 0, "Wi-Fi patients et visiteurs", "done", False, "", [
        ("Bornes et contrôleurs", 310_000, False), ("Câblage", 95_000, False),
        ("Portail captif et filtrage", 14_000, True),
    ]),
    ("support", 1, "Messagerie sécurisée de santé", "done", True, "", [
        ("Plateforme", 180_000, False), ("Chiffrement et passerelle", 16_000, True),
    ]),
    ("support", 1, "EDR sur les postes et serveurs", "done", False, "", [
        ("Licences EDR trois ans", 260_000, True), ("Déploiement", 40_000, True),
    ]),
    ("general", 0, "Dossier de soins infirmiers mobile", "in_progress", True, "", [
        ("Tablettes et chariots", 260_000, False), ("Logiciel", 190_000, False),
        ("Gestion des terminaux mobiles (MDM)", 8_000, True),
    ]),
    ("general", 0, "Remplacement des pare-feux", "planned", False, "", [
        ("Pare-feux en grappe", 72_000, True), ("Intégration", 18_000, False),
    ]),
    ("general", 0, "Téléconsultation", "planned", True, "", [
        ("Plateforme", 84_000, False), ("Matériel des salles", 46_000, False),
        ("Analyse de risques et tests", 9_800, True),
    ]),
    ("general", 1, "Renouvellement du parc de postes", "done", False, "", [
        ("Postes de travail", 420_000, False), ("Masterisation durcie", 12_000, True),
    ]),
    ("psychiatry", 0, "Dossier patient en psychiatrie", "in_progress", True, "", [
        ("Logiciel", 240_000, False), ("Reprise de données", 60_000, False),
        ("Gestion des habilitations", 21_000, True),
    ]),
    ("psychiatry", 0, "Sensibilisation et hameçonnage simulé", "planned", False, "", [
        ("Plateforme d'e-learning", 12_000, True), ("Campagnes", 6_000, True),
    ]),
    ("nursing_home", 0, "Dossier de soins et Wi-Fi", "planned", True, "", [
        ("Logiciel de soins", 38_000, False), ("Wi-Fi", 21_000, False), ("Sauvegarde externalisée", 1_200, True),
    ]),
    ("clinic", 0, "Prescription connectée", "in_progress", False, "", [
        ("Logiciel", 96_000, False), ("Formation", 14_000, False), ("Audit de configuration", 7_500, True),
    ]),
]

#: (key, establishment key, programme key, title, reference, requested, granted, notes,
#:  milestones: kind -> (planned days from today, done days from today or None, amount or None)).
APPLICATIONS: list[tuple[str, str, str, str, str, int, int | None, str,
                         dict[str, tuple[int, int | None, int | None]]]] = [
    ("care_d1", "support", "care_d1", "CaRE domaine 1 — annuaires et exposition", "ARS-ARA-CARE1-0412", 180_000,
     150_000, "Audit ADS de l'annuaire et cartographie Silène de l'exposition ; remédiation des points critiques.",
     {"applied": (-540, -540, None), "validated": (-450, -452, 150_000), "declared": (-150, -146, None),
      "checked": (-20, None, None), "paid": (60, None, None)}),
    ("care_d2", "support", "care_d2", "CaRE domaine 2 — continuité et reprise", "ARS-ARA-CARE2-0077", 120_000,
     None, "Sauvegardes immuables, plans de continuité et test de restauration en production.",
     {"applied": (-30, -28, None), "validated": (60, None, None), "declared": (240, None, None),
      "checked": (330, None, None), "paid": (400, None, None)}),
    ("segur_dpi", "support", "segur", "Ségur — convergence du DPI", "SEGUR-VAGUE2-118", 1_200_000, 1_100_000,
     "Financement de la convergence du dossier patient du groupement.",
     {"applied": (-400, -400, None), "validated": (-300, -296, 1_100_000), "declared": (45, None, None),
      "checked": (120, None, None), "paid": (180, None, None)}),
]
