"""Machinery shared by the studies: their results, group comparisons computed with
the indicators layer, their open data and the pieces of their documents.

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
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from panorama.compose import editorial, figspec
from panorama.compose.commentary import fmt_points
from panorama.compose.composer import UNKNOWN_CODES
from panorama.compose.document import (
    Card,
    Column,
    Document,
    Figure,
    Section,
    Table,
    chart_value,
)
from panorama.compute import indicators
from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.core.formatting import SECRET, fmt_int, fmt_pct
from panorama.core.publications import PUBLICATIONS
from panorama.input.dataset import Dataset, QualityReport
from panorama.protect.confidentiality import Identity, Partition, Rule, identity

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

    def published(self, secret: frozenset[Identity]) -> StudyResults:
        """The study as published, ``secret`` being the secret cells of the year
        (:func:`panorama.protect.confidentiality.protect_edition`)."""
        tables = {name: dataclasses.replace(t, frame=_protect(t, secret, self.config.rule))
                  for name, t in self.tables.items()}
        return dataclasses.replace(self, tables=tables)


def _protect(table: StudyTable, secret: frozenset[Identity], rule: Rule) -> pd.DataFrame:
    """The rows of ``table`` once the year's ``secret`` cells are known: a row whose cell
    is secret (or, without a cell, counting ``0 < participants < seuil``) keeps its keys
    and labels and has its figures blank; a value computed from a secret cell is blank
    too (see :class:`StudyTable`); ``secret`` is true on every row with a blank figure."""
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


def study_results(study: str, history: Mapping[int, Dataset], config: Config, example: bool,
                  tables: Sequence[StudyTable], *, title: str | None = None,
                  subject: str | None = None) -> StudyResults:
    """The results of ``study`` for the last year of ``history``, before statistical secrecy."""
    year = max(history)
    return StudyResults(study=study, title=title or PUBLICATIONS[study].title, year=year, years=sorted(history),
                        config=config, example=example, quality=history[year].quality,
                        tables={t.name: t for t in tables}, subject=subject)


def group_cells(frame: pd.DataFrame, groups: Mapping[str, tuple[tuple[str, str], ...]], year: int, *,
                scope: str, partition: bool) -> dict:
    """The cells, partitions and dependencies (:class:`StudyTable` fields) of a
    :func:`group_breakdowns` table (``annee`` column: one year per row, else ``year``).
    ``groups``: the conditions that define each group's population (women:
    ``(("sexe", "F"),)``); a cell by type of structure or contract carries its
    :data:`FIRMS` (dropped when the table is published); ``scope`` names the bands of
    ``heures_par_participant``, which depend on the group. Each group's categories split
    the group; when ``partition``, the groups split each category (participant-level groups)."""
    years = frame["annee"].astype(int).tolist() if "annee" in frame else [year] * len(frame)
    cells, whole, category = [], [], []
    members: dict[tuple[Identity, str], list[Identity]] = defaultdict(list)
    firms = zip(*(frame[c] if c in frame else [np.nan] * len(frame) for c in FIRMS))
    for y, g, d, c, people, hours, companies in zip(years, frame["groupe"], frame["dimension"], frame["code"],
                                                    frame["participants"], frame["heures"], firms):
        own = identity(y, *groups[g])
        name = own if d == ALL else identity(y, *groups[g], (d, c), *(
            [("bandes", f"{scope}:{g}")] if not _across(d) else []))
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


def dimension_label(name: str) -> str:
    """French title of a breakdown of :data:`panorama.core.catalogue.DIMENSIONS`."""
    return catalogue.dimension(name).title


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


# --- documents ------------------------------------------------------------------------------------

def figure_label(code: str) -> str:
    """French label of a key-figure code of :func:`group_figures`, capitalised."""
    return catalogue.indicator_label(code)


def known_share(rows: pd.DataFrame, group: str, measure: str = "participants"):
    """Share of ``group``'s ``measure`` whose value is known in one breakdown (``rows``:
    :func:`group_breakdowns` rows of one dimension): one minus the shares of its unknown
    categories (« Non renseigné », « … inconnue »); :data:`SECRET` when one of them is secret."""
    apart = rows[(rows["groupe"] == group) & rows["code"].isin(UNKNOWN_CODES)][f"part_{measure}"]
    if any(value is SECRET for value in apart):
        return SECRET
    return 1.0 - float(sum(apart))


def figure_kind(code: str) -> str:
    """Formatting kind of a key-figure code of :func:`group_figures`."""
    return catalogue.key_figure(code).format


def value_of(frame: pd.DataFrame, **where):
    """The ``valeur`` of the one row of ``frame`` matching ``where`` (column = value), as
    shown (:data:`~panorama.core.formatting.SECRET` when withheld); NaN when there is no such row."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    rows = frame[mask]
    return rows.iloc[0]["valeur"] if len(rows) else math.nan


