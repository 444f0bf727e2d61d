"""Users, groups and computers files read a whole file at a time, column by column.

These files hold nearly all of a large collection (100,000 users, 2 million ACEs). Reading them
record by record costs one Python call per field and per edge; here every column and every edge
block is one list comprehension over the file, with the same coercions and the same results as
:mod:`.sharphound_records` (whose record-by-record path the smaller files keep).
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Any

import numpy as np
import polars as pl

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.sharphound_records import (
    LOCAL_GROUP_EDGES,
    PASSWORD_ATTRIBUTES,
    SESSION_KEYS,
    TableBuilder,
    right_name,
)

__all__ = ["PRINCIPAL_FILES", "add_principals"]

#: File type -> principal kind, for the files read here.
PRINCIPAL_FILES = {"users": "User", "groups": "Group", "computers": "Computer"}
_EMPTY: dict[str, Any] = {}
# Principal columns read straight from a boolean property: column -> property name.
_BOOLS = {
    "enabled": "enabled",
    "admincount": "admincount",
    "has_spn": "hasspn",
    "dontreqpreauth": "dontreqpreauth",
    "passwordnotreqd": "passwordnotreqd",
    "pwdneverexpires": "pwdneverexpires",
    "sensitive": "sensitive",
    "unconstraineddelegation": "unconstraineddelegation",
    "trustedtoauth": "trustedtoauth",
    "haslaps": "haslaps",
    "gmsa": "gmsa",
    "msa": "msa",
}
_STRS = {
    "name": "name",
    "domain": "domain",
    "distinguished_name": "distinguishedname",
    "description": "description",
    "sam_account_name": "samaccountname",
    "operating_system": "operatingsystem",
}
_INTS = {"when_created": "whencreated", "pwdlastset": "pwdlastset", "lastlogon": "lastlogon"}
_LISTS = {"spns": "serviceprincipalnames", "allowed_to_delegate": "allowedtodelegate", "sidhistory": "sidhistory"}


# The coercions below first check the types of the whole column at C speed (``set(map(type, ...))``):
# a well-formed collection then costs no per-value Python work; a column with a stray type is cleaned.
_NONE = type(None)


def _bools(values: list[Any]) -> list[bool | None]:
    if set(map(type, values)) <= {bool, _NONE}:
        return values
    return [value if type(value) is bool else None for value in values]


def _strs(values: list[Any]) -> list[str | None]:
    if set(map(type, values)) <= {str, _NONE}:
        return values
    return [value if type(value) is str else None for value in values]


def _ints(values: list[Any]) -> list[int | None]:
    if set(map(type, values)) <= {int, _NONE}:
        return values
    return [value if type(value) is int else None for value in values]


def _get(records: list[dict[str, Any]], key: str) -> list[Any]:
    """``record.get(key)`` of every record (``map`` over ``dict.get``: no Python frame per record)."""
    return list(map(dict.get, records, repeat(key)))


def _str_lists(values: list[Any]) -> list[list[str]]:
    return [[item for item in value if type(item) is str] if type(value) is list else [] for value in values]


def _checked(data: list[Any], file: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Upper-case ids and properties of every record; the first malformed one raises as record by record."""
    ids: list[str] = []
    props: list[dict[str, Any]] = []
    for index, record in enumerate(data):
        if type(record) is not dict:
            raise CollectionError(f"{file}: data[{index}] is not an object", file=file)
        object_id = record.get("ObjectIdentifier")
        if type(object_id) is not str or not object_id:
            raise CollectionError(f"{file}: data[{index}]: record has no ObjectIdentifier", file=file)
        properties = record.get("Properties") or _EMPTY
        if type(properties) is not dict:
            raise CollectionError(f"{file}: data[{index}]: 'Properties' is not an object", file=file)
        ids.append(object_id.upper())
        props.append(properties)
    return ids, props


