"""``hygie incident``: incidents, crisis log, regulatory clocks, declarations, crisis kit, offline copies.

Every command goes through the same permission choke point as the web UI (``--as`` or
``HYGIE_USER``). The commands are written in three modules that each add theirs to ``app``:
cases, log, clocks and declarations (:mod:`hygie.cli.incident_cases`), the crisis cell and kit
(:mod:`hygie.cli.incident_kit`), offline copies and merges (:mod:`hygie.cli.incident_offline`).
See docs/user-guide/incidents.md.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["app"]

app = typer.Typer(help="Incidents: crisis log, regulatory clocks, declarations, crisis kit.", no_args_is_help=True)

for _module in ("hygie.cli.incident_cases", "hygie.cli.incident_kit", "hygie.cli.incident_offline"):
    try:
        importlib.import_module(_module).register(app)
    except ModuleNotFoundError as _error:  # pragma: no cover - while the modules are being written
        if _error.name != _module:
            raise
