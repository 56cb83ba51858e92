"""Study « donneur-ordre »: one buyer's operations, compared with all buyers of

The document; the tables it shows are computed by :mod:`panorama.compute.studies.donneur_ordre`.
"""

from __future__ import annotations

import pandas as pd

from panorama.compose import figspec
from panorama.compose.commentary import Texts
from panorama.compose.composer import Composer, leader
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
from panorama.compute.studies.common import StudyResults, buyer_name
from panorama.compute.studies.donneur_ordre import (
    BUYER,
    COMPLETION,
    OPERATIONS_SHOWN,
    TYPE,
)
from panorama.core.formatting import fmt_count, fmt_hours, fmt_int, fmt_pct

SUMMARY = ("operations", "operations_actives", "heures", "participants", "contrats", "entreprises",
           "heures_par_participant", "heures_par_contrat")
PROFILE = ("part_femmes", "part_moins_26", "part_50_plus", "part_qpv", "part_sortie_emploi_durable",
           "part_heures_iae", "part_heures_alternance")


def _value(r: StudyResults, group: str, code: str):
    return common.value_of(r.table("chiffres_cles"), groupe=group, indicateur=code)


def _groups_of(r: StudyResults) -> list[tuple[str, str]]:
    figures = r.table("chiffres_cles")
    return list(dict.fromkeys(zip(figures["groupe"], figures["libelle_groupe"])))


def _rows(r: StudyResults, dimension: str) -> pd.DataFrame:
    return common.category_rows(r, "repartitions", dimension)


def _section_summary(b: Composer, r: StudyResults) -> Section:
    type_label = _groups_of(r)[1][1]
    rate, median = _value(r, BUYER, "taux_realisation"), _value(r, TYPE, "taux_realisation_median")
    who = "un donneur d'ordre privé" if r.title == buyer_name(None, "PRIVE") else f"le donneur d'ordre {r.title}"
    text = (f"En {r.year}, {who} a suivi {fmt_count(_value(r, BUYER, 'operations'), 'opération')} comportant "
            f"une clause sociale, dont {fmt_int(_value(r, BUYER, 'operations_actives'))} avec des heures réalisées "
            f"dans l'année : {fmt_hours(_value(r, BUYER, 'heures'))} d'insertion, réalisées par "
            f"{fmt_count(_value(r, BUYER, 'participants'), 'participant')}. "
            + (f"Depuis {r.years[0]}, les heures réalisées sur ses opérations atteignent {fmt_pct(rate)} des heures "
               f"prévues par leurs clauses ; le taux médian des donneurs d'ordre du {type_label[:1].lower()}{type_label[1:]} est de "
               f"{fmt_pct(median)}." if common.known(rate) else
               "Ses opérations ne précisent pas les heures prévues par leurs clauses."))
    cards = [Card(common.figure_label(code).lower(), _value(r, BUYER, code), common.figure_kind(code))
             for code in ("operations", "heures", "participants", "taux_realisation")]
    table = common.figures_table(r.table("chiffres_cles"), [*SUMMARY, *COMPLETION[:3]],
                                 f"Le donneur d'ordre comparé à son type et à l'ensemble, {r.year}",
                                 note="Heures prévues : opérations dont la clause précise un volume d'heures ; "
                                      f"heures réalisées sur ces opérations de {r.years[0]} à {r.year}.")
    return Section("essentiel", "L'essentiel", [b.text("etude_donneur_ordre_essentiel", text),
                                                Cards(f"{r.title} en {r.year}", cards), table])


def _section_operations(b: Composer, r: StudyResults) -> Section:
    ops = r.table("operations")
    shown = ops.head(OPERATIONS_SHOWN)
    table = Table(
        caption=f"Les opérations du donneur d'ordre, {r.year}",
        columns=[Column("Opération"), Column("Heures prévues", "nombre"), Column(f"Heures {r.year}", "nombre"),
                 Column(f"Heures depuis {r.years[0]}", "nombre"), Column("Taux de réalisation", "part"),
                 Column("Participants", "nombre")],
        rows=[[x.intitule or x.operation_id, x.heures_prevues, x.heures_realisees, x.heures_realisees_cumulees,
               x.taux_realisation, x.participants] for x in shown.itertuples()],
        note=("Opérations classées par heures réalisées dans l'année"
              + (f" ; les {fmt_int(len(ops) - len(shown))} autres figurent dans les données ouvertes."
                 if len(ops) > len(shown) else ".")))
    blocks = [b.text("etude_donneur_ordre_operations",
                     f"Le donneur d'ordre a suivi {fmt_count(len(ops), 'opération')} en {r.year} ; le tableau donne, "
                     f"pour chacune, les heures prévues par sa clause et les heures réalisées dans l'année et depuis "
                     f"{r.years[0]}."), table]
    evolution = r.table("evolution")
    hours = evolution[(evolution["groupe"] == BUYER) & (evolution["indicateur"] == "heures")].set_index("annee")
    years = [str(y) for y in r.years]
    values = [hours["valeur"].get(y, float("nan")) for y in r.years]
    if len(years) > 1:
        blocks.append(b.figure("Heures réalisées par année", figspec.lines(
            years, [chart_value(v) for v in values], unit="heures", colour=r.config.couleur_principale,
            subject="Heures d'insertion réalisées par année sur les opérations du donneur d'ordre"),
            Table(caption="Heures réalisées par année", columns=[Column("Année"), Column("Heures", "nombre")],
                  rows=[[y, v] for y, v in zip(years, values)])))
    return Section("operations", "Les opérations", blocks)


