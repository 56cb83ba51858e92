"""Machinery shared by the studies' computations: their tables, group comparisons computed
with the indicators layer, and the cells each table publishes.

A study compares *groups* of contracts (women and men, under-26s and the
others, one buyer and all buyers of its type…). :func:`group_breakdowns` and
:func:`group_figures` compute every group (of every year) as a population of the
indicators layer (:func:`panorama.compute.indicators.population_breakdowns`,
:func:`panorama.compute.indicators.population_key_figures`: a region of its own, all
groups in one coded pass), so that every figure of a study is defined exactly as in
the panorama. Every
table of counts is tidy (one row per cell) and carries the ``participants``
of its cell, so that statistical confidentiality applies to it as a whole
(:func:`panorama.protect.results.compute_edition`).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from panorama.compute import indicators
from panorama.compute.cells import Identity, Partition, identity
from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.core.formatting import SECRET
from panorama.core.publications import PUBLICATIONS
from panorama.input.dataset import Dataset, QualityReport

# --- results --------------------------------------------------------------------------------------

#: Columns that identify a row of a study table (the others are figures).
KEYS = ("annee", "groupe", "dimension", "code", "indicateur", "departement_residence", "departement_travail",
        "operation_id")
#: Figures that are not counts of people: never blanked.
LABELS = ("annee", "rang")
#: Columns of :func:`group_breakdowns` for the confidentiality rule only, never published: the
#: companies of a cell by type of structure or contract and the share of its hours done by the largest.
FIRMS = ("entreprises", "part_max_entreprise")

Cell = tuple
"""A count a table publishes: the population (:func:`panorama.protect.confidentiality.identity`),
its participants and its hours (and, by type of structure or contract, :data:`FIRMS`)."""


@dataclass(frozen=True)
class StudyTable:
    """One published table of a study: its file name (without ``.csv``), French title
    and description, primary key and rows (columns described in :data:`panorama.core.catalogue.COLUMNS`), and
    what statistical secrecy needs to know of it: ``cells``, per row, the count the row
    publishes (``None``: no count of its own — the row is then secret below ``seuil``
    participants); ``partitions``, the relations between its cells; ``depends``, per
    column (``*``: the whole row), per row, the cells the value is computed from (a share,
    an evolution since N−1): secret when any of them is."""

    name: str
    title: str
    description: str
    key: tuple[str, ...]
    frame: pd.DataFrame
    cells: tuple[Cell | None, ...] = ()
    partitions: tuple[Partition, ...] = ()
    depends: Mapping[str, tuple[tuple[Identity, ...], ...]] = dataclasses.field(default_factory=dict)


@dataclass
class StudyResults:
    """Every figure of one study, as tables: before statistical secrecy from the study's
    ``indicators``, published (the rule applied jointly with the whole year's
    publications) in a :class:`panorama.protect.results.Edition`.

    Like :class:`~panorama.protect.results.Results` it exposes ``year``, ``config`` and
    ``example``, so that the :class:`~panorama.compose.composer.Composer`'s text,
    figure and map blocks compose a study's document too.
    """

    study: str
    title: str
    year: int
    years: list[int]
    config: Config
    example: bool
    quality: QualityReport
    tables: dict[str, StudyTable]
    subject: str | None = None

    def table(self, name: str) -> pd.DataFrame:
        """Rows of the published table ``name`` as the document prints them: in a row under
        statistical secrecy, every withheld (blank) figure is :data:`~panorama.core.formatting.SECRET`."""
        frame = self.tables[name].frame
        if "secret" not in frame or not frame["secret"].any():
            return frame
        out = frame.copy()
        for column in out.columns:
            if catalogue.column(column).type in ("number", "integer"):
                out[column] = out[column].astype(object).where(~(out["secret"] & out[column].isna()), SECRET)
        return out

    @property
    def slug(self) -> str:
        """Folder and file name part: ``femmes``, ``donneur-ordre-DO0001``
        (:meth:`panorama.core.publications.Publication.slug`)."""
        return PUBLICATIONS[self.study].slug(self.subject)

    def cells(self) -> dict[Identity, tuple[float, ...]]:
        """Every count the study publishes: identity → (participants, hours[, :data:`FIRMS`])."""
        return {cell[0]: cell[1:] for table in self.tables.values() for cell in table.cells if cell is not None}

    def partitions(self) -> list[Partition]:
        """Every relation between the study's counts."""
        return [part for table in self.tables.values() for part in table.partitions]


