"""Assets of the demo: a catalogue of realistic hospital equipment and a seeded generator.

The catalogue lists what a French hospital typically runs (servers, workstations, network and
security appliances, medical devices, building IoT, storage). The generator spreads it over the
sites of each establishment with private addresses per site; the addresses are data only and
are never contacted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hygie.demo.establishments import EstablishmentSpec

__all__ = ["ASSET_CATALOGUE", "AssetSpec", "AssetTemplate", "generate_assets"]


@dataclass(frozen=True)
class AssetTemplate:
    """A kind of equipment; ``cpe`` has a ``{version}`` slot, or is empty when no CPE fits."""

    code: str  # part of the host name (SRV, PC, SW...)
    kind: str
    vendor: str
    product: str
    versions: tuple[str, ...]
    cpe: str
    criticality: tuple[int, ...]  # drawn uniformly: repeat a value to weight it
    hosting: str
    owner: str
    weight: int  # relative frequency in an establishment
    vlan: int  # third octet of the addresses: one block per family of devices


def _cpe(part: str, vendor: str, product: str) -> str:
    return f"cpe:2.3:{part}:{vendor}:{product}:{{version}}:*:*:*:*:*:*:*"


ASSET_CATALOGUE: tuple[AssetTemplate, ...] = (
    AssetTemplate("SRV", "server", "Microsoft", "Windows Server", ("2012 R2", "2016", "2019", "2022"),
                  _cpe("o", "microsoft", "windows_server"), (2, 3, 3, 4), "on_premise", "DSI", 14, 1),
    AssetTemplate("LNX", "server", "Red Hat", "Enterprise Linux", ("7.9", "8.8", "9.2"),
                  _cpe("o", "redhat", "enterprise_linux"), (2, 3, 3), "on_premise", "DSI", 5, 1),
    AssetTemplate("DEB", "server", "Debian", "Debian GNU/Linux", ("10", "11", "12"),
                  _cpe("o", "debian", "debian_linux"), (1, 2, 3), "on_premise", "DSI", 3, 1),
    AssetTemplate("ESX", "virtual", "VMware", "ESXi", ("6.7", "7.0", "8.0"),
                  _cpe("o", "vmware", "esxi"), (3, 4), "on_premise", "DSI", 3, 2),
    AssetTemplate("PC", "workstation", "Microsoft", "Windows 10", ("22H2",),
                  _cpe("o", "microsoft", "windows_10"), (1, 1, 2), "on_premise", "DSI", 30, 100),
    AssetTemplate("PC", "workstation", "Microsoft", "Windows 11", ("23H2", "24H2"),
                  _cpe("o", "microsoft", "windows_11"), (1, 1, 2), "on_premise", "DSI", 24, 101),
    AssetTemplate("SW", "network", "Cisco", "Catalyst 9300", ("17.6.5", "17.9.4"),
                  _cpe("o", "cisco", "ios_xe"), (2, 3), "on_premise", "Réseaux", 7, 250),
    AssetTemplate("SW", "network", "HPE Aruba", "Aruba CX 6300", ("10.10", "10.12"),
                  _cpe("o", "arubanetworks", "arubaos-cx"), (2, 3), "on_premise", "Réseaux", 5, 250),
    AssetTemplate("WLC", "network", "HPE Aruba", "Mobility Controller 7210", ("8.10.0.9",),
                  _cpe("o", "arubanetworks", "arubaos"), (2,), "on_premise", "Réseaux", 1, 250),
    AssetTemplate("FW", "security", "Fortinet", "FortiGate 200F", ("7.0.12", "7.2.5", "7.4.2"),
                  _cpe("o", "fortinet", "fortios"), (4,), "on_premise", "RSSI", 2, 254),
    AssetTemplate("FW", "security", "Stormshield", "SN910", ("4.3.21", "4.7.3"),
                  _cpe("o", "stormshield", "stormshield_network_security"), (4,), "on_premise", "RSSI", 1, 254),
    AssetTemplate("FW", "security", "Palo Alto Networks", "PA-3220", ("10.2.7", "11.1.0"),
                  _cpe("o", "paloaltonetworks", "pan-os"), (4,), "on_premise", "RSSI", 1, 254),
    AssetTemplate("VPN", "security", "Fortinet", "FortiGate SSL VPN", ("7.0.12", "7.2.5"),
                  _cpe("o", "fortinet", "fortios"), (4,), "on_premise", "RSSI", 1, 254),
    AssetTemplate("PSE", "medical", "B. Braun", "Space infusion pump", ("688B",), "", (3, 4), "on_premise",
                  "Biomédical", 10, 60),
    AssetTemplate("PSE", "medical", "Fresenius Kabi", "Agilia pump", ("3.3",), "", (3, 4), "on_premise",
                  "Biomédical", 6, 60),
    AssetTemplate("MON", "medical", "Philips", "IntelliVue MX450", ("M.00.03",), "", (4,), "on_premise",
                  "Biomédical", 8, 61),
    AssetTemplate("MON", "medical", "GE HealthCare", "CARESCAPE B450", ("3.1",), "", (4,), "on_premise",
                  "Biomédical", 4, 61),
    AssetTemplate("IRM", "medical", "Siemens Healthineers", "MAGNETOM Vida console", ("XA50",), "", (4,),
                  "on_premise", "Imagerie", 1, 62),
    AssetTemplate("SCN", "medical", "GE HealthCare", "Revolution CT console", ("2.1",), "", (4,), "on_premise",
                  "Imagerie", 1, 62),
    AssetTemplate("MOD", "medical", "Fujifilm", "FDR D-EVO II modality", ("3.4",), "", (3,), "on_premise",
                  "Imagerie", 3, 62),
    AssetTemplate("ECHO", "medical", "Canon Medical", "Aplio i800", ("6.0",), "", (3,), "on_premise",
                  "Imagerie", 2, 62),
    AssetTemplate("GTB", "iot", "Schneider Electric", "EcoStruxure Building Operation", ("4.0",),
                  _cpe("a", "schneider-electric", "ecostruxure_building_operation"), (2, 3), "on_premise",
                  "Services techniques", 3, 70),
    AssetTemplate("CAM", "iot", "Axis", "P3245-V camera", ("10.12",), _cpe("o", "axis", "p3245-v_firmware"),
                  (1, 2), "on_premise", "Sûreté", 5, 71),
    AssetTemplate("BDG", "iot", "Honeywell", "Pro-Watch badge reader", ("6.0",), "", (2,), "on_premise",
                  "Sûreté", 3, 71),
    AssetTemplate("NAS", "storage", "NetApp", "AFF A250", ("9.12.1", "9.13.1"), _cpe("o", "netapp", "ontap"),
                  (3, 4), "on_premise", "DSI", 1, 3),
    AssetTemplate("BCK", "storage", "Veeam", "Backup & Replication", ("11", "12.1"),
                  _cpe("a", "veeam", "veeam_backup_\\&_replication"), (4,), "on_premise", "DSI", 1, 3),
    AssetTemplate("LTO", "storage", "HPE", "StoreEver MSL3040", ("3.1",), "", (3,), "on_premise", "DSI", 1, 3),
)

#: Establishment kinds that hold no heavy imaging equipment.
_NO_IMAGING = frozenset({"psychiatry", "nursing_home"})


@dataclass(frozen=True)
class AssetSpec:
    """One generated asset, ready to become an ``Asset`` row on site ``site_index``."""

    site_index: int
    name: str
    kind: str
    vendor: str
    product: str
    version: str
    cpe: str
    ip_addresses: tuple[str, ...]
    owner: str
    criticality: int
    hosting: str
    serial_number: str


def _templates_for(spec: EstablishmentSpec) -> list[AssetTemplate]:
    if spec.key in _NO_IMAGING:
        return [t for t in ASSET_CATALOGUE if t.code not in {"IRM", "SCN", "MOD", "ECHO"}]
    return list(ASSET_CATALOGUE)


def generate_assets(spec: EstablishmentSpec, rng: random.Random) -> list[AssetSpec]:
    """``spec.asset_count`` assets for one establishment; the first ones are its core equipment."""
    templates = _templates_for(spec)
    # Every establishment has at least a firewall, a backup server and a hypervisor...
    core = [t for t in templates if t.code in {"FW", "BCK", "ESX", "SRV"}][:4]
    chosen = core + rng.choices(templates, weights=[t.weight for t in templates], k=spec.asset_count - len(core))
    counters: dict[str, int] = {}
    hosts: dict[tuple[int, int], int] = {}
    assets: list[AssetSpec] = []
    for template in chosen:
        counters[template.code] = counters.get(template.code, 0) + 1
        # ...and servers go to the data-centre site when there is one (the first sites hold care).
        site_index = _site_for(template, spec, rng)
        site = spec.sites[site_index]
        host = hosts.get((site_index, template.vlan), 10) + 1
        hosts[(site_index, template.vlan)] = host
        vlan = template.vlan + host // 250
        version = rng.choice(template.versions)
        assets.append(AssetSpec(
            site_index=site_index,
            name=f"{spec.prefix}-{template.code}-{counters[template.code]:03d}",
            kind=template.kind,
            vendor=template.vendor,
            product=template.product,
            version=version,
            cpe=template.cpe.format(version=version.replace(" ", "_").lower()) if template.cpe else "",
            ip_addresses=(f"10.{site.subnet}.{vlan % 256}.{host % 250 + 1}",),
            owner=template.owner,
            criticality=rng.choice(template.criticality),
            hosting=_hosting(template, spec, rng),
            serial_number=f"{template.code}{rng.randrange(10**7, 10**8)}",
        ))
    return assets


def _site_for(template: AssetTemplate, spec: EstablishmentSpec, rng: random.Random) -> int:
    datacentre = [i for i, s in enumerate(spec.sites) if s.short_name.endswith("-DC")]
    if datacentre and template.kind in {"server", "virtual", "storage"}:
        return datacentre[0]
    care_sites = [i for i in range(len(spec.sites)) if i not in datacentre]
    return rng.choice(care_sites)


def _hosting(template: AssetTemplate, spec: EstablishmentSpec, rng: random.Random) -> str:
    # Members of the GHT increasingly run their servers in the group's data centre or at an HDS host.
    if template.kind != "server":
        return template.hosting
    if spec.in_group and spec.key != "support":
        return rng.choice(["on_premise", "group", "group"])
    if spec.key == "clinic":
        return rng.choice(["on_premise", "hds"])
    return rng.choice(["on_premise", "on_premise", "group", "hds"])
