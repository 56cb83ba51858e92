"""Perimeters: the declared hierarchy every figure is computed for.

A :class:`Hierarchy` is a forest of perimeters: each has a name and a parent (none for a
root). A contract is assigned to one perimeter (the département where its operation is
executed, or the root when it has none) and counts in it and in every ancestor; the
additive figures of a parent (hours, contracts) are those of its own contracts plus
its children's, the others (participants and companies counted once per cell) look at
the contracts under every perimeter (:meth:`Hierarchy.stack`).

Today the panorama's hierarchy is the region and, below it, its départements
(:meth:`Hierarchy.regional`); a study comparing populations of contracts (women and
men, several years…) computes every population as a root of the same kind of tree
(:meth:`Hierarchy.populations`), all in one coded pass of
:mod:`panorama.compute.indicators`. The secrecy equations between a perimeter and its
children (region = Σ départements) are read from the same hierarchy
(:meth:`Hierarchy.equations`, :mod:`panorama.protect.confidentiality`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

REGION = "region"


@dataclass(frozen=True)
class Hierarchy:
    """Perimeters as a forest: ``names`` (unique) and the index of each one's parent in
    ``parents`` (-1: a root). A parent comes before its children."""

    names: tuple[str, ...]
    parents: tuple[int, ...]

    def __post_init__(self):
        if len(set(self.names)) != len(self.names) or len(self.parents) != len(self.names):
            raise ValueError("périmètres en double ou parents incohérents")
        if any(parent >= i for i, parent in enumerate(self.parents)):
            raise ValueError("un périmètre doit suivre son parent")

    @classmethod
    def regional(cls, departements: Sequence[str], region: str = REGION) -> Hierarchy:
        """The region (the root, named ``region``) and ``departements`` below it."""
        return cls.populations([region], departements)

    @classmethod
    def populations(cls, roots: Sequence[str], departements: Sequence[str]) -> Hierarchy:
        """One tree per population ``roots`` (each a root), with ``departements`` below
        each: population first, then its départements, population after population. With
        one population the départements are named by their code, else ``population|code``."""
        names, parents = [], []
        for root in roots:
            parents += [-1] + [len(names)] * len(departements)
            names += [root, *(code if len(roots) == 1 else f"{root}|{code}" for code in departements)]
        return cls(tuple(names), tuple(parents))

    @property
    def size(self) -> int:
        """Number of perimeters."""
        return len(self.names)

    @cached_property
    def roots(self) -> np.ndarray:
        """Whether each perimeter is a root."""
        return np.array(self.parents, dtype=np.int64) < 0

    @cached_property
    def depth(self) -> np.ndarray:
        """Depth of each perimeter (0: a root)."""
        depth = np.zeros(self.size, dtype=np.int64)
        for i, parent in enumerate(self.parents):
            if parent >= 0:
                depth[i] = depth[parent] + 1
        return depth

    def children(self, node: int) -> list[int]:
        """The perimeters whose parent is ``node``, in declaration order."""
        return self._children[node]

    @cached_property
    def _children(self) -> list[list[int]]:
        children: list[list[int]] = [[] for _ in self.names]
        for i, parent in enumerate(self.parents):
            if parent >= 0:
                children[parent].append(i)
        return children

    def node(self, root: np.ndarray, child: np.ndarray) -> np.ndarray:
        """Perimeter of each item of a :meth:`populations` hierarchy: population ``root``
        (its index) and, when ``child`` > 0, its ``child``-th département (1-based)."""
        width = self.size // int(self.roots.sum())
        return root.astype(np.int64) * width + child

    def equations(self) -> list[tuple[int, list[int]]]:
        """Every parent with its children (a parent's additive figures are their sum
        when it has no contract of its own), parents in declaration order."""
        return [(node, children) for node, children in enumerate(self._children) if children]

    def add_up(self, table: np.ndarray) -> np.ndarray:
        """``table`` (one row per perimeter, of the items assigned to it) with every parent's
        row the sum of its own and its children's, the deepest perimeters first (in place)."""
        for node, members in self._sums:
            table[node] = table[members].sum(axis=0)
        return table

    @cached_property
    def _sums(self) -> list[tuple[int, list[int]]]:
        """Each parent and the rows it adds up (its own, then its children's), deepest parents first."""
        parents = sorted((node for node in range(self.size) if self._children[node]), key=lambda i: -self.depth[i])
        return [(node, [node, *self._children[node]]) for node in parents]

    def stack(self, nodes: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``items`` (indices of things assigned to ``nodes``) under every perimeter they
        count in, as (item, perimeter) pairs: first under their root, then under their
        ancestor of depth 1, and so on (the order of ``items`` kept within each block)."""
        own = nodes[items]
        ancestors = self._ancestors
        pairs = [(items[above >= 0], above[above >= 0]) for above in (ancestors[depth][own]
                                                                    for depth in range(len(ancestors)))]
        return (np.concatenate([item for item, _ in pairs]),
                np.concatenate([node for _, node in pairs]).astype(np.int64))

    @cached_property
    def _ancestors(self) -> np.ndarray:
        """``[depth, perimeter]``: the ancestor of that depth of the perimeter (itself at its
        own depth; -1 below it)."""
        table = np.full((int(self.depth.max(initial=0)) + 1, self.size), -1, dtype=np.int64)
        for node in range(self.size):
            at = node
            while at >= 0:
                table[self.depth[at], node] = at
                at = self.parents[at]
        return table
