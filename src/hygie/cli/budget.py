"""``hygie budget``: see docs/user-guide/budget.md."""

from __future__ import annotations

import typer

app = typer.Typer(help="budget", no_args_is_help=True)
