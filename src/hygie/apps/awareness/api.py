"""REST API of the awareness app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["awareness"])
