"""Sigma rules: loading rule packs and compiling them to SQL conditions for DuckDB and Spark.

:func:`load_rules` reads folders, zip files and single files into a :class:`RulePack` (compiled
rules and the failures, each with its reason), with an optional compiled-rule cache;
:func:`compile_collection` compiles an already parsed pySigma collection.
"""

from __future__ import annotations

from hygie.engines.detection.rules.backend import RAW_FIELD, NeutralSql, SqlConditionBackend, UnsupportedConstructError
from hygie.engines.detection.rules.compiler import (
    COMPILER_VERSION,
    MAX_VALUES_PER_RULE,
    compile_collection,
    compile_rule,
    default_backend,
)
from hygie.engines.detection.rules.dialect import DIALECTS, render
from hygie.engines.detection.rules.loader import load_rules, read_rule_files

__all__ = [
    "COMPILER_VERSION",
    "DIALECTS",
    "MAX_VALUES_PER_RULE",
    "RAW_FIELD",
    "NeutralSql",
    "SqlConditionBackend",
    "UnsupportedConstructError",
    "compile_collection",
    "compile_rule",
    "default_backend",
    "load_rules",
    "read_rule_files",
    "render",
]
