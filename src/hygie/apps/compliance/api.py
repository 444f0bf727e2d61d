"""REST API of the compliance app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["compliance"])