def study_results(study: str, history: Mapping[int, Dataset], config: Config, example: bool,
                  tables: Sequence[StudyTable], *, title: str | None = None,
                  subject: str | None = None) -> StudyResults:
    """The results of ``study`` for the last year of ``history``, before statistical secrecy."""
    year = max(history)
    return StudyResults(study=study, title=title or PUBLICATIONS[study].title, year=year, years=sorted(history),
                        config=config, example=example, quality=history[year].quality,
                        tables={t.name: t for t in tables}, subject=subject)


def group_cells(frame: pd.DataFrame, groups: Mapping[str, tuple[tuple[str, str], ...]], year: int, *,
                scope: str, partition: bool, bands: Mapping[str, str] | None = None) -> dict:
    """The cells, partitions and dependencies (:class:`StudyTable` fields) of a
    :func:`group_breakdowns` table (``annee`` column: one year per row, else ``year``).
    ``groups``: the conditions that define each group's population (women:
    ``(("sexe", "F"),)``); a cell by type of structure or contract carries its
    :data:`FIRMS` (dropped when the table is published); ``scope`` names the bands of
    ``heures_par_participant``, which depend on the group (``bands``: the name of a group's
    bands when not its code). Each group's categories split the group; when ``partition``,
    the groups split each category (participant-level groups)."""
    years = frame["annee"].astype(int).tolist() if "annee" in frame else [year] * len(frame)
    cells, whole, category = [], [], []
    members: dict[tuple[Identity, str], list[Identity]] = defaultdict(list)
    firms = zip(*(frame[c] if c in frame else [np.nan] * len(frame) for c in FIRMS))
    for y, g, d, c, people, hours, companies in zip(years, frame["groupe"], frame["dimension"], frame["code"],
                                                    frame["participants"], frame["heures"], firms):
        own = identity(y, *groups[g])
        name = own if d == ALL else identity(y, *groups[g], (d, c), *(
            [("bandes", f"{scope}:{(bands or {}).get(g, g)}")] if not _across(d) else []))
        counted = not np.isnan(companies[0])
        cells.append((name, float(people), float(hours), *(map(float, companies) if counted else ())))
        whole.append((own,))
        if d != ALL:
            members[(own, d)].append(name)
        parent = identity(y) if d == ALL else identity(y, (d, c))
        category.append((y, d, c))
        if partition and _across(d):
            members[(parent, "groupe")].append(name)
    by_category: dict[tuple, list[Identity]] = defaultdict(list)
    for (name, *_), key in zip(cells, category):
        by_category[key].append(name)
    depends = {}
    for column in ("part_heures", "part_contrats", "part_participants"):
        if column in frame:
            depends[column] = tuple(whole)
    for column in ("part_participants_categorie", "part_heures_categorie"):
        if column in frame:
            depends[column] = tuple(tuple(by_category[key]) for key in category)
    if "evolution_part_categorie" in frame:
        depends["evolution_part_categorie"] = tuple(
            (*by_category[(y, d, c)], *by_category.get((y - 1, d, c), ())) for y, d, c in category)
    partitions = tuple(Partition(parent, tuple(names), attribute == "groupe" or catalogue.breakdown(attribute).participants_add_up)
                       for (parent, attribute), names in members.items())
    return {"cells": tuple(cells), "partitions": partitions, "depends": depends}


def _across(dimension: str) -> bool:
    """Whether the cells of ``dimension`` (or the group's whole, :data:`ALL`) add up across
    populations (not so for bands of a population's own distribution)."""
    return dimension == ALL or catalogue.breakdown(dimension).across


def _linked_cells(by_breakdown: Mapping[tuple[Identity, str], list[Identity]], own: Identity,
                  code: str) -> tuple[Identity, ...]:
    """The cells of ``own``'s breakdown that key figure ``code`` is computed from (its
    catalogue link: a whole breakdown, or one cell of it); none for a figure without link."""
    figure = catalogue.KEY_FIGURES.get(code)
    link = figure.linked if figure is not None else None
    if link is None:
        return ()
    cells = by_breakdown.get((own, link.dimension), ())
    return tuple(cells if link.code is None else [c for c in cells if (link.dimension, link.code) in c])


