"""The integer machinery of the indicators, on what the tiny fixture does not meet.

:mod:`panorama.compute.indicators` codes the attributes as integers and counts over the
cells ``perimeter × code`` with ``np.bincount`` (the region's cells being the sum
of the départements'); it counts a participant once per cell by sorting only the
rows of participants with several contracts, the companies of a cell through a
table (company in a perimeter) × code, and rounds a participant's hours to 1e-6
before banding them. The fixture is the tiny one
(``independent.tiny_tables``, see ``test_indicators.py``) plus:

    OP5        94 SERVICES RESERVE_SIAE D3 — no contract: 94 has operations only
    P7         F 30 ans DELD (no other public), no commune
    C9–C11     OP1 (93) P7 E1 CDD  66.75 h, 68.46 h, 14.79 h: 150 h; added one after
               the other in floating point they make 149.99999999999997 (< 150),
               rounded 150.0

Hours per participant: P1 1,000; P2 920.5 (800.5 in 93, 120 in 75); P3 400;
P4 800; P5 679.5; P7 150. Region 3,950 = 93 2,750.5 + 75 1,199.5.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from datasets import write_dataset
from independent import tiny_tables

from panorama.compute import indicators
from panorama.input import validation


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    tables = tiny_tables()
    tables["operations"].append(
        {"operation_id": "OP5", "donneur_ordre_id": "D3", "departement": "94", "nature": "SERVICES",
         "secteur": "PROPRETE", "modalite": "RESERVE_SIAE", "date_notification": "2019-03-01",
         "montant_ht": "", "grand_projet": ""})
    tables["participants"].append(
        {"participant_id": "P7", "sexe": "F", "annee_naissance": "1989", "niveau_qualification": "3",
         "critere_principal": "DELD", "publics": "", "commune_residence": "", "qpv": "NON",
         "prescripteur": "", "situation_sortie": ""})
    for contract, hours in (("C9", "66.75"), ("C10", "68.46"), ("C11", "14.79")):
        tables["contrats"].append(
            {"contrat_id": contract, "operation_id": "OP1", "participant_id": "P7", "entreprise_id": "E1",
             "type_contrat": "CDD", "date_debut": "2019-01-07", "date_fin": "2019-02-28", "heures": hours})
    root = tmp_path_factory.mktemp("echelle")
    write_dataset(root, 2019, tables)
    return validation.load_year(root, 2019)


@pytest.fixture(scope="module")
def facts(dataset):
    return indicators.fact_table(dataset)


@pytest.fixture(scope="module")
def rows(dataset, facts):
    return indicators.breakdowns(dataset, facts)


def cells(rows, dimension, perimetre="region", columns=("heures", "contrats", "participants")):
    """``{code: (heures, contrats, participants…)}`` of one breakdown, rounded to 1e-9 (sums of
    decimal hours in floating point are not exact: 66.75 + 68.46 + 14.79 ≠ 150)."""
    part = rows[(rows["dimension"] == dimension) & (rows["perimetre"] == perimetre)]
    return {code: tuple(round(value, 9) for value in part.loc[part["code"] == code, list(columns)].iloc[0])
            for code in part["code"]}


def test_hours_of_a_participant_are_rounded_before_banding(rows):
    assert cells(rows, "heures_par_participant") == {
        "150_299": (150, 3, 1),                         # P7: 150 h, not « moins de 150 h »
        "300_599": (400, 1, 1),                         # P3
        "600_1199": (3400, 7, 4),                       # P1, P2, P4, P5
    }
    assert cells(rows, "heures_par_participant", "93") == {
        "150_299": (150, 3, 1), "600_1199": (2600.5, 4, 3)}  # P7; P1, P2 (800.5 h here), P4


def test_a_participant_counts_once_per_cell(rows):
    # P7's three contracts are in the same cells; P2's are in two départements
    assert cells(rows, "sexe") == {"F": (1550, 5, 3), "M": (2400, 6, 3)}
    assert cells(rows, "sexe", "93") == {"F": (1150, 4, 2), "M": (1600.5, 3, 2)}
    assert cells(rows, "sexe", "75") == {"F": (400, 1, 1), "M": (799.5, 3, 2)}
    assert cells(rows, "type_contrat", "93")["CDD"] == (150, 3, 1)
    assert cells(rows, "publics")["DELD"] == (2470.5, 8, 4)  # P1 (public), P2, P3 (public), P7


def test_companies_of_a_cell_and_share_of_the_busiest(rows):
    columns = ("heures", "entreprises", "part_max_entreprise")
    assert cells(rows, "groupe_contrat", columns=columns)["ALTERNANCE"] == (1900.5, 2, round(1100.5 / 1900.5, 9))
    assert cells(rows, "groupe_contrat", "93", columns) == {  # E3: C3, E1: C6 | E1: C1, C9–C11 | E2: C2
        "ALTERNANCE": (1300.5, 2, round(800 / 1300.5, 9)), "AUTRE": (1150, 1, 1), "IAE": (300, 1, 1)}
    assert cells(rows, "type_structure", columns=columns) == {
        "ENTREPRISE": (1950, 1, 1), "ETTI": (899.5, 1, 1), "GEIQ": (1100.5, 1, 1)}


def test_a_departement_with_operations_only(dataset, facts, rows):
    key = indicators.key_figures(dataset, facts).set_index(["perimetre", "indicateur"])["valeur"]
    assert (key[("94", "operations")], key[("94", "donneurs_ordre")]) == (1, 1)
    assert (key[("94", "heures")], key[("94", "contrats")], key[("94", "participants")]) == (0, 0, 0)
    assert math.isnan(key[("94", "part_femmes")]) and math.isnan(key[("94", "heures_par_participant")])
    local = rows[rows["perimetre"] == "94"]
    assert set(local["dimension"]) == {"modalite", "nature", "secteur", "type_donneur_ordre", "grand_projet",
                                       "departement_execution", "commune_execution", "modalite_x_departement"}
    assert cells(rows, "modalite", "94", ("heures", "contrats", "operations")) == {"RESERVE_SIAE": (0, 0, 1)}
    assert local["part_heures"].isna().all()
    assert cells(rows, "modalite", columns=("contrats", "operations"))["RESERVE_SIAE"] == (4, 2)  # OP3, OP5


def test_figures_of_a_subset_of_the_contracts(dataset, facts):
    """As the studies use them: the women's contracts (C1 P1, C5 P3, C9–C11 P7)."""
    women = facts[facts["sexe"] == "F"]
    key = indicators.key_figures(dataset, women).set_index(["perimetre", "indicateur"])["valeur"]
    assert [key[("region", code)] for code in ("heures", "contrats", "participants", "operations_actives",
                                               "entreprises", "operations")] == [1550, 5, 3, 2, 2, 5]
    assert [key[("93", code)] for code in ("heures", "contrats", "participants", "entreprises")] == [1150, 4, 2, 1]
    rows = indicators.breakdowns(dataset, women, only=("type_structure", "tranche_age"))
    assert cells(rows, "tranche_age") == {"MOINS_26": (1000, 1, 1), "26_49": (150, 3, 1), "50_PLUS": (400, 1, 1)}
    assert cells(rows, "type_structure", "75", ("heures", "entreprises")) == {"ETTI": (400, 1)}


def test_tables_give_the_key_figures_and_breakdowns_of_one_coding(dataset, facts, rows):
    key, together = indicators.tables(dataset, facts)
    pd.testing.assert_frame_equal(key, indicators.key_figures(dataset, facts))
    pd.testing.assert_frame_equal(together, rows)
    _, only = indicators.tables(dataset, facts, only=("sexe",))
    assert set(only["dimension"]) == {"sexe"}
    assert only.loc[only["perimetre"] == "region", "participants"].sum() == 6  # P1–P5 and P7
