"""Web signatures of edge devices and administration pages, as data, and the matcher that reads them.

An exposed VPN or firewall portal is where most ransomware intrusions into hospitals start; an
administration page (Webmin, a printer, a server's BMC, a hypervisor) should never face the
Internet at all. The HTTP probe fetches ``/`` and the few paths a first answer makes worth asking,
turns each answer into a :class:`Page`, and :func:`identify` names the product from these
signatures.

Each :class:`Signature` says what it matches on, in its ``description`` and in its markers:
publicly documented tell-tales (paths of the login portal, page titles, ``Server`` headers, cookie
names) and, where the product discloses it without authentication, a version rule. The version
is kept as the product discloses it (``22.3.1.1471``, ``9.16(4)``) so that the KEV and CVE
matching can compare it exactly; ``cpe`` names the product in the NVD dictionary's terms.

A signature matches when at least ``min_markers`` of its markers match; a marker tied to a
``path`` counts only on the answer to that path.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hygie.engines.exposure.signatures.model import (
    DeviceKind,
    Identification,
    Marker,
    Page,
    Part,
    ServerProduct,
    Signature,
    VersionRule,
    cpe_name,
)
from hygie.engines.exposure.signatures.specs import SERVER_PRODUCTS, SIGNATURES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "SERVER_PRODUCTS",
    "SIGNATURES",
    "DeviceKind",
    "Identification",
    "Marker",
    "Page",
    "Part",
    "ServerProduct",
    "Signature",
    "VersionRule",
    "cpe_name",
    "identify",
    "paths_to_follow",
    "server_product",
]

_SERVER_TOKEN = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.-]*)(?:/([0-9][0-9A-Za-z.]*))?")


def server_product(server: str) -> tuple[str, str, str]:
    """``(product, version, cpe)`` named by a ``Server`` header ('' for unknown parts)."""
    found = _SERVER_TOKEN.match(server)
    if found is None:
        return "", "", ""
    token, version = found.group(1).lower(), found.group(2) or ""
    for known in SERVER_PRODUCTS:
        if token == known.token or token in known.aliases:
            return known.product, version, cpe_name("a", known.cpe_vendor, known.cpe_product, version)
    return "", "", ""


def paths_to_follow(pages: Sequence[Page]) -> list[str]:
    """Paths the signatures matched so far make worth asking, in signature order."""
    paths: list[str] = []
    for signature in SIGNATURES:
        if signature.follow and _evidence(signature, pages):
            paths.extend(path for path in signature.follow if path not in paths)
    return paths


def identify(pages: Iterable[Page]) -> Identification | None:
    """The product the answers show, edge devices first, or None; the version when one was disclosed."""
    seen = list(pages)
    for signature in SIGNATURES:
        evidence = _evidence(signature, seen)
        if len(evidence) < signature.min_markers:
            continue
        version = next((v for rule in signature.versions for page in seen if (v := rule.search(page))), "")
        cpe = cpe_name(signature.cpe_part, signature.cpe_vendor, signature.cpe_product, version)
        return Identification(signature, tuple(evidence[:6]), version, cpe if signature.cpe_vendor else "")
    return None


def _evidence(signature: Signature, pages: Sequence[Page]) -> list[str]:
    """What each marker of ``signature`` found, one line per marker that matched."""
    evidence = []
    for marker in signature.markers:
        found = next((text for page in pages if (text := marker.search(page))), "")
        if found:
            evidence.append(found)
    return evidence
