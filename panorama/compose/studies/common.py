"""The pieces of the studies' documents: tables and cards of key figures, distribution,
composition and share charts, the evolution and methodology sections, the document itself.
The studies' tables are computed by :mod:`panorama.compute.studies`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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
from panorama.compute.studies.common import ALL, StudyResults
from panorama.core import catalogue
from panorama.core.formatting import SECRET, fmt_int, fmt_pct

# --- documents ------------------------------------------------------------------------------------

def dimension_label(name: str) -> str:
    """French title of a breakdown of :data:`panorama.core.catalogue.DIMENSIONS`."""
    return catalogue.dimension(name).title


def figure_label(code: str) -> str:
    """French label of a key-figure code of :func:`~panorama.compute.studies.common.group_figures`, capitalised."""
    return catalogue.indicator_label(code)


def known_share(rows: pd.DataFrame, group: str, measure: str = "participants"):
    """Share of ``group``'s ``measure`` whose value is known in one breakdown (``rows``:
    :func:`~panorama.compute.studies.common.group_breakdowns` rows of one dimension): one minus the shares of its unknown
    categories (« Non renseigné », « … inconnue »); :data:`SECRET` when one of them is secret."""
    apart = rows[(rows["groupe"] == group) & rows["code"].isin(UNKNOWN_CODES)][f"part_{measure}"]
    if any(value is SECRET for value in apart):
        return SECRET
    return 1.0 - float(sum(apart))


def figure_kind(code: str) -> str:
    """Formatting kind of a key-figure code of :func:`~panorama.compute.studies.common.group_figures`."""
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
    """Table of :func:`~panorama.compute.studies.common.group_figures` rows: one row per indicator, one column per group; the
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
    """Key-figure cards of one group of :func:`~panorama.compute.studies.common.group_figures` (``labels``: code → card label)."""
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
    """The known categories of one breakdown (``rows``: :func:`~panorama.compute.studies.common.group_breakdowns` rows of one
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
    breakdown (``rows``: :func:`~panorama.compute.studies.common.group_breakdowns` rows of one dimension; ``groups``: code,
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
    (``rows``: :func:`~panorama.compute.studies.common.group_breakdowns` rows of one dimension; ``groups``: code, label;
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
    (``part_participants_categorie`` of :func:`~panorama.compute.studies.common.group_breakdowns` rows of one dimension),
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
    :func:`~panorama.compute.studies.common.group_breakdowns` rows of every year): the share of ``group`` (``who``: « des
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
    """Rows of the :func:`~panorama.compute.studies.common.group_breakdowns` table ``table`` for one dimension and one year
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
