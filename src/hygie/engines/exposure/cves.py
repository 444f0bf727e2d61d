"""NVD CVE records (API 2.0 JSON), to tell whether a product version lies in a CVE's vulnerable ranges.

A KEV entry says a product line was exploited, not that the version in front of us is affected. The
NVD's ``configurations`` say which versions are: each ``cpeMatch`` names a product (``criteria``) and
a range (``versionStartIncluding``, ``versionEndExcluding``...). Only the *vulnerable* matches of the
running product count: an AND configuration's other nodes name the platform it runs on (hardware,
operating system), which an exposure audit cannot see, so they are not required to match.

Versions compare by :func:`compare_versions`: numbers numerically, words lexically, ``7.2`` equal to
``7.2.0``, a hotfix suffix after its base (``10.2.3-h4`` > ``10.2.3``) and a pre-release before it
(``1.0rc1`` < ``1.0``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.kev import Cpe, parse_cpe

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_NVD_BYTES", "CpeMatch", "CveCatalogue", "CveError", "compare_versions", "version_in_range"]

#: Largest NVD file read: a yearly NVD 2.0 feed, uncompressed, is a few hundred MB.
MAX_NVD_BYTES = 512 * 1024 * 1024

_PRE_RELEASE = frozenset({"a", "alpha", "b", "beta", "rc", "pre", "preview", "dev", "snapshot"})
_TOKEN_RE = re.compile(r"\d+|[a-z]+")


class CveError(ValueError):
    """An NVD file that cannot be read; the message names the file and the record."""


def _tokens(version: str) -> list[tuple[int, int | str]]:
    """``(2, n)`` for numbers, ``(1, word)`` for words, ``(0, word)`` for pre-release words."""
    tokens: list[tuple[int, int | str]] = []
    for token in _TOKEN_RE.findall(version.lower()[:128]):
        if token.isdigit():
            tokens.append((2, int(token)))
        else:
            tokens.append((0 if token in _PRE_RELEASE else 1, token))
    return tokens


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` is older than, the same as or newer than ``right``.

    The shorter version is padded with ``0`` against a number (``7.2`` equals ``7.2.0``) and with an
    empty word otherwise, which sorts after a pre-release word (``1.0rc1`` < ``1.0``) and before any
    other word (``10.2.3`` < ``10.2.3-h4``, ``9.2`` < ``9.2p1``).
    """
    a, b = _tokens(left), _tokens(right)
    for index in range(max(len(a), len(b))):
        x = a[index] if index < len(a) else None
        y = b[index] if index < len(b) else None
        if x is None:
            x = (2, 0) if y is not None and y[0] == 2 else (1, "")  # noqa: PLR2004 - the number tag
        if y is None:
            y = (2, 0) if x[0] == 2 else (1, "")  # noqa: PLR2004 - the number tag
        if x != y:
            return -1 if x < y else 1
    return 0


def version_in_range(
    version: str,
    *,
    start_including: str | None = None,
    start_excluding: str | None = None,
    end_including: str | None = None,
    end_excluding: str | None = None,
) -> bool:
    """Whether ``version`` lies within the bounds given (absent bounds are open)."""
    return not (
        (start_including is not None and compare_versions(version, start_including) < 0)
        or (start_excluding is not None and compare_versions(version, start_excluding) <= 0)
        or (end_including is not None and compare_versions(version, end_including) > 0)
        or (end_excluding is not None and compare_versions(version, end_excluding) >= 0)
    )


@dataclass(frozen=True, slots=True)
class CpeMatch:
    """One vulnerable ``cpeMatch`` of a CVE: a product and the versions of it that are affected."""

    cpe: Cpe
    start_including: str | None = None
    start_excluding: str | None = None
    end_including: str | None = None
    end_excluding: str | None = None

    def names(self, cpe: Cpe) -> bool:
        """Whether this match is about the product of ``cpe`` (vendor and product; the part may differ)."""
        return self.cpe.vendor == cpe.vendor and self.cpe.product == cpe.product

    def includes(self, version: str) -> bool:
        """Whether ``version`` of the product is affected."""
        if self.cpe.has_version:
            return compare_versions(self.cpe.version, version) == 0
        return version_in_range(
            version,
            start_including=self.start_including,
            start_excluding=self.start_excluding,
            end_including=self.end_including,
            end_excluding=self.end_excluding,
        )


