"""SharpHound v5/v6 records turned into snapshot rows and edges.

Values are coerced defensively (a ``null`` where a boolean is expected stays ``None``) because
collections come from many SharpHound builds; structural surprises raise ``CollectionError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.schema import SCHEMAS

__all__ = ["LOCAL_GROUP_EDGES", "PASSWORD_ATTRIBUTES", "RECORD_KINDS", "SESSION_KEYS", "TableBuilder", "right_name"]

# Local group RIDs that SharpHound reports on computers, and the edge each membership gives.
LOCAL_GROUP_EDGES = {"544": "AdminTo", "555": "CanRDP", "562": "ExecuteDCOM", "580": "CanPSRemote"}
# Session lists of a computer record; all become HasSession edges (computer -> user).
SESSION_KEYS = ("Sessions", "PrivilegedSessions", "RegistrySessions")
# Cleartext password attributes SharpHound reads on users (any authenticated user can read them).
PASSWORD_ATTRIBUTES = ("userpassword", "unixpassword", "unicodepassword", "sfupassword")
_CA_KINDS = {"enterprisecas": "EnterpriseCA", "rootcas": "RootCA", "aiacas": "AIACA", "ntauthstores": "NTAuthStore"}


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strs(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _items(value: object) -> list[Mapping[str, Any]]:
    """The dictionaries of a list (SharpHound's ``[{"ObjectIdentifier": ...}]`` shape)."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _is_id(value: object) -> bool:
    """A usable identifier: a non-empty string (anything else makes the edge skipped)."""
    return isinstance(value, str) and value != ""


def right_name(value: object) -> str:
    """An ACE's right name as the edge kind; ``UnknownRight`` when absent."""
    return value if type(value) is str and value else str(value or "UnknownRight")


def _frame(columns: dict[str, list[Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A table from its column lists; list columns are built flat (Polars' per-row path is slow)."""
    lists = {name for name, dtype in schema.items() if isinstance(dtype, pl.List)}
    plain = pl.DataFrame(
        {name: columns[name] for name in schema if name not in lists},
        schema={name: dtype for name, dtype in schema.items() if name not in lists},
    )
    return plain.with_columns(_list_series(name, columns[name]) for name in lists).select(list(schema))


def _list_series(name: str, values: list[list[str]]) -> pl.Series:
    """``List(String)`` series of ``values`` from one flat series and the row lengths."""
    lengths = np.fromiter((len(value) for value in values), dtype=np.int64, count=len(values))
    flat = pl.Series(name, [item for value in values for item in value], dtype=pl.String)
    rows = pl.DataFrame({"row": np.repeat(np.arange(len(values), dtype=np.int64), lengths), name: flat})
    grouped = rows.group_by("row").agg(pl.col(name))
    full = pl.DataFrame({"row": np.arange(len(values), dtype=np.int64)}).join(grouped, on="row", how="left")
    return full.sort("row").get_column(name).fill_null(pl.lit([], dtype=pl.List(pl.String)))


def _results(value: object) -> list[Mapping[str, Any]]:
    """``{"Results": [...], "Collected": ...}`` blocks (v5 and v6) or a bare list (older builds)."""
    if isinstance(value, Mapping):
        return _items(value.get("Results"))
    return _items(value)


class TableBuilder:
    """Column lists for every table, filled record by record, then frozen into DataFrames."""

    def __init__(self) -> None:
        self._columns: dict[str, dict[str, list[Any]]] = {
            name: {column: [] for column in schema} for name, schema in SCHEMAS.items() if name != "edges"
        }
        # Edge columns; identifiers are upper-cased once for all in ``frames``. ``_order`` is the
        # ordinal of the record each edge comes from: bulk readers add a whole file's edges block
        # by block, and sorting on it restores the record-by-record order.
        self.ordinal = 0
        self._order: list[int] = []
        # Blocks of edges built as DataFrames (a whole file's ACEs); they come first in their records.
        self._blocks: list[pl.DataFrame] = []
        self._sources: list[str | None] = []
        self._targets: list[str | None] = []
        self._kinds: list[str] = []
        self._inherited: list[bool | None] = []
        self._enforced: list[bool | None] = []

    # -- rows and edges -------------------------------------------------------------------------

    def _row(self, table: str, values: Mapping[str, Any]) -> None:
        for column, items in self._columns[table].items():
            items.append(values.get(column))

    def edge(
        self, source: object, target: object, kind: str, *, is_inherited: object = None, enforced: object = None
    ) -> None:
        """Add one edge; silently skipped when either end is not an identifier string.

        Identifiers are upper-cased in bulk by :meth:`frames`.
        """
        if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
            return
        self._order.append(self.ordinal)
        self._sources.append(source)
        self._targets.append(target)
        self._kinds.append(kind)
        self._inherited.append(_bool(is_inherited))
        self._enforced.append(_bool(enforced))

    def aces(self, object_id: str, aces: object) -> None:
        """ACE edges of ``object_id`` (already upper-case): one list comprehension per column, not per ACE."""
        if type(aces) is not list or not aces:
            return
        valid = [ace for ace in aces if type(ace) is dict and _is_id(ace.get("PrincipalSID"))]
        if not valid:
            return
        self._order.extend([self.ordinal] * len(valid))
        self._sources.extend([ace["PrincipalSID"] for ace in valid])
        self._targets.extend([object_id] * len(valid))
        self._kinds.extend([right_name(ace.get("RightName")) for ace in valid])
        self._inherited.extend([_bool(ace.get("IsInherited")) for ace in valid])
        self._enforced.extend([None] * len(valid))

    def pointing_at(self, object_id: str, items: object, key: str, kind: str) -> None:
        """Edges ``item[key] -> object_id`` for the dictionaries of ``items`` (members, admins...)."""
        if type(items) is not list or not items:
            return
        found = [item.get(key) for item in items if type(item) is dict]
        sources: list[str] = [source for source in found if isinstance(source, str) and source]
        self._order.extend([self.ordinal] * len(sources))
        self._sources.extend(sources)
        self._targets.extend([object_id] * len(sources))
        self._kinds.extend([kind] * len(sources))
        self._inherited.extend([None] * len(sources))
        self._enforced.extend([None] * len(sources))

    def columns(self, table: str) -> dict[str, list[Any]]:
        """The column lists of ``table`` (not ``edges``), for readers that fill a whole file at once."""
        return self._columns[table]

    def edges(
        self,
        order: list[int],
        sources: Sequence[str | None],
        targets: Sequence[str | None],
        kinds: list[str],
        *,
        inherited: list[bool | None] | None = None,
        enforced: list[bool | None] | None = None,
    ) -> None:
        """Add a block of edges; ends that are ``None`` or empty (not identifiers) are dropped by ``frames``."""
        nulls = [None] * len(order)
        self._order += order
        self._sources += sources
        self._targets += targets
        self._kinds += kinds
        self._inherited += nulls if inherited is None else inherited
        self._enforced += nulls if enforced is None else enforced

    def edge_block(self, block: pl.DataFrame) -> None:
        """Add a block with the ``edges`` columns and ``_order``; each record's block edges come first."""
        self._blocks.append(block.with_columns(_slot=pl.lit(0, dtype=pl.Int8)))

    def frames(self, warnings: list[str]) -> dict[str, pl.DataFrame]:
        """One DataFrame per table, each object once; conflicting duplicates are added to ``warnings``.

        SharpHound writes some objects several times (a full record and a stub for well-known
        groups, the same built-in principal in every domain's file): the most complete record wins.
        """
        frames = {name: _frame(columns, SCHEMAS[name]) for name, columns in self._columns.items()}
        for name, frame in frames.items():
            if "object_id" in frame.columns:
                frames[name] = _deduplicate(name, frame, warnings)
        edges = pl.DataFrame(
            {
                "_order": pl.Series(self._order, dtype=pl.Int64),
                "source": pl.Series(self._sources, dtype=pl.String),
                "target": pl.Series(self._targets, dtype=pl.String),
                "kind": pl.Series(self._kinds, dtype=pl.String),
                "is_inherited": pl.Series(self._inherited, dtype=pl.Boolean),
                "enforced": pl.Series(self._enforced, dtype=pl.Boolean),
                "_slot": pl.Series([1] * len(self._order), dtype=pl.Int8),
            },
        )
        edges = pl.concat([edges, *self._blocks]) if self._blocks else edges
        ends = pl.col("source").is_not_null() & pl.col("target").is_not_null()
        edges = edges.filter(ends & (pl.col("source") != "") & (pl.col("target") != ""))
        edges = edges.sort("_order", "_slot", maintain_order=True).drop("_order", "_slot")
        edges = edges.with_columns(pl.col("source", "target").str.to_uppercase())
        # Same rows as ``unique(keep="first", maintain_order=True)``, a third faster on millions of edges.
        frames["edges"] = edges.filter(pl.struct(pl.all()).is_first_distinct())
        return {name: frames[name] for name in SCHEMAS}

    # -- record kinds ---------------------------------------------------------------------------

    def _common(self, record: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], dict[str, Any]]:
        """Object id, properties and the shared columns; edges every object kind has (ACEs, parent)."""
        object_id = _str(record.get("ObjectIdentifier"))
        if not object_id:
            raise ValueError("record has no ObjectIdentifier")
        object_id = object_id.upper()
        props = record.get("Properties") or {}
        if not isinstance(props, Mapping):
            raise TypeError("'Properties' is not an object")
        common = {
            "object_id": object_id,
            "name": _str(props.get("name")),
            "domain": _str(props.get("domain")),
            "domain_sid": _str(props.get("domainsid")) or _str(record.get("DomainSID")),
            "distinguished_name": _str(props.get("distinguishedname")),
            "description": _str(props.get("description")),
            "when_created": _int(props.get("whencreated")),
            "is_deleted": _bool(record.get("IsDeleted")),
            "is_acl_protected": _bool(record.get("IsACLProtected", props.get("isaclprotected"))),
        }
        self.aces(object_id, record.get("Aces"))
        parent = record.get("ContainedBy")
        if isinstance(parent, Mapping):
            self.edge(parent.get("ObjectIdentifier"), object_id, "Contains")
        for child in _items(record.get("ChildObjects")):
            self.edge(object_id, child.get("ObjectIdentifier"), "Contains")
        for link in _items(record.get("Links")):
            self.edge(link.get("GUID"), object_id, "GPLink", enforced=link.get("IsEnforced"))
        return object_id, props, common

    def _principal(self, record: Mapping[str, Any], kind: str) -> None:
        object_id, props, common = self._common(record)
        for target in _items(record.get("AllowedToDelegate")):
            self.edge(object_id, target.get("ObjectIdentifier"), "AllowedToDelegate")
        for actor in _items(record.get("AllowedToAct")):
            self.edge(actor.get("ObjectIdentifier"), object_id, "AllowedToAct")
        for old in _items(record.get("HasSIDHistory")):
            self.edge(object_id, old.get("ObjectIdentifier"), "HasSIDHistory")
        for target in _items(record.get("SPNTargets", record.get("SpnTargets"))):
            self.edge(object_id, target.get("ComputerSID"), str(target.get("Service") or "SPNTarget"))
        self.pointing_at(object_id, record.get("Members"), "ObjectIdentifier", "MemberOf")
        primary = _str(record.get("PrimaryGroupSID"))
        if primary:
            self.edge(object_id, primary, "MemberOf")
        self._row(
            "principals",
            {
                **common,
                "kind": kind,
                "sam_account_name": _str(props.get("samaccountname")),
                "enabled": _bool(props.get("enabled")),
                "admincount": _bool(props.get("admincount")),
                "spns": _strs(props.get("serviceprincipalnames")),
                "has_spn": _bool(props.get("hasspn")),
                "dontreqpreauth": _bool(props.get("dontreqpreauth")),
                "passwordnotreqd": _bool(props.get("passwordnotreqd")),
                "pwdneverexpires": _bool(props.get("pwdneverexpires")),
                "sensitive": _bool(props.get("sensitive")),
                "unconstraineddelegation": _bool(props.get("unconstraineddelegation")),
                "trustedtoauth": _bool(props.get("trustedtoauth")),
                "allowed_to_delegate": _strs(props.get("allowedtodelegate")),
                "pwdlastset": _int(props.get("pwdlastset")),
                "lastlogon": _int(props.get("lastlogon")),
                "lastlogontimestamp": _int(props.get("lastlogontimestamp")),
                "sidhistory": _strs(props.get("sidhistory")),
                "primary_group_sid": primary,
                "operating_system": _str(props.get("operatingsystem")),
                "is_dc": _bool(record.get("IsDC", props.get("isdc"))),
                "haslaps": _bool(props.get("haslaps")),
                "gmsa": _bool(props.get("gmsa")),
                "msa": _bool(props.get("msa")),
                "password_attributes": [key for key in PASSWORD_ATTRIBUTES if props.get(key)],
            },
        )

    def user(self, record: Mapping[str, Any]) -> None:
        """A ``users`` record."""
        self._principal(record, "User")

    def group(self, record: Mapping[str, Any]) -> None:
        """A ``groups`` record (members become MemberOf edges)."""
        self._principal(record, "Group")

    def computer(self, record: Mapping[str, Any]) -> None:
        """A ``computers`` record, with its sessions and local group memberships."""
        self._principal(record, "Computer")
        object_id = str(record["ObjectIdentifier"]).upper()
        for key in SESSION_KEYS:
            for session in _results(record.get(key)):
                self.edge(object_id, session.get("UserSID"), "HasSession")
        for local_group in _items(record.get("LocalGroups")):
            rid = str(local_group.get("ObjectIdentifier") or "").rsplit("-", 1)[-1]
            kind = LOCAL_GROUP_EDGES.get(rid)
            if kind is not None:
                self.pointing_at(object_id, _results(local_group), "ObjectIdentifier", kind)

    def session(self, record: Mapping[str, Any]) -> None:
        """A ``sessions`` record (older stand-alone session files)."""
        self.edge(record.get("ComputerSID"), record.get("UserSID"), "HasSession")

    def domain(self, record: Mapping[str, Any]) -> None:
        """A ``domains`` record, with its trusts."""
        object_id, props, common = self._common(record)
        self._row(
            "domains",
            {
                **common,
                "functional_level": _str(props.get("functionallevel")),
                "collected": _bool(props.get("collected")),
            },
        )
        for trust in _items(record.get("Trusts")):
            self._row(
                "trusts",
                {
                    "source_sid": object_id,
                    "target_sid": _str(trust.get("TargetDomainSid")),
                    "target_name": _str(trust.get("TargetDomainName")),
                    # v5 builds wrote enums as numbers: keep them readable either way.
                    "direction": str(trust.get("TrustDirection")) if trust.get("TrustDirection") is not None else None,
                    "trust_type": str(trust.get("TrustType")) if trust.get("TrustType") is not None else None,
                    "is_transitive": _bool(trust.get("IsTransitive")),
                    "sid_filtering_enabled": _bool(trust.get("SidFilteringEnabled")),
                    "tgt_delegation_enabled": _bool(trust.get("TGTDelegationEnabled")),
                    "trust_attributes": _int(trust.get("TrustAttributes")),
                },
            )

    def gpo(self, record: Mapping[str, Any]) -> None:
        """A ``gpos`` record."""
        _, props, common = self._common(record)
        self._row("gpos", {**common, "gpc_path": _str(props.get("gpcpath"))})

    def ou(self, record: Mapping[str, Any]) -> None:
        """An ``ous`` record."""
        _, props, common = self._common(record)
        self._row("ous", {**common, "blocks_inheritance": _bool(props.get("blocksinheritance"))})

    def container(self, record: Mapping[str, Any]) -> None:
        """A ``containers`` record."""
        _, _, common = self._common(record)
        self._row("containers", common)

    def cert_template(self, record: Mapping[str, Any]) -> None:
        """A ``certtemplates`` record."""
        _, props, common = self._common(record)
        self._row(
            "cert_templates",
            {
                **common,
                "display_name": _str(props.get("displayname")),
                "oid": _str(props.get("oid")),
                "schema_version": _int(props.get("schemaversion")),
                "enrollment_flag": _str(props.get("enrollmentflag")),
                "certificate_name_flag": _str(props.get("certificatenameflag")),
                "enrollee_supplies_subject": _bool(props.get("enrolleesuppliessubject")),
                "requires_manager_approval": _bool(props.get("requiresmanagerapproval")),
                "authentication_enabled": _bool(props.get("authenticationenabled")),
                "authorized_signatures": _int(props.get("authorizedsignatures")),
                "no_security_extension": _bool(props.get("nosecurityextension")),
                "ekus": _strs(props.get("ekus")),
                "effective_ekus": _strs(props.get("effectiveekus")),
            },
        )

    def cert_authority(self, record: Mapping[str, Any], kind: str) -> None:
        """An enterprise/root/AIA CA or NTAuth store record; CA security ACEs become edges too."""
        object_id, props, common = self._common(record)
        hosting = _str(record.get("HostingComputer"))
        if hosting:
            self.edge(hosting, object_id, "HostsCAService")
        for template in _items(record.get("EnabledCertTemplates")):
            self.edge(template.get("ObjectIdentifier"), object_id, "PublishedTo")
        registry = record.get("CARegistryData")
        security = registry.get("CASecurity") if isinstance(registry, Mapping) else None
        if isinstance(security, Mapping):
            self.aces(object_id, security.get("Data"))
        self._row(
            "cert_authorities",
            {
                **common,
                "kind": kind,
                "ca_name": _str(props.get("caname")),
                "dns_hostname": _str(props.get("dnshostname")),
                "cert_thumbprint": _str(props.get("certthumbprint")),
                "cert_chain": _strs(props.get("certchain")),
                "hosting_computer": hosting.upper() if hosting else None,
            },
        )


def _deduplicate(table: str, frame: pl.DataFrame, warnings: list[str]) -> pl.DataFrame:
    """Keep one row per ``object_id``: the one with the most non-null fields, first seen on ties."""
    if frame.height == frame.get_column("object_id").n_unique():
        return frame
    clashes = (
        frame.group_by("object_id", maintain_order=True)
        .agg(pl.col("name").drop_nulls().unique(maintain_order=True))
        .filter(pl.col("name").list.len() > 1)
    )
    for object_id, names in clashes.iter_rows():
        warnings.append(
            f"{table}: object {object_id} appears under several names ({', '.join(names)}); "
            "the most complete record is kept"
        )
    completeness = pl.sum_horizontal([pl.col(column).is_not_null() for column in frame.columns])
    return (
        frame.with_row_index("_order")
        .with_columns(completeness.alias("_completeness"))
        .sort(["_completeness", "_order"], descending=[True, False])
        .unique(subset="object_id", keep="first")
        .sort("_order")
        .drop("_order", "_completeness")
    )


def _ca(kind: str) -> Callable[[TableBuilder, Mapping[str, Any]], None]:
    return lambda builder, record: builder.cert_authority(record, kind)


#: ``meta.type`` -> how a record of that type is added. Other types are skipped with a warning.
RECORD_KINDS: dict[str, Callable[[TableBuilder, Mapping[str, Any]], None]] = {
    "users": TableBuilder.user,
    "groups": TableBuilder.group,
    "computers": TableBuilder.computer,
    "sessions": TableBuilder.session,
    "domains": TableBuilder.domain,
    "gpos": TableBuilder.gpo,
    "ous": TableBuilder.ou,
    "containers": TableBuilder.container,
    "certtemplates": TableBuilder.cert_template,
    **{name: _ca(kind) for name, kind in _CA_KINDS.items()},
}


def add_record(builder: TableBuilder, kind: str, record: object, *, file: str, index: int) -> None:
    """Add ``record`` (entry ``index`` of ``file``'s ``data``); ``CollectionError`` when malformed."""
    if not isinstance(record, Mapping):
        raise CollectionError(f"{file}: data[{index}] is not an object", file=file)
    builder.ordinal += 1
    try:
        RECORD_KINDS[kind](builder, record)
    except (TypeError, ValueError) as error:
        raise CollectionError(f"{file}: data[{index}]: {error}", file=file) from error
