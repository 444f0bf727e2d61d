"""Fail when a module is too long to read: 500 lines for logic, 1,500 for declarative modules.

Declarative modules (models, URL maps, table definitions, migrations, templates) are long lists of
similar declarations; splitting them would scatter one concept over files, so they get more room.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("src", "tests", "bench", "tools")
LOGIC_LIMIT = 500
DECLARATIVE_LIMIT = 1500
DECLARATIVE_NAMES = {"models.py", "urls.py", "tables.py", "specs.py"}
DECLARATIVE_DIRS = {"models", "migrations", "templates"}


def limit_for(path: Path) -> int:
    """The line limit that applies to ``path``."""
    if path.suffix == ".html" or path.name in DECLARATIVE_NAMES:
        return DECLARATIVE_LIMIT
    if DECLARATIVE_DIRS.intersection(path.parts):
        return DECLARATIVE_LIMIT
    return LOGIC_LIMIT


def too_long(root: Path = ROOT) -> list[tuple[Path, int, int]]:
    """(path, lines, limit) of every module over its limit."""
    offenders = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in {".py", ".html"} or ".venv" in path.parts or not path.is_file():
                continue
            lines = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
            limit = limit_for(path.relative_to(root))
            if lines > limit:
                offenders.append((path.relative_to(root), lines, limit))
    return offenders


def main() -> int:
    """Print offenders; exit 1 when there are any."""
    offenders = too_long()
    for path, lines, limit in offenders:
        print(f"{path}: {lines} lines (limit {limit}): split it by topic")
    if not offenders:
        print("module sizes: ok")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
