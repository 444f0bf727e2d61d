"""``load_demo``: build the demo hospital group once, through the models, attributed to "demo".

The load is idempotent: the demo is recognised by its support hospital's legal FINESS number, and
a second load changes nothing. Everything is written in one transaction, so an interrupted load
leaves no half-built group behind.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hygie.apps.accounts.audit import acting_as
from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role, path_q
from hygie.apps.findings.exporting import start_findings_export
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo.awareness_seed import seed_awareness
from hygie.demo.budget_seed import seed_budget
from hygie.demo.compliance_seed import seed_compliance
from hygie.demo.continuity_seed import seed_continuity
from hygie.demo.detection_seed import seed_detection
from hygie.demo.directory_seed import seed_directory_audits
from hygie.demo.establishments import (
    ESTABLISHMENTS,
    GROUP_NAME,
    GROUP_SHORT_NAME,
    NATION_NAME,
    REGION_NAME,
    SUPPORT_FINESS_EJ,
)
from hygie.demo.exposure_seed import seed_exposure
from hygie.demo.findings_seed import seed_findings
from hygie.demo.incidents_seed import seed_incidents
from hygie.demo.inventory_seed import seed_applications, seed_assets, seed_care_activities
from hygie.engines._core import NullProgress, Progress

__all__ = ["DEMO_PASSWORD", "DEMO_SEED", "DemoLogin", "DemoSummary", "load_demo"]

#: The one password of every demo account, printed by ``hygie demo`` (it passes Django's validators).
DEMO_PASSWORD = "Valbrise-Demo-2026"  # noqa: S105 - documented demo credential, not a secret
#: Seed of the generator: the same demo on every machine.
DEMO_SEED = 20240318


@dataclass(frozen=True)
class DemoLogin:
    """A demo account: who to log in as to see the platform through one role."""

    username: str
    role: str
    node: str


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds, and whether this call loaded it or found it already there."""

    already_loaded: bool
    establishments: int
    sites: int
    assets: int
    applications: int
    care_activities: int
    findings: int
    logins: tuple[DemoLogin, ...]
    password: str = DEMO_PASSWORD


def _logins() -> list[tuple[str, str, str, bool]]:
    """(username, role, node key, superuser) of every demo account; node key ``group``, ``region``..."""
    rows = [(f"demo.{role.value}", role.value, "group", False) for role in Role]
    rows += [(f"demo.manager.{spec.prefix.lower()}", Role.MANAGER.value, spec.key, False) for spec in ESTABLISHMENTS]
    rows.append(("demo.ars", Role.AUDITOR.value, "region", False))
    rows.append(("demo.national", "superuser", "nation", True))
    return rows


def load_demo(progress: Progress | None = None, now: dt.datetime | None = None) -> DemoSummary:
    """Load the demo group unless it is already there; return what the demo holds."""
    progress = progress or NullProgress()
    existing = Node.objects.filter(finess_ej=SUPPORT_FINESS_EJ).first()
    if existing is not None:
        return _summary(already_loaded=True)
    now = now or timezone.now()
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets
    with transaction.atomic(), acting_as(None, "demo"):
        owners, sites = _build_tree(progress)
        users = _create_users(owners, progress)
        assets = seed_assets(owners, sites, rng, progress)
        seed_applications(owners, assets, progress)
        seed_care_activities(owners, progress)
        # Before the hand-made findings: an audit's ingestion closes the directory findings it does not see.
        seed_directory_audits(owners, users["demo.analyst"], progress, now)
        seed_exposure(owners, users["demo.analyst"], progress, now)
        seed_detection(owners, assets, users["demo.analyst"], progress, now)
        seed_continuity(owners, assets, users["demo.manager"], progress, now)
        handlers = [users[name] for name in ("demo.analyst", "demo.manager", "demo.manager.mbz", "demo.manager.cdp")]
        seed_findings(owners, assets, handlers, rng=rng, progress=progress, now=now)
        # After every engine: assessments take their measures from the audits, scans and models above.
        seed_compliance(owners, users, progress, now)
        seed_budget(owners, users, progress, now)
        seed_awareness(owners, users, progress, now)
        seed_incidents(owners, users, progress, now)
        # One background job waiting in the queue: the worker that `make demo` starts runs it, so the
        # Jobs page shows a real job going from queued to done, with its CSV to download.
        start_findings_export(users["demo.manager"], owners["group"], "status=active")
    return _summary(already_loaded=False)


