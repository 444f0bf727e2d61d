"""The demo group's awareness data (see docs/user-guide/awareness.md).

Everything goes through the platform's own code: censuses through ``record_census``, completions
and campaigns through the CSV imports (CSV written here in the documented formats, GoPhish's for
the campaigns), findings through ``check_node``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from hygie.apps.awareness.census import record_census
from hygie.apps.awareness.checks import check_node
from hygie.apps.awareness.importing import import_gophish, import_training
from hygie.apps.awareness.models import AwarenessTarget
from hygie.demo.awareness_data import (
    CAMPAIGNS,
    GROUP_TARGET,
    POSITIONS,
    PREVIOUS_SESSION,
    SESSIONS,
    STAFF,
    TRAINED,
    CampaignSpec,
)

if TYPE_CHECKING:
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["seed_awareness"]

SEED = 7
TRAINING_HEADER = "email,first_name,last_name,category,establishment,session,completed_on,session_kind"


def _email(key: str, category: str, index: int) -> str:
    return f"{key}.{category}.{index:04d}@demo-ght.example"


def _training_lines(key: str, finess: str, today: dt.date, rng: random.Random) -> list[str]:
    """One line per trained person in the last year, and last year's module for some of them."""
    lines = []
    for category, headcount in STAFF[key].items():
        trained = round(headcount * TRAINED[key][category])
        for index in range(headcount):
            email = _email(key, category, index)
            if index < trained:
                if category in {"it", "management"} and rng.random() < 0.3:  # noqa: PLR2004 - a third of crisis staff
                    title, kind = SESSIONS[3]
                else:
                    title, kind = rng.choices(SESSIONS[:3], weights=(6, 3, 1))[0]
                done = today - dt.timedelta(days=rng.randint(1, 355))
                lines.append(f"{email},,,{category},{finess},{title},{done.isoformat()},{kind}")
            if rng.random() < 0.45:  # noqa: PLR2004 - last year's module reached under half of the staff
                done = today - dt.timedelta(days=rng.randint(380, 540))
                lines.append(f"{email},,,{category},{finess},{PREVIOUS_SESSION[0]},{done.isoformat()},"
                             f"{PREVIOUS_SESSION[1]}")
    return lines


def _gophish_csv(spec: CampaignSpec, today: dt.date, rng: random.Random) -> bytes:
    """A GoPhish results export of the campaign, recipients drawn across the categories."""
    sent = today - dt.timedelta(days=spec.days_ago)
    staff = STAFF[spec.owner_key]
    population = [(category, index) for category, count in staff.items() for index in range(count)]
    lines = ["id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position"]
    for number, (category, index) in enumerate(rng.sample(population, spec.recipients)):
        draw = rng.random()
        if draw < 0.01:  # noqa: PLR2004 - a mailbox that does not exist any more
            status = "Error"
        elif draw < 0.01 + spec.click_rate * spec.submit_share:
            status = "Submitted Data"
        elif draw < 0.01 + spec.click_rate:
            status = "Clicked Link"
        elif draw < 0.01 + spec.open_rate:
            status = "Email Opened"
        else:
            status = "Email Sent"
        reported = status != "Error" and rng.random() < spec.report_rate
        stamp = f"{sent.isoformat()}T08:{number % 60:02d}:00Z"
        position = rng.choice(POSITIONS[category])
        lines.append(f"{number + 1},{status},,,,{stamp},{str(reported).lower()},{stamp},"
                     f"{_email(spec.owner_key, category, index)},,,{position}")
    return ("\n".join(lines) + "\n").encode()


def seed_awareness(owners: dict[str, Node], users: dict[str, User], progress: Progress, now: dt.datetime) -> None:
    """Write the demo's awareness data through the models."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    today = now.date()
    progress.start("Awareness", total=len(STAFF) + len(CAMPAIGNS) + 1)
    AwarenessTarget.objects.create(node=owners["group"], coverage_target_pct=Decimal(GROUP_TARGET[0]),
                                   click_ceiling_pct=Decimal(GROUP_TARGET[1]))
    group_lines: list[str] = []
    for key, headcounts in STAFF.items():
        node = owners[key]
        record_census(node, {c: round(n * 0.97) for c, n in headcounts.items()}, today - dt.timedelta(days=365))
        record_census(node, headcounts, today - dt.timedelta(days=30))
        lines = _training_lines(key, node.finess_eg or node.name, today, rng)
        if node.path.startswith(owners["group"].path):
            group_lines += lines
        else:
            import_training(node, "\n".join([TRAINING_HEADER, *lines]).encode(), user=None, today=today)
        progress.advance()
    # The group's shared e-learning platform exports one file for its four establishments.
    import_training(owners["group"], "\n".join([TRAINING_HEADER, *group_lines]).encode(), user=None, today=today,
                    max_bytes=64 * 1024 * 1024)
    for spec in CAMPAIGNS:
        import_gophish(owners[spec.owner_key], _gophish_csv(spec, today, rng), name=spec.name,
                       source_name="gophish-results.csv")
        progress.advance()
    check_node(owners["region"], as_of=today)
    progress.advance()
