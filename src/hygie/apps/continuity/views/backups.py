"""Views of a component's backups: edit its backup plan and copies, record a restore test.

Both name the component in the URL and need the change right on its node: another tenant's
component is a 404, a component the user only sees is a 403. Writes are atomic: a plan whose
copies do not validate stores nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.backup_forms import BackupPlanForm, RestoreTestForm, copy_formset
from hygie.apps.continuity.models import BackupPlan, Component, RestoreTest
from hygie.web.views import TenantView

__all__ = ["BackupPlanEditView", "RestoreTestAddView"]


class BackupPlanEditView(TenantView):
    """Create or change the backup plan of a component, with its copies in rows (``pk``: the component)."""

    model = Component
    action = Action.CHANGE
    form_class: ClassVar[type[BackupPlanForm]] = BackupPlanForm
    template_name = "continuity/backupplan_form.html"

    def _plan(self, component: Component) -> BackupPlan:
        """The component's plan, or a new unsaved one."""
        plan = BackupPlan.objects.filter(component=component).first()
        return plan if plan is not None else BackupPlan(component=component)

    def _render(self, component: Component, form: BackupPlanForm, formset: Any, status: int = 200) -> HttpResponse:
        context = {
            "object": component,
            "form": form,
            "formset": formset,
            "title": _("Backup plan of %(component)s") % {"component": component},
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The plan form and its copies."""
        component = self.get_object(Action.CHANGE)
        plan = self._plan(component)
        return self._render(component, self.form_class(instance=plan, user=request.user), copy_formset(plan))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the plan and its copies together, or show every error and store nothing."""
        component = self.get_object(Action.CHANGE)
        plan = self._plan(component)
        form = self.form_class(request.POST, instance=plan, user=request.user)
        formset = copy_formset(plan, request.POST)
        # Both validated before anything is written (``and`` would skip the formset's errors).
        valid = [form.is_valid(), formset.is_valid()]
        if not all(valid):
            return self._render(component, form, formset, status=400)
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
        messages.success(request, _("Backup plan saved."))
        return redirect(component.get_absolute_url())


class RestoreTestAddView(TenantView):
    """Record a restore test of a component (``pk``: the component)."""

    model = Component
    action = Action.CHANGE
    form_class: ClassVar[type[RestoreTestForm]] = RestoreTestForm
    template_name = "continuity/restoretest_form.html"

    def _render(self, component: Component, form: RestoreTestForm, status: int = 200) -> HttpResponse:
        context = {
            "object": component,
            "form": form,
            "title": _("Restore test of %(component)s") % {"component": component},
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form, dated today."""
        component = self.get_object(Action.CHANGE)
        return self._render(component, self.form_class(instance=RestoreTest(component=component), user=request.user))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Store the test, or show the errors."""
        component = self.get_object(Action.CHANGE)
        form = self.form_class(request.POST, instance=RestoreTest(component=component), user=request.user)
        if not form.is_valid():
            return self._render(component, form, status=400)
        with transaction.atomic():
            form.save()
        messages.success(request, _("Restore test recorded."))
        return redirect(component.get_absolute_url())
