"""REST API of the budget app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["budget"])
