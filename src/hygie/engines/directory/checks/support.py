"""What the stale-object, anomaly, trust, policy and ADCS checks share: ages, null guards, findings.

Collectors differ in what they read: SharpHound has no password policy, no userAccountControl,
no trust attributes. A check whose input column is null on every row it looks at cannot tell
"safe" from "unknown", so it raises :class:`NotEvaluatedError` instead of passing silently.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import polars as pl

from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.registry import NotEvaluatedError

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding

__all__ = [
    "DAY_S",
    "DC_LIKE",
    "ENABLED",
    "LAST_LOGON",
    "MAX_EVIDENCE_OBJECTS",
    "SID_DOMAIN",
    "SID_RID",
    "days_before",
    "finding_with",
    "require",
    "with_evidence",
]

DAY_S = 86400
ENABLED = pl.col("enabled").fill_null(value=False)
#: The most recent logon known, replicated (lastLogonTimestamp) or not (lastLogon); 0 when none.
LAST_LOGON = pl.max_horizontal(pl.col("lastlogon").fill_null(0), pl.col("lastlogontimestamp").fill_null(0))
#: Domain part and RID of a domain account SID (``S-1-5-21-a-b-c`` and ``RID``); null otherwise.
SID_DOMAIN = pl.col("object_id").str.extract(r"^(S-1-5-21-\d+-\d+-\d+)-\d+$", 1)
SID_RID = pl.col("object_id").str.extract(r"^S-1-5-21-\d+-\d+-\d+-(\d+)$", 1).cast(pl.Int64, strict=False)

#: Domain controllers, read-only ones included: flagged as such, or in the DC or RODC primary group
#: (SharpHound's ``isdc`` is false for RODCs, and some collections leave it empty).
DC_LIKE = (
    pl.col("is_dc").fill_null(value=False)
    | pl.col("is_rodc").fill_null(value=False)
    | pl.col("primary_group_sid").str.contains(r"^S-1-5-21-\d+-\d+-\d+-(516|521)$").fill_null(value=False)
)


def days_before(now: datetime, days: int) -> int:
    """Unix seconds ``days`` days before ``now``."""
    return int(now.timestamp()) - days * DAY_S


def require(frame: pl.DataFrame, columns: tuple[str, ...], what: str) -> pl.DataFrame:
    """``frame`` unchanged, or ``NotEvaluatedError`` when ``columns`` are all null on every row.

    An empty ``frame`` is evaluated: there is nothing to claim about objects that do not exist.
    """
    if frame.height and all(frame[column].null_count() == frame.height for column in columns):
        msg = f"the collection does not carry {what}"
        raise NotEvaluatedError(msg)
    return frame


def with_evidence(findings: list[Finding], **evidence: Any) -> list[Finding]:
    """``findings`` with ``evidence`` added to each one's evidence mapping."""
    return [replace(finding, evidence={**finding.evidence, **evidence}) for finding in findings]


#: At most this many offenders have their details in the evidence (``count`` stays the total), so
#: a finding on 100,000 accounts stays a readable report; ``affected`` still names them all.
MAX_EVIDENCE_OBJECTS = 5000


def finding_with(check_id: str, offenders: pl.DataFrame, details: tuple[str, ...] = ()) -> list[Finding]:
    """:func:`finding_for`, plus the ``details`` columns of the offenders under ``evidence["objects"]``."""
    findings = finding_for(check_id, offenders)
    if not findings or not details:
        return findings
    rows = offenders.head(MAX_EVIDENCE_OBJECTS).select("object_id", "name", *details).to_dicts()
    return with_evidence(findings, objects=rows)
