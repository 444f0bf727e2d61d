"""The objects and relations of the synthetic hospital forest (see :mod:`.synthetic`).

Everything random is drawn from one NumPy generator, in a fixed order, so a seed gives one forest.
Relations (memberships, sessions, ACE choices) are drawn as whole arrays, then turned into the
SharpHound record shapes when the files are written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["DEPARTMENTS", "FIRST_NAMES", "LAST_NAMES", "SITES", "Forest", "Node", "ace"]

SITES = ("NORD", "SUD", "CENTRE")
DEPARTMENTS = ("URGENCES", "BLOC", "RADIOLOGIE", "LABORATOIRE", "PHARMACIE", "ADMINISTRATION", "DSI", "BIOMEDICAL")
_FIRST_NAMES_TEXT = (
    "marie nathalie isabelle sylvie catherine sophie christine valerie sandrine celine julie aurelie "
    "camille jean pierre michel philippe nicolas thomas julien laurent david francois stephane olivier "
    "christophe eric emma lea chloe manon lucas hugo louis arthur jules karim sarah ines yasmine mohamed "
)
FIRST_NAMES = tuple(_FIRST_NAMES_TEXT.split())
_LAST_NAMES_TEXT = (
    "martin bernard thomas petit robert richard durand dubois moreau laurent simon michel lefebvre leroy "
    "roux david bertrand morel fournier girard bonnet dupont lambert fontaine rousseau vincent muller "
    "lefevre faure andre mercier blanc guerin boyer garnier chevalier francois legrand gauthier garcia "
    "perrin robin clement "
)
LAST_NAMES = tuple(_LAST_NAMES_TEXT.split())
_DAY = 86400
# Shares of the forest drawn at random (rough figures of a French hospital group).
_STALE_SHARE = 0.04  # enabled users unused for more than a year (only with weaknesses)
_DISABLED_SHARE = 0.03
_BIOMEDICAL_SHARE = 0.06
_LAPS_SHARE = 0.8
_LARGE_FOREST = 1000  # computers from which the domain has four DCs instead of two
_DOMAIN_ADMINS, _PROTECTED_USERS = 512, 525
_ASREP_ADMIN, _NEVER_EXPIRES_ADMIN = 1, 2  # positions of the admin accounts carrying a planted weakness
_WORKSTATION_OS = ("Windows 10 Enterprise", "Windows 11 Enterprise")
_SERVER_OS = ("Windows Server 2016 Standard", "Windows Server 2019 Standard", "Windows Server 2022 Standard")
_OBSOLETE_OS = ("Windows XP Professional", "Windows 7 Professional", "Windows 7 Embedded Standard")
# (file name, display name, application SPN service, server) of the clinical service accounts.
_SERVICES = (
    ("svc_sql", "MSSQLSvc", "SRV-SQL01"),
    ("svc_pacs", "HTTP", "SRV-PACS01"),
    ("svc_dpi", "HTTP", "SRV-DPI01"),
    ("svc_backup", None, "SRV-BACKUP01"),
    ("svc_sync", None, "SRV-DPI01"),
)
_SERVERS = ("SRV-SQL01", "SRV-PACS01", "SRV-DPI01", "SRV-BACKUP01", "SRV-PKI01", "SRV-FICHIERS01", "SRV-LABO01")


def ace(principal: str, right: str, *, inherited: bool, kind: str = "Group") -> dict[str, Any]:
    """One entry of a record's ``Aces`` list."""
    return {"PrincipalSID": principal, "PrincipalType": kind, "RightName": right, "IsInherited": inherited}


