"""Study « femmes »: the place of women among the participants of social clauses.

The document; the tables it shows are computed by :mod:`panorama.compute.studies.femmes`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from panorama.compose import commentary
from panorama.compose.commentary import Texts
from panorama.compose.composer import HALF, Composer
from panorama.compose.document import Card, Cards, Column, Document, Section, Table
from panorama.compose.studies import common
from panorama.compute.studies.common import ALL, StudyResults
from panorama.compute.studies.femmes import FIGURES, PARITY_MIN_PARTICIPANTS, TABLE
from panorama.core import referential
from panorama.core.formatting import fmt_count, fmt_pct


def _rows(results: StudyResults, dimension: str, year: int | None = None) -> pd.DataFrame:
    return common.category_rows(results, TABLE, dimension, year=year)


def _women(results: StudyResults, dimension: str = ALL, year: int | None = None) -> pd.DataFrame:
    return common.category_rows(results, TABLE, dimension, year=year, group="F")


def _share_bar(b: Composer, results: StudyResults, dimension: str, title: str, width: float | None = None):
    label = common.dimension_label(dimension).lower()
    return common.share_figure(b, _rows(results, dimension), "F", title,
                               subject=f"Part des femmes parmi les participants, par {label}",
                               caption=f"Part des femmes par {label}, {results.year}", width=width,
                               count_label="Participantes", share_label="Part des femmes")


def _section_summary(b: Composer, r: StudyResults) -> Section:
    women = _women(r).iloc[0]
    evolution = women["evolution_part_categorie"]
    trend = commentary.trend(evolution, r.year - 1, "part_femmes")
    text = (f"En {r.year}, {fmt_count(women['participants'], 'femme')} ont travaillé au titre d'une clause sociale "
            f"{r.config.region_dans}, soit {fmt_pct(women['part_participants_categorie'])} des participants ; "
            f"elles ont réalisé {fmt_pct(women['part_heures_categorie'])} des heures d'insertion"
            + (f" (part des femmes {trend})" if trend else "") + ".")
    figures = r.table("chiffres_cles_femmes_hommes")
    cards = [
        Card("de femmes parmi les participants", women["part_participants_categorie"], "part",
             evolution=commentary.evolution_text("part_femmes", evolution),
             direction=commentary.direction(evolution, "part_femmes")),
        Card("participantes", women["participants"], "nombre"),
        Card("des heures réalisées par des femmes", women["part_heures_categorie"], "part"),
        *common.figure_cards(figures, "F", ["part_sortie_emploi_durable"],
                             {"part_sortie_emploi_durable": "des participantes en emploi durable six mois après"}),
    ]
    known = common.known_share(_rows(r, "situation_sortie"), "F")
    cards[-1] = dataclasses.replace(cards[-1], detail=f"parmi les {fmt_pct(known)} dont la situation est connue")
    table = common.figures_table(figures, FIGURES, f"Les femmes et les hommes en chiffres, {r.year}",
                                 note="Heures et contrats de l'année ; parts calculées dans chaque groupe.")
    return Section("essentiel", "L'essentiel", [b.text("etude_femmes_essentiel", text),
                                                Cards("Les femmes en " + str(r.year), cards), table])


def _section_operations(b: Composer, r: StudyResults) -> Section:
    nature = _women(r, "nature")
    nature = nature[nature["part_participants_categorie"].map(common.known)]
    top = nature.sort_values("part_participants_categorie", ascending=False).iloc[0] if len(nature) else None
    text = ("La part des femmes varie fortement selon le type d'opération"
            + (f" : elle atteint {fmt_pct(top['part_participants_categorie'])} sur les marchés de "
               f"{top['libelle'].lower()}" if top is not None else "")
            + ". Les graphiques suivants la donnent pour chaque nature de marché, modalité juridique, secteur "
              "d'activité, type de donneur d'ordre et département d'exécution, puis selon le type de contrat et la "
              "structure qui emploie, qui reflètent les métiers exercés.")
    return Section("operations", "Où travaillent les femmes", [
        b.text("etude_femmes_operations", text),
        _share_bar(b, r, "nature", "Part des femmes selon la nature du marché"),
        _share_bar(b, r, "modalite", "Part des femmes selon la modalité juridique"),
        _share_bar(b, r, "secteur", "Part des femmes selon le secteur d'activité"),
        _share_bar(b, r, "type_donneur_ordre", "Part des femmes selon le type de donneur d'ordre"),
        _map(b, r),
        _share_bar(b, r, "type_contrat", "Part des femmes selon le type de contrat"),
        _share_bar(b, r, "type_structure", "Part des femmes selon le type de structure"),
    ])


def _map(b: Composer, r: StudyResults):
    departements = _women(r, "departement_execution")
    values = {x.code: x.part_participants_categorie for x in departements.itertuples()}
    table = Table(caption=f"Part des femmes par département d'exécution, {r.year}",
                  columns=[Column("Département"), Column("Participantes", "nombre"),
                           Column("Part des femmes", "part")],
                  rows=[[x.libelle, x.participants, x.part_participants_categorie] for x in departements.itertuples()
                        if x.code in r.config.departements])
    leader = max(((v, k) for k, v in values.items() if k in r.config.departements and common.known(v)),
                 default=None)
    title = "Part des femmes par département d'exécution"
    if leader is not None:
        title = (f"Part des femmes par département d'exécution : {fmt_pct(leader[0])} "
                 f"{referential.departement_in(leader[1])}, la plus élevée")
    return b.map(title, values, "Part des femmes", "part", table)


def _section_parity(b: Composer, r: StudyResults) -> Section:
    ops = r.table("parite_operations")
    table = Table(caption=f"Les opérations les plus proches de la parité, {r.year}",
                  columns=[Column("Opération"), Column("Donneur d'ordre", "texte"), Column("Nature", "texte"),
                           Column("Participants", "nombre"), Column("Part des femmes", "part")],
                  rows=[[x.intitule or x.operation_id, x.donneur_ordre, referential.label("nature", x.nature),
                         x.participants, x.part_femmes]
                        for x in ops.itertuples()],
                  note=f"Opérations comptant au moins {PARITY_MIN_PARTICIPANTS} participants dans l'année.")
    text = (f"Parmi les opérations comptant au moins {PARITY_MIN_PARTICIPANTS} participants dans l'année, "
            + (f"voici celles dont la part des femmes est la plus proche de 50 % ; la première en compte "
               f"{fmt_pct(ops.iloc[0]['part_femmes'])}." if len(ops) else "aucune ne peut être classée.")
            + " Le même classement est fait pour les catégories d'opérations et les types de structure.")
    ranked = r.table("parite_categories")
    categories = Table(
        caption=f"Les catégories les plus proches de la parité, {r.year}",
        columns=[Column("Catégorie"), Column("Répartition", "texte"), Column("Participants", "nombre"),
                 Column("Part des femmes", "part")],
        rows=[[x.libelle, common.dimension_label(x.dimension), x.participants, x.part_femmes]
              for x in ranked.itertuples()],
        note=f"Catégories d'opérations et types de structure comptant au moins {PARITY_MIN_PARTICIPANTS} "
             "participants, de la plus proche à la plus éloignée d'une part des femmes de 50 %.")
    return Section("parite", "Au plus près de la parité", [
        b.text("etude_femmes_parite", text), *[t for t in (table, categories) if t.rows]])


def _section_profile(b: Composer, r: StudyResults) -> Section:
    ages = _women(r, "tranche_age").set_index("code")["part_participants_categorie"]
    text = (f"Les femmes représentent {fmt_pct(ages.get('MOINS_26'))} des participants de moins de 26 ans, "
            f"{fmt_pct(ages.get('26_49'))} des 26 à 49 ans et {fmt_pct(ages.get('50_PLUS'))} des 50 ans et plus.")
    return Section("profil", "Le profil des participantes", [
        b.text("etude_femmes_profil", text),
        _share_bar(b, r, "tranche_age", "Part des femmes selon l'âge", width=HALF),
        _share_bar(b, r, "niveau_qualification", "Part des femmes selon la qualification", width=HALF),
        _share_bar(b, r, "critere_principal", "Part des femmes selon le critère principal d'éligibilité"),
    ])


def _section_pathways(b: Composer, r: StudyResults) -> Section:
    figures = r.table("chiffres_cles_femmes_hommes")
    groups = [("F", "Femmes"), ("M", "Hommes")]

    def value(group: str, code: str):
        return common.value_of(figures, groupe=group, indicateur=code)

    exits = _rows(r, "situation_sortie")

    text = (f"Un contrat de femme porte en moyenne {fmt_count(value('F', 'heures_par_contrat'), 'heure')} "
            f"contre {fmt_count(value('M', 'heures_par_contrat'), 'heure')} pour un homme ; la durée médiane des "
            f"contrats terminés est de {fmt_count(value('F', 'duree_mediane_jours'), 'jour')} pour les femmes et "
            f"de {fmt_count(value('M', 'duree_mediane_jours'), 'jour')} pour les hommes. Six mois après leur "
            f"dernier contrat, {fmt_pct(value('F', 'part_sortie_emploi_durable'))} des femmes et "
            f"{fmt_pct(value('M', 'part_sortie_emploi_durable'))} des hommes dont la situation est connue occupent "
            f"un emploi durable ; la situation n'est connue que pour {fmt_pct(common.known_share(exits, 'F'))} des "
            f"femmes et {fmt_pct(common.known_share(exits, 'M'))} des hommes.")
    return Section("parcours", "Les contrats des femmes et des hommes", [
        b.text("etude_femmes_parcours", text),
        common.composition_figure(b, _rows(r, "duree_contrat"), groups, "Durée des contrats terminés",
                                  "Répartition des contrats par durée, femmes et hommes",
                                  f"Contrats par durée, femmes et hommes, {r.year}", measure="contrats"),
        common.composition_figure(b, _rows(r, "heures_par_participant"), groups,
                                  "Heures réalisées dans l'année par participant",
                                  "Répartition des participants par heures réalisées, femmes et hommes",
                                  f"Participants par heures réalisées, femmes et hommes, {r.year}"),
        common.composition_figure(b, exits, groups,
                                  "Situation six mois après le dernier contrat",
                                  "Situation six mois après le dernier contrat, femmes et hommes",
                                  f"Situation six mois après le dernier contrat, femmes et hommes, {r.year}"),
    ])


def document(results: StudyResults, texts: Texts) -> Document:
    """The study « femmes » as a :class:`~panorama.compose.document.Document`."""
    b = Composer(results, texts)
    definitions = (
        "Part des femmes d'une catégorie : participantes ayant au moins un contrat dans la catégorie ÷ "
        "participants ayant au moins un contrat dans la catégorie (une personne dont les contrats relèvent de "
        "plusieurs catégories compte dans chacune). Part des heures : heures des contrats des femmes ÷ heures "
        "de la catégorie. Les répartitions des femmes et des hommes (durée des contrats, heures par participant, "
        "situation six mois après) se lisent dans chaque groupe : elles totalisent 100 % pour chaque sexe ; les "
        "valeurs inconnues ou non renseignées sont données à part, en note, et les parts sont calculées sur les "
        "valeurs connues (pour la durée, sur les contrats terminés). "
        "Durée d'un contrat : du premier au dernier jour, pour les contrats terminés au 31 décembre.")
    sections = [_section_summary(b, results), _section_operations(b, results), _section_parity(b, results),
                _section_profile(b, results), _section_pathways(b, results),
                common.evolution_section(b, results, TABLE, "F", "des femmes", "etude_femmes_evolution",
                                         "part_participants_categorie", "Part des femmes par groupe de contrats",
                                         "Part des femmes parmi les participants, par groupe de contrats et par année"),
                common.methodology(b, results, definitions)]
    return common.document(results, b, sections, f"Part des femmes, contrats et parcours en {results.year}")
