"""The results object: every figure of one edition.

:func:`compute_edition` runs the indicators of the panorama and of every study
once and applies statistical confidentiality to all of them jointly; the report,
the charts, the maps and the open data (:mod:`panorama.output.opendata`) all read the
same :class:`Results`, the studies their published tables. Nothing downstream
recomputes a figure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from panorama.compute import indicators
from panorama.compute.cells import Identity
from panorama.compute.procurement import Procurement, procurement
from panorama.compute.studies.common import (
    FIRMS,
    KEYS,
    LABELS,
    StudyResults,
    StudyTable,
)
from panorama.core import catalogue, referential
from panorama.core.config import Config, Rule
from panorama.core.formatting import SECRET
from panorama.core.parallel import Background
from panorama.input.dataset import Dataset, QualityReport
from panorama.protect import confidentiality


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
    procurement: Procurement | None = None
    """The public procurement data (DECP) of the year beside the follow-up, when the source has
    some: public, not subject to statistical secrecy (:mod:`panorama.compute.procurement`)."""

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
        (NaN: no data; :data:`~panorama.core.formatting.SECRET`: statistical secrecy)."""
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


@dataclass
class Edition:
    """Everything published for one year, under one statistical secrecy: the panorama's
    :class:`Results` (its sheets read them too) and every study, published
    (:class:`~panorama.compute.studies.common.StudyResults`, keyed by their ``slug``)."""

    panorama: Results
    studies: dict[str, StudyResults]

    def study(self, name: str, subject: str | None = None) -> StudyResults:
        """The published study ``name`` (about ``subject`` for a study about one entity)."""
        return next(s for s in self.studies.values() if s.study == name and s.subject == subject)


Published = Results | StudyResults
"""The protected results a publication is composed from and its open data written from:
the year's :class:`Results` (the panorama, the sheets) or a study's published tables.
Both come only from :func:`compute_edition`, under one statistical secrecy, and both are
written by one writer (:func:`panorama.output.opendata.write_open_data`); the panorama's
stay long tables of key figures and breakdowns by perimeter, which the reports query by
code, a study's are the tables it publishes."""


def compute_edition(history: Mapping[int, Dataset], config: Config, *, example: bool,
                    subject: str | None = None) -> Edition:
    """Compute every figure published for the last year of ``history`` (year → dataset,
    earlier years for the evolutions and series): the panorama's and every regional
    study's, and apply the statistical confidentiality rule to all of them at once
    (:func:`panorama.protect.confidentiality.protect_edition`), so that the same cells are secret
    whichever publication is built and none can be recomputed from another.

    ``subject``: a buyer (``donneur-ordre`` study) to publish too. What every buyer's study
    shares (its type's cells, its study module's ``comparisons``) is protected around the
    year's settled cells, then the buyer's own cells around both: the year's pattern
    never depends on the buyer asked for, two buyers' studies never disagree on a shared
    cell, and each is audited with everything published for the year.
    """
    from panorama.core.publications import SUBJECT
    from panorama.core.publications import studies as registered

    year = max(history)
    dataset = history[year]
    previous = history.get(year - 1)
    rule = config.rule
    earlier = {y: data for y, data in sorted(history.items()) if y < year}
    regional = [s.name for s in registered() if s.covers != SUBJECT]
    half = (len(regional) + 1) // 2
    # the other core computes the earlier years' tables and half the studies, this one the rest
    with Background(_earlier_tables, earlier) as earlier_years, \
            Background(_studies, regional[half:], history, config, example) as others:
        key, rows = indicators.tables(dataset)
        studies = _studies(regional[:half], history, config, example)
        studies += others.result()
        before = earlier_years.result()
    joint = _protect(rows, key, rule, year, before, studies)
    by_year = {**joint.earlier_key_figures, year: joint.key_figures}
    published = {s.slug: publish(s, joint.secret) for s in studies}
    if subject is not None:
        module = next(s for s in registered() if s.covers == SUBJECT).computing()
        settled = {name: name in joint.secret for name in _identities(rows, key, year, before, studies)}
        shared = module.comparisons(history, config, example=example)  # every subject's: settled next
        around = _protect(rows, key, rule, year, before, [*studies, shared], settled=settled)
        settled |= {name: name in around.secret for name in shared.cells()}
        study = module.indicators(history, config, example=example, subject=subject)
        buyer = _protect(rows, key, rule, year, before, [*studies, shared, study], settled=settled)
        published[study.slug] = publish(study, buyer.secret)
    prev = by_year.get(previous.year) if previous is not None else None
    current = joint.key_figures
    key_figures = indicators.evolution(current, prev)
    found = [c for c in current["perimetre"].drop_duplicates() if c != indicators.REGION]
    codes = list(config.departements) + sorted(set(found) - set(config.departements),
                                               key=referential.departement_sort_key)
    perimeters = [Perimeter(indicators.REGION, config.region_nom, True)] + [
        Perimeter(code, referential.departement_name(code) or code, code in config.departements)
        for code in codes]
    results = Results(year=year, previous_year=previous.year if previous is not None else None,
                      config=config, perimeters=perimeters, key_figures=key_figures,
                      breakdowns=joint.breakdowns, quality=dataset.quality, example=example,
                      series=indicators.series(by_year), confidentiality=joint.summary,
                      procurement=procurement(dataset, config.departements))
    return Edition(panorama=results, studies=published)


