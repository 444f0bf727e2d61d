"""Views of exercises: list, detail, plan, record as held, actions (findings), the calendar of a group."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.calendar import month_grid, parse_month
from hygie.apps.continuity.filtersets import ExerciseFilterSet
from hygie.apps.continuity.forms import ExerciseActionForm, ExerciseForm, ExerciseRecordForm
from hygie.apps.continuity.models import Exercise, ExerciseAction, ExerciseStatus
from hygie.apps.continuity.tables import EXERCISE_COLUMNS
from hygie.apps.inventory.models import CareActivity
from hygie.apps.organizations.models import Node
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView, TenantView

__all__ = [
    "CalendarView",
    "ExerciseActionView",
    "ExerciseDetailView",
    "ExerciseEditView",
    "ExerciseListView",
    "ExerciseRecordView",
]


class ExerciseListView(ObjectListView):
    """Exercises of the user's nodes."""

    model = Exercise
    filterset_class = ExerciseFilterSet
    columns = EXERCISE_COLUMNS
    add_url_name = "continuity:exercise_add"
    template_name = "continuity/object_list.html"


def _exercise_context(user: Any, obj: Exercise, **forms: Any) -> dict[str, Any]:
    can_change = Exercise.objects.restrict(user, Action.CHANGE).filter(pk=obj.pk).exists()
    return {
        "object": obj,
        "title": str(obj),
        "entities": Node.objects.restrict(user, Action.VIEW).filter(covering_exercises=obj),  # type: ignore[attr-defined]
        "activities": CareActivity.objects.restrict(user, Action.VIEW).filter(exercises=obj),  # type: ignore[attr-defined]
        "actions": ExerciseAction.objects.restrict(user, Action.VIEW)
        .filter(exercise=obj)
        .select_related("finding", "finding__owner"),
        "can_change": can_change,
        "record_form": forms.get("record_form") or (ExerciseRecordForm(instance=obj) if can_change else None),
        "action_form": forms.get("action_form") or (ExerciseActionForm(exercise=obj) if can_change else None),
    }


class ExerciseDetailView(ObjectDetailView):
    """An exercise: what it covers, its timings and lessons, its actions; record it and add actions."""

    model = Exercise

    def get_context(self, obj: Exercise) -> dict[str, Any]:
        """Coverage, actions, forms."""
        return _exercise_context(self.request.user, obj)


class ExerciseEditView(ObjectEditView):
    """Plan or change an exercise."""

    model = Exercise
    form_class = ExerciseForm


class ExerciseRecordView(TenantView):
    """Record an exercise as held (POST only)."""

    model = Exercise

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the date, participants, timings and lessons; errors shown on the exercise page."""
        exercise = self.get_object(Action.CHANGE)
        form = ExerciseRecordForm(request.POST, instance=exercise)
        if not form.is_valid():
            exercise.refresh_from_db()
            context = _exercise_context(request.user, exercise, record_form=form)
            return render(request, "continuity/exercise_detail.html", context, status=400)
        form.save()
        messages.success(request, _("The exercise is recorded as held."))
        return redirect(exercise.get_absolute_url())


class ExerciseActionView(TenantView):
    """Add an action decided after an exercise: a finding with an owner and a due date (POST only)."""

    model = Exercise

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Create the finding and its link."""
        from hygie.apps.continuity.actions import add_exercise_action

        exercise = self.get_object(Action.CHANGE)
        form = ExerciseActionForm(request.POST, exercise=exercise)
        if not form.is_valid():
            context = _exercise_context(request.user, exercise, action_form=form)
            return render(request, "continuity/exercise_detail.html", context, status=400)
        data = form.cleaned_data
        try:
            add_exercise_action(
                exercise,
                actor=request.user,
                title=data["title"],
                severity=data["severity"],
                owner=data["owner"],
                due_date=data["due_date"],
                remediation=data["remediation"],
            )
        except ValidationError as error:
            # The service re-checks the owner and the finding; its reasons go on the form, nothing is stored.
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
            context = _exercise_context(request.user, exercise, action_form=form)
            return render(request, "continuity/exercise_detail.html", context, status=400)
        messages.success(request, _("The action is in the findings register."))
        return redirect(exercise.get_absolute_url())


class CalendarView(TenantView):
    """Month grid of the planned and held exercises of a node's subtree (``?month=YYYY-MM``)."""

    model = Node
    select_related = ()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The month."""
        node = self.get_object()
        first = parse_month(request.GET.get("month"), timezone.localdate())
        exercises = Exercise.objects.restrict(request.user, Action.VIEW).exclude(status=ExerciseStatus.CANCELLED)
        month = month_grid(node, first, exercises)
        title = _("Exercise calendar: %(node)s") % {"node": node}
        return render(request, "continuity/calendar.html", {"node": node, "month": month, "title": title})
