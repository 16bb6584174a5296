"""The layer's declared joins as a graph the planner may walk.

Only many-to-one (and one-to-one) steps are walked away from the entity a measure lives on:
each of its rows then meets at most one row of every joined entity, so sums and counts stay
right. A one-to-many step would repeat rows (fan-out); the planner says it cannot instead.
A path is used only when it is the one shortest path: two equally short routes are a guess.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from atlas_query.semantic import SemanticLayer

_FORWARD = ("many_to_one", "one_to_one")
_BACKWARD = ("one_to_many", "one_to_one")


@dataclass(frozen=True)
class Edge:
    """A step from ``source`` (the many side) to ``target`` (the one side)."""

    source: str
    target: str
    source_column: str
    target_column: str


class JoinGraph:
    def __init__(self, layer: SemanticLayer) -> None:
        self._edges: dict[str, list[Edge]] = {e.name: [] for e in layer.entities}
        self._declared: set[frozenset[tuple[str, str]]] = set()
        for entity in layer.entities:
            for join in entity.joins:
                target = layer.entity(join.target_entity)
                if target is None or join.join_columns is None:
                    continue
                here = (entity.name, join.join_columns.from_)
                there = (target.name, join.join_columns.to)
                self._declared.add(frozenset((here, there)))
                if join.relationship in _FORWARD:
                    self._add(Edge(entity.name, target.name, here[1], there[1]))
                if join.relationship in _BACKWARD:
                    self._add(Edge(target.name, entity.name, there[1], here[1]))

    def _add(self, edge: Edge) -> None:
        if edge not in self._edges[edge.source]:
            self._edges[edge.source].append(edge)

    def declared(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        """Whether ``a.column = b.column`` is a join the layer declares (either direction)."""
        return frozenset((a, b)) in self._declared

    def path(self, base: str, target: str) -> list[Edge] | None:
        """The one shortest many-to-one path from ``base`` to ``target``; None if there is
        none or more than one."""
        if base == target:
            return []
        best: dict[str, tuple[int, int, list[Edge]]] = {base: (0, 1, [])}
        queue = deque([base])
        while queue:
            node = queue.popleft()
            depth, routes, steps = best[node]
            for edge in self._edges.get(node, []):
                seen = best.get(edge.target)
                if seen is None:
                    best[edge.target] = (depth + 1, routes, [*steps, edge])
                    queue.append(edge.target)
                elif seen[0] == depth + 1:
                    best[edge.target] = (seen[0], seen[1] + routes, seen[2])
        found = best.get(target)
        return found[2] if found is not None and found[1] == 1 else None

    def vias(self, base: str, target: str, depth: int = 4) -> list[tuple[str, ...]]:
        """The entities passed on every many-to-one route from ``base`` to ``target`` (up to
        ``depth`` steps): more than one route to a far entity is a choice to ask about."""
        found: list[tuple[str, ...]] = []

        def walk(node: str, seen: tuple[str, ...]) -> None:
            for edge in self._edges.get(node, []):
                if edge.target == target:
                    found.append(seen)
                elif edge.target not in seen and edge.target != base and len(seen) < depth:
                    walk(edge.target, (*seen, edge.target))

        walk(base, ())
        return found

    def distance(self, base: str, target: str) -> int | None:
        found = self.path(base, target)
        return None if found is None else len(found)
