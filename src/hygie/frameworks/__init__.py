"""Compliance frameworks as data: our YAML format, the shipped frameworks, a CISO Assistant importer.

Pure Python (no Django): the platform's compliance app reads frameworks through this package.
The format is documented in ``docs/development/frameworks.md``.
"""

from __future__ import annotations

from hygie.frameworks.catalogue import (
    DATA_DIR,
    engine_check_ids,
    load_framework,
    shipped,
    shipped_framework,
    unknown_checks,
)
from hygie.frameworks.ciso_assistant import framework_from_library, import_library, import_library_text
from hygie.frameworks.errors import FrameworkError
from hygie.frameworks.schema import Framework, Level, Requirement, Section, Source, validate_framework

__all__ = [
    "DATA_DIR",
    "Framework",
    "FrameworkError",
    "Level",
    "Requirement",
    "Section",
    "Source",
    "engine_check_ids",
    "framework_from_library",
    "import_library",
    "import_library_text",
    "load_framework",
    "shipped",
    "shipped_framework",
    "unknown_checks",
    "validate_framework",
]