def figure_cells(frame: pd.DataFrame, groups: Mapping[str, tuple[tuple[str, str], ...]], year: int,
                 categories: Sequence[Cell | None] = ()) -> dict:
    """The cells and dependencies (:class:`StudyTable` fields) of a :func:`group_figures`
    table (``annee`` column: one year per row, else ``year``): the row of a group's hours
    publishes the group's cell; every figure of a group follows that cell and, for a
    figure computed from one breakdown (its :attr:`panorama.core.catalogue.KeyFigure.linked`), the
    group's cells of that breakdown among ``categories`` (the study's category cells)."""
    years = frame["annee"].astype(int).tolist() if "annee" in frame else [year] * len(frame)
    by_breakdown: dict[tuple[Identity, str], list[Identity]] = defaultdict(list)
    for cell in categories:
        if cell is not None:
            for attribute, code in cell[0]:
                by_breakdown[(cell[0] - {(attribute, code)}, attribute)].append(cell[0])
    cells, depends = [], []
    for y, g, people, code, value in zip(years, frame["groupe"], frame["participants"], frame["indicateur"],
                                         frame["valeur"]):
        own = identity(y, *groups[g])
        cells.append((own, float(people), float(value)) if code == "heures" else None)
        base = code.removeprefix("part_") if code.startswith("part_heures_") else code
        depends.append((own, *_linked_cells(by_breakdown, own, base)))
    return {"cells": tuple(cells), "depends": {"*": tuple(depends)}}


