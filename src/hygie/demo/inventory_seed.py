"""Write the demo inventory: assets (in bulk), applications and care activities (through the models)."""

from __future__ import annotations

import random
import zlib

from hygie.apps.accounts.audit import record
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.organizations.models import Node
from hygie.demo.applications import APPLICATIONS, CARE_ACTIVITIES
from hygie.demo.assets import generate_assets
from hygie.demo.establishments import ESTABLISHMENTS
from hygie.engines._core import Progress

__all__ = ["seed_applications", "seed_assets", "seed_care_activities"]


def seed_assets(
    establishments: dict[str, Node], sites: dict[str, list[Node]], rng: random.Random, progress: Progress,
) -> dict[str, list[Asset]]:
    """Create every establishment's assets; returns them by establishment key, in generation order."""
    progress.start("Assets", total=sum(spec.asset_count for spec in ESTABLISHMENTS))
    created: dict[str, list[Asset]] = {}
    for spec in ESTABLISHMENTS:
        rows = []
        for generated in generate_assets(spec, rng):
            asset = Asset(
                node=sites[spec.key][generated.site_index],
                name=generated.name,
                kind=generated.kind,
                vendor=generated.vendor,
                product=generated.product,
                version=generated.version,
                cpe=generated.cpe,
                ip_addresses=list(generated.ip_addresses),
                owner=generated.owner,
                criticality=generated.criticality,
                hosting=generated.hosting,
                serial_number=generated.serial_number,
            )
            # Field validators (CPE shape, IP list) run here because bulk_create skips them.
            asset.full_clean(exclude=["node"], validate_unique=False, validate_constraints=False)
            rows.append(asset)
        created[spec.key] = Asset.objects.bulk_create(rows, batch_size=500)
        # bulk_create sends no signals: one audit event says what the bulk load wrote.
        record(
            "bulk_create", object_type="inventory.Asset", object_id="",
            object_repr=f"{len(rows)} demo assets", node_id=establishments[spec.key].pk,
        )
        progress.advance(len(rows))
    return created


def _pick(assets: dict[str, list[Asset]], selector: str, application: str) -> list[Asset]:
    """``count`` assets named by ``PREFIX-CODE:count``, a different slice for each application.

    Starting each application at its own offset (a stable hash of its name) spreads applications
    over the servers, as in a real data centre, instead of piling them all on the first one.
    """
    pattern, _, count = selector.partition(":")
    prefix = pattern.split("-", 1)[0]
    owner = next(spec.key for spec in ESTABLISHMENTS if spec.prefix == prefix)
    matching = [a for a in assets[owner] if a.name.startswith(f"{pattern}-")]
    if not matching:
        return []
    start = zlib.crc32(application.encode()) % len(matching)
    wanted = min(int(count or 1), len(matching))
    return [matching[(start + i) % len(matching)] for i in range(wanted)]


def seed_applications(owners: dict[str, Node], assets: dict[str, list[Asset]], progress: Progress) -> int:
    """Create the applications, then link their assets and dependencies."""
    progress.start("Applications", total=len(APPLICATIONS))
    by_name: dict[str, Application] = {}
    for spec in APPLICATIONS:
        app = Application(
            node=owners[spec.owner_key], name=spec.name, category=spec.category, vendor=spec.vendor,
            version=spec.version, criticality=spec.criticality, hosting=spec.hosting, owner=spec.business_owner,
        )
        app.full_clean(exclude=["node"])
        app.save()
        by_name[spec.name] = app
        progress.advance()
    for spec in APPLICATIONS:
        app = by_name[spec.name]
        linked = [asset for selector in spec.runs_on for asset in _pick(assets, selector, spec.name)]
        if linked:
            app.assets.add(*linked)
        if spec.depends_on:
            app.depends_on.add(*(by_name[name] for name in spec.depends_on))
    return len(by_name)


def seed_care_activities(owners: dict[str, Node], progress: Progress) -> int:
    """Create the care activities with the applications they need."""
    progress.start("Care activities", total=len(CARE_ACTIVITIES))
    apps = {app.name: app for app in Application.objects.filter(node__in=list(owners.values()))}
    for spec in CARE_ACTIVITIES:
        activity = CareActivity(
            node=owners[spec.owner_key], name=spec.name, patient_impact=spec.patient_impact,
            max_downtime_hours=spec.max_downtime_hours, description=spec.description,
        )
        activity.full_clean(exclude=["node"])
        activity.save()
        activity.applications.add(*(apps[name] for name in spec.applications))
        progress.advance()
    return len(CARE_ACTIVITIES)
