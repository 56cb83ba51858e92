"""The results object: every figure of one edition.

:func:`compute` runs the indicators once; the report, the charts, the maps and
the open data (:mod:`panorama.opendata`) all read the same :class:`Results`.
Nothing downstream recomputes a figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from panorama import catalogue, confidentiality, indicators, referential
from panorama.config import Config
from panorama.dataset import Dataset, QualityReport
from panorama.document import SECRET
from panorama.parallel import Background


@dataclass(frozen=True)
class Perimeter:
    """A perimeter of the report: the region or one département."""

    code: str
    nom: str
    in_region: bool


@dataclass
class Results:
    """Every computed figure of one edition (year N, with N−1 when present)."""

    year: int
    previous_year: int | None
    config: Config
    perimeters: list[Perimeter]
    key_figures: pd.DataFrame
    breakdowns: pd.DataFrame
    quality: QualityReport
    example: bool
    series: pd.DataFrame | None = None
    confidentiality: confidentiality.Summary | None = None

    def figure(self, code: str, perimetre: str = indicators.REGION) -> float:
        """Value of key figure ``code`` for ``perimetre`` (NaN when undefined)."""
        row = self._key_row(code, perimetre)
        return float(row["valeur"]) if row is not None else math.nan

    def figure_row(self, code: str, perimetre: str = indicators.REGION) -> dict:
        """``{valeur, valeur_precedente, evolution, secret, secret_precedent}`` of key
        figure ``code`` (a secret value is NaN)."""
        row = self._key_row(code, perimetre)
        if row is None:
            return {"valeur": math.nan, "valeur_precedente": math.nan, "evolution": math.nan,
                    "secret": False, "secret_precedent": False}
        values = {k: float(row[k]) for k in ("valeur", "valeur_precedente", "evolution")}
        return values | {"secret": bool(row["secret"]), "secret_precedent": bool(row["secret_precedent"])}

    def is_secret(self, code: str, perimetre: str = indicators.REGION) -> bool:
        """Whether key figure ``code`` of ``perimetre`` is covered by statistical secrecy."""
        row = self._key_row(code, perimetre)
        return row is not None and bool(row["secret"])

    def _key_row(self, code: str, perimetre: str):
        catalogue.key_figure(code)  # a document showing a code the catalogue does not declare fails closed
        index = self._key_index()
        position = index.get((perimetre, code))
        return None if position is None else self.key_figures.iloc[position]

    def _key_index(self) -> dict[tuple[str, str], int]:
        if not hasattr(self, "_index_cache"):
            keys = zip(self.key_figures["perimetre"], self.key_figures["indicateur"])
            self._index_cache = {key: i for i, key in enumerate(keys)}
        return self._index_cache

    def serie(self, code: str, perimetre: str = indicators.REGION) -> list[tuple[int, object]]:
        """``(year, value)`` of key figure ``code`` for every year of the series
        (NaN: no data; :data:`~panorama.document.SECRET`: statistical secrecy)."""
        if self.series is None:
            return [(self.year, SECRET if self.is_secret(code, perimetre) else self.figure(code, perimetre))]
        catalogue.key_figure(code)
        rows = self.series[(self.series["indicateur"] == code) & (self.series["perimetre"] == perimetre)]
        return [(int(y), SECRET if hidden else float(v))
                for y, v, hidden in zip(rows["annee"], rows["valeur"], rows["secret"])]

    def breakdown(self, dimension: str, perimetre: str = indicators.REGION) -> pd.DataFrame:
        """Rows of one breakdown for one perimeter, in publication order."""
        rows = self.breakdowns
        return rows[(rows["dimension"] == dimension) & (rows["perimetre"] == perimetre)]

    @property
    def departements(self) -> list[Perimeter]:
        """The département perimeters (configured ones first, then others found in the data)."""
        return [p for p in self.perimeters if p.code != indicators.REGION]

    def export_tables(self) -> dict[str, pd.DataFrame]:
        """The open-data tables: ``chiffres_cles`` and one table per breakdown."""
        key = self.key_figures[["perimetre", "indicateur", "valeur", "secret"]]
        key = pd.concat([key, indicators.evolution_rows(self.key_figures)], ignore_index=True)
        key = indicators.sort_perimeters(key, "perimetre")
        tables = {"chiffres_cles": key.reset_index(drop=True)}
        for name in self.breakdowns["dimension"].drop_duplicates():
            rows = self.breakdowns[self.breakdowns["dimension"] == name]
            tables[f"repartition_{name}"] = rows.reset_index(drop=True)
        return tables


def compute(dataset: Dataset, previous: Dataset | None, config: Config, *, example: bool,
            history: Mapping[int, Dataset] | None = None) -> Results:
    """Compute every indicator of ``dataset``, its N−1 evolution and, from
    ``history`` (earlier years' datasets by year), the series of key figures;
    apply the statistical confidentiality rule to every year's tables."""
    rule = config.rule
    earlier = {**(history or {}), **({previous.year: previous} if previous is not None else {})}
    earlier = {year: data for year, data in sorted(earlier.items()) if year < dataset.year}
    with Background(_earlier_key_figures, earlier, rule) as earlier_years:  # on the other core
        key, rows = indicators.tables(dataset)
        breakdowns, current, summary = confidentiality.protect(rows, key, rule)
        by_year = {**earlier_years.result(), dataset.year: current}
    prev = by_year.get(previous.year) if previous is not None else None
    key = indicators.evolution(current, prev)
    found = [c for c in current["perimetre"].drop_duplicates() if c != indicators.REGION]
    codes = list(config.departements) + sorted(set(found) - set(config.departements),
                                               key=referential.departement_sort_key)
    perimeters = [Perimeter(indicators.REGION, config.region_nom, True)] + [
        Perimeter(code, referential.departement_name(code) or code, code in config.departements)
        for code in codes]
    return Results(year=dataset.year, previous_year=previous.year if previous is not None else None,
                   config=config, perimeters=perimeters, key_figures=key,
                   breakdowns=breakdowns, quality=dataset.quality, example=example,
                   series=indicators.series(by_year), confidentiality=summary)


def _earlier_key_figures(earlier: Mapping[int, Dataset], rule: confidentiality.Rule) -> dict[int, pd.DataFrame]:
    """The protected key figures of each earlier year (:func:`_protected_key_figures`)."""
    return {year: _protected_key_figures(data, rule) for year, data in earlier.items()}


def _protected_key_figures(dataset: Dataset, rule: confidentiality.Rule) -> pd.DataFrame:
    """Key figures of an earlier year, under the same confidentiality rule.

    Only key figures of earlier years are published: their secrecy depends on
    the perimeters' totals and on the breakdowns they are computed from, so only
    those breakdowns are protected (with their groups across départements).
    """
    key, rows = indicators.tables(dataset, only=catalogue.linked_breakdowns())
    return confidentiality.protect(rows, key, rule)[1]
