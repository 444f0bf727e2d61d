"""The French catalogue: complete, compiled from the current ``.po`` and used by the interface.

``make messages`` extracts and compiles it; these tests catch a catalogue left with empty or fuzzy
entries, a ``.mo`` not recompiled after the ``.po`` changed, and a French page still in English.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

import hygie

MESSAGES = Path(hygie.__file__).resolve().parent / "locale" / "fr" / "LC_MESSAGES"
PO_FILE = MESSAGES / "django.po"
MO_FILE = MESSAGES / "django.mo"


def _msgfmt(output: Path) -> str:
    """Compile the ``.po`` with format checks into ``output``; return msgfmt's statistics line."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("needs GNU gettext's msgfmt (apt-get install gettext)")
    done = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
        [msgfmt, "--check", "--statistics", "-o", str(output), str(PO_FILE)],
        capture_output=True, text=True, check=False,
    )
    assert 0 == done.returncode, done.stderr
    return done.stderr.strip()


class TestFrenchCatalogue:
    """The catalogue file itself."""

    def test_header(self) -> None:
        """The header declares French and the French plural rule (0 and 1 are singular)."""
        header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
        assert '"Language: fr\\n"' in header
        assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in header

    def test_every_message_translated(self, tmp_path: Path) -> None:
        """GNU msgfmt finds no format error, no untranslated and no fuzzy message."""
        statistics = _msgfmt(tmp_path / "django.mo")
        assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics

    def test_compiled_catalogue_is_current(self, tmp_path: Path) -> None:
        """The shipped ``.mo`` is exactly what the ``.po`` compiles to (run `make messages` if not)."""
        _msgfmt(tmp_path / "django.mo")
        assert (tmp_path / "django.mo").read_bytes() == MO_FILE.read_bytes()


class TestFrenchInterface:
    """The catalogue as Django uses it."""

    def test_menu_entry(self) -> None:
        """The dashboard menu entry reads "Tableau de bord" in French."""
        with translation.override("fr"):
            assert "Tableau de bord" == gettext("Dashboard")

    def test_plural_rule(self) -> None:
        """French counts 0 and 1 as singular, 2 and more as plural."""
        with translation.override("fr"):
            actual = [ngettext("%(counter)s row", "%(counter)s rows", n) % {"counter": n} for n in (0, 1, 2)]
        assert ["0 ligne", "1 ligne", "2 lignes"] == actual

    def test_login_page(self, client: Any) -> None:
        """A browser asking for French gets the login page in French."""
        response = client.get("/login/", headers={"accept-language": "fr"})
        assert 200 == response.status_code
        assert "Connexion à Hygie" in response.content.decode()
        assert '<html lang="fr">' in response.content.decode()
