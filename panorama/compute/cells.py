"""The cells of what is published: the population each published count describes.

A count — participants and hours of a perimeter, of a category, of a group a study
compares — is identified by its population (:data:`Identity`): the year and the
conditions its contracts meet. The same population published twice, by two tables or
two publications, is one cell; the relations between cells (:class:`Partition`) are what
statistical secrecy (:mod:`panorama.protect.confidentiality`) turns into equations.
"""

from __future__ import annotations

from dataclasses import dataclass

Identity = frozenset
"""The population a published count describes: a frozenset of ``(attribute, code)`` pairs,
``("annee", year)`` among them (:func:`identity`). Two tables publishing the same
population publish the same cell."""


def identity(year: int, *conditions: tuple[str, str]) -> Identity:
    """The cell of the contracts of ``year`` meeting every ``(attribute, code)`` condition
    (attributes: the dimensions of :mod:`panorama.compute.indicators`, ``departement_execution``
    for a département's perimeter, and the attributes studies define)."""
    return frozenset((("annee", year), *conditions))


@dataclass(frozen=True)
class Partition:
    """Published cells that split one population: their hours add up to the ``parent``'s,
    and their participants too when ``exact`` (each participant in exactly one member;
    otherwise each member ≤ parent ≤ Σ members). A parent that is not published is a
    cell of its own for the audit (unknown to an attacker, never audited) when the
    partition is exact; a partition whose hours do not add up to its published parent
    (categories missing) is no relation."""

    parent: Identity
    members: tuple[Identity, ...]
    exact: bool
