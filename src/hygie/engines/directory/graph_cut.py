"""Shortest paths to Tier 0 and the greedy cut, on a compressed sparse row graph (compiled BFS).

The graph is stored reversed (row = target, column = source) with a virtual sink linked to every
Tier-0 node: one breadth-first search from the sink reaches every node that has a path into Tier 0
and its predecessor is the next hop of a shortest path. ``scipy.sparse.csgraph`` runs the search in
compiled code, O(V + E) per search.

The cut. Choosing the fewest edges whose removal disconnects the most principals is a
node-weighted multi-source cut problem, NP-hard in general (it contains the budgeted
maximum-coverage problem), so we use a greedy heuristic:

1. one BFS gives the shortest-path tree; each tree edge is weighted by the number of source
   principals below it (the paths it carries), summed level by level with ``np.add.at``;
2. the ``candidates`` fixable tree edges of highest weight are each removed in turn and the exact
   number of principals still connected is recounted with one BFS each;
3. the best one (most principals disconnected, then most paths closed) is kept removed, and the
   process repeats up to ``max_cut`` times or until nobody is connected. A step that disconnects
   nobody is still taken when it closes the most paths: k parallel bottlenecks only disconnect
   anyone once all k are cut, which a strictly improving greedy would never find. Trailing steps
   that disconnect nobody are dropped.

Cost: ``max_cut * (candidates + 1)`` searches of O(V + E). Greedy is the right trade here: the
objective (principals disconnected) is what an administrator reads, each step is the best single
fix given the previous ones, and real directories are dominated by a few bottlenecks (an ACE on
a tier-0 group, an over-broad group) that greedy finds first. When principals keep more
disjoint paths than ``max_cut`` the cut comes back empty or short: the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # scipy ships no type stubs
from scipy.sparse.csgraph import breadth_first_order  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["CutStep", "ReverseGraph", "ShortestTree"]

_UNREACHED = -9999  # scipy's predecessor value for nodes the search did not reach


@dataclass(frozen=True, slots=True)
class ShortestTree:
    """One BFS from the sink: ``next_hop[u]`` (-1 when unreached, ``sink`` for Tier 0), ``depth``."""

    next_hop: NDArray[np.int64]
    depth: NDArray[np.int64]  # hops to the sink; -1 when unreached
    order: NDArray[np.int64]  # nodes in BFS order, sink first


@dataclass(frozen=True, slots=True)
class CutStep:
    """One fix of the cut: the pair removed and what the removal achieved."""

    pair: int  # row of the pair in the edge table
    disconnected: int
    paths_closed: int


class ReverseGraph:
    """Reversed CSR graph with a sink; pairs are removed by pointing their entry at a dead node."""

    def __init__(self, size: int, src: NDArray[np.int64], dst: NDArray[np.int64], tier0: NDArray[np.int64]) -> None:
        self.size = size
        self.sink = size
        self._dead = size + 1  # no out-edges and never a source: a removed edge leads nowhere
        rows = np.concatenate([dst, np.full(tier0.size, self.sink, dtype=np.int64)])
        cols = np.concatenate([src, tier0])
        matrix = csr_matrix((np.ones(rows.size, dtype=np.float64), (rows, cols)), shape=(size + 2, size + 2))
        matrix.sum_duplicates()
        matrix.sort_indices()
        self._matrix = matrix
        self._indptr: NDArray[np.int64] = matrix.indptr.astype(np.int64)
        self._columns: NDArray[np.int64] = matrix.indices.astype(np.int64)
        self._original = matrix.indices.copy()

    def entry(self, src: int, dst: int) -> int:
        """Position of the edge src -> dst in the CSR arrays, -1 when absent or already removed."""
        start, end = int(self._indptr[dst]), int(self._indptr[dst + 1])
        where = start + int(np.searchsorted(self._original[start:end], src))
        return where if where < end and self._matrix.indices[where] == src else -1

    def remove(self, position: int) -> None:
        """Drop the edge at ``position`` (from :meth:`entry`)."""
        self._matrix.indices[position] = self._dead

    def restore(self, position: int) -> None:
        """Put back the edge at ``position``."""
        self._matrix.indices[position] = self._original[position]

    def reached(self) -> NDArray[np.int64]:
        """Nodes with a path into Tier 0 (Tier 0 included), sink and dead node excluded."""
        order: NDArray[np.int64] = breadth_first_order(
            self._matrix, self.sink, directed=True, return_predecessors=False
        ).astype(np.int64)
        return order[order < self.size]

    def tree(self) -> ShortestTree:
        """The shortest-path tree: next hop toward Tier 0 and depth of every node."""
        order, predecessors = breadth_first_order(self._matrix, self.sink, directed=True, return_predecessors=True)
        order = order.astype(np.int64)
        order = order[order != self._dead]
        next_hop = predecessors.astype(np.int64)
        next_hop[next_hop == _UNREACHED] = -1
        next_hop[self._dead] = -1
        depth = np.full(next_hop.size, -1, dtype=np.int64)
        depth[self.sink] = 0
        # BFS order is level order and a node's parent comes before it: one vectorised step per level.
        position = np.empty(next_hop.size, dtype=np.int64)
        position[order] = np.arange(order.size)
        parent_position = position[next_hop[order[1:]]]
        start, level = 1, 1
        while start < order.size:
            end = start + int(np.searchsorted(parent_position[start - 1 :], start, side="left"))
            end = max(end, start + 1)
            depth[order[start:end]] = level
            start, level = end, level + 1
        return ShortestTree(next_hop=next_hop, depth=depth, order=order)


def subtree_weights(tree: ShortestTree, sources: NDArray[np.bool_], sink: int) -> NDArray[np.int64]:
    """For each node, the number of source principals whose shortest path passes through it."""
    weight = sources.astype(np.int64)
    weight[tree.depth < 0] = 0
    deepest = int(tree.depth.max(initial=0))
    for level in range(deepest, 1, -1):
        nodes = tree.order[tree.depth[tree.order] == level]
        np.add.at(weight, tree.next_hop[nodes], weight[nodes])
    weight[sink] = 0
    return weight


def greedy_cut(
    graph: ReverseGraph,
    pair_src: NDArray[np.int64],
    pair_dst: NDArray[np.int64],
    fixable: NDArray[np.bool_],
    sources: NDArray[np.bool_],
    *,
    max_cut: int,
    candidates: int = 6,
) -> list[CutStep]:
    """The greedy cut (see the module docstring); ``graph`` is left with the chosen pairs removed."""
    # Pair lookup by (src, dst): pairs are sorted by (dst, src), as the CSR rows and columns.
    keys = pair_dst * (graph.size + 2) + pair_src
    steps: list[CutStep] = []
    for _ in range(max_cut):
        tree = graph.tree()
        connected = int(sources[tree.depth > 1].sum())
        if connected == 0:
            break
        weight = subtree_weights(tree, sources, graph.sink)
        # Tree edges u -> next_hop[u] of nodes outside Tier 0 that carry at least one path.
        nodes = np.flatnonzero((tree.depth > 1) & (weight > 0))
        wanted = tree.next_hop[nodes] * (graph.size + 2) + nodes
        # Sorted queries keep the binary searches cache-friendly (ten times faster on large graphs).
        by_key = np.argsort(wanted, kind="stable")
        nodes, wanted = nodes[by_key], wanted[by_key]
        found = np.searchsorted(keys, wanted)
        found[found >= keys.size] = 0
        valid = (keys[found] == wanted) & fixable[found]
        nodes, pairs = nodes[valid], found[valid]
        if nodes.size == 0:
            break
        top = np.argsort(-weight[nodes], kind="stable")[:candidates]
        best: CutStep | None = None
        best_position = -1
        for pick in top:
            position = graph.entry(int(pair_src[pairs[pick]]), int(pair_dst[pairs[pick]]))
            if position < 0:  # cannot happen for a tree edge; never corrupt the graph if it does
                continue
            graph.remove(position)
            still = int(sources[graph.reached()].sum())
            graph.restore(position)
            gain = connected - still
            # Ties, zero gains included, go to the edge carrying the most shortest paths.
            if best is None or (gain, int(weight[nodes[pick]])) > (best.disconnected, best.paths_closed):
                best = CutStep(pair=int(pairs[pick]), disconnected=gain, paths_closed=int(weight[nodes[pick]]))
                best_position = position
        if best is None:
            break
        graph.remove(best_position)
        steps.append(best)
    # Zero-gain steps are kept only when a later step pays for them (parallel bottlenecks).
    while steps and steps[-1].disconnected <= 0:
        steps.pop()
    return steps