def _section_completion(b: Composer, r: StudyResults) -> Section:
    ops = r.table("operations")
    committed = ops[ops["heures_prevues"].map(lambda v: common.known(v) and v > 0)]
    committed = committed.assign(heures_prevues=committed["heures_prevues"].astype(float)) \
        .sort_values(["heures_prevues", "operation_id"], ascending=[False, True]).head(15)
    groups = _groups_of(r)
    table = Table(caption=f"Heures prévues et réalisées, {r.year}",
                  columns=[Column("Indicateur"), *[Column(label, "mixte") for _, label in groups]],
                  rows=[[common.figure_label(code),
                         *[(_value(r, g, code), common.figure_kind(code)) for g, _ in groups]]
                        for code in COMPLETION],
                  note=f"Heures réalisées de {r.years[0]} à {r.year} sur les opérations suivies en {r.year} dont la "
                       "clause précise un volume d'heures.")
    text = ("Le taux de réalisation rapporte les heures réalisées sur une opération, au cours des années disponibles, "
            "aux heures prévues par sa clause pour toute sa durée. Une opération en cours n'a pas fini de réaliser ses "
            "heures ; une opération commencée avant la première année disponible a un taux sous-estimé.")
    blocks = [b.text("etude_donneur_ordre_realisation", text), table]
    if len(committed):
        detail = Table(caption="Taux de réalisation par opération",
                       columns=[Column("Opération"), Column("Heures prévues", "nombre"),
                                Column(f"Heures depuis {r.years[0]}", "nombre"), Column("Taux", "part")],
                       rows=[[x.intitule or x.operation_id, x.heures_prevues, x.heures_realisees_cumulees,
                              x.taux_realisation] for x in committed.itertuples()])
        blocks.append(b.figure(
            "Taux de réalisation des opérations qui prévoient le plus d'heures", figspec.bars(
                [x.intitule or x.operation_id for x in committed.itertuples()],
                [chart_value(v) for v in committed["taux_realisation"]],
                subject="Taux de réalisation des heures prévues, par opération", unit="part",
                colour=r.config.couleur_principale), detail))
    return Section("realisation", "Heures prévues et heures réalisées", blocks)


def _section_operations_profile(b: Composer, r: StudyResults) -> Section:
    groups = _groups_of(r)
    modalities = _rows(r, "modalite")
    label, share = leader(modalities[modalities["groupe"] == BUYER], "part_heures")
    return Section("modalites", "Modalités et marchés", [
        b.text("etude_donneur_ordre_modalites",
               (f"La modalité « {label} » porte {fmt_pct(share)} des heures réalisées sur les opérations du donneur "
                "d'ordre. " if label else "")
               + "Chaque graphique compare la répartition de ses heures à celle des donneurs d'ordre du même type et "
                 "de l'ensemble."),
        common.composition_figure(b, modalities, groups, "Heures par modalité juridique",
                                  "Répartition des heures par modalité juridique",
                                  f"Heures par modalité juridique, {r.year}", measure="heures"),
        common.composition_figure(b, _rows(r, "nature"), groups, "Heures par nature de marché",
                                  "Répartition des heures par nature de marché",
                                  f"Heures par nature de marché, {r.year}", measure="heures"),
        common.composition_figure(b, _rows(r, "groupe_contrat"), groups, "Heures par groupe de contrats",
                                  "Répartition des heures par groupe de contrats",
                                  f"Heures par groupe de contrats, {r.year}", measure="heures",
                                  note="IAE : intérim d'insertion, mise à disposition par une AI, CDDI. Alternance : "
                                       "apprentissage, professionnalisation, GEIQ."),
    ])


def _section_participants(b: Composer, r: StudyResults) -> Section:
    groups = _groups_of(r)
    text = (f"Parmi les participants des opérations du donneur d'ordre : {fmt_pct(_value(r, BUYER, 'part_femmes'))} "
            f"de femmes, {fmt_pct(_value(r, BUYER, 'part_moins_26'))} de moins de 26 ans et "
            f"{fmt_pct(_value(r, BUYER, 'part_qpv'))} de résidents des quartiers prioritaires (parmi les résidences "
            "connues).")
    return Section("participants", "Les participants", [
        b.text("etude_donneur_ordre_participants", text),
        common.figures_table(r.table("chiffres_cles"), PROFILE, f"Profil des participants, {r.year}",
                             note="Parts calculées dans chaque groupe."),
        common.composition_figure(b, _rows(r, "tranche_age"), groups, "Participants par âge",
                                  "Répartition des participants par tranche d'âge",
                                  f"Participants par tranche d'âge, {r.year}"),
        common.composition_figure(b, _rows(r, "niveau_qualification"), groups, "Participants par qualification",
                                  "Répartition des participants par niveau de qualification",
                                  f"Participants par niveau de qualification, {r.year}"),
    ])


def document(results: StudyResults, texts: Texts) -> Document:
    """The study « donneur-ordre » as a :class:`~panorama.compose.document.Document`."""
    b = Composer(results, texts)
    definitions = (
        "Le donneur d'ordre est comparé à l'ensemble des donneurs d'ordre du même type (lui compris) et à tous les "
        "donneurs d'ordre de la région, pour les opérations suivies dans l'année. Taux de réalisation : heures "
        f"réalisées de {results.years[0]} à {results.year} sur les opérations dont la clause précise un volume "
        "d'heures ÷ ces heures prévues (pour toute la durée de l'opération) ; le taux médian est la médiane des taux "
        "des donneurs d'ordre du groupe. Les heures réalisées avant la première année disponible ne sont pas "
        "connues. Les entreprises qui ont réalisé les heures ne sont jamais nommées.")
    sections = [_section_summary(b, results), _section_operations(b, results), _section_completion(b, results),
                _section_operations_profile(b, results), _section_participants(b, results),
                common.methodology(b, results, definitions)]
    return common.document(results, b, sections, f"Les clauses sociales d'un donneur d'ordre en {results.year}")
