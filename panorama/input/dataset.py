"""The validated dataset of one year: the contract between validation and indicators.

Column types after validation (see ``../shared/spec/dataset.md`` for the meaning):

- keys and identifiers (``*_id``; ``marche_id``, the marché's in the public procurement
  data, is no key), names, ``intitule``, ``grand_projet``, ``facilitateur``, ``siret``:
  ``object`` columns of ``str`` (missing: ``None``);
- codes (``nature``, ``modalite``, ``secteur``, ``type``, ``type_structure``,
  ``taille``, ``type_contrat``, ``sexe``, ``niveau_qualification``,
  ``critere_principal``, ``prescripteur``, ``situation_sortie``): canonical codes
  of :mod:`panorama.core.referential` as ``str`` (missing optional: ``None``);
- ``publics``: canonical codes joined by ``|`` in referential order, the main
  criterion not repeated (missing: ``None``);
- ``departement``: ``"75"``, ``"2A"``, ``"971"``…; ``commune``,
  ``commune_residence``: 5-character INSEE codes;
- dates: ``datetime64[ns]`` (missing: ``NaT``); ``montant_ht``,
  ``heures_prevues``, ``heures``: ``float64``; ``annee_naissance``: ``int64``;
  ``qpv``: pandas ``boolean`` (missing: ``<NA>``).

Every optional column of the contract is present (all missing when the file
did not have it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from panorama.core.errors import Problem

TABLES = ("operations", "donneurs_ordre", "entreprises", "participants", "contrats")


@dataclass
class TableQuality:
    """What happened to one table: rows read, rows excluded and why, completeness."""

    table: str
    file: str
    rows_read: int
    excluded: dict[str, int] = field(default_factory=dict)
    completeness: dict[str, float] = field(default_factory=dict)

    @property
    def rows_excluded(self) -> int:
        """Number of rows not counted, all reasons together."""
        return sum(self.excluded.values())

    @property
    def rows_kept(self) -> int:
        """Number of rows counted in the indicators."""
        return self.rows_read - self.rows_excluded


@dataclass
class QualityReport:
    """Data-quality summary of one year: per-table figures and warnings."""

    year: int
    tables: dict[str, TableQuality] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Dataset:
    """One year of validated data; rows not counted are already removed."""

    year: int
    operations: pd.DataFrame
    donneurs_ordre: pd.DataFrame
    entreprises: pd.DataFrame
    participants: pd.DataFrame
    contrats: pd.DataFrame
    quality: QualityReport
    procurement: pd.DataFrame | None = None
    """The public procurement data (DECP) the source sets beside the year
    (:meth:`~panorama.input.source.Source.procurement`), ``None`` when it has none."""
