"""`hygie findings ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="findings commands.", no_args_is_help=True)
