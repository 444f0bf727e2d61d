"""Attack paths to Tier 0: who can reach it, the shortest path of each, and the fixes that cut most.

:func:`attack_paths` builds the graph (:mod:`.graph_build`), runs one compiled breadth-first search
from a sink behind every Tier-0 object (:mod:`.tier0`) to get every principal's shortest path, and
the greedy cut (:mod:`.graph_cut`). Sources are enabled users and computers and groups outside
Tier 0: a disabled account cannot log on, so it starts no attack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from hygie.engines._core import NullProgress
from hygie.engines.directory.graph_build import EdgeTable, build_edges
from hygie.engines.directory.graph_cut import ReverseGraph, greedy_cut
from hygie.engines.directory.tier0 import tier0_objects

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hygie.engines._core import Progress
    from hygie.engines.directory.graph_cut import CutStep, ShortestTree
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["AttackPath", "AttackPaths", "Fix", "Node", "attack_paths"]

#: At most this many Tier-0 objects are listed in the JSON (the count is always exact).
TIER0_LISTED = 500
_PRINCIPAL_KINDS = ("User", "Computer", "Group")
#: How each kind of fix is said, first match wins (a pair may carry several kinds).
_FIX_TEXTS = (
    ("MemberOf", "remove {source} from {target}"),
    ("HasSession", "keep {target} from logging on to {source} (tiering)"),
    ("AdminTo", "remove {source} from the local administrators of {target}"),
    ("DCSync", "remove the replication rights (GetChanges, GetChangesAll) of {source} on {target}"),
    ("HasSIDHistory", "clear the SID history of {source} (it holds {target})"),
    ("Enroll", "remove the enrolment right of {source} on template {target}, or fix the template"),
    ("AllowedToDelegate", "remove {target} from the constrained delegation of {source}"),
    ("AllowedToAct", "clear the resource-based delegation of {target} to {source}"),
)
_FIX_DEFAULT = "remove {kinds} of {source} on {target}"


@dataclass(frozen=True, slots=True)
class Node:
    """One object of the graph."""

    id: str
    name: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"id": self.id, "name": self.name, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A shortest path from ``nodes[0]`` into Tier 0; ``edges[i]`` joins ``nodes[i]`` to ``nodes[i + 1]``."""

    nodes: tuple[Node, ...]
    edges: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"source": self.nodes[0].id, "nodes": [node.to_dict() for node in self.nodes], "edges": list(self.edges)}


@dataclass(frozen=True, slots=True)
class Fix:
    """One edge of the cut and what removing it achieves."""

    source: Node
    target: Node
    kinds: tuple[str, ...]
    principals_disconnected: int
    paths_closed: int
    #: Principals disconnected by this fix and every fix before it in the cut.
    cumulative_disconnected: int = 0

    @property
    def text(self) -> str:
        """The fix in plain language."""
        names = {"source": self.source.name, "target": self.target.name, "kinds": ", ".join(self.kinds)}
        template = next((text for kind, text in _FIX_TEXTS if kind in self.kinds), _FIX_DEFAULT)
        return template.format(**names)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source.id,
            "target": self.target.id,
            "kind": ", ".join(self.kinds),
            "source_name": self.source.name,
            "target_name": self.target.name,
            "fix": self.text,
            "principals_disconnected": self.principals_disconnected,
            "cumulative_disconnected": self.cumulative_disconnected,
            "paths_closed": self.paths_closed,
        }


@dataclass(frozen=True, slots=True)
class AttackPaths:
    """Reachability of Tier 0 from the rest of the directory, shortest paths and the cut."""

    tier0_count: int
    tier0: tuple[Node, ...]
    principals_with_path: int
    users_with_path: int
    computers_with_path: int
    groups_with_path: int
    paths: tuple[AttackPath, ...]
    cut: tuple[Fix, ...]
    nodes: int = 0
    edges: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The ``attack_paths`` block of the audit JSON."""
        return {
            "tier0": {"count": self.tier0_count, "objects": [node.to_dict() for node in self.tier0]},
            "principals_with_path": self.principals_with_path,
            "users_with_path": self.users_with_path,
            "computers_with_path": self.computers_with_path,
            "groups_with_path": self.groups_with_path,
            "paths": [path.to_dict() for path in self.paths],
            "cut": [fix.to_dict() for fix in self.cut],
            "graph": {"nodes": self.nodes, "edges": self.edges},
        }


def _node_refs(nodes: pl.DataFrame, indices: NDArray[np.int64]) -> list[Node]:
    rows = nodes.select("object_id", "name", "kind")[indices.tolist()]
    return [Node(str(i), str(n), str(k)) for i, n, k in rows.iter_rows()]


def _sources(snapshot: Snapshot, table: EdgeTable, tier0: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Mask (sized for the search graph) of the principals that may start an attack."""
    active = snapshot.principals.filter(
        pl.col("kind").is_in(_PRINCIPAL_KINDS) & ((pl.col("kind") == "Group") | pl.col("enabled").fill_null(value=True))
    ).select("object_id")
    indices = table.nodes.join(active, on="object_id", how="semi")["idx"].to_numpy()
    mask = np.zeros(table.size + 2, dtype=np.bool_)
    mask[indices] = True
    mask[: table.size] &= ~tier0
    return mask


