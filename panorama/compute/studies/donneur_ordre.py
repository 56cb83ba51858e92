"""Study « donneur-ordre »: one buyer's operations, compared with all buyers of
the same type and with the region.

Three groups of operations (:class:`~panorama.compute.studies.common.Group` with an
operations mask): the buyer's, those of every buyer of its type (the buyer
included) and all of them. Their key figures and breakdowns come from the
indicators layer; the rate of completion compares the hours done on an
operation over every year available with the hours its clause commits.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from panorama.compute import indicators as layer
from panorama.compute.cells import Partition, identity
from panorama.compute.studies import common
from panorama.compute.studies.common import Group, StudyResults, StudyTable
from panorama.core import catalogue, referential
from panorama.core.config import Config
from panorama.input.dataset import Dataset

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


SCOPE = "donneur-ordre"
"""Names the bands of a group's own distribution of hours per participant: the same for
every buyer's study, so that the cells of a type of buyer are the same cells in each."""


def _groups(ds: Dataset, facts: pd.DataFrame, buyer: str, kind: str) -> list[Group]:
    return [Group(BUYER, "Ce donneur d'ordre", (facts["donneur_ordre_id"] == buyer).to_numpy(),
                  (ds.operations["donneur_ordre_id"] == buyer).to_numpy()),
            *_comparison_groups(ds, facts, kind)]


def _comparison_groups(ds: Dataset, facts: pd.DataFrame, kind: str, code: str = TYPE) -> list[Group]:
    """The groups a buyer of type ``kind`` is compared with: its type (group ``code``), all buyers."""
    types = ds.donneurs_ordre.set_index("donneur_ordre_id")["type"]
    op_kind = ds.operations["donneur_ordre_id"].map(types)
    label = referential.label("type_donneur_ordre", kind)
    return [Group(code, f"Type « {label} »", (facts["type_donneur_ordre"] == kind).to_numpy(),
                  (op_kind == kind).to_numpy()),
            Group(REGION, "Tous les donneurs d'ordre", np.ones(len(facts), dtype=bool),
                  np.ones(len(ds.operations), dtype=bool))]


def _populations(subject: str | None, kind: str) -> dict[str, tuple]:
    """The population of each group (for statistical secrecy)."""
    return {BUYER: (("donneur_ordre_id", subject),), TYPE: (("type_donneur_ordre", kind),), REGION: ()}


def _evolution(history: Mapping[int, Dataset], groups) -> pd.DataFrame:
    """Hours, participants, contracts and operations of the groups ``groups(dataset, facts)``, every year."""
    return common.over_years(history, common.facts_by_year(history), lambda d, f: common.group_figures(
        d, f, groups(d, f), ("heures", "participants", "contrats", "operations")))


def comparisons(history: Mapping[int, Dataset], config: Config, *, example: bool = False) -> StudyResults:
    """The cells every buyer's study shares, for every type of buyer of the last year of
    ``history``: the breakdowns and yearly figures of each type and of all buyers, computed
    in one pass. They are protected once for the year, around its settled cells and before
    any buyer's (:func:`panorama.protect.results.compute_edition`), so that two buyers of
    one type publish the same cells of their type: none hidden in one study and shown in
    another. Never published by itself."""
    year = max(history)
    ds = history[year]
    buyers = ds.donneurs_ordre[ds.donneurs_ordre["donneur_ordre_id"].isin(ds.operations["donneur_ordre_id"])]
    kinds = sorted(buyers["type"].dropna().unique())
    codes = {kind: f"{TYPE}_{kind}" for kind in kinds}  # a group each, its cells named as in a buyer's study
    populations = {code: (("type_donneur_ordre", kind),) for kind, code in codes.items()} | {REGION: ()}

    def groups(d: Dataset, f: pd.DataFrame) -> list[Group]:
        return [_comparison_groups(d, f, kind, code)[0] for kind, code in codes.items()]

    facts = layer.fact_table(ds)
    everyone = _comparison_groups(ds, facts, kinds[0])[1:] if kinds else []
    breakdowns = common.group_breakdowns(ds, facts, [*groups(ds, facts), *everyone], DIMENSIONS, partition=False)
    per_year = _evolution(history, groups)
    bands = dict.fromkeys(codes.values(), TYPE)
    return common.study_results("donneur-ordre", history, config, example, [
        StudyTable("repartitions", "", "", ("groupe", "dimension", "code"), breakdowns,
                   **common.group_cells(breakdowns, populations, year, scope=SCOPE, partition=False, bands=bands)),
        StudyTable("evolution", "", "", ("annee", "groupe", "indicateur"), per_year,
                   **common.figure_cells(per_year, populations, year))])


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
    per_year = _evolution(history, lambda d, f: _groups(d, f, subject, buyer["type"])[:2])
    name = common.buyer_name(buyer["nom"], buyer["type"])
    populations = _populations(subject, buyer["type"])
    breakdowns = common.group_breakdowns(ds, facts, groups, DIMENSIONS, partition=False)
    breakdown_cells = common.group_cells(breakdowns, populations, year, scope=SCOPE, partition=False)
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
