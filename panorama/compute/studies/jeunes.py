"""Study « jeunes »: participants under 26 (25 or younger in the year, the
panorama's ``MOINS_26`` age band) compared with those of 26 and over.

Indicators: the two groups' breakdowns (:func:`panorama.compute.studies.common.group_breakdowns`)
— qualification, contract types and groups (alternance), hours, prescribers,
outcomes, départements — every year, and their key figures for the year.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from panorama.compute.studies import common
from panorama.compute.studies.common import ALL, Group, StudyResults, StudyTable
from panorama.core.config import Config
from panorama.input.dataset import Dataset

TABLE = "jeunes_par_categorie"
YOUNG, OTHERS = "MOINS_26", "26_PLUS"
GROUPS = ((YOUNG, "Moins de 26 ans"), (OTHERS, "26 ans et plus"))
DIMENSIONS = (ALL, "niveau_qualification", "type_contrat", "groupe_contrat", "duree_contrat",
              "heures_par_participant", "prescripteur", "critere_principal", "situation_sortie", "sexe", "qpv",
              "modalite", "nature", "secteur", "type_structure", "departement_execution", "departement_residence")
FIGURES = ("participants", "contrats", "heures", "heures_par_participant", "heures_par_contrat",
           "duree_mediane_jours", "part_femmes", "part_qpv", "part_heures_iae", "part_heures_alternance",
           "part_sortie_emploi_durable")


#: The population of each group (for statistical secrecy): the under-26s are an age band of the panorama.
POPULATIONS = {YOUNG: (("tranche_age", YOUNG),), OTHERS: (("tranche_age", OTHERS),), "ENSEMBLE": ()}


def _groups(facts: pd.DataFrame) -> list[Group]:
    young = (facts["tranche_age"] == YOUNG).to_numpy()
    return [Group(YOUNG, GROUPS[0][1], young), Group(OTHERS, GROUPS[1][1], ~young)]


def indicators(history: Mapping[int, Dataset], config: Config, *, example: bool = False) -> StudyResults:
    """The tables of the study for the last year of ``history`` (every year for the breakdowns),
    before statistical secrecy."""
    year = max(history)
    shares, figures = common.partition_indicators(history, _groups, DIMENSIONS, FIGURES)
    share_cells = common.group_cells(shares, POPULATIONS, year, scope="jeunes", partition=True)
    tables = [
        StudyTable(TABLE, "Moins de 26 ans et 26 ans et plus, par catégorie",
                   f"Pour chaque année de {min(history)} à {year} et chaque catégorie des répartitions du panorama "
                   "(dimension ensemble : tous les participants), les heures, contrats et participants de moins de "
                   "26 ans et de 26 ans et plus ; part_participants_categorie de la ligne MOINS_26 est la part des "
                   "moins de 26 ans parmi les participants de la catégorie ; part_participants, part_contrats et "
                   "part_heures décrivent la répartition de chaque groupe entre les catégories.",
                   ("annee", "groupe", "dimension", "code"), shares, **share_cells),
        StudyTable("chiffres_cles_jeunes", "Chiffres clés des moins de 26 ans",
                   f"Indicateurs du panorama calculés sur les contrats des moins de 26 ans, des 26 ans et plus et "
                   f"de l'ensemble, {year} ; duree_mediane_jours : durée médiane des contrats terminés au "
                   f"31 décembre.", ("groupe", "indicateur"), figures,
                   **common.figure_cells(figures, POPULATIONS, year, share_cells["cells"])),
    ]
    return common.study_results("jeunes", history, config, example, tables)
