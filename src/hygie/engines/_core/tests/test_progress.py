"""The progress protocol and engine isolation from Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hygie.engines._core import NullProgress, Progress

ENGINES = Path(__file__).resolve().parents[2]


class Recorder:
    """A ``Progress`` that remembers what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def start(self, label: str, total: int | None = None) -> None:
        """Remember the phase."""
        self.calls.append(("start", (label, total)))

    def advance(self, amount: int = 1) -> None:
        """Remember the step."""
        self.calls.append(("advance", amount))

    def log(self, message: str) -> None:
        """Remember the line."""
        self.calls.append(("log", message))


class TestProgress:
    """Any object with start/advance/log is a ``Progress``; ``NullProgress`` ignores everything."""

    def test_protocol_is_structural(self) -> None:
        """A plain class and NullProgress both satisfy the protocol; an unrelated object does not."""
        assert (True, True, False) == (isinstance(Recorder(), Progress), isinstance(NullProgress(), Progress),
                                       isinstance(object(), Progress))

    def test_recorder_receives_calls(self) -> None:
        """Calls reach the receiver in order."""
        progress = Recorder()
        progress.start("parsing", 10)
        progress.advance(3)
        progress.log("done")
        assert [("start", ("parsing", 10)), ("advance", 3), ("log", "done")] == progress.calls

    def test_null_progress_accepts_everything(self) -> None:
        """NullProgress accepts every call of the protocol, typed through the protocol."""
        progress: Progress = NullProgress()
        progress.start("x", None)
        progress.advance(5)
        progress.log("y")
        assert isinstance(progress, NullProgress)


class TestEngineIsolation:
    """Engines import no Django: they run alone on files."""

    def test_no_django_import_in_engine_sources(self) -> None:
        """No module under ``engines/`` imports django."""
        offenders = [
            str(path.relative_to(ENGINES)) for path in ENGINES.rglob("*.py")
            if any(line.lstrip().startswith(("import django", "from django")) for line in path.read_text().splitlines())
        ]
        assert [] == offenders

    def test_core_imports_without_django(self) -> None:
        """Importing the contract in a fresh interpreter loads no django module."""
        code = "import sys, hygie.engines._core; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
        assert "False" == result.stdout.strip()
