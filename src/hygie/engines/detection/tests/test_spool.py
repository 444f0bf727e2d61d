"""The timeline spool: any number of detections, in timeline order, with a bounded number in memory."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hygie.engines.detection.hunt import timeline
from hygie.engines.detection.model import Detection, Level
from hygie.engines.detection.spool import TimelineSpool, detection_from_dict

_T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _detection(number: int, *, dated: bool = True) -> Detection:
    return Detection(
        rule_id=f"rule-{number % 3}",
        rule_title="Title <é>",
        level=Level(number % 5),
        tags=("attack.t1003",),
        timestamp=_T0 + timedelta(seconds=number % 17) if dated else None,
        computer="ws01",
        channel="Security",
        event_id=4624 if number % 2 else None,
        file=f"file-{number % 4}.evtx",
        record_id=number,
        event={"CommandLine": f"cmd /c {number}", "nested": {"a": [1, 2]}},
    )


def test_runs_on_disk_merge_back_into_the_timeline() -> None:
    """250 detections, 40 in memory at most: six runs on disk, read back in exactly the timeline order."""
    detections = [_detection(n, dated=n % 11 != 0) for n in range(250)]
    random.Random(5).shuffle(detections)  # noqa: S311 - a fixed test order, not a secret
    with TimelineSpool(memory=40) as spool:
        for detection in detections:
            spool.add(detection)
        assert spool.runs == 6
        assert spool.count == 250
        assert list(spool) == timeline(detections)
        folder = spool._folder
        assert folder is not None
        assert folder.is_dir()
    assert not folder.exists()


def test_a_detection_survives_its_dictionary_form() -> None:
    """``detection_from_dict`` inverts ``to_dict`` (time zone, level, tags, missing event id, event)."""
    for detection in (_detection(3), _detection(4, dated=False)):
        assert detection_from_dict(detection.to_dict()) == detection


def test_a_small_spool_stays_in_memory() -> None:
    """Under the bound nothing is written."""
    with TimelineSpool(memory=10) as spool:
        for number in (5, 1, 3):
            spool.add(_detection(number))
        assert spool.runs == 0
        assert [d.record_id for d in spool] == [1, 3, 5]
