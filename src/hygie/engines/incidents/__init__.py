"""Incident obligations and their regulatory clocks: which reports an incident calls for, and by when.

Pure Python (no Django). The rules are data (``obligations.yaml`` beside this module, format in
``docs/development/obligations.md``); :func:`clocks` turns the applicable ones into deadlines and
states for one incident.
"""

from __future__ import annotations

from hygie.engines.incidents.clock import PARIS, Clock, ClockState, clocks, deadline_for, local_time
from hygie.engines.incidents.loader import SHIPPED_RULES, load_rules, parse_rules, shipped_rules
from hygie.engines.incidents.rules import (
    AUTHORITIES,
    AWARENESS,
    DECLARATIONS,
    Deadline,
    DeadlineKind,
    Fact,
    ObligationRule,
    RuleError,
    RuleSet,
    Situation,
)

__all__ = [
    "AUTHORITIES",
    "AWARENESS",
    "DECLARATIONS",
    "PARIS",
    "SHIPPED_RULES",
    "Clock",
    "ClockState",
    "Deadline",
    "DeadlineKind",
    "Fact",
    "ObligationRule",
    "RuleError",
    "RuleSet",
    "Situation",
    "clocks",
    "deadline_for",
    "load_rules",
    "local_time",
    "parse_rules",
    "shipped_rules",
]