def _build_tree(progress: Progress) -> tuple[dict[str, Node], dict[str, list[Node]]]:
    """Nation, region, group, establishments and sites; returns nodes by key and sites by establishment."""
    progress.start("Organisation tree", total=len(ESTABLISHMENTS))
    # The nation and the region may already exist (created by hand or by another import): reuse them.
    nation = Node.objects.filter(kind=NodeKind.NATION, name=NATION_NAME).first() or Node.objects.create(
        kind=NodeKind.NATION, name=NATION_NAME)
    region = Node.objects.filter(kind=NodeKind.REGION, name=REGION_NAME, parent=nation).first() or (
        Node.objects.create(kind=NodeKind.REGION, name=REGION_NAME, short_name="ARS ARA", parent=nation))
    group = Node.objects.create(kind=NodeKind.GROUP, name=GROUP_NAME, short_name=GROUP_SHORT_NAME, parent=region)
    owners: dict[str, Node] = {"nation": nation, "region": region, "group": group}
    sites: dict[str, list[Node]] = {}
    for spec in ESTABLISHMENTS:
        establishment = Node(
            kind=NodeKind.ESTABLISHMENT, name=spec.name, short_name=spec.short_name,
            parent=group if spec.in_group else region, finess_ej=spec.finess_ej, finess_eg=spec.finess_eg,
            category=spec.category, bed_count=spec.beds, activity_share=spec.activity_share, is_ose=spec.is_ose,
            city=spec.city,
        )
        establishment.full_clean()
        establishment.save()
        owners[spec.key] = establishment
        sites[spec.key] = [
            Node.objects.create(kind=NodeKind.SITE, name=site.name, short_name=site.short_name, city=site.city,
                                parent=establishment)
            for site in spec.sites
        ]
        progress.advance()
    return owners, sites


def _create_users(owners: dict[str, Node], progress: Progress) -> dict[str, User]:
    """Demo accounts and their roles; an account of the same name is reused, its password kept."""
    rows = _logins()
    progress.start("Users", total=len(rows))
    # One hash for all: the password is shared and public, and hashing it a dozen times costs seconds.
    hashed = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for username, role, node_key, superuser in rows:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"password": hashed, "is_superuser": superuser, "is_staff": superuser,
                      "email": f"{username}@demo.invalid"},
        )
        if not superuser:
            RoleAssignment.objects.get_or_create(user=user, node=owners[node_key], role=role)
        users[username] = user
        progress.advance()
    return users


def _summary(*, already_loaded: bool) -> DemoSummary:
    """Count what the demo subtrees hold (the GHT and the clinic, which hangs from the region)."""
    roots = list(Node.objects.filter(finess_ej__in=[s.finess_ej for s in ESTABLISHMENTS]).select_related("parent"))
    prefixes = sorted({n.parent.path if n.parent.kind == NodeKind.GROUP else n.path for n in roots if n.parent})
    scope = path_q("node__path", prefixes)
    nodes = Node.objects.filter(path_q("path", prefixes))
    rows = _logins()
    node_names = {
        "nation": NATION_NAME, "region": REGION_NAME, "group": GROUP_NAME,
        **{spec.key: spec.name for spec in ESTABLISHMENTS},
    }
    return DemoSummary(
        already_loaded=already_loaded,
        establishments=nodes.filter(kind=NodeKind.ESTABLISHMENT).count(),
        sites=nodes.filter(kind=NodeKind.SITE).count(),
        assets=Asset.objects.filter(scope).count(),
        applications=Application.objects.filter(scope).count(),
        care_activities=CareActivity.objects.filter(scope).count(),
        findings=Finding.objects.filter(scope).count(),
        logins=tuple(DemoLogin(username, role, node_names[key]) for username, role, key, _ in rows),
    )
