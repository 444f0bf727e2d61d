"""Perimeter files: the declared perimeter of a command-line audit, in TOML.

```toml
authorised_by = "Dr Anne Martin, directrice, CH Valbrise"
valid_until = 2026-12-31T23:59:00+01:00
entries = ["198.51.100.0/24", "vpn.ch-valbrise.fr", "*.ch-valbrise.fr"]
exclusions = ["198.51.100.7"]
domains = ["ch-valbrise.fr"]          # DNS and e-mail checks

[resolver]                            # optional: the system resolver otherwise
nameservers = ["192.0.2.53"]
port = 53
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hygie.engines.exposure.dns import ResolverConfig
from hygie.engines.exposure.perimeter import Perimeter, PerimeterError

__all__ = ["MAX_PERIMETER_FILE", "PerimeterFile", "load_perimeter_file"]

#: A perimeter file is a few hundred lines at most; anything bigger is not one.
MAX_PERIMETER_FILE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PerimeterFile:
    """A perimeter with the DNS domains to check and the resolver to use."""

    perimeter: Perimeter
    domains: tuple[str, ...]
    resolver: ResolverConfig | None


def _strings(data: dict[str, Any], key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PerimeterError(f"{path}: {key!r} must be a list of strings")
    return list(value)


def load_perimeter_file(path: Path) -> PerimeterFile:
    """Read ``path``; ``PerimeterError`` with the file name and the reason when it is not a valid perimeter."""
    try:
        if path.stat().st_size > MAX_PERIMETER_FILE:
            raise PerimeterError(f"{path}: larger than {MAX_PERIMETER_FILE} bytes, not a perimeter file")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PerimeterError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise PerimeterError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PerimeterError(f"{path}: not valid TOML ({error})") from None
    valid_until = data.get("valid_until")
    if isinstance(valid_until, str):
        try:
            valid_until = datetime.fromisoformat(valid_until)
        except ValueError:
            raise PerimeterError(f"{path}: 'valid_until' is not a date and time") from None
    if not isinstance(valid_until, datetime):
        raise PerimeterError(f"{path}: 'valid_until' (a date and time with its time zone) is required")
    authorised_by = data.get("authorised_by")
    if not isinstance(authorised_by, str):
        raise PerimeterError(f"{path}: 'authorised_by' (who authorised the audit) is required")
    try:
        perimeter = Perimeter.parse(
            _strings(data, "entries", path),
            exclusions=_strings(data, "exclusions", path),
            authorised_by=authorised_by,
            valid_until=valid_until,
        )
    except PerimeterError as error:
        raise PerimeterError(f"{path}: {error}") from None
    return PerimeterFile(perimeter, tuple(_strings(data, "domains", path)), _resolver(data.get("resolver"), path))


def _resolver(data: Any, path: Path) -> ResolverConfig | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise PerimeterError(f"{path}: [resolver] must be a table")
    nameservers = _strings(data, "nameservers", path)
    port = data.get("port", 53)
    if not isinstance(port, int) or not 0 < port < 65536:  # noqa: PLR2004
        raise PerimeterError(f"{path}: the resolver port must be between 1 and 65535")
    return ResolverConfig(nameservers=tuple(nameservers), port=port)
