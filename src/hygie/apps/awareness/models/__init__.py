"""Awareness on the platform (digital-hygiene training and phishing simulations).

A node records its **staff census** per category (headcount as of a date, one row per census so
the history stays), its **targets** (training coverage over twelve months, phishing click-rate
ceiling; inherited from the nearest ancestor that sets them), **training sessions** with their
pseudonymised **completions**, and **phishing campaigns** imported from GoPhish with one
pseudonymised **result** per recipient. See docs/user-guide/awareness.md.
"""

from hygie.apps.awareness.models.phishing import PhishingCampaign, PhishingResult
from hygie.apps.awareness.models.staff import (
    RESULT_CATEGORIES,
    UNKNOWN_CATEGORY,
    AwarenessTarget,
    StaffCategory,
    StaffCensus,
)
from hygie.apps.awareness.models.training import SessionKind, TrainingCompletion, TrainingSession

__all__ = [
    "RESULT_CATEGORIES",
    "UNKNOWN_CATEGORY",
    "AwarenessTarget",
    "PhishingCampaign",
    "PhishingResult",
    "SessionKind",
    "StaffCategory",
    "StaffCensus",
    "TrainingCompletion",
    "TrainingSession",
]
