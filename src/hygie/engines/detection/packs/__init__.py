"""Sigma rule packs shipped with Hygie, usable as ``builtin:NAME`` wherever a rules path is taken.

Each pack is a folder of Sigma YAML rules (our own wording) beside this module, shipped in the wheel:

- ``hospital``: ransomware precursors seen in hospital incidents (shadow copies and backup
  catalogues deleted, recovery disabled, Defender switched off, logs cleared, backup, database and
  antivirus services stopped, RDP lateral movement, LSASS dumps, PsExec, new local administrators),
  with correlation rules for mass service stops and one host reaching many others over RDP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["BUILTIN_PACKS", "BUILTIN_PREFIX", "builtin_pack_path"]

#: Names of the packs shipped with Hygie (each a folder beside this module).
BUILTIN_PACKS: Final[tuple[str, ...]] = ("hospital",)
#: How a rules argument names a built-in pack: ``builtin:hospital``.
BUILTIN_PREFIX: Final = "builtin:"


def builtin_pack_path(name: str) -> Path:
    """The folder of the built-in pack ``name``; ``ValueError`` naming the choices when there is none.

    The name is checked against :data:`BUILTIN_PACKS` before any path is built, so a name such as
    ``../x`` can never point outside the packs.
    """
    if name not in BUILTIN_PACKS:
        raise ValueError(f"unknown built-in rule pack {name!r}; expected one of: {', '.join(BUILTIN_PACKS)}")
    return Path(__file__).resolve().parent / name