def _paths(table: EdgeTable, tree: ShortestTree, sources: NDArray[np.bool_], limit: int) -> list[AttackPath]:
    """The ``limit`` shortest paths (then by name), walked one level at a time for all at once."""
    starts = np.flatnonzero(sources & (tree.depth > 1))
    if starts.size == 0 or limit <= 0:
        return []
    names = table.nodes["name"].to_numpy()[starts]
    chosen = starts[np.lexsort((names, tree.depth[starts]))][:limit]
    hops = int(tree.depth[chosen].max()) - 1  # nodes per path: depth (the sink is not a node)
    walk = np.full((chosen.size, hops + 1), -1, dtype=np.int64)
    walk[:, 0] = chosen
    for step in range(1, hops + 1):
        previous = walk[:, step - 1]
        alive = (previous >= 0) & (tree.depth[np.maximum(previous, 0)] > 1)
        walk[alive, step] = tree.next_hop[previous[alive]]
    # Edge kind of each hop, by one join on (src, dst).
    hop_frame = pl.DataFrame(
        {"path": np.repeat(np.arange(chosen.size), hops), "src": walk[:, :-1].ravel(), "dst": walk[:, 1:].ravel()}
    )
    kinds = hop_frame.filter(pl.col("dst") >= 0).join(
        table.pairs.select("src", "dst", "kind"), on=["src", "dst"], how="left", maintain_order="left"
    )
    kinds_by_path = kinds.group_by("path", maintain_order=True).agg("kind")["kind"].to_list()
    refs = _node_refs(table.nodes, np.unique(walk[walk >= 0]))
    by_index = dict(zip(np.unique(walk[walk >= 0]).tolist(), refs, strict=True))
    return [
        AttackPath(nodes=tuple(by_index[i] for i in row if i >= 0), edges=tuple(str(kind) for kind in path_kinds))
        for row, path_kinds in zip(walk.tolist(), kinds_by_path, strict=True)
    ]


def _fixes(table: EdgeTable, steps: list[CutStep]) -> list[Fix]:
    if not steps:
        return []
    rows = table.pairs[[step.pair for step in steps]]
    src_refs = _node_refs(table.nodes, rows["src"].to_numpy())
    dst_refs = _node_refs(table.nodes, rows["dst"].to_numpy())
    totals = np.cumsum([step.disconnected for step in steps]).tolist()
    return [
        Fix(source, target, table.kinds(src, dst), step.disconnected, step.paths_closed, total)
        for source, target, src, dst, step, total in zip(
            src_refs, dst_refs, rows["src"].to_list(), rows["dst"].to_list(), steps, totals, strict=True
        )
    ]


def attack_paths(
    snapshot: Snapshot,
    *,
    max_cut: int = 10,
    max_paths: int = 1000,
    lateral_movement: bool = False,
    progress: Progress | None = None,
) -> AttackPaths:
    """Principals with a path into Tier 0, their shortest paths (``max_paths`` shortest) and the cut.

    ``lateral_movement`` adds CanRDP, CanPSRemote and ExecuteDCOM edges (logons, not control).
    """
    progress = progress or NullProgress()
    progress.start("attack paths", 3)
    table = build_edges(snapshot, lateral_movement=lateral_movement)
    objects = tier0_objects(snapshot)
    tier0_idx = table.nodes.join(objects.select("object_id"), on="object_id", how="semi")["idx"].to_numpy()
    tier0 = np.zeros(table.size, dtype=np.bool_)
    tier0[tier0_idx] = True
    graph = ReverseGraph(table.size, table.src(), table.dst(), tier0_idx.astype(np.int64))
    sources = _sources(snapshot, table, tier0)
    progress.advance()
    tree = graph.tree()
    with_path = sources & (tree.depth > 1)
    kinds = np.concatenate([table.nodes["kind"].to_numpy(), np.array(["", ""], dtype=object)])
    paths = _paths(table, tree, sources, max_paths)
    progress.advance()
    steps = greedy_cut(graph, table.src(), table.dst(), table.pairs["fixable"].to_numpy(), sources, max_cut=max_cut)
    progress.advance()
    listed = objects.head(TIER0_LISTED)
    return AttackPaths(
        tier0_count=objects.height,
        tier0=tuple(
            Node(str(i), str(n or i), str(k)) for i, n, k in listed.select("object_id", "name", "kind").iter_rows()
        ),
        principals_with_path=int(with_path.sum()),
        users_with_path=int((with_path & (kinds == "User")).sum()),
        computers_with_path=int((with_path & (kinds == "Computer")).sum()),
        groups_with_path=int((with_path & (kinds == "Group")).sum()),
        paths=tuple(paths),
        cut=tuple(_fixes(table, steps)),
        nodes=table.size,
        edges=table.pairs.height,
    )
