"""`hygie org ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="org commands.", no_args_is_help=True)
