"""Pytest plugin loaded first (``-p`` in pyproject): isolate the suite from the operator's data.

pytest-django imports the settings before any ``conftest.py`` runs, so the data directory (where
the settings create the secret key) must be chosen here, at plugin import time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HYGIE_DATA_DIR", str(Path(tempfile.gettempdir()) / f"hygie-test-{os.getuid()}"))
