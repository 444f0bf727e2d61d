"""The vocabulary of web signatures: pages as the HTTP probe saw them, markers, version rules, signatures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from hygie.engines.exposure.model import Category, printable

__all__ = [
    "DeviceKind",
    "Identification",
    "Marker",
    "Page",
    "Part",
    "ServerProduct",
    "Signature",
    "VersionRule",
    "body_marker",
    "cookie_marker",
    "cpe_name",
    "header_marker",
    "location_marker",
    "title_marker",
]


class DeviceKind(StrEnum):
    """What a matched product is: an edge device (VPN, firewall, gateway) or an administration page."""

    EDGE = "edge"
    ADMIN = "admin"


class Part(StrEnum):
    """The part of an HTTP answer a marker or a version rule reads."""

    TITLE = "title"
    BODY = "body"
    HEADER = "header"
    COOKIE = "cookie"
    LOCATION = "location"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Page:
    """One HTTP answer as the signatures see it; header names are lower case."""

    path: str
    status: int
    title: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def header(self, name: str) -> str:
        """Every value of header ``name`` joined by newlines ('' when absent)."""
        return "\n".join(value for key, value in self.headers if key == name.lower())

    def cookies(self) -> str:
        """The names of the cookies the answer sets, one per line."""
        names = (value.split("=", 1)[0].strip() for key, value in self.headers if key == "set-cookie")
        return "\n".join(names)

    def part(self, part: Part, header: str = "") -> str:
        """The text of ``part`` (``header`` names the header for ``Part.HEADER``)."""
        if part is Part.TITLE:
            return self.title
        if part is Part.BODY:
            return self.body
        if part is Part.COOKIE:
            return self.cookies()
        if part is Part.STATUS:
            return str(self.status)
        return self.header("location" if part is Part.LOCATION else header)


@dataclass(frozen=True, slots=True)
class Marker:
    """A regular expression (case-insensitive) searched in one part of an answer.

    ``path`` restricts the marker to the answer to that path (a portal page that only this
    product serves); ``header`` names the header for ``Part.HEADER``.
    """

    part: Part
    pattern: str
    header: str = ""
    path: str = ""

    def search(self, page: Page) -> str:
        """What the marker found in ``page`` as evidence ('' when nothing)."""
        if self.path and page.path != self.path:
            return ""
        found = re.search(self.pattern, page.part(self.part, self.header), re.IGNORECASE)
        if found is None:
            return ""
        where = f"{self.part.value}" + (f" {self.header}" if self.header else "")
        return f"{page.path} {where}: {printable(found.group(0), 80)}"


@dataclass(frozen=True, slots=True)
class VersionRule:
    """Where a product discloses its version: a regex whose group ``version`` is the version."""

    part: Part
    pattern: str
    header: str = ""
    path: str = ""

    def search(self, page: Page) -> str:
        """The disclosed version in ``page`` ('' when absent)."""
        if self.path and page.path != self.path:
            return ""
        if not 200 <= page.status < 300 and self.part is Part.BODY:  # noqa: PLR2004 - success statuses
            return ""
        found = re.search(self.pattern, page.part(self.part, self.header), re.IGNORECASE)
        return printable(found.group("version"), 40).strip() if found else ""


@dataclass(frozen=True, slots=True)
class Signature:
    """A product recognisable from the web: who makes it, how to name it, how to recognise it.

    ``vendor`` is spelt as CISA's KEV catalogue spells it; ``product`` is the product's usual name
    (what ``service.product`` gets, as the KEV matching's product names know it); ``cpe_vendor``
    and ``cpe_product`` are spelt as the NVD CPE dictionary does. ``follow`` lists the paths worth asking once
    a marker matched (the version file, the login page); ``versions`` where the version shows.
    """

    key: str
    vendor: str
    product: str
    kind: DeviceKind
    category: Category
    description: str
    markers: tuple[Marker, ...]
    cpe_part: str = "a"
    cpe_vendor: str = ""
    cpe_product: str = ""
    follow: tuple[str, ...] = ()
    versions: tuple[VersionRule, ...] = ()
    min_markers: int = 1


@dataclass(frozen=True, slots=True)
class Identification:
    """A signature that matched the answers, with the evidence and the disclosed version."""

    signature: Signature
    evidence: tuple[str, ...]
    version: str = ""
    cpe: str = ""

    def to_dict(self) -> dict[str, object]:
        """The ``details["http"]["edge"]`` (or ``["admin"]``) form."""
        return {
            "key": self.signature.key,
            "kind": self.signature.kind.value,
            "vendor": self.signature.vendor,
            "product": self.signature.product,
            "version": self.version,
            "cpe": self.cpe,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class ServerProduct:
    """A web server named by its ``Server`` header (``nginx/1.22.1``), for service.product when no signature matched."""

    token: str
    product: str
    cpe_vendor: str
    cpe_product: str
    aliases: tuple[str, ...] = field(default=())


_CPE_SPECIAL = re.compile(r"([^A-Za-z0-9._-])")


def cpe_name(part: str, vendor: str, product: str, version: str = "") -> str:
    """The CPE 2.3 formatted name; special characters of the version are backslash-escaped as CPE 2.3 asks."""
    escaped = _CPE_SPECIAL.sub(r"\\\1", version) if version else "*"
    return f"cpe:2.3:{part}:{vendor}:{product}:{escaped}:*:*:*:*:*:*:*"


def title_marker(pattern: str, path: str = "") -> Marker:
    """A marker on the page title (of the answer to ``path`` when given)."""
    return Marker(Part.TITLE, pattern, path=path)


def body_marker(pattern: str, path: str = "") -> Marker:
    """A marker on the page body (of the answer to ``path`` when given)."""
    return Marker(Part.BODY, pattern, path=path)


def header_marker(name: str, pattern: str) -> Marker:
    """A marker on the value of response header ``name``."""
    return Marker(Part.HEADER, pattern, header=name)


def cookie_marker(pattern: str) -> Marker:
    """A marker on the names of the cookies the server sets."""
    return Marker(Part.COOKIE, pattern)


def location_marker(pattern: str) -> Marker:
    """A marker on the ``Location`` of a redirect."""
    return Marker(Part.LOCATION, pattern)
