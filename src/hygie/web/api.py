"""The REST API root: token or session authentication, one router per app, OpenAPI at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from hygie.apps.accounts.audit import _actor
from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import Action, scope_prefixes


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token's user becomes the request user and audit actor."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Return the user owning an active token, else None (401)."""
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        # Touch last_used at most once a minute: tokens used by scripts would otherwise write per call.
        now = timezone.now()
        if found.last_used is None or (now - found.last_used).total_seconds() > 60:  # noqa: PLR2004
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user
        _actor.set((found.user, "api"))
        return found.user


class SessionAuth(APIKeyCookie):
    """The web session (with CSRF on unsafe methods), so the UI's own scripts can call the API."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """Return the logged-in user, or None."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _actor.set((user, "api"))
            return user
        return None


def require_api_scope(request: HttpRequest, action: Action = Action.VIEW) -> None:
    """403 when the caller holds no role allowing ``action`` anywhere."""
    if scope_prefixes(request.user, action) == []:
        raise HttpError(403, "You hold no role allowing this.")


def filtered(request: HttpRequest, filterset_class: Any, queryset: Any) -> Any:
    """Apply a FilterSet to the query string; invalid filter values give a 422 with reasons."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    return filterset.qs


api = NinjaAPI(
    title="Hygie API",
    version="1.0",
    description="Cyber-resilience platform for health establishments.",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    docs_url="/docs",
)


def _register_routers() -> None:
    from hygie.apps.accounts.api import router as accounts_router
    from hygie.apps.awareness.api import router as awareness_router
    from hygie.apps.budget.api import router as budget_router
    from hygie.apps.compliance.api import router as compliance_router
    from hygie.apps.continuity.api import router as continuity_router
    from hygie.apps.detection.api import router as detection_router
    from hygie.apps.directory.api import router as directory_router
    from hygie.apps.exposure.api import router as exposure_router
    from hygie.apps.findings.api import router as findings_router
    from hygie.apps.incidents.api import router as incidents_router
    from hygie.apps.inventory.api import router as inventory_router
    from hygie.apps.jobs.api import router as jobs_router
    from hygie.apps.organizations.api import router as organizations_router

    api.add_router("/organizations/", organizations_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/inventory/", inventory_router)
    api.add_router("/findings/", findings_router)
    api.add_router("/jobs/", jobs_router)
    api.add_router("/directory/", directory_router)
    api.add_router("/exposure/", exposure_router)
    api.add_router("/detection/", detection_router)
    api.add_router("/continuity/", continuity_router)
    api.add_router("/compliance/", compliance_router)
    api.add_router("/budget/", budget_router)
    api.add_router("/awareness/", awareness_router)
    api.add_router("/incidents/", incidents_router)


_register_routers()