def figures_table(frame: pd.DataFrame, codes: Sequence[str], caption: str, note: str = "") -> Table:
    """Table of :func:`group_figures` rows: one row per indicator, one column per group; the
    note names the denominator of each share computed on the participants whose value is known."""
    groups = list(dict.fromkeys(zip(frame["groupe"], frame["libelle_groupe"])))
    rows = []
    for code in codes:
        kind = figure_kind(code)
        rows.append([figure_label(code), *[(value_of(frame, groupe=g, indicateur=code), kind) for g, _ in groups]])
    on_known = [f"{figure_label(code)[:1].lower()}{figure_label(code)[1:]} : {denominator.known}" for code in codes
                if (denominator := catalogue.key_figure(code).denominator) is not None and denominator.known]
    if on_known:
        note = f"{note} Parts calculées sur les seuls participants dont la valeur est connue ({' ; '.join(on_known)})."
    return Table(caption=caption, columns=[Column("Indicateur"), *[Column(label, "mixte") for _, label in groups]],
                 rows=rows, note=note.strip())


def figure_cards(frame: pd.DataFrame, group: str, codes: Sequence[str], labels: Mapping[str, str]) -> list[Card]:
    """Key-figure cards of one group of :func:`group_figures` (``labels``: code → card label)."""
    return [Card(label=labels[code], value=value_of(frame, groupe=group, indicateur=code), kind=figure_kind(code))
            for code in codes]


def known(value) -> bool:
    """Whether ``value`` is published and defined (neither secret nor missing)."""
    return value is not None and value is not SECRET and not (isinstance(value, float) and math.isnan(value))


def yearly(rows: pd.DataFrame, column: str, years: Sequence[int]) -> dict[str, list]:
    """``column`` of rows (with ``annee`` and ``libelle``) as one list per label over ``years``
    (NaN for a year without the row), ready for a line chart (secret values not drawn)."""
    values = rows.set_index(["libelle", "annee"])[column]
    return {label: [chart_value(values.get((label, year), math.nan)) for year in years]
            for label in dict.fromkeys(rows["libelle"])}


def _group_values(rows: pd.DataFrame, groups: Sequence[tuple[str, str]],
                  column: str) -> tuple[list[tuple[str, str]], dict[str, list]]:
    """Codes and labels of the categories of ``rows`` (one dimension), and ``column``
    of each group for each of them."""
    codes = list(dict.fromkeys(zip(rows["code"], rows["libelle"])))
    values = {}
    for group, label in groups:
        mine = rows[rows["groupe"] == group].set_index("code")[column]
        values[label] = [mine.get(code, math.nan) for code, _ in codes]
    return codes, values


def _shares_table(codes: list[tuple[str, str]], shares: dict[str, list], caption: str, note: str) -> Table:
    return Table(caption=caption, columns=[Column("Catégorie"), *[Column(label, "part") for label in shares]],
                 rows=[[lab, *[shares[label][i] for label in shares]] for i, (_, lab) in enumerate(codes)],
                 note=note)


