"""Study « femmes »: the place of women among the participants of social clauses.

Indicators: women's and men's contracts compared as two groups
(:func:`panorama.compute.studies.common.group_breakdowns`) — women's share of each
category of the operations, contracts, structures and participants, every
year; the distributions of contract length, hours and outcome within each sex;
the key figures of each sex; the operations closest to parity.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from panorama.compute.cells import identity
from panorama.compute.indicators import fact_table
from panorama.compute.studies import common
from panorama.compute.studies.common import ALL, Group, StudyResults, StudyTable
from panorama.core import referential
from panorama.core.config import Config
from panorama.input.dataset import Dataset

TABLE = "femmes_hommes_par_categorie"
#: Operations with at least this many participants enter the parity ranking.
PARITY_MIN_PARTICIPANTS = 20
PARITY_RANKED = 10
SHARE_DIMENSIONS = (ALL, "modalite", "nature", "secteur", "type_donneur_ordre", "grand_projet", "type_structure",
                    "type_contrat", "groupe_contrat", "tranche_age", "niveau_qualification", "critere_principal",
                    "prescripteur", "qpv", "departement_execution", "departement_residence", "duree_contrat",
                    "heures_par_participant", "situation_sortie")
FIGURES = ("participants", "contrats", "heures", "heures_par_participant", "heures_par_contrat",
           "duree_mediane_jours", "part_moins_26", "part_50_plus", "part_qpv", "part_heures_iae",
           "part_heures_alternance", "part_sortie_emploi_durable")
#: Breakdowns where the study looks for the categories closest to parity.
PARITY_DIMENSIONS = ("modalite", "nature", "secteur", "type_donneur_ordre", "type_structure")


#: The population of each group (for statistical secrecy).
POPULATIONS = {"F": (("sexe", "F"),), "M": (("sexe", "M"),), "ENSEMBLE": ()}


def _groups(facts: pd.DataFrame) -> list[Group]:
    return [Group("F", "Femmes", (facts["sexe"] == "F").to_numpy()),
            Group("M", "Hommes", (facts["sexe"] == "M").to_numpy())]


def _distance_to_parity(share: pd.Series) -> pd.Series:
    """``|share − 0.5|``, rounded so that equal distances (1/3 and 2/3) tie exactly."""
    return (share.astype(float) - 0.5).abs().round(9)


def parity_operations(ds: Dataset, facts: pd.DataFrame, minimum: int = PARITY_MIN_PARTICIPANTS,
                      count: int = PARITY_RANKED) -> pd.DataFrame:
    """The ``count`` operations of at least ``minimum`` participants whose share of women
    is closest to one half (ties: more participants first, then operation id).

    Columns: ``rang, operation_id, intitule, donneur_ordre, nature, participants,
    part_femmes, ecart_parite`` (``|part_femmes − 0.5|``) and ``secret``.
    """
    people = facts.drop_duplicates(["operation_id", "participant_id"])
    per_op = people.assign(femme=people["sexe"] == "F").groupby("operation_id").agg(
        participants=("participant_id", "size"), part_femmes=("femme", "mean"))
    per_op = per_op[per_op["participants"] >= minimum].reset_index()
    per_op["ecart_parite"] = _distance_to_parity(per_op["part_femmes"])
    per_op = per_op.sort_values(["ecart_parite", "participants", "operation_id"],
                                ascending=[True, False, True]).head(count)
    buyers = ds.donneurs_ordre.set_index("donneur_ordre_id")
    ops = ds.operations.set_index("operation_id").loc[per_op["operation_id"]]
    return pd.DataFrame({
        "rang": range(1, len(per_op) + 1), "operation_id": per_op["operation_id"].to_numpy(),
        "intitule": [common.operation_title(t, buyers.at[b, "type"])
                     for t, b in zip(ops["intitule"], ops["donneur_ordre_id"])],
        "donneur_ordre": [common.buyer_name(buyers.at[b, "nom"], buyers.at[b, "type"])
                          for b in ops["donneur_ordre_id"]],
        "nature": ops["nature"].to_numpy(),
        "participants": per_op["participants"].to_numpy(), "part_femmes": per_op["part_femmes"].to_numpy(),
        "ecart_parite": per_op["ecart_parite"].to_numpy(), "secret": False})


def parity_categories(shares: pd.DataFrame, minimum: int = PARITY_MIN_PARTICIPANTS,
                      count: int = PARITY_RANKED) -> pd.DataFrame:
    """The ``count`` categories of :data:`PARITY_DIMENSIONS` (kinds of operations, types of
    structure) of at least ``minimum`` participants whose share of women is closest to one half
    (ties: more participants first). ``shares``: one year's :func:`common.group_breakdowns` rows.

    Columns: ``rang, dimension, code, libelle, participants`` (of the category, both sexes),
    ``part_femmes, ecart_parite`` and ``secret``.
    """
    rows = shares[shares["dimension"].isin(PARITY_DIMENSIONS) & (shares["code"] != referential.NON_RENSEIGNE)]
    totals = rows.groupby(["dimension", "code"])["participants"].sum().rename("total")
    women = rows[rows["groupe"] == "F"].join(totals, on=["dimension", "code"])
    women = women.assign(ecart_parite=_distance_to_parity(women["part_participants_categorie"]))
    women = women[women["total"] >= minimum]
    women = women.sort_values(["ecart_parite", "total"], ascending=[True, False], kind="stable").head(count)
    return pd.DataFrame({"rang": range(1, len(women) + 1), "dimension": women["dimension"].to_numpy(),
                         "code": women["code"].to_numpy(), "libelle": women["libelle"].to_numpy(),
                         "participants": women["total"].to_numpy(),
                         "part_femmes": women["part_participants_categorie"].to_numpy(),
                         "ecart_parite": women["ecart_parite"].to_numpy(), "secret": False})


def indicators(history: Mapping[int, Dataset], config: Config, *, example: bool = False) -> StudyResults:
    """The tables of the study for the last year of ``history`` (every year for the shares),
    before statistical secrecy."""
    year = max(history)
    shares, figures = common.partition_indicators(history, _groups, SHARE_DIMENSIONS, FIGURES)
    ds = history[year]
    share_cells = common.group_cells(shares, POPULATIONS, year, scope="femmes", partition=True)
    categories = parity_categories(shares[shares["annee"] == year])
    tables = [
        StudyTable(TABLE, "Femmes et hommes par catégorie",
                   f"Pour chaque année de {min(history)} à {year} et chaque catégorie des répartitions du panorama "
                   "(dimension ensemble : tous les participants), les heures, contrats et participants des femmes "
                   "et des hommes ; part_participants_categorie de la ligne des femmes est la part des femmes "
                   "parmi les participants de la catégorie ; part_participants, part_contrats et part_heures "
                   "décrivent la répartition des femmes (ou des hommes) entre les catégories.",
                   ("annee", "groupe", "dimension", "code"), shares, **share_cells),
        StudyTable("chiffres_cles_femmes_hommes", "Chiffres clés des femmes et des hommes",
                   f"Indicateurs du panorama calculés sur les contrats des femmes, des hommes et de l'ensemble, "
                   f"{year} ; duree_mediane_jours : durée médiane des contrats terminés au 31 décembre.",
                   ("groupe", "indicateur"), figures,
                   **common.figure_cells(figures, POPULATIONS, year, share_cells["cells"])),
        StudyTable("parite_operations", "Les opérations les plus proches de la parité",
                   f"Les {PARITY_RANKED} opérations d'au moins {PARITY_MIN_PARTICIPANTS} participants en {year} "
                   "dont la part des femmes est la plus proche de 50 %.", ("rang",),
                   parity_operations(ds, fact_table(ds))),
        StudyTable("parite_categories", "Les catégories les plus proches de la parité",
                   f"Les {PARITY_RANKED} catégories d'opérations (modalité, nature, secteur, type de donneur "
                   f"d'ordre) et types de structure d'au moins {PARITY_MIN_PARTICIPANTS} participants en {year} "
                   "dont la part des femmes est la plus proche de 50 % ; participants : tous sexes confondus.",
                   ("rang",), categories, depends={"*": tuple(
                       tuple(identity(year, *POPULATIONS[g], (d, c)) for g in ("ENSEMBLE", "F", "M"))
                       for d, c in zip(categories["dimension"], categories["code"]))}),
    ]
    return common.study_results("femmes", history, config, example, tables)