@dataclass(slots=True)
class CveCatalogue:
    """CVE id -> its vulnerable product matches, loaded from NVD CVE API 2.0 files."""

    matches: dict[str, list[CpeMatch]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _by_product: dict[tuple[str, str], set[str]] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.matches)

    @classmethod
    def load(cls, paths: Path | Iterable[Path]) -> CveCatalogue:
        """Read NVD files (an API page with ``vulnerabilities[]``, or a single ``{"cve": ...}`` record)."""
        catalogue = cls()
        for path in [paths] if isinstance(paths, Path) else paths:
            catalogue.add_file(path)
        return catalogue

    def add_file(self, path: Path) -> None:
        """Add the CVE records of one NVD file; ``CveError`` when it is not one."""
        try:
            size = path.stat().st_size
            if size > MAX_NVD_BYTES:
                raise CveError(f"{path}: {size} bytes is more than {MAX_NVD_BYTES} (split the feed)")
            with path.open("rb") as handle:
                data = json.loads(handle.read(MAX_NVD_BYTES + 1))
        except OSError as error:
            raise CveError(f"{path}: cannot read ({error.strerror or error})") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CveError(f"{path}: not NVD JSON ({error})") from None
        self.add(data, source=str(path))

    def add(self, data: Any, *, source: str = "<data>") -> None:
        """Add the CVE records of parsed NVD JSON."""
        if isinstance(data, dict) and isinstance(data.get("vulnerabilities"), list):
            records = data["vulnerabilities"]
        elif isinstance(data, dict) and isinstance(data.get("cve"), dict):
            records = [data]
        else:
            raise CveError(f"{source}: an NVD file is an object with 'vulnerabilities' (API 2.0) or 'cve'")
        for index, record in enumerate(records):
            cve = record.get("cve") if isinstance(record, dict) else None
            if not isinstance(cve, dict) or not isinstance(cve.get("id"), str):
                raise CveError(f"{source}: record #{index + 1} has no 'cve' object with an 'id'")
            cve_id = cve["id"].strip().upper()
            if cve_id in self.matches:
                self.warnings.append(f"{source}: {cve_id[:40]} was already loaded; the last record is kept")
            self.matches[cve_id] = _vulnerable_matches(cve, f"{source}: {cve_id[:40]}")
            for match in self.matches[cve_id]:
                self._by_product.setdefault((match.cpe.vendor, match.cpe.product), set()).add(cve_id)

    def affected(self, cpe: str, cve_id: str) -> bool | None:
        """Whether the product version named by ``cpe`` is affected by ``cve_id``.

        None when it cannot be told: the CVE is not loaded, the CPE has no version, or the CVE's
        data names no vulnerable range of this product.
        """
        parsed = parse_cpe(cpe)
        matches = self.matches.get(cve_id.strip().upper())
        if parsed is None or matches is None or not parsed.has_version:
            return None
        relevant = [match for match in matches if match.names(parsed)]
        if not relevant:
            return None
        return any(match.includes(parsed.version) for match in relevant)

    def affecting(self, cpe: str) -> list[str]:
        """The loaded CVE ids whose vulnerable ranges include the product version ``cpe`` (sorted)."""
        parsed = parse_cpe(cpe)
        if parsed is None:
            return []
        candidates = self._by_product.get((parsed.vendor, parsed.product), set())
        return sorted(cve_id for cve_id in candidates if self.affected(cpe, cve_id))


def _vulnerable_matches(cve: dict[str, Any], where: str) -> list[CpeMatch]:
    found: list[CpeMatch] = []
    configurations = cve.get("configurations") or []
    if not isinstance(configurations, list):
        raise CveError(f"{where}: 'configurations' must be a list")
    for configuration in configurations:
        nodes = configuration.get("nodes") if isinstance(configuration, dict) else None
        for node in nodes if isinstance(nodes, list) else []:
            if not isinstance(node, dict) or node.get("negate") is True:
                continue
            for match in node.get("cpeMatch") or []:
                parsed = _match(match)
                if parsed is not None:
                    found.append(parsed)
    return found


def _match(match: Any) -> CpeMatch | None:
    if not isinstance(match, dict) or match.get("vulnerable") is not True:
        return None
    criteria = match.get("criteria")
    cpe = parse_cpe(criteria) if isinstance(criteria, str) else None
    if cpe is None:
        return None

    def bound(key: str) -> str | None:
        value = match.get(key)
        return value if isinstance(value, str) and value.strip() else None

    return CpeMatch(
        cpe,
        bound("versionStartIncluding"),
        bound("versionStartExcluding"),
        bound("versionEndIncluding"),
        bound("versionEndExcluding"),
    )
