"""Study « donneur-ordre »: one buyer's operations, compared with all buyers of
the same type and with the region.

Three groups of operations (:class:`~panorama.compose.studies.common.Group` with an
operations mask): the buyer's, those of every buyer of its type (the buyer
included) and all of them. Their key figures and breakdowns come from the
indicators layer; the rate of completion compares the hours done on an
operation over every year available with the hours its clause commits.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
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
from panorama.compose.studies.common import Group, StudyResults, StudyTable
from panorama.compute import indicators as layer
from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.core.formatting import fmt_count, fmt_hours, fmt_int, fmt_pct
from panorama.input.dataset import Dataset
from panorama.protect.confidentiality import Partition, identity

BUYER, TYPE, REGION = "DONNEUR_ORDRE", "TYPE", "REGION"
DIMENSIONS = (common.ALL, "modalite", "nature", "secteur", "grand_projet", "departement_execution", "type_structure",
              "type_contrat", "groupe_contrat", "sexe", "tranche_age", "niveau_qualification", "critere_principal",
              "qpv", "situation_sortie")
FIGURES = ("operations", "operations_actives", "heures", "participants", "contrats", "entreprises",
           "heures_par_participant", "heures_par_contrat", "part_femmes", "part_moins_26", "part_50_plus", "part_qpv",
           "part_heures_iae", "part_heures_alternance", "part_sortie_emploi_durable")
COMPLETION = ("heures_prevues", "heures_realisees_cumulees", "taux_realisation", "taux_realisation_median",
              "donneurs_ordre")
OPERATIONS_SHOWN = 25  # rows of the operations table in the document (all in the open data)


def subjects(history: Mapping[int, Dataset]) -> pd.DataFrame:
    """The buyers of the last year that have at least one operation: identifier, published
    name, type, operations and hours of the year."""
    year = max(history)
    ds = history[year]
    hours = ds.contrats.merge(ds.operations[["operation_id", "donneur_ordre_id"]], on="operation_id") \
        .groupby("donneur_ordre_id")["heures"].sum()
    counts = ds.operations.groupby("donneur_ordre_id").size()
    buyers = ds.donneurs_ordre[ds.donneurs_ordre["donneur_ordre_id"].isin(counts.index)] \
        .sort_values("donneur_ordre_id")
    return pd.DataFrame({
        "Identifiant": buyers["donneur_ordre_id"].to_numpy(),
        "Nom": [common.buyer_name(n, t) for n, t in zip(buyers["nom"], buyers["type"])],
        "Type": [referential.label("type_donneur_ordre", t) for t in buyers["type"]],
        "Opérations": counts.reindex(buyers["donneur_ordre_id"]).to_numpy(),
        f"Heures {year}": hours.reindex(buyers["donneur_ordre_id"]).fillna(0).to_numpy()})


def _groups(ds: Dataset, facts: pd.DataFrame, buyer: str, kind: str) -> list[Group]:
    types = ds.donneurs_ordre.set_index("donneur_ordre_id")["type"]
    op_kind = ds.operations["donneur_ordre_id"].map(types)
    label = referential.label("type_donneur_ordre", kind)
    return [Group(BUYER, "Ce donneur d'ordre", (facts["donneur_ordre_id"] == buyer).to_numpy(),
                  (ds.operations["donneur_ordre_id"] == buyer).to_numpy()),
            Group(TYPE, f"Type « {label} »", (facts["type_donneur_ordre"] == kind).to_numpy(),
                  (op_kind == kind).to_numpy()),
            Group(REGION, "Tous les donneurs d'ordre", np.ones(len(facts), dtype=bool),
                  np.ones(len(ds.operations), dtype=bool))]


def operations_completion(history: Mapping[int, Dataset]) -> pd.DataFrame:
    """Every operation of the last year with ``heures_prevues``, the hours done in the year
    (``heures_realisees``) and over every year available (``heures_realisees_cumulees``), and
    ``taux_realisation`` = cumulated hours ÷ committed hours (empty without committed hours)."""
    year = max(history)
    ops = history[year].operations
    done = pd.concat([ds.contrats[["operation_id", "heures"]] for ds in history.values()])
    cumulated = done.groupby("operation_id")["heures"].sum()
    this_year = history[year].contrats.groupby("operation_id")["heures"].sum()
    out = ops[["operation_id", "donneur_ordre_id", "heures_prevues"]].copy()
    out["heures_realisees"] = out["operation_id"].map(this_year).fillna(0.0)
    out["heures_realisees_cumulees"] = out["operation_id"].map(cumulated).fillna(0.0)
    out["taux_realisation"] = out["heures_realisees_cumulees"] / out["heures_prevues"].where(out["heures_prevues"] > 0)
    return out


def _completion_figures(completion: pd.DataFrame, groups: list[Group], participants: Mapping[str, int]) -> pd.DataFrame:
    """Rate of completion of each group: :data:`COMPLETION` codes, rows like :func:`common.group_figures`."""
    frames = []
    for group in groups:
        mine = completion[group.operations & completion["heures_prevues"].gt(0).to_numpy()]
        per_buyer = mine.groupby("donneur_ordre_id")[["heures_realisees_cumulees", "heures_prevues"]].sum()
        committed = mine["heures_prevues"].sum()
        values = {"heures_prevues": committed, "heures_realisees_cumulees": mine["heures_realisees_cumulees"].sum(),
                  "taux_realisation": mine["heures_realisees_cumulees"].sum() / committed if committed else np.nan,
                  "taux_realisation_median": (per_buyer["heures_realisees_cumulees"]
                                              / per_buyer["heures_prevues"]).median(),
                  "donneurs_ordre": completion[group.operations]["donneur_ordre_id"].nunique()}
        frames.append(pd.DataFrame({"groupe": group.code, "libelle_groupe": group.label,
                                    "participants": participants.get(group.code, 0), "indicateur": list(values),
                                    "valeur": [float(v) for v in values.values()], "secret": False}))
    return pd.concat(frames, ignore_index=True)


def indicators(history: Mapping[int, Dataset], config: Config, *, example: bool = False,
               subject: str) -> StudyResults:
    """The tables of the study of buyer ``subject`` for the last year of ``history``, before
    statistical secrecy."""
    year = max(history)
    ds = history[year]
    buyer = ds.donneurs_ordre.set_index("donneur_ordre_id").loc[subject]
    facts = layer.fact_table(ds)
    groups = _groups(ds, facts, subject, buyer["type"])
    figures = common.group_figures(ds, facts, groups, FIGURES)
    participants = figures.drop_duplicates("groupe").set_index("groupe")["participants"].to_dict()
    completion = operations_completion(history)
    figures = pd.concat([figures, _completion_figures(completion, groups, participants)], ignore_index=True)
    per_year = common.over_years(history, common.facts_by_year(history), lambda d, f: common.group_figures(
        d, f, _groups(d, f, subject, buyer["type"])[:2], ("heures", "participants", "contrats", "operations")))
    name = common.buyer_name(buyer["nom"], buyer["type"])
    populations = {BUYER: (("donneur_ordre_id", subject),), TYPE: (("type_donneur_ordre", buyer["type"]),),
                   REGION: ()}
    breakdowns = common.group_breakdowns(ds, facts, groups, DIMENSIONS, partition=False)
    breakdown_cells = common.group_cells(breakdowns, populations, year, scope=f"donneur-ordre:{subject}",
                                         partition=False)
    operations = _operations_table(ds, facts, completion, subject, buyer["type"])
    each = [identity(year, ("operation_id", o)) for o in operations["operation_id"]]
    tables = [
        StudyTable("chiffres_cles", "Chiffres clés du donneur d'ordre et de ses comparaisons",
                   f"Indicateurs du panorama en {year} pour {name} ({subject}), pour l'ensemble des donneurs d'ordre "
                   "du même type (y compris lui) et pour tous les donneurs d'ordre ; heures_prevues : heures "
                   "d'insertion prévues par les clauses des opérations qui en prévoient ; heures_realisees_cumulees "
                   "et taux_realisation : heures réalisées sur ces opérations au cours des années disponibles, et "
                   "leur rapport aux heures prévues ; taux_realisation_median : médiane des taux des donneurs "
                   "d'ordre du groupe.", ("groupe", "indicateur"), figures,
                   **common.figure_cells(figures, populations, year, breakdown_cells["cells"])),
        StudyTable("operations", "Les opérations du donneur d'ordre",
                   f"Chaque opération de {name} suivie en {year}, avec ses heures prévues, réalisées dans l'année "
                   f"et réalisées depuis {min(history)}.", ("operation_id",), operations,
                   cells=tuple((c, float(p), float(h)) for c, p, h in zip(each, operations["participants"],
                                                                          operations["heures_realisees"])),
                   partitions=(Partition(identity(year, *populations[BUYER]), tuple(each), False),)),
        StudyTable("repartitions", "Répartitions du donneur d'ordre et de ses comparaisons",
                   f"Répartitions du panorama en {year} pour le donneur d'ordre, son type et tous les donneurs "
                   "d'ordre ; les parts se rapportent au total de chaque groupe.", ("groupe", "dimension", "code"),
                   breakdowns, **breakdown_cells),
        StudyTable("evolution", "Le donneur d'ordre et son type par année",
                   "Heures, participants, contrats et opérations suivies du donneur d'ordre et de son type, pour "
                   "chaque année disponible.", ("annee", "groupe", "indicateur"), per_year,
                   **common.figure_cells(per_year, populations, year)),
    ]
    return common.study_results("donneur-ordre", history, config, example, tables, title=name, subject=subject)


def _operations_table(ds: Dataset, facts: pd.DataFrame, completion: pd.DataFrame, buyer: str,
                      kind: str) -> pd.DataFrame:
    ops = ds.operations[ds.operations["donneur_ordre_id"] == buyer]
    people = facts[facts["donneur_ordre_id"] == buyer].groupby("operation_id")["participant_id"].nunique()
    communes = catalogue.dimension("commune_execution")
    out = ops[["operation_id", "intitule", "departement", "commune", "nature", "modalite", "date_notification"]] \
        .merge(completion.drop(columns="donneur_ordre_id"), on="operation_id")
    out["intitule"] = [common.operation_title(title, kind) for title in out["intitule"]]
    out["libelle_commune"] = [layer.code_label(communes, c) if isinstance(c, str) else None for c in out["commune"]]
    out["participants"] = out["operation_id"].map(people).fillna(0).astype(int)
    out = out.sort_values(["heures_realisees", "operation_id"], ascending=[False, True])
    columns = ["operation_id", "intitule", "departement", "commune", "libelle_commune", "nature", "modalite",
               "date_notification", "heures_prevues", "heures_realisees", "heures_realisees_cumulees",
               "taux_realisation", "participants"]
    return out[columns].assign(secret=False)


# --- document -------------------------------------------------------------------------------------

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
    who = "un donneur d'ordre privé" if r.title == common.buyer_name(None, "PRIVE") else f"le donneur d'ordre {r.title}"
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
