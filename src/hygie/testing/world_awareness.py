"""The awareness objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["AWARENESS_KINDS", "awareness_objects"]

#: Kind of world object for each awareness model label.
AWARENESS_KINDS: dict[str, str] = {
    "awareness.StaffCensus": "staffcensus",
    "awareness.AwarenessTarget": "awarenesstarget",
    "awareness.TrainingSession": "trainingsession",
    "awareness.TrainingCompletion": "trainingcompletion",
    "awareness.PhishingCampaign": "phishingcampaign",
    "awareness.PhishingResult": "phishingresult",
}


def awareness_objects(nodes: tuple[Node, Node], marks: tuple[str, str]) -> dict[str, tuple[Any, Any]]:
    """Per side: a census, a target, a session with one completion, a campaign with one result."""
    from django.utils import timezone

    from hygie.apps.awareness.gophish import funnels_by_category
    from hygie.apps.awareness.models import (
        AwarenessTarget,
        PhishingCampaign,
        PhishingResult,
        SessionKind,
        StaffCategory,
        StaffCensus,
        TrainingCompletion,
        TrainingSession,
    )

    today = timezone.localdate()
    made: dict[str, list[Any]] = {kind: [] for kind in AWARENESS_KINDS.values()}
    for node, mark in zip(nodes, marks, strict=True):
        census = StaffCensus.objects.create(node=node, category=StaffCategory.MEDICAL, headcount=40,
                                            as_of=today - dt.timedelta(days=30))
        target = AwarenessTarget.objects.create(node=node, coverage_target_pct=Decimal(80),
                                                click_ceiling_pct=Decimal(15))
        session = TrainingSession.objects.create(node=node, title=f"Hygiene module {mark}", kind=SessionKind.ELEARNING)
        completion = TrainingCompletion.objects.create(session=session, node=node, person=f"{mark}".ljust(64, "0"),
                                                       category=StaffCategory.MEDICAL,
                                                       completed_on=today - dt.timedelta(days=10))
        campaign = PhishingCampaign.objects.create(
            node=node, name=f"Phishing {mark}", launched_on=today - dt.timedelta(days=20),
            source_name=f"{mark}.csv", funnel=funnels_by_category([("medical", 3, False)]),
        )
        result = PhishingResult.objects.create(campaign=campaign, person=f"{mark}".ljust(64, "1"),
                                               category=StaffCategory.MEDICAL, status="Clicked Link", stage=3)
        for kind, obj in (("staffcensus", census), ("awarenesstarget", target), ("trainingsession", session),
                          ("trainingcompletion", completion), ("phishingcampaign", campaign),
                          ("phishingresult", result)):
            made[kind].append(obj)
    return {kind: (pair[0], pair[1]) for kind, pair in made.items()}