def _known_basis(rows: pd.DataFrame, groups: Sequence[tuple[str, str]], measure: str, note: str,
                 apart: tuple[str, ...] = UNKNOWN_CODES, basis: str = "Parts calculées sur les valeurs connues"
                 ) -> tuple[list[tuple[str, str]], dict[str, list], dict[str, list], str]:
    """The known categories of one breakdown (``rows``: :func:`group_breakdowns` rows of one
    dimension), ``measure`` and its shares in each group, and the note of a chart of them.

    The unknown values (« Non renseigné », « … inconnue ») are not parts of the distribution, as
    in the panorama's bars: the shares are on the known values (on the whole, as published, for a
    group with a secret category) and the note gives the unknown ones, group by group; ``apart``:
    the codes set aside (``basis``: what the shares are calculated on)."""
    unknown = rows["code"].isin(apart)
    codes, counts = _group_values(rows[~unknown], groups, measure)
    _, published = _group_values(rows[~unknown], groups, f"part_{measure}")
    if not unknown.any():
        return codes, counts, published, note or f"Part des {measure} de chaque groupe."
    exact, shares = {}, {}
    for label, values in counts.items():
        total = sum(v for v in values if known(v))
        exact[label] = total > 0 and all(known(v) or (isinstance(v, float) and math.isnan(v)) for v in values)
        shares[label] = [v / total if known(v) else v for v in values] if exact[label] else published[label]
    aside, aside_shares = _group_values(rows[unknown], groups, f"part_{measure}")
    listing = " ; ".join(lab.lower() + " " + ", ".join(
        f"{fmt_pct(values[i]) if values[i] is not SECRET else 'secret'} ({label[:1].lower()}{label[1:]})"
        for label, values in aside_shares.items()) for i, (_, lab) in enumerate(aside))
    if not all(exact.values()):
        basis += " (sur l'ensemble pour un groupe dont une case est secrète)"
    return codes, counts, shares, f"{note} {basis} ; hors graphique, part des {measure} : {listing}.".strip()


def known_share_of(rows: pd.DataFrame, group: str, code: str, measure: str = "participants"):
    """The share of category ``code`` in ``group``'s ``measure``, on the known values as the
    charts of :func:`composition_figure` and :func:`distribution_figure` draw it."""
    codes, _, shares, _ = _known_basis(rows, [(group, group)], measure, "")
    found = [i for i, (c, _) in enumerate(codes) if c == code]
    return shares[group][found[0]] if found else math.nan


def distribution_figure(b, rows: pd.DataFrame, groups: Sequence[tuple[str, str]], title: str, subject: str,
                        caption: str, *, measure: str = "participants", note: str = "") -> Figure | Table:
    """Horizontal bars of how the first of ``groups`` spreads over the known categories of one
    breakdown (``rows``: :func:`group_breakdowns` rows of one dimension; ``groups``: code,
    label; ``measure``: the counts whose shares are drawn, unknown values apart:
    :func:`_known_basis`), with the table of the shares of every group; the table alone when
    nothing can be drawn."""
    codes, _, shares, full_note = _known_basis(rows, groups, measure, note)
    table = _shares_table(codes, shares, caption, full_note)
    return b.figure(title, figspec.bars(
        [lab for _, lab in codes], [chart_value(v) for v in shares[groups[0][1]]], subject=subject,
        unit="part", colour=b.config.couleur_principale), table,
        full_note if rows["code"].isin(UNKNOWN_CODES).any() else note)


def composition_figure(b, rows: pd.DataFrame, groups: Sequence[tuple[str, str]], title: str, subject: str,
                       caption: str, *, measure: str = "participants", note: str = "") -> Figure | Table:
    """100 % stacked bars, one per group, of the known categories of one breakdown
    (``rows``: :func:`group_breakdowns` rows of one dimension; ``groups``: code, label;
    ``measure``: the counts stacked, unknown values apart: :func:`_known_basis`), with the
    table of the shares in each group; the table alone when nothing can be drawn."""
    apart, basis = UNKNOWN_CODES, "Parts calculées sur les valeurs connues"
    if (rows["dimension"] == "duree_contrat").all():  # a running contract has no length yet
        apart, basis = (*UNKNOWN_CODES, catalogue.EN_COURS[0]), "Parts calculées sur les contrats terminés"
    codes, counts, shares, full_note = _known_basis(rows, groups, measure, note, apart, basis)
    table = _shares_table(codes, shares, caption, full_note)
    note = full_note if rows["code"].isin(apart).any() else note
    series = {lab: [chart_value(counts[label][i]) for label in counts] for i, (_, lab) in enumerate(codes)}
    return b.figure(title, figspec.stacked(list(counts), series, subject=subject, colour=b.config.couleur_principale),
                    table, note)


