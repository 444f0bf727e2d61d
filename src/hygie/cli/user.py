"""`hygie user ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="user commands.", no_args_is_help=True)
