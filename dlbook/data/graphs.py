"""A real small graph for a graph neural network (section 2): Zachary's karate club, as networkx
ships it.

34 members of a university karate club (Zachary, 1977), an edge between two members who met
outside the club. The club split in two after a dispute between its instructor ("Mr. Hi", node
0) and its administrator ("Officer", node 33); each node's ``club`` attribute records the side
the member joined, the labels to predict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Graph:
    """An undirected graph: ``adjacency`` ``float32 [N, N]`` (0/1, symmetric, no self-loops),
    ``labels`` ``int32 [N]`` and the ``class_names`` they index."""

    name: str
    adjacency: np.ndarray
    labels: np.ndarray
    class_names: list[str]

    @property
    def num_nodes(self) -> int:
        return len(self.labels)

    @property
    def num_edges(self) -> int:
        return int(self.adjacency.sum()) // 2

    @property
    def edges(self) -> list[tuple[int, int]]:
        """Each edge once, as ``(i, j)`` with ``i < j``."""
        rows, columns = np.nonzero(np.triu(self.adjacency))
        return list(zip(rows.tolist(), columns.tolist(), strict=True))

    def __str__(self) -> str:
        counts = ", ".join(f"{np.sum(self.labels == k)} {name}"
                           for k, name in enumerate(self.class_names))
        return f"{self.name}: {self.num_nodes} nodes, {self.num_edges} edges, classes {counts}"


def load_karate_club() -> Graph:
    """Zachary's karate club from ``networkx.karate_club_graph()``, labelled by club (0: "Mr. Hi",
    1: "Officer"). The edge weights (how many contexts two members shared) are dropped."""
    import networkx as nx

    graph = nx.karate_club_graph()
    nodes = sorted(graph.nodes)
    class_names = ["Mr. Hi", "Officer"]
    labels = np.array([class_names.index(graph.nodes[n]["club"]) for n in nodes], np.int32)
    adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight=None, dtype=np.float32)
    return Graph("karate_club", adjacency, labels, class_names)
