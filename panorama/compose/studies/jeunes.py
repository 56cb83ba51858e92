"""Study « jeunes »: participants under 26 (25 or younger in the year, the

The document; the tables it shows are computed by :mod:`panorama.compute.studies.jeunes`.
"""

from __future__ import annotations

import pandas as pd

from panorama.compose import commentary
from panorama.compose.commentary import Texts
from panorama.compose.composer import Composer
from panorama.compose.document import Card, Cards, Column, Document, Section, Table
from panorama.compose.studies import common
from panorama.compute.studies.common import ALL, StudyResults
from panorama.compute.studies.jeunes import FIGURES, GROUPS, OTHERS, TABLE, YOUNG
from panorama.core import referential
from panorama.core.formatting import fmt_count, fmt_pct


def _rows(r: StudyResults, dimension: str, year: int | None = None, group: str | None = None) -> pd.DataFrame:
    return common.category_rows(r, TABLE, dimension, year=year, group=group)


def _share(r: StudyResults, dimension: str, code: str, group: str = YOUNG):
    """The share of one category among one group's participants whose value is known, as the
    charts draw it (NaN when the group has no such row)."""
    return common.known_share_of(_rows(r, dimension), group, code)


def _coverage(r: StudyResults, dimension: str, group: str = YOUNG):
    """The share of one group's participants whose value is known in ``dimension``."""
    return common.known_share(_rows(r, dimension), group)


def _section_summary(b: Composer, r: StudyResults) -> Section:
    young = _rows(r, ALL, group=YOUNG)
    share = young.iloc[0]["part_participants_categorie"] if len(young) else None
    evolution = young.iloc[0]["evolution_part_categorie"] if len(young) else None
    trend = commentary.trend(evolution, r.year - 1, "part_moins_26")
    figures = r.table("chiffres_cles_jeunes")
    mission = _share(r, "prescripteur", "MISSION_LOCALE")
    text = (f"En {r.year}, {fmt_count(young.iloc[0]['participants'] if len(young) else 0, 'jeune')} de moins de "
            f"26 ans ont travaillé au titre d'une clause sociale {r.config.region_dans}, soit {fmt_pct(share)} des "
            "participants" + (f" ({trend})" if trend else "")
            + f". L'alternance porte "
              f"{fmt_pct(common.value_of(figures, groupe=YOUNG, indicateur='part_heures_alternance'))} de leurs "
              f"heures ; {fmt_pct(mission)} de ceux dont le prescripteur est connu ont été orientés par une mission "
              "locale.")
    cards = [
        Card("de moins de 26 ans parmi les participants", share, "part",
             evolution=commentary.evolution_text("part_moins_26", evolution),
             direction=commentary.direction(evolution, "part_moins_26")),
        Card("participants de moins de 26 ans", young.iloc[0]["participants"] if len(young) else 0, "nombre"),
        Card("des heures réalisées par des moins de 26 ans",
             young.iloc[0]["part_heures_categorie"] if len(young) else None, "part"),
        Card("des jeunes orientés par une mission locale", mission, "part",
             detail=f"parmi les {fmt_pct(_coverage(r, 'prescripteur'))} dont le prescripteur est connu"),
    ]
    table = common.figures_table(figures, FIGURES, f"Les moins de 26 ans en chiffres, {r.year}",
                                 note="Heures et contrats de l'année ; parts calculées dans chaque groupe.")
    return Section("essentiel", "L'essentiel", [b.text("etude_jeunes_essentiel", text),
                                                Cards(f"Les jeunes en {r.year}", cards), table])