@dataclass(slots=True)
class Node:
    """One directory object: the common record fields, its own properties, its ACEs."""

    object_id: str
    name: str
    dn: str
    kind: str  # User, Computer, Group, OU, Container, GPO, Domain, CertTemplate, EnterpriseCA...
    parent: str | None = None
    parent_kind: str = "OU"
    tier0: bool = False
    props: dict[str, Any] = field(default_factory=dict)
    aces: list[dict[str, Any]] = field(default_factory=list)

    def record(self, forest: Forest, **extra: Any) -> dict[str, Any]:
        """The SharpHound record: ``Properties``, the kind's fields, ACEs, identity and parent."""
        props = {
            "domain": forest.domain,
            "name": self.name,
            "distinguishedname": self.dn,
            "domainsid": forest.domain_sid,
            "isaclprotected": self.tier0,
            "description": None,
            "whencreated": forest.now_s - 3000 * _DAY,
            **self.props,
        }
        parent = {"ObjectIdentifier": self.parent, "ObjectType": self.parent_kind} if self.parent else None
        return {
            "Properties": props,
            **extra,
            "Aces": self.aces,
            "ObjectIdentifier": self.object_id,
            "IsDeleted": False,
            "IsACLProtected": self.tier0,
            "ContainedBy": parent,
        }