def compute(dataset: Dataset, previous: Dataset | None, config: Config, *, example: bool,
            history: Mapping[int, Dataset] | None = None) -> Results:
    """The panorama's :class:`Results` of ``dataset``, with ``previous`` (N−1) and
    ``history`` (earlier years' datasets by year) for the evolutions and series: the
    panorama of :func:`compute_edition`."""
    years = {**(history or {}), **({previous.year: previous} if previous is not None else {}),
             dataset.year: dataset}
    return compute_edition({y: years[y] for y in sorted(years) if y <= dataset.year}, config,
                           example=example).panorama


def _protect(rows: pd.DataFrame, key: pd.DataFrame, rule: confidentiality.Rule, year: int, earlier: Mapping,
             studies: list[StudyResults], settled: Mapping | None = None) -> confidentiality.Protection:
    """:func:`panorama.protect.confidentiality.protect_edition` of the panorama's tables (``earlier``:
    the earlier years' ones, :func:`_earlier_tables`) and ``studies``."""
    cells: dict = {}
    for study in studies:
        for name, counts in study.cells().items():
            cells.setdefault(name, counts)
    partitions = [part for study in studies for part in study.partitions()]
    return confidentiality.protect_edition(rows, key, rule, year=year, cells=cells, partitions=partitions,
                                           earlier={y: (b, k) for y, (k, b) in earlier.items()}, settled=settled)


def _identities(rows: pd.DataFrame, key: pd.DataFrame, year: int, earlier: Mapping,
                studies: list[StudyResults]) -> set:
    """Every published cell of the year: the panorama's (earlier years' included) and the studies'."""
    names = set(confidentiality.identities(rows, key, year))
    for y, (k, b) in earlier.items():
        names |= set(confidentiality.identities(b, k, y))
    return names | {n for s in studies for n in s.cells()}


def _studies(names: list[str], history: Mapping[int, Dataset], config: Config, example: bool) -> list[StudyResults]:
    """The tables of the regional studies ``names``, before statistical secrecy."""
    from panorama.core.publications import PUBLICATIONS

    return [PUBLICATIONS[name].computing().indicators(history, config, example=example) for name in names]


def _earlier_tables(earlier: Mapping[int, Dataset]) -> dict[int, tuple[pd.DataFrame, pd.DataFrame]]:
    """The tables of each earlier year that its published key figures depend on: key
    figures and the breakdowns they are computed from (:func:`panorama.core.catalogue.linked_breakdowns`),
    protected with the year (:func:`compute_edition`)."""
    linked = catalogue.linked_breakdowns()
    return {year: indicators.tables(data, only=linked) for year, data in earlier.items()}


def publish(study: StudyResults, secret: frozenset[Identity]) -> StudyResults:
    """The study as published, ``secret`` being the secret cells of the year
    (:func:`panorama.protect.confidentiality.protect_edition`)."""
    tables = {name: dataclasses.replace(t, frame=_blank(t, secret, study.config.rule))
              for name, t in study.tables.items()}
    return dataclasses.replace(study, tables=tables)


def _blank(table: StudyTable, secret: frozenset[Identity], rule: Rule) -> pd.DataFrame:
    """The rows of ``table`` once the year's ``secret`` cells are known: a row whose cell
    is secret (or, without a cell, counting ``0 < participants < seuil``) keeps its keys
    and labels and has its figures blank; a value computed from a secret cell is blank
    too (see :class:`~panorama.compute.studies.common.StudyTable`); ``secret`` is true on
    every row with a blank figure."""
    out = table.frame.reset_index(drop=True).drop(columns=[c for c in FIRMS if c in table.frame])
    people = out["participants" if "participants" in out else "contrats"].astype(float).fillna(0).to_numpy()
    hidden = out["secret"].fillna(False).astype(bool).to_numpy().copy() if "secret" in out \
        else np.zeros(len(out), bool)
    cells = table.cells or (None,) * len(out)
    for i, cell in enumerate(cells):
        hidden[i] |= (0 < people[i] < rule.seuil) if cell is None else cell[0] in secret
    for i, names in enumerate(table.depends.get("*", ())):
        hidden[i] |= any(name in secret for name in names)
    figures = [c for c in out.columns if c not in (*KEYS, *LABELS, "secret")
               and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    for column in figures:
        out[column] = out[column].astype(float).where(~hidden)
    for column, per_row in table.depends.items():
        if column != "*":
            blank = np.array([any(name in secret for name in names) for names in per_row], dtype=bool)
            out[column] = out[column].astype(float).where(~blank)
            hidden |= blank
    out["secret"] = hidden
    return out