def _section_profile(b: Composer, r: StudyResults) -> Section:
    text = (f"Parmi les participants dont le niveau de qualification est connu, "
            f"{fmt_pct(_share(r, 'niveau_qualification', 'INFRA_3'))} des moins de 26 ans n'ont aucune qualification "
            f"reconnue (niveau infra 3), contre {fmt_pct(_share(r, 'niveau_qualification', 'INFRA_3', OTHERS))} des "
            f"26 ans et plus ; {fmt_pct(_share(r, 'niveau_qualification', '3'))} des moins de 26 ans ont un CAP ou un "
            f"BEP (niveau 3). Le niveau est connu pour {fmt_pct(_coverage(r, 'niveau_qualification'))} des moins de "
            f"26 ans et {fmt_pct(_coverage(r, 'niveau_qualification', OTHERS))} des 26 ans et plus.")
    return Section("profil", "Qualification et profil", [
        b.text("etude_jeunes_profil", text),
        common.composition_figure(b, _rows(r, "niveau_qualification"), GROUPS, "Niveau de qualification",
                                  "Répartition des participants par niveau de qualification, par âge",
                                  f"Participants par niveau de qualification, par âge, {r.year}"),
        common.composition_figure(b, _rows(r, "sexe"), GROUPS, "Femmes et hommes",
                                  "Répartition des participants par sexe, par âge",
                                  f"Participants par sexe, par âge, {r.year}"),
        common.distribution_figure(b, _rows(r, "critere_principal"), GROUPS,
                                   "Critère principal d'éligibilité des moins de 26 ans",
                                   "Répartition des participants de moins de 26 ans par critère principal",
                                   f"Participants par critère principal d'éligibilité, par âge, {r.year}"),
    ])


def _section_contracts(b: Composer, r: StudyResults) -> Section:
    figures = r.table("chiffres_cles_jeunes")

    def value(group: str, code: str):
        return common.value_of(figures, groupe=group, indicateur=code)

    text = (f"L'alternance porte {fmt_pct(value(YOUNG, 'part_heures_alternance'))} des heures des moins de 26 ans, "
            f"contre {fmt_pct(value(OTHERS, 'part_heures_alternance'))} de celles des 26 ans et plus. Un jeune a "
            f"réalisé en moyenne {fmt_count(value(YOUNG, 'heures_par_participant'), 'heure')} dans l'année "
            f"(contre {fmt_count(value(OTHERS, 'heures_par_participant'), 'heure')}) ; la durée médiane de ses "
            f"contrats terminés est de {fmt_count(value(YOUNG, 'duree_mediane_jours'), 'jour')}.")
    return Section("contrats", "Contrats, alternance et heures", [
        b.text("etude_jeunes_contrats", text),
        common.composition_figure(b, _rows(r, "groupe_contrat"), GROUPS, "Heures par groupe de contrats",
                                  "Répartition des heures par groupe de contrats, par âge",
                                  f"Heures par groupe de contrats, par âge, {r.year}", measure="heures",
                                  note="Alternance : apprentissage, professionnalisation, GEIQ. IAE : intérim "
                                       "d'insertion, mise à disposition par une AI, CDDI."),
        common.share_figure(b, _rows(r, "type_contrat"), YOUNG, "Part des moins de 26 ans selon le type de contrat",
                            "Part des moins de 26 ans parmi les participants, par type de contrat",
                            f"Part des moins de 26 ans par type de contrat, {r.year}",
                            count_label="Participants de moins de 26 ans", share_label="Part des moins de 26 ans"),
        common.composition_figure(b, _rows(r, "heures_par_participant"), GROUPS,
                                  "Heures réalisées dans l'année par participant",
                                  "Répartition des participants par heures réalisées, par âge",
                                  f"Participants par heures réalisées, par âge, {r.year}"),
        common.composition_figure(b, _rows(r, "duree_contrat"), GROUPS, "Durée des contrats terminés",
                                  "Répartition des contrats par durée, par âge",
                                  f"Contrats par durée, par âge, {r.year}", measure="contrats"),
    ])


def _section_prescribers(b: Composer, r: StudyResults) -> Section:
    figures = r.table("chiffres_cles_jeunes")
    text = (f"Les missions locales ont orienté {fmt_pct(_share(r, 'prescripteur', 'MISSION_LOCALE'))} des "
            f"participants de moins de 26 ans dont le prescripteur est connu (il l'est pour "
            f"{fmt_pct(_coverage(r, 'prescripteur'))} d'entre eux). Six mois après leur dernier contrat, "
            f"{fmt_pct(common.value_of(figures, groupe=YOUNG, indicateur='part_sortie_emploi_durable'))} des jeunes "
            f"dont la situation est connue occupent un emploi durable, contre "
            f"{fmt_pct(common.value_of(figures, groupe=OTHERS, indicateur='part_sortie_emploi_durable'))} des 26 ans "
            f"et plus ; la situation n'est connue que pour {fmt_pct(_coverage(r, 'situation_sortie'))} des jeunes et "
            f"{fmt_pct(_coverage(r, 'situation_sortie', OTHERS))} des 26 ans et plus.")
    return Section("prescripteurs", "Prescripteurs et sorties", [
        b.text("etude_jeunes_prescripteurs", text),
        common.distribution_figure(b, _rows(r, "prescripteur"), GROUPS, "Qui oriente les moins de 26 ans",
                                   "Répartition des participants de moins de 26 ans par prescripteur",
                                   f"Participants par prescripteur, par âge, {r.year}"),
        common.composition_figure(b, _rows(r, "situation_sortie"), GROUPS,
                                  "Situation six mois après le dernier contrat",
                                  "Situation six mois après le dernier contrat, par âge",
                                  f"Situation six mois après le dernier contrat, par âge, {r.year}"),
    ])


