"""The perimeter refuses every target it was not given, and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hygie.engines.exposure import Perimeter, PerimeterError

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# Documentation ranges (RFC 5737 / RFC 3849): never routed, so nothing real is ever named here.
DNS = {
    "vpn.chu-exemple.fr": ["192.0.2.10"],
    "portail.chu-exemple.fr": ["198.51.100.7"],  # hosted outside the declared ranges
    "mail.chu-exemple.fr": ["192.0.2.20", "203.0.113.5"],  # one address outside
    "pacs.chu-exemple.fr": ["192.0.2.99"],  # excluded address
    "vide.chu-exemple.fr": [],
}


def resolve(name: str) -> list[str]:
    """A fixed resolver: tests never reach DNS."""
    if name not in DNS:
        raise OSError("name not known")
    return DNS[name]


def perimeter(**kwargs: object) -> Perimeter:
    """The test perimeter: two ranges, a pinned name, a domain, exclusions; ``kwargs`` override."""
    values: dict[str, object] = {
        "exclusions": ["192.0.2.99", "192.0.2.128/25", "fragile.chu-exemple.fr"],
        "authorised_by": "M. Dupont, RSSI",
        "valid_until": NOW + timedelta(days=30),
    }
    values.update(kwargs)
    entries = ["192.0.2.0/24", "2001:db8::/48", "portail.chu-exemple.fr", "*.chu-exemple.fr"]
    return Perimeter.parse(entries, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("192.0.2.10", True),
        ("192.0.2.0/26", True),
        ("2001:db8::1", True),
        ("192.0.2.99", False),  # excluded address
        ("192.0.2.200", False),  # inside the excluded /25
        ("192.0.2.0/24", False),  # would sweep the exclusions
        ("198.51.100.7", False),  # outside every range, even though a pinned name resolves to it
        ("10.0.0.0/8", False),
        ("vpn.chu-exemple.fr", True),  # under the domain, resolves inside
        ("VPN.CHU-exemple.fr.", True),  # case and trailing dot normalised
        ("portail.chu-exemple.fr", True),  # pinned name: may resolve outside the ranges
        ("mail.chu-exemple.fr", False),  # under the domain, one address outside
        ("pacs.chu-exemple.fr", False),  # resolves to an excluded address
        ("fragile.chu-exemple.fr", False),  # excluded name
        ("vide.chu-exemple.fr", False),  # no address
        ("inconnu.chu-exemple.fr", False),  # does not resolve
        ("www.autre-hopital.fr", False),  # not declared
        ("chu-exemple.fr.evil.test", False),  # suffix trick
        ("xchu-exemple.fr", False),  # suffix without a dot
        ("bad_name!", False),
    ],
)
def test_decide(target: str, allowed: bool) -> None:
    """Each target gets the decision its comment justifies, always with a reason."""
    decision = perimeter().decide(target, resolve=resolve, now=NOW)
    assert allowed == decision.allowed, decision.reason
    assert decision.reason


def test_refusals_say_why() -> None:
    """A refused name names the address that made it refused."""
    decision = perimeter().decide("mail.chu-exemple.fr", resolve=resolve, now=NOW)
    assert "203.0.113.5" in decision.reason
    assert ("192.0.2.20", "203.0.113.5") == decision.addresses


def test_expired_authorisation_refuses_everything() -> None:
    """At the end of the authorisation even a declared address is refused, naming who authorised."""
    decision = perimeter(valid_until=NOW).decide("192.0.2.10", resolve=resolve, now=NOW)
    assert not decision.allowed
    assert "M. Dupont, RSSI" in decision.reason


@pytest.mark.parametrize(
    ("entries", "kwargs", "message"),
    [
        ([], {}, "empty"),
        (["192.0.2.0/33"], {}, "not a valid address range"),
        (["-bad-.fr"], {}, "not a valid host name"),
        (["192.0.2.0/24"], {"authorised_by": " "}, "who authorised"),
        (["192.0.2.0/24"], {"valid_until": datetime(2027, 1, 1)}, "time zone"),  # noqa: DTZ001 - the point of the test
        (["192.0.2.0/24"], {"exclusions": ["*.chu-exemple.fr"]}, "not whole domains"),
    ],
)
def test_bad_entries_are_refused(entries: list[str], kwargs: dict[str, object], message: str) -> None:
    """Malformed declarations are refused with a message naming the problem."""
    values: dict[str, object] = {"authorised_by": "RSSI", "valid_until": NOW + timedelta(days=1), **kwargs}
    with pytest.raises(PerimeterError, match=message):
        Perimeter.parse(entries, **values)  # type: ignore[arg-type]


@given(st.text(max_size=80))
def test_any_text_gets_a_decision_never_an_exception(target: str) -> None:
    """Hostile target strings get a decision, never an exception."""
    decision = perimeter().decide(target, resolve=resolve, now=NOW)
    assert isinstance(decision.allowed, bool)


@given(st.ip_addresses(v=4))
def test_no_address_outside_the_declared_range_is_ever_allowed(address: object) -> None:
    """No IPv4 address outside 192.0.2.0/25 (the range minus its exclusions) is ever allowed."""
    decision = perimeter().decide(str(address), resolve=resolve, now=NOW)
    if decision.allowed:
        assert str(address).startswith("192.0.2.")
        assert int(str(address).rsplit(".", 1)[1]) < 128
