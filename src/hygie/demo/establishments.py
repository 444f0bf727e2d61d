"""The fictional hospital group of the demo: its establishments and their sites.

Every name is invented. FINESS numbers are built in the Loire department (42) with order numbers
in a range chosen to look plausible, and carry a correct Luhn key so that they pass
``validate_finess``; they are not the numbers of real establishments.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hygie.apps.organizations.finess import finess_check_key

__all__ = [
    "ESTABLISHMENTS",
    "GROUP_NAME",
    "GROUP_SHORT_NAME",
    "NATION_NAME",
    "REGION_NAME",
    "SUPPORT_FINESS_EJ",
    "EstablishmentSpec",
    "SiteSpec",
    "finess",
]

NATION_NAME = "France"
REGION_NAME = "Auvergne-Rhône-Alpes"
GROUP_NAME = "GHT Val-de-Brise et Monts du Forez"
GROUP_SHORT_NAME = "GHT VBMF"
DEPARTMENT = "42"


def finess(order: str) -> str:
    """A FINESS number of the demo department: ``42`` + six order digits + the Luhn key."""
    first_eight = f"{DEPARTMENT}{order}"
    return f"{first_eight}{finess_check_key(first_eight)}"


@dataclass(frozen=True)
class SiteSpec:
    """A geographic site of an establishment, with its private address block (data only)."""

    name: str
    short_name: str
    city: str
    subnet: int  # second octet of the site's 10.x.0.0/16 block


@dataclass(frozen=True)
class EstablishmentSpec:
    """One establishment of the demo and how much of the inventory it holds."""

    key: str
    name: str
    short_name: str
    city: str
    category: str
    beds: int
    activity_share: Decimal | None  # share of the group's activity; None outside the group
    is_ose: bool
    in_group: bool  # a private clinic belongs to no GHT: it hangs from the region
    finess_ej: str
    finess_eg: str
    asset_count: int
    prefix: str  # host-name prefix of its assets
    sites: tuple[SiteSpec, ...]


ESTABLISHMENTS: tuple[EstablishmentSpec, ...] = (
    EstablishmentSpec(
        key="support", name="Centre hospitalier de Valbrise", short_name="CH Valbrise", city="Valbrise",
        category="public", beds=910, activity_share=Decimal("58.50"), is_ose=True, in_group=True,
        finess_ej=finess("099101"), finess_eg=finess("099102"), asset_count=300, prefix="VBR",
        sites=(
            SiteSpec("Valbrise – site principal", "VBR-Principal", "Valbrise", 10),
            SiteSpec("Valbrise – pôle mère-enfant", "VBR-Mère-enfant", "Valbrise", 11),
            SiteSpec("Valbrise – gériatrie Les Coteaux", "VBR-Gériatrie", "Saint-Alban-des-Coteaux", 12),
            SiteSpec("Valbrise – data centre du GHT", "VBR-DC", "Valbrise", 13),
        ),
    ),
    EstablishmentSpec(
        key="general", name="Centre hospitalier de Montbrézin", short_name="CH Montbrézin", city="Montbrézin",
        category="public", beds=355, activity_share=Decimal("24.00"), is_ose=False, in_group=True,
        finess_ej=finess("099201"), finess_eg=finess("099202"), asset_count=130, prefix="MBZ",
        sites=(
            SiteSpec("Montbrézin – site principal", "MBZ-Principal", "Montbrézin", 20),
            SiteSpec("Montbrézin – site de Roche-Aigue", "MBZ-Roche-Aigue", "Roche-Aigue", 21),
        ),
    ),
    EstablishmentSpec(
        key="psychiatry", name="EPSM des Monts du Forez", short_name="EPSM Forez", city="Chaselles",
        category="public", beds=248, activity_share=Decimal("13.50"), is_ose=False, in_group=True,
        finess_ej=finess("099301"), finess_eg=finess("099302"), asset_count=70, prefix="EPS",
        sites=(SiteSpec("EPSM – site de Chaselles", "EPSM-Chaselles", "Chaselles", 30),),
    ),
    EstablishmentSpec(
        key="nursing_home", name="EHPAD public Les Tilleuls", short_name="EHPAD Les Tilleuls", city="Valbrise",
        category="medico_social", beds=92, activity_share=Decimal("4.00"), is_ose=False, in_group=True,
        finess_ej=finess("099401"), finess_eg=finess("099402"), asset_count=25, prefix="TIL",
        sites=(SiteSpec("EHPAD Les Tilleuls", "TIL-Site", "Valbrise", 40),),
    ),
    EstablishmentSpec(
        key="clinic", name="Clinique du Parc de Valbrise", short_name="Clinique du Parc", city="Valbrise",
        category="private_for_profit", beds=118, activity_share=None, is_ose=False, in_group=False,
        finess_ej=finess("099501"), finess_eg=finess("099502"), asset_count=75, prefix="CDP",
        sites=(SiteSpec("Clinique du Parc", "CDP-Site", "Valbrise", 50),),
    ),
)

#: The demo is recognised by the legal FINESS number of its support hospital (unique in the tree).
SUPPORT_FINESS_EJ = ESTABLISHMENTS[0].finess_ej
