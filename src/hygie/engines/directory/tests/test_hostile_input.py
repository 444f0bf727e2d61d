"""Hostile bytes and isolation: the reader fails only with ``CollectionError`` and loads no Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.sharphound import read_sharphound

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
# Documents shaped like a collection file, with arbitrary values where SharpHound puts objects.
_DOCUMENTS = st.fixed_dictionaries(
    {
        "meta": st.fixed_dictionaries(
            {
                "type": st.sampled_from(["users", "computers", "groups", "domains", "enterprisecas", "sessions"]),
                "version": st.sampled_from([5, 6]),
            }
        ),
        "data": st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "ObjectIdentifier",
                        "Properties",
                        "Aces",
                        "Members",
                        "Trusts",
                        "LocalGroups",
                        "Sessions",
                        "ContainedBy",
                        "CARegistryData",
                        "Links",
                    ]
                ),
                _JSON,
                max_size=6,
            ),
            max_size=3,
        ),
    }
)


def _failure(path: Path) -> str | None:
    """The ``CollectionError`` message reading ``path`` gives, ``None`` when it reads; other errors escape."""
    try:
        read_sharphound(path)
    except CollectionError as error:
        return str(error)
    return None


class TestHostileInput:
    """Whatever the bytes, the reader returns a snapshot or raises ``CollectionError``, nothing else."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(content=st.binary(max_size=200))
    def test_random_bytes(self, tmp_path: Path, content: bytes) -> None:
        (tmp_path / "x_users.json").write_bytes(content)
        message = _failure(tmp_path)
        assert message is None or message.startswith("x_users.json")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(document=_DOCUMENTS)
    def test_odd_records(self, tmp_path: Path, document: dict[str, object]) -> None:
        # The standard library writes integers beyond 64 bits, which SharpHound never should.
        (tmp_path / "x_users.json").write_text(json.dumps(document), encoding="utf-8")
        message = _failure(tmp_path)
        assert message is None or message.startswith("x_users.json: data[")


class TestIsolation:
    """The directory engine imports no Django, so it runs alone on files."""

    def test_imports_without_django(self) -> None:
        code = "import sys, hygie.engines.directory; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
        assert "False" == result.stdout.strip()
