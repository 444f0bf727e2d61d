"""Login with throttling, logout, the audit log, API tokens and role management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from hygie.apps.accounts import throttling
from hygie.apps.accounts.filtersets import AuditEventFilterSet, RoleAssignmentFilterSet
from hygie.apps.accounts.forms import RoleAssignmentForm
from hygie.apps.accounts.models import ApiToken, AuditEvent, RoleAssignment
from hygie.apps.accounts.permissions import Action
from hygie.apps.accounts.tables import AUDIT_COLUMNS, ROLE_COLUMNS
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView, TenantView


def client_address(request: HttpRequest) -> str | None:
    """The peer address (a reverse proxy must be configured to pass the real one as REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to even check the password of a locked name or address."""

    def clean(self) -> dict[str, Any]:
        """Check the lock, then the password; count failures."""
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        if throttling.is_locked(username, address):
            raise self.get_invalid_login_error_locked()
        try:
            cleaned = super().clean()
        except Exception:
            throttling.record_failure(username, address)
            raise
        throttling.clear(username)
        return cleaned

    def get_invalid_login_error_locked(self) -> Any:
        """The message shown while locked."""
        from django.core.exceptions import ValidationError

        return ValidationError(
            _("Too many failed attempts. Try again in a few minutes."), code="locked",
        )


class ThrottledLoginView(auth_views.LoginView):
    """The login page; a locked account answers 429."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form: Any) -> HttpResponse:
        """Render errors; 429 while locked so scripts see they are throttled."""
        response = super().form_invalid(form)
        if any(e.code == "locked" for e in form.non_field_errors().as_data()):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """Log out (POST only)."""


class AuditEventListView(ObjectListView):
    """The audit log of the nodes where the user may read it."""

    model = AuditEvent
    action = Action.VIEW_AUDIT
    select_related = ("node",)
    filterset_class = AuditEventFilterSet
    columns = AUDIT_COLUMNS
    title = gettext_lazy("Audit log")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse users who may read no audit log at all."""
        from hygie.web.views import require_scope

        require_scope(request.user, Action.VIEW_AUDIT)
        return super().get(request, *args, **kwargs)


class AuditEventDetailView(ObjectDetailView):
    """One audit event with its before/after."""

    model = AuditEvent
    action = Action.VIEW_AUDIT

    def get_object(self, action: Action | None = None) -> Any:
        """Audit events are visible with ``view_audit`` only."""
        obj = self.get_queryset(Action.VIEW_AUDIT).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            from django.http import Http404

            raise Http404
        return obj


class RoleAssignmentListView(ObjectListView):
    """Who holds which role where, for those who manage users."""

    model = RoleAssignment
    action = Action.MANAGE_USERS
    select_related = ("node", "user")
    filterset_class = RoleAssignmentFilterSet
    columns = ROLE_COLUMNS
    title = gettext_lazy("Roles")
    add_url_name = "accounts:role_add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse users who manage nobody."""
        from hygie.web.views import require_scope

        require_scope(request.user, Action.MANAGE_USERS)
        return super().get(request, *args, **kwargs)


class RoleAssignmentAddView(ObjectEditView):
    """Grant a role on a node the user administers."""

    model = RoleAssignment
    action = Action.MANAGE_USERS
    form_class = RoleAssignmentForm

    def current(self) -> Any:
        """Only creation; needs ``manage_users`` somewhere."""
        from hygie.web.views import require_scope

        require_scope(self.request.user, Action.MANAGE_USERS)
        return None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save and go back to the list."""
        self.current()
        form = self.get_form(None)
        if form.is_valid():
            form.save()
            messages.success(request, _("Role granted."))
            return redirect("accounts:role_list")
        return render(request, self.template_name, {"form": form, "title": _("role assignment")}, status=400)


class RoleAssignmentDeleteView(TenantView):
    """Revoke a role (POST)."""

    model = RoleAssignment
    action = Action.MANAGE_USERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Delete the assignment if it lies in the user's administered subtree."""
        assignment = self.get_object(Action.MANAGE_USERS)
        assignment.delete()
        messages.success(request, _("Role revoked."))
        return redirect("accounts:role_list")

    def get_object(self, action: Action | None = None) -> Any:
        """404 outside the administered subtree."""
        return get_object_or_404(self.get_queryset(Action.MANAGE_USERS), pk=self.kwargs["pk"])


class TokenView(LoginRequiredMixin, View):
    """The user's own API tokens: list, create (key shown once), revoke."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """List tokens."""
        tokens = ApiToken.objects.filter(user=request.user)
        return render(request, "accounts/tokens.html", {"tokens": tokens, "title": _("API tokens")})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Create or revoke."""
        if "revoke" in request.POST:
            ApiToken.objects.filter(user=request.user, pk=request.POST.get("revoke")).delete()
            messages.success(request, _("Token revoked."))
            return redirect("accounts:tokens")
        name = (request.POST.get("name") or "").strip()[:100] or _("unnamed")
        _token, key = ApiToken.issue(request.user, name)
        tokens = ApiToken.objects.filter(user=request.user)
        return render(request, "accounts/tokens.html", {"tokens": tokens, "new_key": key, "title": _("API tokens")})
