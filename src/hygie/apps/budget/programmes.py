"""The funding programmes shipped with Hygie, loaded idempotently after each ``migrate``.

Facts come from the public texts summarised in the project's domain notes; where a date or an
amount is not known for sure it is left empty rather than guessed. A superuser may complete or
correct a programme (``hygie budget programme-set``): a later load keeps their changes and only
adds programmes that are missing (``force`` restores the shipped values).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["PROGRAMMES", "load_programmes"]

_CARE_MILESTONES: list[dict[str, str]] = [
    {"kind": "applied", "note": "The establishment applies for the domain through its ARS."},
    {"kind": "validated", "note": "The ARS validates the application and the amount."},
    {"kind": "declared", "note": "The establishment declares its objectives met, with the evidence."},
    {"kind": "checked", "note": "The ARS (with the ANS) checks the declared objectives."},
    {"kind": "paid", "note": "The funding is paid once the objectives are checked."},
]

#: The shipped programmes, in display order.
PROGRAMMES: list[dict[str, Any]] = [
    {
        "key": "segur",
        "name": "Ségur — state-funded IT projects",
        "description": (
            "The 2021 Ségur investment plan set aside 350 M EUR for the cybersecurity of hospitals. "
            "Every IT project funded by the state must dedicate 5 to 10 % of its budget to cybersecurity."
        ),
        "legal_basis": "Ségur de la santé (2021)",
        "envelope": Decimal(350_000_000),
        "conditions": (
            "5 to 10 % of the funded project's budget is dedicated to cybersecurity (lines marked "
            "cybersecurity in the project). A project below 5 % does not meet the condition."
        ),
        "framework_key": "",
        "cyber_share_min": Decimal(5),
        "milestones": [
            {"kind": "applied", "note": "The project is submitted for state funding."},
            {"kind": "validated", "note": "The funding is granted."},
            {"kind": "declared", "note": "The establishment reports the project's spending, cybersecurity included."},
            {"kind": "checked", "note": "The spending and the 5-10 % share are checked."},
            {"kind": "paid", "note": "The funding is paid."},
        ],
    },
    {
        "key": "care_d1",
        "name": "CaRE domain 1 — directories and internet exposure",
        "description": (
            "CaRE programme (2023-2027), domain 1: audit and remediation of the technical directories "
            "(Active Directory, ANSSI ADS audit) and of the internet exposure (Silène mapping). "
            "1,182 establishments took part, all groups (GHT)."
        ),
        "legal_basis": "Arrêté of 18 March 2024",
        "envelope": Decimal(65_000_000),
        "conditions": (
            "Objectives of domain 1 declared met with their evidence and checked by the ARS: directory "
            "audit with an ANSSI-style level, internet exposure audit, remediation of critical exposures; "
            "a security lead and a recent crisis exercise as prerequisites."
        ),
        "framework_key": "care_d1",
        "milestones": _CARE_MILESTONES,
    },
    {
        "key": "care_d1_bis",
        "name": "CaRE domain 1 bis — 2026 round",
        "description": "A second round of domain 1 (directories and internet exposure) opened in 2026.",
        "legal_basis": "",
        "envelope": None,
        "conditions": "The objectives of domain 1, declared and checked as in the first round.",
        "framework_key": "care_d1",
        "milestones": _CARE_MILESTONES,
    },
    {
        "key": "care_d2",
        "name": "CaRE domain 2 — continuity and recovery",
        "description": (
            "CaRE programme, domain 2: continuity and recovery strategy (PCA/PRA built on business-impact "
            "analyses, backup and restore policy, secured backups, restore tests)."
        ),
        "legal_basis": "Arrêté of 3 July 2025",
        "envelope": Decimal(45_000_000),
        "objectives_from": dt.date(2026, 1, 16),
        "conditions": (
            "Prerequisites d2.p1 (signed security policy reviewed since 16 July 2022) and d2.p2 (organisation "
            "of the plan), then objectives d2.o1 to d2.o4 declared met with their evidence and checked."
        ),
        "framework_key": "care_d2",
        "milestones": _CARE_MILESTONES,
    },
]

_FIELDS = ("name", "description", "legal_basis", "envelope", "conditions", "framework_key", "cyber_share_min",
           "milestones", "opens_on", "closes_on", "objectives_from")


def load_programmes(*, force: bool = False) -> int:
    """Create the shipped programmes that are missing (``force``: reset them all); how many were written."""
    from hygie.apps.budget.models import FundingProgramme

    written = 0
    for order, data in enumerate(PROGRAMMES):
        values = {field: data.get(field) for field in _FIELDS}
        values["order"] = order
        for text_field in ("description", "legal_basis", "conditions", "framework_key"):
            values[text_field] = values[text_field] or ""
        values["milestones"] = values["milestones"] or []
        existing = FundingProgramme.objects.filter(key=data["key"]).first()
        if existing is None:
            FundingProgramme.objects.create(key=data["key"], **values)
            written += 1
        elif force:
            for field, value in values.items():
                setattr(existing, field, value)
            existing.save()
            written += 1
    return written
