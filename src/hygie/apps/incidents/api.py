"""REST API of the incidents app (``/api/incidents/``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["incidents"])
