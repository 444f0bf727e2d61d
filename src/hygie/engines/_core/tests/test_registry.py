"""Check registries: explicit, namespaced, no duplicates."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hygie.engines._core import CheckRegistry, Reference, ReferenceKind, Severity

Check = Callable[[], int]


def _registry() -> CheckRegistry[Check]:
    registry: CheckRegistry[Check] = CheckRegistry("directory")

    @registry.register("directory.krbtgt_password_age", title_en="krbtgt password too old",
                       title_fr="Mot de passe krbtgt trop ancien", severity=Severity.HIGH,
                       references=(Reference(ReferenceKind.ANSSI, "vuln2_krbtgt"),))
    def krbtgt() -> int:
        return 1

    return registry


class TestCheckRegistry:
    """A registry keeps each check of its engine once, with both titles and its implementation."""

    def test_registers_and_looks_up(self) -> None:
        """A registered check is found by id, with its spec and its implementation."""
        registry = _registry()
        spec = registry["directory.krbtgt_password_age"]
        assert (1, ["directory.krbtgt_password_age"], 1, "Mot de passe krbtgt trop ancien", Severity.HIGH) == (
            len(registry), registry.ids(), spec.implementation(), spec.title_fr, spec.severity)
        assert "directory.krbtgt_password_age" in registry
        assert "directory.unknown" not in registry
        assert ["directory.krbtgt_password_age"] == [s.check_id for s in registry]

    def test_decorator_returns_the_implementation(self) -> None:
        """Decorating leaves the function usable as before."""
        registry: CheckRegistry[Check] = CheckRegistry("exposure")

        def rdp() -> int:
            return 7

        assert rdp is registry.register("exposure.rdp", title_en="RDP", title_fr="RDP", severity=Severity.HIGH)(rdp)

    def test_refuses_duplicates(self) -> None:
        """The same id twice is a programming error."""
        registry = _registry()
        with pytest.raises(ValueError, match="registered twice"):
            registry.register("directory.krbtgt_password_age", title_en="x", title_fr="x", severity=Severity.LOW)

    def test_refuses_foreign_namespace(self) -> None:
        """An engine cannot register a check of another engine."""
        with pytest.raises(ValueError, match="does not belong to engine 'directory'"):
            _registry().register("exposure.rdp", title_en="x", title_fr="x", severity=Severity.LOW)

    def test_refuses_prefix_lookalike(self) -> None:
        """``directory2.x`` is not in the ``directory`` namespace."""
        with pytest.raises(ValueError, match="does not belong"):
            _registry().register("directory2.x", title_en="x", title_fr="x", severity=Severity.LOW)

    def test_refuses_malformed_id_and_missing_title(self) -> None:
        """Ids follow the Finding rules; both titles are required."""
        registry = _registry()
        with pytest.raises(ValueError, match="namespaced"):
            registry.register("directory.Bad-Id", title_en="x", title_fr="x", severity=Severity.LOW)
        with pytest.raises(ValueError, match="French title"):
            registry.register("directory.no_title", title_en="x", title_fr=" ", severity=Severity.LOW)

    def test_refuses_bad_engine_name(self) -> None:
        """Engine names are lower-case identifiers."""
        with pytest.raises(ValueError, match="lower-case identifier"):
            CheckRegistry("Directory.x")

    def test_missing_check_is_key_error(self) -> None:
        """Looking up an unknown id raises KeyError."""
        with pytest.raises(KeyError):
            _registry()["directory.unknown"]
