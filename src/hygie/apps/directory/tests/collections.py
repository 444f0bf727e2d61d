"""Tiny SharpHound v6 collections written by hand, so every expected finding follows from the data."""

from __future__ import annotations

import io
import zipfile

import orjson

DOMAIN_SID = "S-1-5-21-1-1-1"
DOMAIN = "CHU.LOCAL"


def collection_zip(delegating: tuple[str, ...] = ("ALICE",), users: tuple[str, ...] = ("ALICE", "BOB")) -> bytes:
    """A zip with one domain and enabled ``users``; those in ``delegating`` are trusted for unconstrained delegation.

    A user trusted for unconstrained delegation is reported by two checks of the engine
    (``directory.unconstrained_delegation`` and ``directory.user_unconstrained_delegation``).
    """
    records = [
        {
            "ObjectIdentifier": f"{DOMAIN_SID}-{1100 + index}",
            "Properties": {
                "name": f"{name}@{DOMAIN}",
                "domain": DOMAIN,
                "enabled": True,
                "samaccountname": name.lower(),
                "unconstraineddelegation": name in delegating,
            },
        }
        for index, name in enumerate(users)
    ]
    domains = [
        {"ObjectIdentifier": DOMAIN_SID, "Properties": {"name": DOMAIN, "domain": DOMAIN, "functionallevel": "2016"}}
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "20250101_users.json",
            orjson.dumps({"data": records, "meta": {"type": "users", "count": len(records), "version": 6}}),
        )
        archive.writestr(
            "20250101_domains.json",
            orjson.dumps({"data": domains, "meta": {"type": "domains", "count": 1, "version": 6}}),
        )
    return buffer.getvalue()