def add_principals(builder: TableBuilder, kind: str, data: list[Any], *, file: str) -> None:
    """Add every record of a ``users``, ``groups`` or ``computers`` file; ``CollectionError`` when malformed."""
    ids, props = _checked(data, file)
    first = builder.ordinal + 1
    builder.ordinal += len(data)
    order = list(range(first, first + len(data)))
    columns = builder.columns("principals")
    size = len(data)
    filled: dict[str, list[Any]] = {
        "object_id": ids,
        "kind": [PRINCIPAL_FILES[kind]] * size,
        "domain_sid": [
            value if type(value := p.get("domainsid")) is str and value else _str(r.get("DomainSID"))
            for p, r in zip(props, data, strict=True)
        ],
        "is_deleted": _bools(_get(data, "IsDeleted")),
        "is_acl_protected": _bools(
            [
                r["IsACLProtected"] if "IsACLProtected" in r else p.get("isaclprotected")
                for p, r in zip(props, data, strict=True)
            ]
        ),
        "lastlogontimestamp": _ints(_get(props, "lastlogontimestamp")),
        "primary_group_sid": _strs(_get(data, "PrimaryGroupSID")),
        "is_dc": _bools([r["IsDC"] if "IsDC" in r else p.get("isdc") for p, r in zip(props, data, strict=True)]),
        "password_attributes": [[key for key in PASSWORD_ATTRIBUTES if p.get(key)] for p in props],
    }
    for column, key in _BOOLS.items():
        filled[column] = _bools(_get(props, key))
    for column, key in _STRS.items():
        filled[column] = _strs(_get(props, key))
    for column, key in _INTS.items():
        filled[column] = _ints(_get(props, key))
    for column, key in _LISTS.items():
        filled[column] = _str_lists(_get(props, key))
    for column, items in columns.items():
        items.extend(filled.get(column, [None] * size))
    _edges(builder, order, ids, data, filled["primary_group_sid"])
    if kind == "computers":
        _computer_edges(builder, order, ids, data)


def _str(value: object) -> str | None:
    return value if type(value) is str else None


def _items(order: list[int], ids: list[str], data: list[Any], key: str) -> list[tuple[int, str, dict[str, Any]]]:
    """``(ordinal, object id, item)`` of every dictionary in the ``key`` list of every record."""
    return [
        (ordinal, object_id, item)
        for ordinal, object_id, record in zip(order, ids, data, strict=True)
        if type(items := record.get(key)) is list
        for item in items
        if type(item) is dict
    ]


def _edges(builder: TableBuilder, order: list[int], ids: list[str], data: list[Any], primary: list[Any]) -> None:
    """The edges of every principal, block by block in the order the record-by-record path adds them."""
    _aces(builder, order[0] if order else 0, ids, data)
    parents = [
        (ordinal, object_id, parent)
        for ordinal, object_id, record in zip(order, ids, data, strict=True)
        if type(parent := record.get("ContainedBy")) is dict
    ]
    _block(builder, parents, "ObjectIdentifier", "Contains", inward=True)
    _block(builder, _items(order, ids, data, "ChildObjects"), "ObjectIdentifier", "Contains", inward=False)
    links = _items(order, ids, data, "Links")
    builder.edges(
        [ordinal for ordinal, _, _ in links],
        _strs([link.get("GUID") for _, _, link in links]),
        [object_id for _, object_id, _ in links],
        ["GPLink"] * len(links),
        enforced=_bools([link.get("IsEnforced") for _, _, link in links]),
    )
    _block(
        builder, _items(order, ids, data, "AllowedToDelegate"), "ObjectIdentifier", "AllowedToDelegate", inward=False
    )
    _block(builder, _items(order, ids, data, "AllowedToAct"), "ObjectIdentifier", "AllowedToAct", inward=True)
    _block(builder, _items(order, ids, data, "HasSIDHistory"), "ObjectIdentifier", "HasSIDHistory", inward=False)
    spn_targets = [
        (ordinal, object_id, item)
        for ordinal, object_id, record in zip(order, ids, data, strict=True)
        if type(items := record.get("SPNTargets", record.get("SpnTargets"))) is list
        for item in items
        if type(item) is dict
    ]
    builder.edges(
        [ordinal for ordinal, _, _ in spn_targets],
        [object_id for _, object_id, _ in spn_targets],
        _strs([item.get("ComputerSID") for _, _, item in spn_targets]),
        [str(item.get("Service") or "SPNTarget") for _, _, item in spn_targets],
    )
    _block(builder, _items(order, ids, data, "Members"), "ObjectIdentifier", "MemberOf", inward=True)
    builder.edges(order, ids, primary, ["MemberOf"] * len(ids))


