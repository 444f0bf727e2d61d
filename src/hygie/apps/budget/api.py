"""REST API of the budget app: programmes, IT budgets, projects (CSV import), applications, the ARS file.

Every query goes through ``restrict(request.user, action)``: another tenant's object is a 404, an
object one may see but not change a 403. Amounts come in as numbers or text in French notation.
"""

# No ``from __future__ import annotations``: django-ninja builds its query-parameter models from the
# real annotations (ObjectId in a query string is otherwise left undefined).
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.budget import ars_file
from hygie.apps.budget.editing import LineData, complete_milestone, create_application, save_project, set_budget_year
from hygie.apps.budget.flags import refresh_findings
from hygie.apps.budget.importing import ProjectImportError, import_projects
from hygie.apps.budget.models import (
    ApplicationMilestone,
    BudgetYear,
    FundingApplication,
    FundingProgramme,
    ItProject,
)
from hygie.apps.budget.schemas import (
    BudgetYearIn,
    BudgetYearOut,
    FundingApplicationIn,
    FundingApplicationOut,
    FundingApplicationPatch,
    MilestoneOut,
    MilestonePatch,
    ObjectId,
    ProgrammeOut,
    ProjectDetailOut,
    ProjectImportOut,
    ProjectIn,
    ProjectOut,
    Year,
)
from hygie.apps.budget.summary import node_year, rollup
from hygie.apps.organizations.models import Node
from hygie.web.api import require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import refuse_body, refuse_oversized

router = Router(tags=["budget"])


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _changeable(request: HttpRequest, model: Any, pk: int, action: Action = Action.CHANGE) -> Any:
    """An object the caller sees (404) and may ``action`` (403)."""
    obj = get_object_or_404(model.objects.restrict(request.user, Action.VIEW), pk=pk)
    if not model.objects.restrict(request.user, action).filter(pk=obj.pk).exists():
        raise HttpError(403, "You may not do this on this object.")
    return obj


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(map(str, texts))}" for field, texts in error.message_dict.items())
    return " ".join(map(str, error.messages))


def _in_subtree(request: HttpRequest, queryset: Any, node: int | None) -> Any:
    """Rows under the node ``node`` (none when the caller cannot see it)."""
    if node is None:
        return queryset
    found = Node.objects.restrict(request.user, Action.VIEW).filter(pk=node).first()
    return queryset.filter(node__path__startswith=found.path) if found else queryset.none()


# --- Programmes -------------------------------------------------------------------------------------


@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request: HttpRequest) -> Any:
    """Funding programmes (Ségur, CaRE domains): windows, envelopes, conditions, framework, milestones."""
    require_api_scope(request)
    return FundingProgramme.objects.restrict(request.user, Action.VIEW)


# --- IT budgets -------------------------------------------------------------------------------------


@router.get("/years", response=list[BudgetYearOut])
@paginate(PageNumberPagination, page_size=100)
def list_years(request: HttpRequest, node: ObjectId | None = None, year: Year | None = None) -> Any:
    """IT budgets; filters: node (its subtree), year."""
    require_api_scope(request)
    rows = _in_subtree(request, BudgetYear.objects.restrict(request.user, Action.VIEW), node)
    return rows.filter(year=year) if year is not None else rows


@router.put("/years", response=BudgetYearOut)
def put_year(request: HttpRequest, payload: BudgetYearIn) -> Any:
    """Set the IT budget of an establishment for a year (created when missing)."""
    require_api_scope(request, Action.CHANGE)
    node = _node(request, payload.node_id, Action.CHANGE)
    values = {k: v for k, v in payload.dict(exclude={"node_id", "year"}).items() if v is not None}
    try:
        return set_budget_year(node, payload.year, **values)
    except ValidationError as error:
        raise HttpError(422, _messages(error)) from error


# --- Projects ---------------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut])
@paginate(PageNumberPagination, page_size=100)
def list_projects(
    request: HttpRequest, node: ObjectId | None = None, year: Year | None = None, flagged: bool | None = None
) -> Any:
    """IT projects with their cyber share; filters: node (subtree), year, flagged (below 5 %)."""
    require_api_scope(request)
    rows = _in_subtree(request, ItProject.objects.restrict(request.user, Action.VIEW), node)
    if year is not None:
        rows = rows.filter(year=year)
    rows = rows.with_totals().order_by("node__path", "-year", "name")
    if flagged is not None:
        return [p for p in rows if p.flagged == flagged]
    return rows


def _application_for(request: HttpRequest, application_id: int | None) -> FundingApplication | None:
    if application_id is None:
        return None
    found = FundingApplication.objects.restrict(request.user, Action.VIEW).filter(pk=application_id).first()
    if found is None:
        raise HttpError(422, "funding_application_id: no such funding application.")
    return found


