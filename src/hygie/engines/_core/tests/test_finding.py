"""The ``Finding`` contract: validation, fingerprint and JSON round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hygie.engines._core import (
    MAX_CHECK_ID_LENGTH,
    AffectedObject,
    Finding,
    FindingFormatError,
    Reference,
    ReferenceKind,
    Severity,
)


def _finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "check_id": "directory.krbtgt_password_age",
        "title": "krbtgt password older than a year",
        "severity": Severity.HIGH,
        "affected": (AffectedObject("domain", "chu.local", "S-1-5-21-1"),),
        "evidence": {"age_days": 812},
        "remediation": "Reset the krbtgt password twice.",
        "references": (Reference(ReferenceKind.ANSSI, "vuln2_krbtgt"),),
    }
    fields.update(overrides)
    return Finding(**fields)


class TestSeverityParse:
    """Severities are read from names (any case) or integers, and nothing else."""

    @pytest.mark.parametrize(("raw", "expected"), [("high", Severity.HIGH), (" CRITICAL ", Severity.CRITICAL),
                                                   (0, Severity.INFO), ("Medium", Severity.MEDIUM)])
    def test_accepts_names_and_values(self, raw: str | int, expected: Severity) -> None:
        """Names and integer values map to the enum."""
        assert expected == Severity.parse(raw)

    @pytest.mark.parametrize("raw", ["severe", "", 7, -1, True])
    def test_refuses_others_with_choices(self, raw: Any) -> None:
        """Unknown names, out-of-range integers and booleans are refused with the list of choices."""
        with pytest.raises(ValueError, match="expected one of info, low, medium, high, critical"):
            Severity.parse(raw)


class TestFindingValidation:
    """A finding refuses to exist in a shape the platform could not store."""

    @pytest.mark.parametrize("check_id", ["krbtgt", "Directory.krbtgt", "directory.", "directory.krbtgt\n",
                                          "directory.kr btgt", "directory.krbtgt-age", ".krbtgt"])
    def test_refuses_malformed_check_ids(self, check_id: str) -> None:
        """The check id must be lower case, namespaced and free of spaces, dashes and newlines."""
        with pytest.raises(FindingFormatError, match="namespaced"):
            _finding(check_id=check_id)

    def test_refuses_overlong_check_id(self) -> None:
        """Check ids longer than the stored column are refused."""
        with pytest.raises(FindingFormatError, match="longer than"):
            _finding(check_id="directory." + "x" * MAX_CHECK_ID_LENGTH)

    @pytest.mark.parametrize("title", ["", "   "])
    def test_refuses_blank_title(self, title: str) -> None:
        """A finding needs a title."""
        with pytest.raises(FindingFormatError, match="title"):
            _finding(title=title)

    def test_refuses_non_mapping_evidence(self) -> None:
        """Evidence is a JSON object."""
        with pytest.raises(FindingFormatError, match="evidence"):
            _finding(evidence=["not", "a", "mapping"])

    def test_refuses_foreign_affected_objects(self) -> None:
        """Affected objects are ``AffectedObject`` values."""
        with pytest.raises(FindingFormatError, match="AffectedObject"):
            _finding(affected=({"kind": "host", "name": "srv"},))

    def test_coerces_severity_and_sequences(self) -> None:
        """A severity name and lists are accepted and stored as the enum and tuples."""
        finding = _finding(severity="critical", affected=[AffectedObject("host", "srv")], references=[])
        assert (Severity.CRITICAL, (AffectedObject("host", "srv"),), ()) == (
            finding.severity, finding.affected, finding.references)

    def test_engine_is_the_namespace(self) -> None:
        """The engine is the first part of the check id."""
        assert "directory" == _finding().engine


class TestFingerprint:
    """The fingerprint identifies a finding across runs."""

    def test_stable_value(self) -> None:
        """The same check on the same objects always gives the same, known fingerprint."""
        assert _finding().fingerprint == _finding(title="Other title", severity=Severity.LOW,
                                                  evidence={"age_days": 900}).fingerprint
        assert 32 == len(_finding().fingerprint)
        # Pinned: changing the algorithm would duplicate every stored finding at the next run.
        assert "5c6a5d558e5181b6b1055e5dfbde023d" == _finding(
            check_id="exposure.rdp_exposed", affected=(AffectedObject("host", "203.0.113.7"),)).fingerprint

    def test_order_of_affected_objects_does_not_matter(self) -> None:
        """Engines may list affected objects in any order."""
        first, second = AffectedObject("user", "alice", "S-1"), AffectedObject("user", "bob", "S-2")
        assert _finding(affected=(first, second)).fingerprint == _finding(affected=(second, first)).fingerprint

    def test_identifier_wins_over_name(self) -> None:
        """A renamed object with the same identifier is the same finding."""
        before = _finding(affected=(AffectedObject("user", "alice", "S-1"),))
        after = _finding(affected=(AffectedObject("user", "alice.renamed", "S-1"),))
        assert before.fingerprint == after.fingerprint

    def test_differs_by_check_and_object(self) -> None:
        """Another check or another object is another finding."""
        base = _finding()
        other_check = _finding(check_id="directory.guest_enabled")
        other_object = _finding(affected=(AffectedObject("domain", "ght.local", "S-1-5-21-2"),))
        assert 3 == len({base.fingerprint, other_check.fingerprint, other_object.fingerprint})


class TestJsonForm:
    """``to_dict`` and ``from_dict`` are inverse, through real JSON text."""

    def test_round_trip(self) -> None:
        """A finding survives to_dict → JSON → from_dict unchanged."""
        finding = _finding()
        assert finding == Finding.from_dict(json.loads(json.dumps(finding.to_dict())))

    def test_shape(self) -> None:
        """The JSON form names severity by name and carries the fingerprint."""
        data = _finding().to_dict()
        assert ("high", _finding().fingerprint, [{"kind": "anssi", "id": "vuln2_krbtgt"}]) == (
            data["severity"], data["fingerprint"], data["references"])

    def test_minimal_input(self) -> None:
        """Only check id, title and severity are required; null optional fields mean empty."""
        finding = Finding.from_dict({"check_id": "exposure.smb_exposed", "title": "SMB exposed",
                                     "severity": 3, "evidence": None, "affected": None})
        assert (Severity.HIGH, (), {}, "") == (finding.severity, finding.affected, finding.evidence,
                                               finding.remediation)

    def test_fingerprint_key_is_ignored(self) -> None:
        """A forged fingerprint cannot make a finding overwrite another one."""
        data = _finding().to_dict() | {"fingerprint": "0" * 32}
        assert _finding().fingerprint == Finding.from_dict(data).fingerprint

    @pytest.mark.parametrize(("data", "reason"), [
        ([], "expected a JSON object"),
        ({"title": "t", "severity": "high"}, "missing field 'check_id'"),
        ({"check_id": "a.b", "title": 3, "severity": "high"}, "'title' must be a string"),
        ({"check_id": "a.b", "title": "t", "severity": "severe"}, "unknown severity"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "affected": "srv"}, "'affected' must be a list"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "affected": [{"kind": "host"}]}, "'kind' and a 'name'"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "evidence": [1]}, "'evidence' must be an object"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "remediation": {}}, "'remediation' must be a string"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "references": [{"kind": "iso", "id": "1"}]},
         "unknown reference kind 'iso'"),
        ({"check_id": "a.b", "title": "t", "severity": "high", "references": ["CVE-2024-1"]}, "'kind' and an 'id'"),
        ({"check_id": "A B", "title": "t", "severity": "high"}, "namespaced"),
    ])
    def test_malformed_input_gives_reason(self, data: Any, reason: str) -> None:
        """Malformed JSON data raises ``ValueError`` naming the field and the problem."""
        with pytest.raises(ValueError, match=reason):
            Finding.from_dict(data)
