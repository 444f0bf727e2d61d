"""Engine texts go through an installable translator."""

from __future__ import annotations

from hygie.engines._core import i18n


class TestTranslator:
    """Untranslated by default; the installed translator applies once set."""

    def test_the_installed_translator_is_used_and_can_be_put_back(self) -> None:
        before = i18n._translator[0]
        try:
            i18n.set_translator(str.upper)
            assert "RECOVERY SCHEDULE" == i18n.gettext("Recovery schedule")
        finally:
            i18n.set_translator(before)
        assert before("Recovery schedule") == i18n.gettext("Recovery schedule")