def share_figure(b, rows: pd.DataFrame, group: str, title: str, subject: str, caption: str, *,
                 count_label: str, share_label: str, width: float | None = None, note: str = "") -> Figure | Table:
    """Horizontal bars of one group's share of each category of a breakdown
    (``part_participants_categorie`` of :func:`group_breakdowns` rows of one dimension),
    with the table of the group's participants behind; the table alone when nothing can be drawn.
    The unknown values (« Non renseigné », « … inconnu ») are not categories of the chart."""
    mine = rows[(rows["groupe"] == group) & ~rows["code"].isin(UNKNOWN_CODES)]
    table = Table(caption=caption, columns=[Column("Catégorie"), Column(count_label, "nombre"),
                                            Column(share_label, "part")],
                  rows=[[r.libelle, r.participants, r.part_participants_categorie] for r in mine.itertuples()],
                  note=note)
    return b.figure(title, figspec.bars(
        list(mine["libelle"]), [chart_value(v) for v in mine["part_participants_categorie"]], subject=subject,
        unit="part", colour=b.config.couleur_principale, width_cm=width or figspec.FULL_WIDTH_CM), table, note)


def evolution_section(b, r: StudyResults, table: str, group: str, who: str, key: str, column: str,
                      title: str, subject: str) -> Section:
    """The « Évolution » section of a study comparing groups (``table``: its
    :func:`group_breakdowns` rows of every year): the share of ``group`` (``who``: « des
    femmes ») among the participants and in the hours, then ``column`` of the group for
    each contract group (IAE, alternance, others), year by year; ``key``: the text's key."""
    rows = r.table(table)
    mine = rows[(rows["groupe"] == group) & (rows["dimension"] == ALL)]
    years = [int(y) for y in mine["annee"]]
    labels = [str(y) for y in years]
    summary = Table(caption=f"Part {who} parmi les participants, par année",
                    columns=[Column("Année"), Column("Participants", "nombre"),
                             Column("Part des participants", "part"), Column("Part des heures", "part")],
                    rows=[[str(x.annee), x.participants, x.part_participants_categorie, x.part_heures_categorie]
                          for x in mine.itertuples()])
    if len(years) < 2:
        return Section("evolution", "Évolution", [b.text(
            key, f"Les données des années antérieures à {r.year} ne sont pas disponibles : l'évolution sera "
                 "présentée dans les prochaines éditions."), summary])
    shares = {"Part des participants": list(mine["part_participants_categorie"]),
              "Part des heures": list(mine["part_heures_categorie"])}
    by_group = yearly(rows[(rows["groupe"] == group) & (rows["dimension"] == "groupe_contrat")], column, years)
    detail = Table(caption=f"{title}, par année", columns=[Column("Groupe de contrats"),
                                                          *[Column(y, "part") for y in labels]],
                   rows=[[label, *values] for label, values in by_group.items()])
    first, last = shares["Part des participants"][0], shares["Part des participants"][-1]
    change = mine.iloc[-1]["evolution_part_categorie"]
    text = (f"De {years[0]} à {years[-1]}, la part {who} parmi les participants est passée de {fmt_pct(first)} à "
            f"{fmt_pct(last)}" + (f" ({fmt_points(change)} sur la dernière année)" if known(change) else "") + ".")
    return Section("evolution", "Évolution", [
        b.text(key, text),
        b.figure(f"Part {who} par année", figspec.lines(
            labels, {name: [chart_value(v) for v in values] for name, values in shares.items()},
            subject=f"Part {who} parmi les participants et dans les heures, par année", unit="part",
            colour=r.config.couleur_principale), summary),
        b.figure(title, figspec.lines(labels, by_group, subject=subject, unit="part",
                                      colour=r.config.couleur_principale), detail),
    ])