def _store_project(request: HttpRequest, project: ItProject, payload: ProjectIn) -> ItProject:
    project.year = payload.year
    project.name = payload.name
    project.description = payload.description
    project.status = payload.status
    project.state_funded = payload.state_funded
    project.funding_application = _application_for(request, payload.funding_application_id)
    lines = [LineData(line.label, line.amount, line.cybersecurity) for line in payload.lines]
    try:
        return save_project(project, lines)
    except ValidationError as error:
        raise HttpError(422, _messages(error)) from error


@router.post("/projects", response={201: ProjectDetailOut})
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    """Create an IT project with its lines."""
    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    return Status(201, _store_project(request, ItProject(node=node), payload))


@router.post("/projects/import", response={201: ProjectImportOut})
def import_project_file(
    request: HttpRequest,
    node_id: Form[ObjectId | None] = None,
    year: Form[Year | None] = None,
    file: File[UploadedFile | None] = None,
) -> Any:
    """Import projects and lines from CSV (columns in docs/user-guide/budget.md): all stored, or nothing (422)."""
    require_api_scope(request, Action.ADD)
    limit = settings.HYGIE_MAX_UPLOAD_BYTES
    refuse_oversized(request, limit)
    if file is not None and (file.size or 0) > limit:
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    if node_id is None or year is None:
        raise HttpError(422, "node_id and year are required (multipart fields).")
    node = _node(request, node_id, Action.ADD)
    if file is None:
        raise HttpError(422, "A CSV file is required (multipart field 'file').")
    try:
        result = import_projects(node, year, file.read())
    except ProjectImportError as error:
        raise HttpError(422, str(error)) from error
    return Status(201, {"created": result.created, "updated": result.updated, "lines": result.lines})


@router.get("/projects/{project_id}", response=ProjectDetailOut)
def get_project(request: HttpRequest, project_id: ObjectId) -> Any:
    """One IT project with its lines."""
    projects = ItProject.objects.restrict(request.user, Action.VIEW).with_totals().prefetch_related("lines")
    return get_object_or_404(projects, pk=project_id)


@router.put("/projects/{project_id}", response=ProjectDetailOut)
def put_project(request: HttpRequest, project_id: ObjectId, payload: ProjectIn) -> Any:
    """Replace an IT project and its lines (it stays on its node)."""
    project = _changeable(request, ItProject, project_id)
    if payload.node_id != project.node_id:
        _node(request, payload.node_id, Action.CHANGE)
        raise HttpError(422, "node_id: a project cannot move to another establishment.")
    saved = _store_project(request, project, payload)
    return ItProject.objects.with_totals().prefetch_related("lines").get(pk=saved.pk)


@router.delete("/projects/{project_id}", response={204: None})
def delete_project(request: HttpRequest, project_id: ObjectId) -> Any:
    """Delete an IT project and its lines."""
    refuse_body(request)
    project = _changeable(request, ItProject, project_id, Action.DELETE)
    node = project.node
    project.delete()
    refresh_findings(node)
    return Status(204, None)


# --- Funding applications ---------------------------------------------------------------------------


def _applications(request: HttpRequest, action: Action = Action.VIEW) -> Any:
    return (
        FundingApplication.objects.restrict(request.user, action)
        .select_related("programme")
        .prefetch_related("milestones")
    )


@router.get("/applications", response=list[FundingApplicationOut])
@paginate(PageNumberPagination, page_size=100)
def list_applications(request: HttpRequest, node: ObjectId | None = None, programme: str | None = None) -> Any:
    """Funding applications with their milestones; filters: node (subtree), programme (key)."""
    require_api_scope(request)
    rows = _in_subtree(request, _applications(request), node)
    return rows.filter(programme__key=programme) if programme else rows


@router.post("/applications", response={201: FundingApplicationOut})
def post_application(request: HttpRequest, payload: FundingApplicationIn) -> Any:
    """Apply to a programme: the application and its five milestones."""
    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    programme = FundingProgramme.objects.restrict(request.user, Action.VIEW).filter(key=payload.programme).first()
    if programme is None:
        raise HttpError(422, f"programme: no programme {payload.programme[:40]!r}.")
    try:
        application = create_application(
            node, programme, title=payload.title, amount_requested=payload.amount_requested,
            reference=payload.reference, notes=payload.notes, planned={str(k): v for k, v in payload.planned.items()},
        )
    except ValidationError as error:
        raise HttpError(422, _messages(error)) from error
    return Status(201, _applications(request).get(pk=application.pk))


