"""``hygie awareness``: see docs/user-guide/awareness.md."""

from __future__ import annotations

import typer

app = typer.Typer(help="awareness", no_args_is_help=True)