# --- groups ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Contracts compared in a study: a code, a French label, a boolean mask over the
    rows of the fact table and, when the group is a set of operations (a buyer's),
    a mask over the year's operations (operation counts then describe the group)."""

    code: str
    label: str
    contracts: np.ndarray
    operations: np.ndarray | None = None


ALL = "ensemble"


def facts_by_year(history: Mapping[int, Dataset]) -> dict[int, pd.DataFrame]:
    """The fact table (:func:`panorama.compute.indicators.fact_table`) of every year."""
    return {year: indicators.fact_table(ds) for year, ds in history.items()}


def _populations(years: Sequence[tuple[Dataset, pd.DataFrame, Sequence[Group]]]
                 ) -> tuple[list[tuple[str, pd.DataFrame, pd.DataFrame]], dict[str, tuple[pd.DataFrame, pd.DataFrame]]]:
    """The groups with a contract of each ``(dataset, facts, groups)`` as populations of
    the indicators layer (name ``year|code``, contracts, operations), and each one's
    contracts and operations by name."""
    populations, parts = [], {}
    for ds, facts, groups in years:
        operations = indicators.operations_frame(ds)
        for group in groups:
            subset = facts[group.contracts]
            if subset.empty:
                continue
            mine = operations if group.operations is None else operations[group.operations]
            name = f"{ds.year}|{group.code}"
            populations.append((name, subset, mine))
            parts[name] = (subset, mine)
    return populations, parts


def group_breakdowns(ds: Dataset, facts: pd.DataFrame, groups: Sequence[Group], dimensions: Sequence[str],
                     *, partition: bool) -> pd.DataFrame:
    """The breakdowns ``dimensions`` of the region for each group, in long format.

    Columns: ``groupe, libelle_groupe, dimension, code, libelle, heures, contrats,
    participants, part_heures, part_contrats, part_participants, secret`` (shares
    within the group) and, when ``partition`` (every contract in exactly one
    group), ``part_participants_categorie`` and ``part_heures_categorie``: the
    group's share of the category (women's share of the participants of a
    modality…); for groups of operations, ``operations``. The dimension
    :data:`ALL` (code ``ENSEMBLE``) is the group as a whole: its row gives the
    group's totals and, for a partition, its share of all participants and
    hours. A group without any contract has no row.
    """
    return _group_breakdowns([(ds, facts, groups)], dimensions, partition=partition)[ds.year]


def _group_breakdowns(years: Sequence[tuple[Dataset, pd.DataFrame, Sequence[Group]]], dimensions: Sequence[str],
                      *, partition: bool) -> dict[int, pd.DataFrame]:
    """:func:`group_breakdowns` of each ``(dataset, facts, groups)``, by year: every group
    of every year computed in one pass of the indicators layer."""
    populations, parts = _populations(years)
    computed = indicators.population_breakdowns(populations, only=tuple(dimensions)) if populations else None
    by_population = rows_by(computed, computed["perimetre"]) if populations else {}
    return {ds.year: _group_rows(ds.year, groups, parts, by_population, dimensions, partition=partition)
            for ds, _, groups in years}


def rows_by(frame: pd.DataFrame, key: pd.Series) -> dict:
    """The rows of ``frame`` by value of ``key`` (aligned on them; rows in order): one
    sort instead of a comparison of every row per value."""
    codes, values = pd.factorize(key)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum([0, *np.bincount(codes, minlength=len(values))])
    return {value: frame.take(order[start:end]) for value, start, end in zip(values, bounds[:-1], bounds[1:])}


def _key_rows(populations: list[tuple[str, pd.DataFrame, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The key figures of each of ``populations`` by name."""
    key = indicators.population_key_figures(populations)
    return rows_by(key, key["perimetre"])


def _group_rows(year: int, groups: Sequence[Group], parts: Mapping[str, tuple],
                by_population: Mapping[str, pd.DataFrame], dimensions: Sequence[str], *,
                partition: bool) -> pd.DataFrame:
    """The rows of :func:`group_breakdowns` of one year from its groups' breakdowns."""
    frames = []
    for group in groups:
        name = f"{year}|{group.code}"
        if name not in parts:
            continue
        subset, operations = parts[name]
        rows = by_population[name]
        rows = rows[rows["dimension"].isin(dimensions)].copy()
        if ALL in dimensions:
            whole = {"dimension": ALL, "code": ALL.upper(), "libelle": "Ensemble", "heures": subset["heures"].sum(),
                     "contrats": len(subset), "participants": subset["participant_id"].nunique(),
                     "part_heures": 1.0, "part_participants": 1.0, "operations": len(operations)}
            rows = pd.concat([pd.DataFrame([whole]), rows], ignore_index=True)
        rows["part_contrats"] = rows["contrats"] / len(subset)
        frames.append(rows.assign(groupe=group.code, libelle_groupe=group.label))
    columns = ["groupe", "libelle_groupe", "dimension", "code", "libelle", "heures", "contrats", "participants",
               "part_heures", "part_contrats", "part_participants"]
    if any(g.operations is not None for g in groups):
        columns.append("operations")
    if not frames:
        return pd.DataFrame(columns=[*columns, "secret"])
    out = _complete(pd.concat(frames, ignore_index=True), dimensions)
    out = out[[*columns, *(c for c in FIRMS if c in out)]].assign(secret=False)
    if partition:
        totals = out.groupby(["dimension", "code"])[["participants", "heures"]].transform("sum")
        out["part_participants_categorie"] = out["participants"] / totals["participants"].replace(0, np.nan)
        out["part_heures_categorie"] = out["heures"] / totals["heures"].replace(0, np.nan)
    return out


def _complete(rows: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """``rows`` with every category of a dimension for every group (a group without any
    contract in a category has it with zero counts and shares), ordered by dimension, then
    category (referential order, free text as first met, « non renseigné » last), then group."""
    groups = rows[["groupe", "libelle_groupe"]].drop_duplicates().reset_index(drop=True)
    categories = rows[["dimension", "code", "libelle"]].drop_duplicates(["dimension", "code"])
    out = categories.merge(groups, how="cross").merge(
        rows.drop(columns=["libelle", "libelle_groupe"]), on=["groupe", "dimension", "code"], how="left")
    counts = ["heures", "contrats", "participants", "part_heures", "part_contrats", "part_participants"]
    out[counts] = out[counts].astype(float).fillna(0)  # floats whether or not a category was missing
    known = {d.name: indicators.dimension_codes(d) for d in catalogue.DIMENSIONS}
    first_met = {key: i for i, key in enumerate(zip(categories["dimension"], categories["code"]))}

    def rank(dimension: str, code: str) -> tuple:
        order = known.get(dimension, [])
        return (dimensions.index(dimension), code == referential.NON_RENSEIGNE,
                order.index(code) if code in order else len(order) + first_met[(dimension, code)])

    group_rank = {code: i for i, code in enumerate(groups["groupe"])}
    keys = [(*rank(d, c), group_rank[g]) for d, c, g in zip(out["dimension"], out["code"], out["groupe"])]
    return out.iloc[sorted(range(len(out)), key=keys.__getitem__)].reset_index(drop=True)


def group_figures(ds: Dataset, facts: pd.DataFrame, groups: Sequence[Group], codes: Sequence[str]) -> pd.DataFrame:
    """Key figures ``codes`` (:data:`panorama.core.catalogue.KEY_FIGURES`, plus
    ``duree_mediane_jours``, every one declared in the catalogue) of each group, for the region.

    Columns: ``groupe, libelle_groupe, participants, indicateur, valeur, secret``
    (``participants``: the group's, on every row). ``duree_mediane_jours`` is
    the median length of the group's contracts ended by 31 December, in days
    (first and last day included). A group without any contract has no row.
    """
    for code in codes:
        catalogue.key_figure(code)  # fails closed on a code the catalogue does not declare
    populations, parts = _populations([(ds, facts, groups)])
    by_population = _key_rows(populations) if populations else {}
    frames = []
    for group in groups:
        name = f"{ds.year}|{group.code}"
        if name not in parts:
            continue
        subset = parts[name][0]
        key = by_population[name].set_index("indicateur")["valeur"]
        ended = subset[subset["date_fin"] <= pd.Timestamp(ds.year, 12, 31)]
        key["duree_mediane_jours"] = ((ended["date_fin"] - ended["date_debut"]).dt.days + 1).median()
        values = key.reindex(list(codes))
        frames.append(pd.DataFrame({"groupe": group.code, "libelle_groupe": group.label,
                                    "participants": subset["participant_id"].nunique(),
                                    "indicateur": values.index, "valeur": values.to_numpy(dtype=float)}))
    columns = ["groupe", "libelle_groupe", "participants", "indicateur", "valeur"]
    out = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    return out.assign(secret=False)


def over_years(history: Mapping[int, Dataset], facts: Mapping[int, pd.DataFrame],
               compute: Callable[[Dataset, pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """``compute(dataset, facts)`` for every year, stacked under a first column ``annee``."""
    return _stack_years({year: compute(ds, facts[year]) for year, ds in history.items()})


def _stack_years(by_year: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """The frames of ``by_year`` stacked under a first column ``annee``."""
    out = pd.concat([frame.assign(annee=year) for year, frame in by_year.items()], ignore_index=True)
    return out[["annee", *[c for c in out.columns if c != "annee"]]]


def partition_indicators(history: Mapping[int, Dataset], groups: Callable[[pd.DataFrame], list[Group]],
                         dimensions: Sequence[str], codes: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of a study comparing groups that partition the contracts
    (``groups(facts)`` gives them for one year's fact table): the
    :func:`group_breakdowns` ``dimensions`` of every year (column ``annee``; with
    ``evolution_part_categorie``, the change of the group's share of the category since
    the year before, as a difference of fractions), and the
    :func:`group_figures` ``codes`` of each group and of all contracts (group
    ``ENSEMBLE``) for the last year."""
    facts = facts_by_year(history)
    by_year = _group_breakdowns([(ds, facts[year], groups(facts[year])) for year, ds in history.items()],
                                dimensions, partition=True)
    shares = _stack_years({year: by_year[year] for year in history})
    keys = ["annee", "groupe", "dimension", "code"]
    before = shares[[*keys, "part_participants_categorie"]].assign(annee=shares["annee"] + 1)
    shares = shares.merge(before, on=keys, how="left", suffixes=("", "_precedente"))
    shares["evolution_part_categorie"] = shares["part_participants_categorie"] \
        - shares.pop("part_participants_categorie_precedente")
    year = max(history)
    everyone = Group("ENSEMBLE", "Ensemble", np.ones(len(facts[year]), dtype=bool))
    figures = group_figures(history[year], facts[year], [*groups(facts[year]), everyone], codes)
    return shares, figures


def buyer_name(name: str | None, kind: str | None) -> str:
    """A buyer's name as published: public bodies by name, private buyers (companies) never."""
    return "Donneur d'ordre privé" if kind == "PRIVE" or not name else name


def operation_title(title: str | None, buyer_kind: str | None) -> str | None:
    """An operation's title as published: never for a private buyer's (it may name the company)."""
    return None if buyer_kind == "PRIVE" else title


# --- open data ------------------------------------------------------------------------------------

PETITE_COURONNE = ("75", "92", "93", "94")  # the départements of the Métropole du Grand Paris


def in_grand_paris(config: Config) -> bool:
    """Whether the region holds départements of the Métropole du Grand Paris (whose
    communes share one intercommunality): only then is it named."""
    return bool(set(config.departements) & set(PETITE_COURONNE))