def _in_region(r: StudyResults, rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["code"].isin(r.config.departements)]


def _section_territories(b: Composer, r: StudyResults) -> Section:
    young = _in_region(r, _rows(r, "departement_execution", group=YOUNG))
    values = {x.code: x.part_participants_categorie for x in young.itertuples()}
    table = Table(caption=f"Les moins de 26 ans par département d'exécution, {r.year}",
                  columns=[Column("Département"), Column("Participants de moins de 26 ans", "nombre"),
                           Column("Part des moins de 26 ans", "part"), Column("Part des heures", "part")],
                  rows=[[x.libelle, x.participants, x.part_participants_categorie, x.part_heures_categorie]
                        for x in young.itertuples()])
    ranked = young[young["part_participants_categorie"].map(common.known)] \
        .sort_values("part_participants_categorie", ascending=False)
    title = "Part des moins de 26 ans par département d'exécution"
    if len(ranked):
        top = ranked.iloc[0]
        title += (f" : {fmt_pct(top['part_participants_categorie'])} {referential.departement_in(top['code'])}, "
                  "la plus élevée")
    text = ("La part des jeunes parmi les participants varie d'un département à l'autre"
            + (f", de {fmt_pct(ranked.iloc[-1]['part_participants_categorie'])} "
               f"{referential.departement_in(ranked.iloc[-1]['code'])} à "
               f"{fmt_pct(ranked.iloc[0]['part_participants_categorie'])} "
               f"{referential.departement_in(ranked.iloc[0]['code'])}"
               if len(ranked) > 1 else "") + ".")
    return Section("territoires", "Territoires", [
        b.text("etude_jeunes_territoires", text),
        b.map(title, values, "Part des moins de 26 ans", "part", table),
        common.share_figure(b, _in_region(r, _rows(r, "departement_residence")), YOUNG,
                            "Part des moins de 26 ans selon le département de résidence",
                            "Part des moins de 26 ans parmi les participants, par département de résidence",
                            f"Part des moins de 26 ans par département de résidence, {r.year}",
                            count_label="Participants de moins de 26 ans", share_label="Part des moins de 26 ans",
                            note="Départements de la région ; les participants résidant ailleurs figurent dans les "
                                 "données ouvertes."),
    ])


def document(results: StudyResults, texts: Texts) -> Document:
    """The study « jeunes » as a :class:`~panorama.compose.document.Document`."""
    b = Composer(results, texts)
    definitions = (
        "Jeunes : participants âgés de 25 ans ou moins dans l'année (année − année de naissance ≤ 25), comparés "
        "aux participants de 26 ans et plus. Part des moins de 26 ans d'une catégorie : participants de moins de "
        "26 ans ayant au moins un contrat dans la catégorie ÷ participants de la catégorie. Les répartitions "
        "(qualification, prescripteurs, heures, situation six mois après) se lisent dans chaque groupe : elles "
        "totalisent 100 % pour chacun ; les valeurs inconnues ou non renseignées sont données à part, en note, et "
        "les parts sont calculées sur les valeurs connues. Alternance : contrats d'apprentissage, de professionnalisation et en GEIQ. "
        "Durée d'un contrat : du premier au dernier jour, pour les contrats terminés au 31 décembre.")
    sections = [_section_summary(b, results), _section_profile(b, results), _section_contracts(b, results),
                _section_prescribers(b, results), _section_territories(b, results),
                common.evolution_section(b, results, TABLE, YOUNG, "des moins de 26 ans", "etude_jeunes_evolution",
                                         "part_heures", "Répartition des heures des moins de 26 ans par groupe de contrats",
                                         "Répartition des heures des moins de 26 ans par groupe de contrats, par "
                                         "année"),
                common.methodology(b, results, definitions)]
    return common.document(results, b, sections,
                           f"Qualification, contrats, prescripteurs et sorties des moins de 26 ans en {results.year}")