def _aces(builder: TableBuilder, first: int, ids: list[str], data: list[Any]) -> None:
    """Every ACE of the file as one block: its objects and record ordinals repeated by NumPy, not per ACE."""
    lists = [aces if type(aces := record.get("Aces")) is list else [] for record in data]
    if not set(map(type, chain.from_iterable(lists))) <= {dict}:
        lists = [[ace for ace in aces if type(ace) is dict] for aces in lists]
    rows = np.repeat(np.arange(len(lists), dtype=np.int64), np.fromiter(map(len, lists), np.int64, len(lists)))
    aces = list(chain.from_iterable(lists))
    rights = _get(aces, "RightName")
    if not set(map(type, rights)) <= {str} or "" in rights:
        rights = [right if type(right) is str and right else right_name(right) for right in rights]
    block = pl.DataFrame(
        {
            "_order": rows + first,
            "source": pl.Series(_strs(_get(aces, "PrincipalSID")), dtype=pl.String),
            "target": pl.Series(ids, dtype=pl.String).gather(rows),
            "kind": pl.Series(rights, dtype=pl.String),
            "is_inherited": pl.Series(_bools(_get(aces, "IsInherited")), dtype=pl.Boolean),
            "enforced": pl.Series([None] * len(aces), dtype=pl.Boolean),
        }
    )
    builder.edge_block(block)


def _block(
    builder: TableBuilder, items: list[tuple[int, str, dict[str, Any]]], key: str, kind: str, *, inward: bool
) -> None:
    """Edges ``item[key] -> object`` (``inward``) or ``object -> item[key]`` of one kind."""
    others = [other if type(other := item.get(key)) is str else None for _, _, item in items]
    owners = [object_id for _, object_id, _ in items]
    sources, targets = (others, owners) if inward else (owners, others)
    builder.edges([ordinal for ordinal, _, _ in items], sources, targets, [kind] * len(items))


def _results(value: object) -> list[Any]:
    if type(value) is dict:
        value = value.get("Results")
    return value if type(value) is list else []


def _computer_edges(builder: TableBuilder, order: list[int], ids: list[str], data: list[Any]) -> None:
    """Sessions (computer -> user) and local group memberships (member -> computer) of every computer."""
    sessions = [
        (ordinal, object_id, session)
        for ordinal, object_id, record in zip(order, ids, data, strict=True)
        for key in SESSION_KEYS
        for session in _results(record.get(key))
        if type(session) is dict
    ]
    _block(builder, sessions, "UserSID", "HasSession", inward=False)
    members: list[tuple[int, str, dict[str, Any]]] = []
    kinds: list[str] = []
    for ordinal, object_id, local_group in _items(order, ids, data, "LocalGroups"):
        kind = LOCAL_GROUP_EDGES.get(str(local_group.get("ObjectIdentifier") or "").rsplit("-", 1)[-1])
        if kind is None:
            continue
        found = [(ordinal, object_id, member) for member in _results(local_group) if type(member) is dict]
        members += found
        kinds += [kind] * len(found)
    builder.edges(
        [ordinal for ordinal, _, _ in members],
        _strs([member.get("ObjectIdentifier") for _, _, member in members]),
        [object_id for _, object_id, _ in members],
        kinds,
    )