def category_rows(results: StudyResults, table: str, dimension: str, *, year: int | None = None,
                  group: str | None = None) -> pd.DataFrame:
    """Rows of the :func:`group_breakdowns` table ``table`` for one dimension and one year
    (the study's by default), of one group or all."""
    rows = results.table(table)
    mask = rows["dimension"] == dimension
    if "annee" in rows:
        mask &= rows["annee"] == (year or results.year)
    if group is not None:
        mask &= rows["groupe"] == group
    return rows[mask]


def document(results: StudyResults, b, sections: list[Section], subtitle: str) -> Document:
    """The study's :class:`~panorama.compose.document.Document`: cover, contents and ``sections``
    in the panorama's look, the glossary of its acronyms in its methodology, its colophon last."""
    from panorama.compose.composer import logo_uri

    config = results.config
    for section in sections:
        if section.id == "methodologie":  # the acronyms the study uses, spelled out
            section.blocks.append(editorial.glossary(sections))
    sections = [*sections, editorial.colophon(config, results.year)]
    return Document(
        title=results.title, subtitle=subtitle, year=results.year, region=config.region_nom,
        observatory=config.observatoire_nom, publisher=config.observatoire_porteur, sections=sections,
        example=results.example, publication_date=config.date_publication, logo_uri=logo_uri(config.logo),
        primary_colour=config.couleur_principale, source_line=b.source,
        kicker=f"Étude thématique — panorama des clauses sociales {config.region_dans}")


def methodology(b, results: StudyResults, definitions: str, extra: Sequence = ()) -> Section:
    """The methodology section every study ends with: sources and perimeter, the study's
    own ``definitions``, ``extra`` blocks, confidentiality, excluded rows and open data."""
    config, year = results.config, results.year
    prefix = f"etude_{results.study.replace('-', '_')}"
    excluded = [(t.table, t.rows_excluded) for t in results.quality.tables.values() if t.rows_excluded]
    quality = ("Aucune ligne des données n'a été écartée." if not excluded else
               "Lignes écartées des données : " + " ; ".join(f"{editorial.table_name(table).lower()} : "
                                                             f"{fmt_int(n)}" for table, n in excluded)
               + " (motifs détaillés dans la méthodologie du panorama).")
    first = results.years[0]
    return Section("methodologie", "Méthodologie", [
        b.text(f"{prefix}_methodologie_sources", (
            f"Cette étude exploite les données de suivi des clauses sociales transmises par les facilitateurs "
            f"{config.region_dans} pour l'année {year}"
            + (f" et, pour les évolutions, celles des années {first} à {year - 1}" if first < year else "")
            + ". Ses chiffres sont calculés comme ceux du panorama annuel : mêmes définitions, mêmes "
              "nomenclatures ; les heures sont celles réalisées pendant l'année civile et un contrat est "
              "rattaché au département où s'exécute son opération. " + quality)),
        b.text(f"{prefix}_methodologie_definitions", definitions),
        *extra,
        b.text(f"{prefix}_methodologie_secret", (
            "Les tableaux de cette étude sont soumis à la même règle de secret statistique que le panorama : "
            "une valeur qui n'est pas publiée est signalée comme telle. Aucune donnée nominative n'est "
            "publiée et les entreprises ne sont jamais nommées.")),
        b.text(f"{prefix}_methodologie_donnees", (
            "Données ouvertes : chaque tableau de l'étude est publié "
            + (f"à l'adresse {config.donnees_url} " if config.donnees_url else "avec elle ")
            + f"(fichiers CSV décrits par un fichier datapackage.json), sous {config.licence}.")),
    ])