@router.get("/applications/{application_id}", response=FundingApplicationOut)
def get_application(request: HttpRequest, application_id: ObjectId) -> Any:
    """One funding application."""
    return get_object_or_404(_applications(request), pk=application_id)


@router.patch("/applications/{application_id}", response=FundingApplicationOut)
def patch_application(request: HttpRequest, application_id: ObjectId, payload: FundingApplicationPatch) -> Any:
    """Change an application's title, reference, amounts or notes."""
    application = _changeable(request, FundingApplication, application_id)
    for field, value in payload.dict(exclude_unset=True).items():
        if value is None and field in {"title", "reference", "notes", "amount_requested"}:
            raise HttpError(422, f"{field}: cannot be null.")
        setattr(application, field, value)
    application.updated = timezone.now()
    try:
        application.full_clean()
    except ValidationError as error:
        raise HttpError(422, _messages(error)) from error
    application.save()
    return _applications(request).get(pk=application.pk)


@router.patch("/milestones/{milestone_id}", response=MilestoneOut)
def patch_milestone(request: HttpRequest, milestone_id: ObjectId, payload: MilestonePatch) -> Any:
    """Record a milestone done (or reopen it with ``done_on: null``), with its amount and note."""
    milestone = _changeable(request, ApplicationMilestone, milestone_id)
    data = payload.dict(exclude_unset=True)
    try:
        return complete_milestone(
            milestone, done_on=data.get("done_on", milestone.done_on), amount=data.get("amount"),
            note=data.get("note"), planned_on=data.get("planned_on"),
        )
    except ValidationError as error:
        raise HttpError(422, _messages(error)) from error


@router.get("/applications/{application_id}/ars-file")
def get_ars_file(request: HttpRequest, application_id: ObjectId, format: Literal["pdf", "zip"] = "pdf") -> Any:  # noqa: A002 - the query parameter's name
    """The ARS evidence file of an application: ``format=pdf`` or ``format=zip`` (PDF, CSVs, assessment)."""
    application = get_object_or_404(_applications(request).select_related("node"), pk=application_id)
    if format == "zip":
        response = HttpResponse(ars_file.ars_zip(application), content_type="application/zip")
    else:
        response = HttpResponse(ars_file.ars_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ars_file.file_name(application, format)}"'
    return response


# --- Summaries --------------------------------------------------------------------------------------


def _project_dict(project: ItProject) -> dict[str, Any]:
    return ProjectOut.from_orm(project).dict()


@router.get("/nodes/{node_id}/summary")
def node_summary(request: HttpRequest, node_id: ObjectId, year: Year | None = None) -> dict[str, Any]:
    """A node's year: IT budget, projects against the 5-10 % rule, flagged projects, applications."""
    node = _node(request, node_id)
    data = node_year(request.user, node, year or timezone.localdate().year)
    budget = data["budget"]
    return {
        "node_id": node.pk,
        "node": node.name,
        "year": data["year"],
        "budget": BudgetYearOut.from_orm(budget).dict() if budget else None,
        "projects_total": data["projects_total"],
        "projects_cyber": data["projects_cyber"],
        "projects_share": data["projects_share"],
        "projects_position": str(data["projects_position"]),
        "projects": [_project_dict(p) for p in data["projects"]],
        "flagged": [p.pk for p in data["flagged"]],
        "applications": [FundingApplicationOut.from_orm(a).dict() for a in data["applications"]],
    }


@router.get("/nodes/{node_id}/rollup")
def node_rollup(request: HttpRequest, node_id: ObjectId, year: Year | None = None) -> dict[str, Any]:
    """Roll-up of a group or region: per establishment budget, cyber share, flagged; applications by milestone."""
    node = _node(request, node_id)
    data = rollup(request.user, node, year or timezone.localdate().year)
    return {
        "node_id": node.pk,
        "node": node.name,
        "year": data["year"],
        "establishments": [
            {
                "node_id": row["node"].pk,
                "node": row["node"].name,
                "it_total": row["it_total"],
                "declared_share": row["declared_share"],
                "projects": row["projects"],
                "projects_total": row["projects_total"],
                "projects_cyber": row["projects_cyber"],
                "projects_share": row["projects_share"],
                "position": str(row["position"]),
                "flagged": row["flagged"],
            }
            for row in data["rows"]
        ],
        "it_total": data["it_total"],
        "projects_share": data["projects_share"],
        "flagged": data["flagged"],
        "applications_by_milestone": {item["kind"]: item["count"] for item in data["by_milestone"]},
        "not_applied": data["not_applied"],
        "late": data["late"],
    }