class Forest:
    """The hospital forest: build it, spread the ACEs, then iterate its records per file type."""

    def __init__(self, *, rng: np.random.Generator, domain: str, now_s: int, weaknesses: bool) -> None:
        self.rng = rng
        self.domain = domain
        self.now_s = now_s
        self.weaknesses = weaknesses
        parts = rng.integers(1_000_000_000, 4_000_000_000, size=3)
        self.domain_sid = "S-1-5-21-" + "-".join(str(int(part)) for part in parts)
        self.dc_dn = ",".join(f"DC={label}" for label in domain.split("."))
        self.next_rid = 1100
        self.users: list[Node] = []
        self.computers: list[Node] = []
        self.groups: list[Node] = []
        self.ous: list[Node] = []
        self.containers: list[Node] = []
        self.gpos: list[Node] = []
        self.templates: list[Node] = []
        self.others: list[Node] = []  # domain, CAs, NTAuth store
        self.named: dict[str, Node] = {}
        self.members: dict[str, list[dict[str, str]]] = {}
        self.sessions: dict[str, list[str]] = {}
        self.local_admins: dict[str, list[dict[str, str]]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}
        self.planted: dict[str, str] = {}
        self.ace_count = 0

    # -- identities -------------------------------------------------------------------------------

    def sid(self, rid: int | None = None) -> str:
        """The SID of ``rid`` in the domain; the next free RID when ``rid`` is None."""
        if rid is None:
            rid, self.next_rid = self.next_rid, self.next_rid + 1
        return f"{self.domain_sid}-{rid}"

    def guid(self) -> str:
        """A GUID drawn from the generator (reproducible, unlike ``uuid4``)."""
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4)).upper()

    def add(self, table: list[Node], node: Node, key: str | None = None) -> Node:
        """Append ``node`` to ``table`` and index it under ``key`` (default: its short name)."""
        table.append(node)
        self.named[key or node.name.split("@")[0].split(".")[0]] = node
        return node

    def member(self, group: str, node: Node) -> None:
        """Add ``node`` to the named ``group``."""
        self.members.setdefault(self.named[group].object_id, []).append(
            {"ObjectIdentifier": node.object_id, "ObjectType": node.kind}
        )

    @property
    def membership_count(self) -> int:
        """Group memberships written (``Members`` entries)."""
        return sum(len(items) for items in self.members.values())

    @property
    def session_count(self) -> int:
        """Sessions written on computers."""
        return sum(len(items) for items in self.sessions.values())

    @property
    def local_admin_count(self) -> int:
        """Members of the computers' local Administrators groups."""
        return sum(len(items) for items in self.local_admins.values())

    # -- structure --------------------------------------------------------------------------------

    def build(self, *, users: int, computers: int, groups: int) -> None:
        """Create every object and relation (ACEs apart, see :meth:`distribute_aces`)."""
        self._structure()
        self._groups(groups)
        self._users(users)
        self._computers(computers)
        self._memberships()
        self._sessions_and_admins()

    def _ou(self, name: str, parent: Node | None, *, tier0: bool = False) -> Node:
        dn = f"OU={name},{parent.dn if parent else self.dc_dn}"
        node = Node(self.guid(), f"{name}@{self.domain}", dn, "OU", tier0=tier0)
        node.parent, node.parent_kind = (parent.object_id, "OU") if parent else (self.domain_sid, "Domain")
        node.props["blocksinheritance"] = False
        return self.add(self.ous, node, f"OU:{dn}")

    def _container(self, name: str, parent: Node | None) -> Node:
        dn = f"CN={name},{parent.dn if parent else self.dc_dn}"
        node = Node(self.guid(), f"{name}@{self.domain}", dn, "Container", tier0=True)
        node.parent, node.parent_kind = (parent.object_id, "Container") if parent else (self.domain_sid, "Domain")
        return self.add(self.containers, node, f"CN:{name}")

    def _structure(self) -> None:
        domain = Node(self.domain_sid, self.domain, self.dc_dn, "Domain", tier0=True)
        domain.props.update(functionallevel="2016", collected=True)
        self.add(self.others, domain, "DOMAIN")
        for name in ("USERS", "COMPUTERS", "BUILTIN", "SYSTEM"):
            self._container(name, None)
        for name in ("ADMINSDHOLDER", "POLICIES"):
            self._container(name, self.named["CN:SYSTEM"])
        self._ou("DOMAIN CONTROLLERS", None, tier0=True)
        root = self._ou("CHU", None, tier0=True)
        dsi = self._ou("DSI", root, tier0=True)
        for name in ("ADMINS", "COMPTES-SERVICE"):
            self._ou(name, dsi, tier0=True)
        self._ou("SERVEURS", dsi, tier0=True)  # holds the PKI server
        self._ou("GROUPES", root)
        for site in SITES:
            site_ou = self._ou(site, root)
            for department in DEPARTMENTS:
                self._ou(department, site_ou)
        gpo_names = ("DEFAULT DOMAIN POLICY", "DEFAULT DOMAIN CONTROLLERS POLICY", "GPO_POSTES_STANDARD")
        for name in (*gpo_names, "GPO_BIOMEDICAL", "GPO_SERVEURS", "GPO_SECURITE_DSI"):
            guid = self.guid()
            node = Node(guid, f"{name}@{self.domain}", f"CN={{{guid}}},CN=POLICIES,CN=SYSTEM,{self.dc_dn}", "GPO")
            node.tier0 = name.startswith("DEFAULT") or name == "GPO_SECURITE_DSI"
            node.props["gpcpath"] = f"\\\\{self.domain}\\SYSVOL\\{self.domain}\\POLICIES\\{{{guid}}}"
            self.add(self.gpos, node, f"GPO:{name}")
        self._link("DOMAIN", "GPO:DEFAULT DOMAIN POLICY")
        self._link(f"OU:OU=DOMAIN CONTROLLERS,{self.dc_dn}", "GPO:DEFAULT DOMAIN CONTROLLERS POLICY")
        self._link(f"OU:OU=SERVEURS,OU=DSI,OU=CHU,{self.dc_dn}", "GPO:GPO_SERVEURS")
        self._link(f"OU:OU=DSI,OU=CHU,{self.dc_dn}", "GPO:GPO_SECURITE_DSI")
        for site in SITES:
            self._link(f"OU:OU={site},OU=CHU,{self.dc_dn}", "GPO:GPO_POSTES_STANDARD")
            self._link(f"OU:OU=BIOMEDICAL,OU={site},OU=CHU,{self.dc_dn}", "GPO:GPO_BIOMEDICAL")

    def _link(self, target: str, gpo: str) -> None:
        link = {"IsEnforced": False, "GUID": self.named[gpo].object_id}
        self.links.setdefault(self.named[target].object_id, []).append(link)

    def _principal(self, table: list[Node], name: str, sid: str, kind: str, parent: Node, **props: Any) -> Node:
        suffix = f".{self.domain}" if kind == "Computer" else f"@{self.domain}"
        label = name.upper()
        node = Node(sid, label + suffix, f"CN={label},{parent.dn}", kind, parent.object_id, parent.kind)
        node.tier0 = parent.tier0 and kind != "Computer"
        node.props = props
        return self.add(table, node, name)

    def _groups(self, count: int) -> None:
        users, builtin = self.named["CN:USERS"], self.named["CN:BUILTIN"]
        for rid, name in ((512, "Domain Admins"), (513, "Domain Users"), (515, "Domain Computers")):
            self._group(name, self.sid(rid), users, tier0=rid == _DOMAIN_ADMINS)
        for rid, name in ((516, "Domain Controllers"), (518, "Schema Admins"), (519, "Enterprise Admins")):
            self._group(name, self.sid(rid), users, tier0=True)
        for rid, name in ((520, "Group Policy Creator Owners"), (525, "Protected Users"), (526, "Key Admins")):
            self._group(name, self.sid(rid), users, tier0=rid != _PROTECTED_USERS)
        for rid, name in ((544, "Administrators"), (548, "Account Operators"), (549, "Server Operators")):
            self._group(name, f"{self.domain}-S-1-5-32-{rid}", builtin, tier0=True)
        self._group("Backup Operators", f"{self.domain}-S-1-5-32-551", builtin, tier0=True)
        groups_ou = self.named[f"OU:OU=GROUPES,OU=CHU,{self.dc_dn}"]
        admins_ou = self.named[f"OU:OU=ADMINS,OU=DSI,OU=CHU,{self.dc_dn}"]
        for name in ("GG_DSI_ADMINS_DOMAINE", "GG_DSI_INFRA", "GG_DSI_INFRA_N3"):
            self._group(name, self.sid(), admins_ou, tier0=True)
        for name in ("GG_DSI_SUPPORT", "GG_DSI_SERVEURS", "GG_BIOMEDICAL_TECHNICIENS"):
            self._group(name, self.sid(), groups_ou)
        for department in DEPARTMENTS:
            self._group(f"GG_{department}", self.sid(), groups_ou)
        index = 0
        while len(self.groups) < count:
            site, department = SITES[index % len(SITES)], DEPARTMENTS[(index // len(SITES)) % len(DEPARTMENTS)]
            self._group(f"GG_{site}_{department}_{index:05d}", self.sid(), groups_ou)
            index += 1

    def _group(self, name: str, sid: str, parent: Node, *, tier0: bool = False) -> Node:
        node = self._principal(self.groups, name, sid, "Group", parent, samaccountname=name, admincount=tier0)
        node.tier0 = tier0
        return node

    def _users(self, count: int) -> None:
        """Built-in accounts, administrators, service accounts, then ``count`` users in all."""
        now = self.now_s
        users_cn = self.named["CN:USERS"]
        admins_ou = self.named[f"OU:OU=ADMINS,OU=DSI,OU=CHU,{self.dc_dn}"]
        service_ou = self.named[f"OU:OU=COMPTES-SERVICE,OU=DSI,OU=CHU,{self.dc_dn}"]
        krbtgt_age = 1200 if self.weaknesses else 100
        self._user("Administrator", self.sid(500), users_cn, admincount=True, lastlogontimestamp=now - 2 * _DAY)
        self._user("Guest", self.sid(501), users_cn, enabled=False, lastlogontimestamp=0)
        self._user("krbtgt", self.sid(502), users_cn, enabled=False, pwdlastset=now - krbtgt_age * _DAY)
        self.member("Domain Admins", self.named["Administrator"])
        self.member("Enterprise Admins", self.named["Administrator"])
        if self.weaknesses:
            self.planted["krbtgt_password_old"] = self.named["krbtgt"].name
        for index in range(max(3, count // 2000)):
            first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
            admin = self._user(f"adm-{first[0]}{last}", self.sid(), admins_ou, admincount=True)
            self.member("GG_DSI_ADMINS_DOMAINE", admin)
            if self.weaknesses and index == _ASREP_ADMIN:
                admin.props["dontreqpreauth"] = True
                self.planted["asrep_roastable_admin"] = admin.name
            if self.weaknesses and index == _NEVER_EXPIRES_ADMIN:
                admin.props["pwdneverexpires"] = True
                self.planted["admin_password_never_expires"] = admin.name
        for name, service, server in _SERVICES:
            spns = [f"{service}/{server.lower()}.{self.domain.lower()}"] if service else []
            account = self._user(name, self.sid(), service_ou, serviceprincipalnames=spns, hasspn=bool(spns))
            account.props["pwdneverexpires"] = True
        self.member("Backup Operators", self.named["svc_backup"])
        self.member("GG_DSI_INFRA_N3" if self.weaknesses else "GG_DSI_SERVEURS", self.named["svc_sql"])
        if self.weaknesses:
            self.planted["kerberoastable_admin"] = self.named["svc_sql"].name
        self._ordinary_users(count - len(self.users))

    def _ordinary_users(self, ordinary: int) -> None:
        """Hospital staff spread over the sites' department OUs; some dormant with ``weaknesses``."""
        now, rng = self.now_s, self.rng
        self.first_ordinary_user = len(self.users)
        places = rng.integers(0, len(SITES) * len(DEPARTMENTS), size=ordinary)
        logon_age = rng.integers(0, 60 * _DAY, size=ordinary)
        if self.weaknesses:
            stale = rng.random(ordinary) < _STALE_SHARE
            logon_age[stale] = rng.integers(400 * _DAY, 1500 * _DAY, size=int(stale.sum()))
        password_age = rng.integers(0, 365 * _DAY, size=ordinary)
        disabled = rng.random(ordinary) < _DISABLED_SHARE
        for index in range(ordinary):
            place = int(places[index])
            department, site = DEPARTMENTS[place % len(DEPARTMENTS)], SITES[place // len(DEPARTMENTS)]
            parent = self.named[f"OU:OU={department},OU={site},OU=CHU,{self.dc_dn}"]
            number = index // (len(FIRST_NAMES) * len(LAST_NAMES))
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
            self._user(
                f"{first}.{last}{number or ''}",
                self.sid(),
                parent,
                enabled=not bool(disabled[index]),
                lastlogontimestamp=now - int(logon_age[index]),
                pwdlastset=now - int(password_age[index]),
            )
        if self.weaknesses:
            stale_index = int(np.argmax(logon_age > 400 * _DAY))
            stale_node = self.users[self.first_ordinary_user + stale_index]
            if logon_age[stale_index] > 400 * _DAY and stale_node.props["enabled"]:
                self.planted["dormant_accounts"] = stale_node.name

    def _user(self, name: str, sid: str, parent: Node, **overrides: Any) -> Node:
        now = self.now_s
        props: dict[str, Any] = {
            "samaccountname": name,
            "description": None,
            "whencreated": now - 2000 * _DAY,
            "sensitive": False,
            "dontreqpreauth": False,
            "passwordnotreqd": False,
            "unconstraineddelegation": False,
            "pwdneverexpires": False,
            "enabled": True,
            "trustedtoauth": False,
            "lastlogon": overrides.get("lastlogontimestamp", now - _DAY),
            "lastlogontimestamp": now - _DAY,
            "pwdlastset": now - 30 * _DAY,
            "serviceprincipalnames": [],
            "hasspn": False,
            "displayname": name,
            "email": None,
            "admincount": False,
            "sidhistory": [],
        }
        props.update(overrides)
        return self._principal(self.users, name, sid, "User", parent, **props)

    def _computers(self, count: int) -> None:
        rng, now = self.rng, self.now_s
        dcs_ou = self.named[f"OU:OU=DOMAIN CONTROLLERS,{self.dc_dn}"]
        servers_ou = self.named[f"OU:OU=SERVEURS,OU=DSI,OU=CHU,{self.dc_dn}"]
        for index in range(2 if count < _LARGE_FOREST else 4):
            dc = self._computer(f"DC{index + 1:02d}", dcs_ou, _SERVER_OS[2], isdc=True, unconstraineddelegation=True)
            dc.tier0 = True
        extra_servers = max(0, count // 30 - len(_SERVERS))
        for position, name in enumerate((*_SERVERS, *(f"SRV-APP{n:03d}" for n in range(extra_servers)))):
            self._computer(name, servers_ou, _SERVER_OS[position % len(_SERVER_OS)])
        if self.weaknesses:
            self.named["SRV-PACS01"].props["unconstraineddelegation"] = True
            self.planted["unconstrained_delegation_server"] = self.named["SRV-PACS01"].name
        self.first_workstation = len(self.computers)
        remaining = count - len(self.computers)
        biomedical = rng.random(remaining) < _BIOMEDICAL_SHARE
        places = rng.integers(0, len(SITES) * len(DEPARTMENTS), size=remaining)
        systems = rng.integers(0, 6, size=remaining)
        laps = rng.random(remaining) < _LAPS_SHARE
        for index in range(remaining):
            site = SITES[int(places[index]) // len(DEPARTMENTS)]
            if biomedical[index]:
                department = "BIOMEDICAL"
                system = _OBSOLETE_OS[systems[index] % 3] if self.weaknesses else "Windows 10 IoT Enterprise LTSC"
                name = f"BIO-{site}-{index:05d}"
            else:
                department = DEPARTMENTS[int(places[index]) % len(DEPARTMENTS)]
                system, name = _WORKSTATION_OS[systems[index] % 2], f"PC-{site}-{department[:4]}-{index:05d}"
            parent = self.named[f"OU:OU={department},OU={site},OU=CHU,{self.dc_dn}"]
            node = self._computer(name, parent, system, haslaps=bool(laps[index]))
            node.props["lastlogontimestamp"] = now - int(systems[index]) * _DAY
        if self.weaknesses and biomedical.any():
            first = self.first_workstation + int(np.argmax(biomedical))
            self.planted["obsolete_os_biomedical"] = self.computers[first].name

    def _computer(self, name: str, parent: Node, system: str, **overrides: Any) -> Node:
        now = self.now_s
        props: dict[str, Any] = {
            "samaccountname": f"{name}$",
            "haslaps": False,
            "whencreated": now - 1500 * _DAY,
            "enabled": True,
            "unconstraineddelegation": False,
            "trustedtoauth": False,
            "isdc": False,
            "lastlogon": now - _DAY,
            "lastlogontimestamp": now - _DAY,
            "pwdlastset": now - 20 * _DAY,
            "serviceprincipalnames": [f"HOST/{name}", f"HOST/{name.lower()}.{self.domain.lower()}"],
            "email": None,
            "operatingsystem": system,
            "sidhistory": [],
        }
        props.update(overrides)
        return self._principal(self.computers, name, self.sid(), "Computer", parent, **props)

    # -- relations --------------------------------------------------------------------------------

    def _memberships(self) -> None:
        """Nesting of the hospital groups, then each ordinary user in one to four ordinary groups."""
        self.member("Administrators", self.named["Domain Admins"])
        self.member("Administrators", self.named["Enterprise Admins"])
        self.member("Domain Admins", self.named["GG_DSI_ADMINS_DOMAINE"])
        self.member("GG_DSI_ADMINS_DOMAINE", self.named["GG_DSI_INFRA"])
        self.member("GG_DSI_INFRA", self.named["GG_DSI_INFRA_N3"])
        first_ordinary = next(i for i, group in enumerate(self.groups) if group.name.startswith("GG_URGENCES"))
        department_groups = self.groups[first_ordinary : first_ordinary + len(DEPARTMENTS)]
        ordinary_groups = self.groups[first_ordinary:]
        rng = self.rng
        # Each ordinary group nests in an earlier one (or its department's): a forest several levels deep.
        count = len(ordinary_groups)
        parents = (rng.random(count) * np.arange(count)).astype(np.int64)
        for index in range(len(DEPARTMENTS), count):
            parent = ordinary_groups[int(parents[index])] if parents[index] else department_groups[index % 8]
            self.members.setdefault(parent.object_id, []).append(
                {"ObjectIdentifier": ordinary_groups[index].object_id, "ObjectType": "Group"}
            )
        people = self.users[self.first_ordinary_user :]
        per_user = np.clip(rng.poisson(1.2, size=len(people)) + 1, 1, 4)
        targets = rng.integers(0, count, size=int(per_user.sum()))
        owners = np.repeat(np.arange(len(people)), per_user)
        for owner, target in zip(owners.tolist(), targets.tolist(), strict=True):
            self.members.setdefault(ordinary_groups[target].object_id, []).append(
                {"ObjectIdentifier": people[owner].object_id, "ObjectType": "User"}
            )
        helpdesk = people[: max(5, len(people) // 400)]
        for person in helpdesk:
            self.member("GG_DSI_SUPPORT", person)
        for person in people[len(helpdesk) : 2 * len(helpdesk)]:
            self.member("GG_BIOMEDICAL_TECHNICIENS", person)

    def _sessions_and_admins(self) -> None:
        """Users logged on workstations, admins on DCs (and workstations), local Administrators."""
        rng = self.rng
        people = self.users[self.first_ordinary_user :]
        stations = self.computers[self.first_workstation :]
        per_station = np.clip(rng.poisson(0.8, size=len(stations)), 0, 3)
        who = rng.integers(0, len(people), size=int(per_station.sum()))
        station_of = np.repeat(np.arange(len(stations)), per_station)
        for station, person in zip(station_of.tolist(), who.tolist(), strict=True):
            self.sessions.setdefault(stations[station].object_id, []).append(people[person].object_id)
        admins = [user for user in self.users if user.name.startswith("ADM-")]
        dcs = [computer for computer in self.computers if computer.props["isdc"]]
        for position, admin in enumerate(admins):
            self.sessions.setdefault(dcs[position % len(dcs)].object_id, []).append(admin.object_id)
            if self.weaknesses:
                for station in rng.integers(0, len(stations), size=2).tolist():
                    self.sessions.setdefault(stations[station].object_id, []).append(admin.object_id)
        if self.weaknesses:
            self.planted["admin_sessions_on_workstations"] = admins[0].name
        for name, _, server in _SERVICES:
            self.sessions.setdefault(self.named[server].object_id, []).append(self.named[name].object_id)
        domain_admins = {"ObjectIdentifier": self.sid(512), "ObjectType": "Group"}
        for computer in self.computers:
            if computer.props["isdc"]:
                continue
            admin_group = "GG_DSI_SERVEURS" if computer.name.startswith("SRV-") else "GG_DSI_SUPPORT"
            if computer.name.startswith("BIO-"):
                admin_group = "GG_BIOMEDICAL_TECHNICIENS"
            local = {"ObjectIdentifier": self.named[admin_group].object_id, "ObjectType": "Group"}
            self.local_admins[computer.object_id] = [domain_admins, local]

    def nodes(self) -> Iterator[Node]:
        """Every object that carries ACEs, in file order."""
        for table in (self.users, self.computers, self.groups, self.others, self.ous, self.containers):
            yield from table
        yield from self.gpos
        yield from self.templates
